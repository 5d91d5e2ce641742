"""workbench.files: outputs appear whole or not at all, and leftovers of killed writers go."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time

import pytest

from workbench.errors import PathError
from workbench.files import (
    STALE_SECONDS,
    atomic_output,
    remove_stale_temporaries,
    temporary_name,
    write_text_atomic,
)


def _temporaries(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def _dead_pid() -> int:
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], check=True,
                          capture_output=True, text=True)  # fmt: skip
    return int(proc.stdout)


@pytest.mark.parametrize("failure", [ValueError("bad value"), KeyboardInterrupt()])
def test_a_failed_write_leaves_the_previous_file_and_no_temporary(tmp_path, failure):
    out = tmp_path / "scores.csv"
    out.write_text("previous\n")
    with pytest.raises(type(failure)), atomic_output(out) as tmp:
        tmp.write_text("half a fi")
        raise failure
    assert out.read_text() == "previous\n"
    assert _temporaries(tmp_path) == []


def test_the_temporary_is_hidden_beside_the_target_and_never_matches_its_suffix(tmp_path):
    out = tmp_path / "scores.csv"
    with atomic_output(out) as tmp:
        assert tmp.parent == tmp_path
        assert tmp.name.startswith(".") and tmp.suffix == ".tmp"
        assert list(tmp_path.glob("*.csv")) == []
        assert not out.exists()  # nothing under the real name until the rename
        tmp.write_text("whole\n")
    assert out.read_text() == "whole\n"
    assert _temporaries(tmp_path) == []


def test_a_long_name_still_gets_a_temporary_name_the_system_accepts(tmp_path):
    out = tmp_path / ("x" * 250 + ".csv")
    assert len(temporary_name(out).name) <= 255
    write_text_atomic(out, "ok")
    assert out.read_text() == "ok"


def test_a_new_file_gets_the_mode_open_would_give_and_an_old_file_keeps_its_own(tmp_path):
    umask = os.umask(0o027)
    try:
        new = write_text_atomic(tmp_path / "new.yaml", "a: 1\n")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(new.stat().st_mode) == 0o640  # 0666 less the umask, not mkstemp's 0600
    private = tmp_path / "private.yaml"
    private.write_text("old")
    private.chmod(0o600)
    write_text_atomic(private, "new")
    assert stat.S_IMODE(private.stat().st_mode) == 0o600


def test_a_link_is_written_through_and_stays_a_link(tmp_path):
    target = tmp_path / "scores-2026.csv"
    target.write_text("old")
    link = tmp_path / "latest.csv"
    link.symlink_to(target.name)
    write_text_atomic(link, "new")
    assert link.is_symlink() and target.read_text() == "new"


def test_a_device_is_written_directly_never_replaced(tmp_path):
    write_text_atomic("/dev/null", "nothing")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda p: p.mkdir(), "it is a folder, not a file"),
        (lambda p: p.symlink_to(p.name), "it is a symbolic link loop"),
    ],
    ids=["folder", "link-loop"],
)
def test_a_path_the_system_refuses_is_a_path_error_naming_it(tmp_path, make, fragment):
    out = tmp_path / "out.csv"
    make(out)
    with pytest.raises(PathError, match=rf"out\.csv: cannot write the file: {fragment}"):
        write_text_atomic(out, "x")
    assert _temporaries(tmp_path) == []


def test_a_full_disk_is_a_path_error_naming_the_file():
    with pytest.raises(PathError, match=r"/dev/full: cannot write the file: the disk is full"):
        write_text_atomic("/dev/full", "x" * 100_000)


def test_only_old_leftovers_of_finished_writers_are_removed(tmp_path):
    old = time.time() - STALE_SECONDS - 60
    dead = _dead_pid()

    def leftover(name: str, pid: int, mtime: float | None) -> str:
        path = tmp_path / f".{name}.{pid}.0123abcd.tmp"
        path.write_text("partial")
        if mtime is not None:
            os.utime(path, (mtime, mtime))
        return path.name

    stale = leftover("scores.csv", dead, old)
    recent = leftover("fresh.csv", dead, None)  # maybe a writer on another machine
    running = leftover("busy.csv", 1, old)  # pid 1 is always running
    other = tmp_path / ".notes.tmp"  # not a name this module makes
    other.write_text("keep")
    os.utime(other, (old, old))
    removed = remove_stale_temporaries(tmp_path)
    assert [p.name for p in removed] == [stale]
    assert _temporaries(tmp_path) == sorted([recent, running, other.name])


def test_the_next_write_into_a_folder_removes_what_a_killed_writer_left(tmp_path):
    old = time.time() - STALE_SECONDS - 60
    left = tmp_path / f".scores.csv.{_dead_pid()}.0123abcd.tmp"
    left.write_text("partial")
    os.utime(left, (old, old))
    write_text_atomic(tmp_path / "report.html", "<p>")
    assert not left.exists()
