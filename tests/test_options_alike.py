"""``score`` and ``report`` read the options they share by one rule: the same bad date or
``--top`` gets the same message from both, and a missing file names the folder as typed."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

import workbench as wb
from tests.helpers import SAMPLES
from workbench.cli.main import main
from workbench.errors import DataError, ModelError

FILES = ["--model", str(SAMPLES / "b2b_model.yaml"), "--leads", str(SAMPLES / "leads.csv")]


def command(name: str, out: Path, *options: str) -> list[str]:
    target = out / ("scores.csv" if name == "score" else "report.html")
    return [name, *FILES, *options, "--out", str(target)]


@pytest.mark.parametrize("bad", ["2026-13-45", "31-31-2026", "03/10/2026", "2026-02-30", " "])
def test_score_and_report_refuse_a_bad_date_with_the_same_message(bad, tmp_path, capsys):
    said = {}
    for name in ("score", "report"):
        assert main(command(name, tmp_path / name, "--as-of", bad)) == 2
        said[name] = capsys.readouterr().err
    assert said["score"].startswith("error: --as-of: ")
    assert said["report"] == said["score"]
    assert not any(tmp_path.iterdir())  # refused before anything was written


@pytest.mark.parametrize("bad", ["abc", "-1", "2.5"])
def test_score_and_report_refuse_a_bad_top_alike(bad, tmp_path, capsys):
    said = {}
    for name in ("score", "report"):
        with pytest.raises(SystemExit) as exit_:
            main(command(name, tmp_path / name, "--top", bad))
        assert exit_.value.code == 2
        (line,) = [x for x in capsys.readouterr().err.splitlines() if "error:" in x]
        # the minimum differs (no reasons at all is a choice; a report lists at least one)
        said[name] = re.sub(r"at least \d+", "at least N", line.split(": error: ", 1)[1])
    assert said["report"] == said["score"]
    assert said["score"].startswith("argument --top: ")
    assert not any(tmp_path.iterdir())


def test_a_report_lists_at_least_one_lead(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(command("report", tmp_path, "--top", "0"))
    assert exit_.value.code == 2
    assert "argument --top: must be at least 1, not 0" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_a_missing_file_names_the_folder_as_typed_not_where_a_link_points(
    tmp_path, monkeypatch, capsys
):
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real", target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    typed = Path(os.getcwd()) / "link"  # the working folder as the process sees it
    with pytest.raises(ModelError, match=re.escape(f"(looked in {typed})")):
        wb.load_model("link/model.yaml")
    with pytest.raises(DataError, match=re.escape(f"(looked in {typed})")):
        wb.load_data("link/leads.csv")
    assert main(["validate", "link/model.yaml"]) == 2
    err = capsys.readouterr().err
    assert f"(looked in {typed})" in err and os.path.realpath("link") not in err
