"""Issue 13, hostile input: interrupted and concurrent writes, and paths the system refuses.

Every case runs the real command. A full disk is a real OS limit (``RLIMIT_FSIZE`` in the
child, so writes fail with EFBIG) or ``/dev/full``; signals are real signals sent while the
output's temporary file exists.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from tests.helpers import SAMPLES
from workbench.cli.main import main

MODEL = SAMPLES / "b2b_model.yaml"
LEADS = SAMPLES / "leads.csv"
ACTIVITIES = SAMPLES / "activities.csv"
PREVIOUS = "the previous output\n"


def workbench(*argv, cwd: Path, fsize: int | None = None, **popen) -> subprocess.Popen:
    """``workbench ARGV`` in a child process, its files limited to ``fsize`` bytes."""

    def limit() -> None:
        # Ctrl-C as in a terminal's foreground, even when the suite itself runs in the
        # background (`make test &`), whose children a shell starts with SIGINT ignored
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        if fsize:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit: EFBIG
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    return subprocess.Popen(
        [sys.executable, "-m", "workbench.cli", *map(str, argv)],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=limit,
        **popen,
    )


def finish(proc: subprocess.Popen) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=600)
    return proc.returncode, out, err


def temporaries(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob(".*.tmp"))


# --- paths ---------------------------------------------------------------------------------

SCORE = ["score", "--model", MODEL, "--leads", LEADS]
DRAFT = ["draft", "--leads", LEADS, "--id", "lead_id", "--outcome", "converted"]
PROFILE = ["profile", "--leads", LEADS, "--id", "lead_id", "--outcome", "converted"]
LOOP = "it is a symbolic link loop"
PATHS = [
    ("model-loop", ["score", "--model", "loop", "--leads", LEADS, "--out", "s.csv"],
     f"loop: cannot read the file: {LOOP}"),
    ("leads-loop", ["score", "--model", MODEL, "--leads", "loop.csv", "--out", "s.csv"],
     f"loop.csv: cannot read the file: {LOOP}"),
    ("activities-loop", [*SCORE, "--activities", "loop.csv", "--out", "s.csv"],
     f"loop.csv: cannot read the file: {LOOP}"),
    ("out-loop", [*SCORE, "--out", "loop.csv"], f"--out: cannot write loop.csv: {LOOP}"),
    ("out-inside-loop", [*SCORE, "--out", "loop/s.csv"], f"cannot write loop/s.csv: {LOOP}"),
    ("out-is-a-folder", [*SCORE, "--out", "folder.csv"],
     "cannot write folder.csv: it is a folder; name a file in it"),
    ("out-under-a-file", [*SCORE, "--out", "file/s.csv"], "file is a file, not a folder"),
    ("out-name-too-long", [*SCORE, "--out", "x" * 300 + ".csv"], "the name is too long"),
    ("sample-loop", ["sample", "--leads", "10", "--out", "loop"],
     f"cannot write loop/leads.csv: {LOOP}"),
    ("draft-out-loop", [*DRAFT, "--out", "loop.yaml"], f"cannot write loop.yaml: {LOOP}"),
    ("profile-out-loop", [*PROFILE, "--out", "loop.html"], f"cannot write loop.html: {LOOP}"),
    ("report-model-loop", ["report", "--model", "loop", "--leads", LEADS, "--out", "r.html"],
     f"--model: cannot read loop: {LOOP}"),
    ("report-out-folder", ["report", "--model", MODEL, "--leads", LEADS, "--out", "folder.html"],
     "cannot write folder.html: it is a folder"),
    ("validate-loop", ["validate", "loop"], f"loop: cannot read the file: {LOOP}"),
    ("sign-off-loop", ["sign-off", "loop", "--name", "Ann"], f"loop: cannot read the file: {LOOP}"),
    ("publish-store-loop", ["publish", "--model", MODEL, "--leads", LEADS, "--store", "loop"],
     f"loop: cannot use the store folder: {LOOP}"),
]  # fmt: skip


@pytest.fixture
def hostile(tmp_path, monkeypatch) -> Path:
    """A folder of traps: links leading back to themselves, folders named like files, a
    file where a folder is expected."""
    for name in ("loop", "loop.csv", "loop.yaml", "loop.html"):
        (tmp_path / name).symlink_to(name)
    (tmp_path / "folder.csv").mkdir()
    (tmp_path / "folder.html").mkdir()
    (tmp_path / "file").write_text("a file, not a folder")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(("argv", "fragment"), [p[1:] for p in PATHS], ids=[p[0] for p in PATHS])
def test_a_path_the_system_refuses_is_a_user_error(hostile, capsys, argv, fragment):
    before = sorted(p.name for p in hostile.iterdir())
    assert main([str(a) for a in argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and fragment in err, err
    assert sorted(p.name for p in hostile.iterdir()) == before  # nothing written, no leftovers


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into any folder")
def test_an_unwritable_folder_is_a_user_error(tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    assert main([str(a) for a in [*SCORE, "--out", locked / "s.csv"]]) == 2
    assert "cannot write into" in capsys.readouterr().err and not list(locked.iterdir())


def test_sigterm_is_handled_only_while_a_command_runs(tmp_path):
    before = signal.getsignal(signal.SIGTERM)
    assert main(["validate", str(MODEL)]) == 0
    assert signal.getsignal(signal.SIGTERM) is before


# --- a full disk ---------------------------------------------------------------------------

FULL = "the file would exceed the size limit for files here; free some space"
FULL_DISK = [
    # the command, the output(s) it must leave as they were, the file size limit in bytes
    pytest.param([*SCORE, "--out", "s.csv"], ["s.csv"], 100_000, id="score-csv"),
    pytest.param([*SCORE, "--out", "s.parquet"], ["s.parquet"], 50_000, id="score-parquet"),
    pytest.param(["sample", "--leads", "2000", "--out", "data"],
                 ["data/leads.csv", "data/activities.csv"], 100_000, id="sample"),
    pytest.param([*PROFILE, "--out", "p.html"], ["p.html"], 10_000, id="profile"),
    pytest.param([*DRAFT, "--folds", "0", "--out", "d.yaml"], ["d.yaml"], 4_000, id="draft",
                 marks=pytest.mark.slow),
    # a saved version is never overwritten (calibrate refuses an existing file): no v2 yet
    pytest.param(["calibrate", "--model", MODEL, "--leads", LEADS, "--activities", ACTIVITIES,
                  "--force", "--out", "v2.yaml"], ["v2.yaml"], 4_000, id="calibrate",
                 marks=pytest.mark.slow),
    pytest.param(["report", "--model", MODEL, "--leads", LEADS, "--out", "r.html"], ["r.html"],
                 50_000, id="report", marks=pytest.mark.slow),
]  # fmt: skip


@pytest.mark.parametrize(("argv", "kept", "fsize"), FULL_DISK)
def test_a_full_disk_leaves_the_previous_output_and_says_so(tmp_path, argv, kept, fsize):
    versions = argv[0] == "calibrate"  # writes a new version: there is no previous file
    for name in kept if not versions else ():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(PREVIOUS)
    code, _, err = finish(workbench(*argv, cwd=tmp_path, fsize=fsize))
    assert code == 2, err
    assert "Traceback" not in err
    assert err.startswith("error: ") and FULL in err, err
    assert any(f"{name}: cannot write" in err for name in kept), err  # names the file
    if versions:
        assert not any((tmp_path / name).exists() for name in kept)  # no half a version
    else:
        assert all((tmp_path / name).read_text() == PREVIOUS for name in kept)
    assert temporaries(tmp_path) == []


@pytest.mark.slow
def test_publishing_onto_a_full_disk_leaves_no_half_run(tmp_path):
    argv = ["publish", "--model", MODEL, "--leads", LEADS, "--store", "store"]
    code, _, err = finish(workbench(*argv, cwd=tmp_path, fsize=20_000))
    assert code == 2 and "store: cannot write the run into the store" in err, err
    assert FULL in err
    assert not list((tmp_path / "store" / "runs").iterdir())
    assert not list((tmp_path / "store" / "tmp").iterdir())


def test_a_device_that_is_full_is_a_user_error(tmp_path, monkeypatch, capsys):
    (tmp_path / "full.csv").symlink_to("/dev/full")
    monkeypatch.chdir(tmp_path)
    assert main([str(a) for a in [*SCORE, "--out", "full.csv"]]) == 2
    assert "full.csv: cannot write the file: the disk is full" in capsys.readouterr().err
    assert Path("/dev/full").is_char_device()


# --- interrupted and concurrent writes -----------------------------------------------------


@pytest.fixture(scope="session")
def many_leads(tmp_path_factory) -> Path:
    """~200,000 leads: the sample's leads repeated under new ids (writing them as scores
    takes seconds, time to interrupt)."""
    raw = pd.read_csv(LEADS, dtype=str, keep_default_na=False)
    copies = [raw.assign(lead_id=raw["lead_id"] + f"-{i}") for i in range(200_000 // len(raw))]
    path = tmp_path_factory.mktemp("many") / "leads.csv"
    pd.concat(copies, ignore_index=True).to_csv(path, index=False)
    return path


def _wait_for_temporary(proc: subprocess.Popen, folder: Path, pattern: str) -> Path:
    """The first file matching `pattern` (glob, hidden names included) while `proc` runs."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        if found := sorted(folder.glob(pattern)):
            return found[0]
        time.sleep(0.002)
    pytest.fail(f"no temporary file appeared; exit {proc.poll()}: {proc.communicate()[1]}")


