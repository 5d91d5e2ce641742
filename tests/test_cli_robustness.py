"""The command line against the slips a user makes: outputs over inputs, missing folders,
tiny samples, too many folds, empty files, negative counts, closed pipes.

Each case is a one-paragraph error with exit code 2 and no traceback (or, for a closed
pipe, a quiet exit); nothing the user gave as input is ever overwritten.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import workbench as wb
from tests.helpers import ROOT
from workbench.analysis import metrics
from workbench.cli import build_parser, main

SAMPLES = ROOT / "data" / "samples"
MODEL = SAMPLES / "b2b_model.yaml"
LEADS = SAMPLES / "leads.csv"
ACTS = SAMPLES / "activities.csv"
BOM = b"\xef\xbb\xbf"


def one_paragraph_error(err: str) -> None:
    assert err.startswith("error: ") and err.endswith("\n"), err
    assert "\n\n" not in err and "Traceback" not in err, err


@pytest.fixture
def inputs(tmp_path) -> Path:
    """Copies of the sample files, so a command that overwrote one would show it."""
    for f in (MODEL, LEADS, ACTS):
        shutil.copyfile(f, tmp_path / f.name)
    return tmp_path


def unchanged(folder: Path) -> bool:
    return all((folder / f.name).read_bytes() == f.read_bytes() for f in (MODEL, LEADS, ACTS))


# --- 1. an output never overwrites an input ------------------------------------------------


def test_score_refuses_to_write_over_the_leads_file_before_reading_anything(inputs, capsys):
    spelt_otherwise = inputs / "sub" / ".." / "leads.csv"
    argv = ["score", "--model", str(inputs / "b2b_model.yaml")]
    argv += ["--leads", str(inputs / "leads.csv")]
    assert main([*argv, "--out", str(spelt_otherwise)]) == 2
    captured = capsys.readouterr()
    one_paragraph_error(captured.err)
    assert "--out" in captured.err and "leads file" in captured.err and "--leads" in captured.err
    assert captured.out == ""  # refused before the data was read
    assert unchanged(inputs)


def test_score_refuses_an_out_that_is_a_link_to_the_activities(inputs, capsys):
    link = inputs / "link.csv"
    link.symlink_to(inputs / "activities.csv")
    argv = ["score", "--model", str(inputs / "b2b_model.yaml")]
    argv += ["--leads", str(inputs / "leads.csv")]
    argv += ["--activities", str(inputs / "activities.csv"), "--out", str(link)]
    assert main(argv) == 2
    assert "must not overwrite the activities file" in capsys.readouterr().err
    assert unchanged(inputs)


def test_profile_refuses_to_write_over_its_leads(inputs, capsys):
    leads = str(inputs / "leads.csv")
    argv = ["profile", "--leads", leads, "--id", "lead_id", "--outcome", "converted"]
    assert main([*argv, "--out", leads]) == 2
    captured = capsys.readouterr()
    one_paragraph_error(captured.err)
    assert "must not overwrite the leads file" in captured.err and captured.out == ""
    assert unchanged(inputs)


def test_draft_refuses_to_write_over_its_leads(tmp_path, capsys):
    leads = tmp_path / "export.yaml"  # a draft is .yaml: only a leads file named so can clash
    leads.write_text("not touched\n")
    argv = ["draft", "--leads", str(leads), "--id", "id", "--outcome", "won", "--out", str(leads)]
    assert main(argv) == 2
    assert "--out: must not overwrite the leads file" in capsys.readouterr().err
    assert leads.read_text() == "not touched\n"


@pytest.mark.parametrize(
    ("option", "target", "what"),
    [("--out", "leads.csv", "leads"), ("--chart", "activities.csv", "activities")],
)
def test_calibrate_refuses_out_or_chart_over_an_input(inputs, capsys, option, target, what):
    argv = ["calibrate", "--model", str(inputs / "b2b_model.yaml")]
    argv += ["--leads", str(inputs / "leads.csv"), "--activities", str(inputs / "activities.csv")]
    assert main([*argv, option, str(inputs / target)]) == 2
    captured = capsys.readouterr()
    one_paragraph_error(captured.err)
    assert f"{option}: must not overwrite the {what} file" in captured.err
    assert captured.out == ""
    assert unchanged(inputs)


def test_calibrate_still_refuses_to_overwrite_the_model(inputs, capsys):
    model = str(inputs / "b2b_model.yaml")
    argv = ["calibrate", "--model", model, "--leads", str(inputs / "leads.csv"), "--out", model]
    assert main(argv) == 2
    assert "must not overwrite the model file" in capsys.readouterr().err
    assert unchanged(inputs)


def test_report_refuses_an_out_that_is_an_input(tmp_path, capsys):
    model = tmp_path / "model.html"  # the model loader reads YAML whatever the name
    shutil.copyfile(MODEL, model)
    argv = ["report", "--model", str(model), "--leads", str(LEADS), "--out", str(model)]
    assert main(argv) == 2
    captured = capsys.readouterr()
    one_paragraph_error(captured.err)
    assert "--out: must not overwrite the model file" in captured.err
    assert model.read_bytes() == MODEL.read_bytes()


# --- 2. draft and calibrate make the --out folder -----------------------------------------


def test_draft_writes_into_a_folder_that_does_not_exist_yet(tmp_path, capsys):
    out = tmp_path / "new" / "dir" / "drafted.yaml"
    argv = ["draft", "--leads", str(LEADS), "--id", "lead_id", "--outcome", "converted"]
    assert main([*argv, "--folds", "0", "--out", str(out)]) == 0
    assert wb.load_model(out).criteria


def test_calibrate_writes_into_a_folder_that_does_not_exist_yet(tmp_path, capsys):
    out = tmp_path / "new" / "dir" / "next.yaml"
    argv = ["calibrate", "--model", str(MODEL), "--leads", str(LEADS), "--activities", str(ACTS)]
    assert main([*argv, "--no-backtest", "--force", "--out", str(out)]) == 0
    assert wb.load_model(out).version == wb.load_model(MODEL).version + 1


def test_calibrate_checks_the_out_folder_before_any_work(tmp_path, capsys):
    (tmp_path / "afile").write_text("x")
    argv = ["calibrate", "--model", str(MODEL), "--leads", str(LEADS)]
    assert main([*argv, "--out", str(tmp_path / "afile" / "next.yaml")]) == 2
    captured = capsys.readouterr()
    assert "--out" in captured.err and "not a folder" in captured.err and captured.out == ""


# --- 3. sample: tiny counts, and --out is a folder ----------------------------------------


@pytest.mark.parametrize("n", [1, 2])
def test_sample_makes_a_tiny_messy_funnel(tmp_path, capsys, n):
    assert main(["sample", "--leads", str(n), "--out", str(tmp_path / "s")]) == 0
    assert wb.load_data(tmp_path / "s" / "leads.csv").n_leads == n
    assert f"Wrote {n} lead{'s' if n > 1 else ''} " in capsys.readouterr().out


def test_sample_refuses_an_out_named_like_a_file(tmp_path, capsys):
    assert main(["sample", "--leads", "10", "--out", str(tmp_path / "x.csv")]) == 2
    err = capsys.readouterr().err
    one_paragraph_error(err)
    assert "--out is a folder" in err and "leads.csv" in err
    assert not (tmp_path / "x.csv").exists()


def test_sample_refuses_an_out_that_is_an_existing_file(tmp_path, capsys):
    (tmp_path / "notes").write_text("keep me")
    assert main(["sample", "--leads", "10", "--out", str(tmp_path / "notes")]) == 2
    assert "is a file" in capsys.readouterr().err
    assert (tmp_path / "notes").read_text() == "keep me"


@pytest.mark.parametrize(
    "argv, said",
    [
        (["sample", "--seed", "-1"], "--seed: must be between 0 and 4,294,967,295, not -1"),
        (["sample", "--seed", str(2**32)], "--seed: must be between 0 and 4,294,967,295"),
        (["sample", "--leads", "0"], "--leads: must be between 1 and 10,000,000, not 0"),
        (["sample", "--leads", str(2**31)], "--leads: must be between 1 and 10,000,000, not 2,"),
        (["calibrate", "--model", str(MODEL), "--leads", str(LEADS), "--seed", "-1"],
         "--seed: must be between 0 and 4,294,967,295, not -1"),
    ],
    ids=["negative seed", "seed over 32 bits", "no leads", "2**31 leads", "calibrate seed"],
)  # fmt: skip
def test_seed_and_sample_size_out_of_range_say_the_range(tmp_path, capsys, argv, said):
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exit_:
        main([*argv, "--out", str(out)])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert said in err and "Traceback" not in err
    assert not out.exists()


def test_sample_help_says_the_limits():
    text = build_parser()._subparsers._group_actions[0].choices["sample"].format_help()
    assert "1 to 10,000,000" in text and "0 to 4,294,967,295" in text


# --- 4. draft --folds beyond the data ------------------------------------------------------


def test_draft_refuses_more_folds_than_conversions(tmp_path, capsys):
    out = tmp_path / "m.yaml"
    argv = ["draft", "--leads", str(LEADS), "--id", "lead_id", "--outcome", "converted"]
    assert main([*argv, "--folds", "1000", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    one_paragraph_error(err)
    assert "--folds" in err and "372 converted" in err and "4,628 not converted" in err
    assert "between 2 and 372" in err
    assert not out.exists()


@pytest.mark.parametrize("folds", ["1", "-3"])
def test_draft_refuses_fewer_than_two_folds_but_zero(tmp_path, capsys, folds):
    argv = ["draft", "--leads", str(LEADS), "--id", "lead_id", "--outcome", "converted"]
    assert main([*argv, "--folds", folds, "--out", str(tmp_path / "m.yaml")]) == 2
    assert "at least 2 folds (0 skips it)" in capsys.readouterr().err


# --- 5. report: the input files are checked before the notebook runs -----------------------


@pytest.mark.parametrize("content", ["", "id,when\n"], ids=["empty", "header without columns"])
def test_report_checks_the_activities_load_before_running(tmp_path, capsys, content):
    acts = tmp_path / "acts.csv"
    acts.write_text(content)
    out = tmp_path / "r.html"
    argv = ["report", "--model", str(MODEL), "--leads", str(LEADS), "--activities", str(acts)]
    assert main([*argv, "--out", str(out)]) == 2
    captured = capsys.readouterr()
    one_paragraph_error(captured.err)
    assert "acts.csv" in captured.err and "notebook" not in captured.err
    assert list(tmp_path.iterdir()) == [acts]  # no report, no failed notebook


# --- 6. score --top --------------------------------------------------------------------------


def test_score_refuses_a_negative_top(tmp_path, capsys):
    argv = ["score", "--model", str(MODEL), "--leads", str(LEADS), "--out", str(tmp_path / "s.csv")]
    with pytest.raises(SystemExit) as exit_:
        main([*argv, "--top", "-1"])
    assert exit_.value.code == 2
    assert "--top: must be at least 0, not -1" in capsys.readouterr().err
    assert not (tmp_path / "s.csv").exists()
    assert build_parser().parse_args([*argv, "--top", "0"]).top == 0


# --- 7. a closed pipe ------------------------------------------------------------------------


@pytest.mark.slow
def test_a_closed_pipe_ends_quietly():
    argv = ["compare", "--model", str(MODEL), "--model", str(MODEL), "--leads", str(LEADS)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "workbench.cli", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    proc.stdout.close()  # like `| head` that stopped reading before the first line
    err = proc.stderr.read().decode()
    proc.wait(timeout=120)
    assert "Traceback" not in err and "BrokenPipeError" not in err, err
    assert err == ""
    assert proc.returncode == 1


# --- 8. profile's summary names both ends of a date column -----------------------------------


def test_profile_summary_names_two_levels_when_rates_tie(tmp_path, capsys):
    days = pd.date_range("2026-01-01", periods=40, freq="7D").strftime("%Y-%m-%d")
    leads = pd.DataFrame(
        {
            "id": [f"L{i}" for i in range(200)],
            "won": [1] * 40 + [0] * 160,
            "closed_on": [*days, *[""] * 160],
        }
    )
    leads.to_csv(tmp_path / "l.csv", index=False)
    argv = ["profile", "--leads", str(tmp_path / "l.csv"), "--id", "id", "--outcome", "won"]
    assert main(argv) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("closed_on"))
    worst, best = line.split("LEAK? ")[1].split(" … ")
    assert worst.startswith("under ") and worst.endswith(" 100.0%")
    assert best.endswith("+ 100.0%"), line  # the last bin, its rate in full


# --- 9. one lead moves ------------------------------------------------------------------------


def test_move_sentences_say_one_lead_moves():
    shift = pd.DataFrame([[5, 1], [2, 7]], index=["A", "B"], columns=["A", "B"])
    assert metrics.move_sentences(shift) == ["2 leads move B → A", "1 lead moves A → B"]


# --- 10. CSV for spreadsheets carries a byte-order mark ---------------------------------------


def test_score_and_profile_csv_start_with_a_byte_order_mark(tmp_path, capsys):
    scores, profile = tmp_path / "scores.csv", tmp_path / "profile.csv"
    argv = ["score", "--model", str(MODEL), "--leads", str(LEADS), "--activities", str(ACTS)]
    assert main([*argv, "--out", str(scores)]) == 0
    argv = ["profile", "--leads", str(LEADS), "--id", "lead_id", "--outcome", "converted"]
    assert main([*argv, "--out", str(profile)]) == 0
    for path, first in ((scores, "lead_id"), (profile, "column")):
        raw = path.read_bytes()
        assert raw.startswith(BOM) and raw.count(BOM) == 1
        assert pd.read_csv(path).columns[0] == first  # pandas drops the mark
    assert "−" in scores.read_text(encoding="utf-8-sig")  # reasons in words, as Excel shows


# --- 11. --id and --outcome naming one column -------------------------------------------------


@pytest.mark.parametrize("command", ["profile", "draft"])
def test_id_and_outcome_must_be_two_columns(tmp_path, capsys, command):
    argv = [command, "--leads", str(LEADS), "--id", "converted", "--outcome", "converted"]
    if command == "draft":
        argv += ["--out", str(tmp_path / "m.yaml")]
    assert main(argv) == 2
    err = capsys.readouterr().err
    one_paragraph_error(err)
    assert "--id and --outcome name the same column 'converted'" in err


@pytest.mark.parametrize("command", ["profile", "draft"])
def test_a_file_of_only_the_id_and_the_outcome_has_nothing_to_profile(tmp_path, capsys, command):
    leads = tmp_path / "two.csv"
    leads.write_text("lead_id,converted\n1,yes\n2,no\n3,yes\n4,no\n")
    argv = [command, "--leads", str(leads), "--id", "lead_id", "--outcome", "converted"]
    if command == "draft":
        argv += ["--folds", "0", "--out", str(tmp_path / "m.yaml")]
    assert main(argv) == 2
    err = capsys.readouterr().err
    one_paragraph_error(err)
    assert "two.csv" in err and "no column to profile besides the id 'lead_id'" in err
    assert list(tmp_path.iterdir()) == [leads]


# --- empty and partial input ---------------------------------------------------------------


def test_score_with_no_leads_left_is_an_error_not_an_empty_file(tmp_path, capsys):
    header_only = tmp_path / "leads.csv"
    header_only.write_text(LEADS.read_text().splitlines()[0] + "\n")
    out = tmp_path / "scores.csv"
    argv = ["score", "--model", str(MODEL), "--leads", str(header_only), "--out", str(out)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    one_paragraph_error(err)
    assert "no leads to score" in err and not out.exists()


def test_validate_refuses_activities_without_leads(capsys):
    assert main(["validate", str(MODEL), "--activities", str(ACTS)]) == 2
    err = capsys.readouterr().err
    one_paragraph_error(err)
    assert "--activities needs --leads" in err


def test_scores_keep_the_id_column_name_of_the_leads_file(tmp_path, capsys):
    leads = tmp_path / "crm.csv"
    leads.write_text(LEADS.read_text().replace("lead_id,", "Prospect ID,", 1))
    out = tmp_path / "scores.csv"
    argv = ["score", "--model", str(MODEL), "--leads", str(leads), "--activities", str(ACTS)]
    assert main([*argv, "--out", str(out)]) == 0
    scored = pd.read_csv(out, encoding="utf-8-sig", dtype=str)
    assert scored.columns[0] == "Prospect ID"
    assert scored["Prospect ID"].str.startswith("L").all()