SIGNALS = [(signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGKILL, -signal.SIGKILL)]


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
@pytest.mark.parametrize(("sig", "code"), SIGNALS, ids=[s.name for s, _ in SIGNALS])
def test_a_score_killed_while_writing_leaves_the_previous_output(
    tmp_path, many_leads, suffix, sig, code
):
    out = tmp_path / f"scores{suffix}"
    out.write_text(PREVIOUS)
    proc = workbench("score", "--model", MODEL, "--leads", many_leads, "--out", out, cwd=tmp_path)
    tmp = _wait_for_temporary(proc, tmp_path, f".scores{suffix}.*.tmp")
    proc.send_signal(sig)
    assert finish(proc)[0] == code
    assert out.read_text() == PREVIOUS
    assert list(tmp_path.glob(f"*{suffix}")) == [out]  # nothing else looks like an output
    if sig != signal.SIGKILL:
        assert temporaries(tmp_path) == []
        return
    # SIGKILL cannot be caught: the hidden leftover goes on the next write, once it is old
    assert temporaries(tmp_path) == [tmp]
    an_hour_ago = time.time() - 3700
    os.utime(tmp, (an_hour_ago, an_hour_ago))
    code, _, err = finish(workbench(*SCORE, "--out", out, cwd=tmp_path))
    assert code == 0, err
    assert temporaries(tmp_path) == [] and out.read_bytes() != PREVIOUS.encode()


@pytest.mark.slow
def test_two_writers_to_one_output_leave_one_whole_output(tmp_path, many_leads):
    """The last complete writer wins; the file is never a mix of the two.

    The second run (the small sample, fewer reasons: a shorter file) starts once the first
    has begun writing, so it writes while the first is still at it.
    """
    runs = {
        "many": ["--leads", many_leads, "--as-of", "2026-10-31"],
        "few": ["--leads", LEADS, "--as-of", "2026-06-30", "--top", "1"],
    }
    base = ["score", "--model", MODEL]
    first = workbench(*base, *runs["many"], "--out", "same.csv", cwd=tmp_path)
    _wait_for_temporary(first, tmp_path, "*same.csv*")  # its output, under any name
    second = workbench(*base, *runs["few"], "--out", "same.csv", cwd=tmp_path)
    results = [finish(first), finish(second)]
    assert all(code == 0 and "Wrote" in out for code, out, _ in results), results
    alone = {}
    for name, extra in runs.items():
        assert finish(workbench(*base, *extra, "--out", f"{name}.csv", cwd=tmp_path))[0] == 0
        alone[name] = (tmp_path / f"{name}.csv").read_bytes()
    final = (tmp_path / "same.csv").read_bytes()
    assert final in alone.values(), f"same.csv ({len(final):,} bytes) is neither run's output"
    assert temporaries(tmp_path) == []
