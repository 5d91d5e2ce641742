"""The ``workbench`` command as a user runs it: exit codes, messages, output files."""

from __future__ import annotations

import csv
import subprocess
import sys

import pandas as pd
import pytest

from tests.conftest import SAMPLES, tiny_activities, tiny_leads

MODEL = str(SAMPLES / "b2b_model.yaml")


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "workbench.cli", *args], capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def files(tmp_path):
    leads = tiny_leads()
    leads["country"] = "Germany"
    leads["budget"] = "Yes"
    leads["lead_status"] = "New"
    leads.loc[3, "lead_id"] = "=HYPERLINK(d)"  # a hostile id from a CRM export
    leads["phone"] = ""
    leads.to_csv(tmp_path / "leads.csv", index=False)
    tiny_activities().to_csv(tmp_path / "acts.csv", index=False)
    return tmp_path


def assert_user_error(result: subprocess.CompletedProcess, *needles: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: ")
    for needle in needles:
        assert needle in result.stderr, result.stderr


def test_validate_the_default_model():
    result = run("validate", MODEL)
    assert result.returncode == 0
    assert "B2B default v1: 17 criteria (7 fit, 9 engagement, 1 qualification)" in result.stdout


def test_score_writes_a_formula_safe_csv(files):
    out = files / "out" / "scores.csv"
    result = run("score", "--model", MODEL, "--leads", str(files / "leads.csv"),
                 "--activities", str(files / "acts.csv"), "--out", str(out))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Scored 4 leads" in result.stdout
    with open(out, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["lead_id"] for r in rows] == ["a", "b", "c", "'=HYPERLINK(d)"]
    assert {"score", "category", "grade", "fit", "engagement", "qualification", "reasons"} <= set(
        rows[0]
    )
    assert rows[0]["reasons"].startswith("'+")  # "+31 Pricing page…" would be a formula
    for row in rows:
        for value in row.values():
            try:
                float(value)  # a number such as -25.0 is data, not a formula
            except ValueError:
                assert not value.startswith(("=", "+", "-", "@")), value


def test_score_to_parquet_matches_csv(files):
    args = ["score", "--model", MODEL, "--leads", str(files / "leads.csv"),
            "--activities", str(files / "acts.csv")]  # fmt: skip
    assert run(*args, "--out", str(files / "s.csv")).returncode == 0
    assert run(*args, "--out", str(files / "s.parquet")).returncode == 0
    a = pd.read_csv(files / "s.csv", dtype={"lead_id": str})
    b = pd.read_parquet(files / "s.parquet")
    assert a["score"].tolist() == b["score"].tolist()
    assert a["category"].tolist() == b["category"].astype(str).tolist()


def test_as_of_leaves_later_events_out(files):
    base = ["score", "--model", MODEL, "--leads", str(files / "leads.csv"),
            "--activities", str(files / "acts.csv")]  # fmt: skip
    run(*base, "--out", str(files / "now.csv"))
    run(*base, "--as-of", "2026-10-14", "--out", str(files / "then.csv"))
    now = pd.read_csv(files / "now.csv").set_index("lead_id")
    then = pd.read_csv(files / "then.csv").set_index("lead_id")
    assert then.loc["a", "engagement"] < now.loc["a", "engagement"]  # demo on 10-15 not yet


def test_sample_is_deterministic(tmp_path):
    for name in ("one", "two"):
        result = run("sample", "--leads", "200", "--seed", "1", "--out", str(tmp_path / name))
        assert result.returncode == 0, result.stderr
    for f in ("leads.csv", "activities.csv"):
        assert (tmp_path / "one" / f).read_bytes() == (tmp_path / "two" / f).read_bytes()


BAD_SCORE_CALLS = [
    # (model, leads file, extra args, what the message must say)
    ("nope.yaml", "leads.csv", [], ["nope.yaml: file not found"]),
    (MODEL, "none.csv", [], ["none.csv: file not found"]),
    (MODEL, "noid.csv", [], ["noid.csv", "the lead id column is missing"]),
    (MODEL, "leads.csv", ["--as-of", "31/31/2026"], ["'31/31/2026' is not a date"]),
    (MODEL, "leads.csv", ["--out", "x.xlsx"], ["--out: cannot write '.xlsx'"]),
]


@pytest.mark.parametrize(("model", "leads", "extra", "needles"), BAD_SCORE_CALLS)
def test_bad_input_exits_2_with_a_message_and_no_traceback(files, model, leads, extra, needles):
    pd.read_csv(files / "leads.csv").rename(columns={"lead_id": "ident"}).to_csv(
        files / "noid.csv", index=False
    )
    out = ["--out", str(files / "x.csv")] if "--out" not in extra else []
    extra = [str(files / a) if a == "x.xlsx" else a for a in extra]
    model_path = model if model == MODEL else str(files / model)
    result = run("score", "--model", model_path, "--leads", str(files / leads), *extra, *out)
    assert_user_error(result, *needles)


def test_invalid_model(files):
    bad = files / "bad.yaml"
    bad.write_text(
        (SAMPLES / "b2b_model.yaml").read_text().replace("kind: activity", "kind: activty", 1)
    )
    result = run("validate", str(bad))
    assert_user_error(result, "bad.yaml", "unknown rule kind 'activty'", "Did you mean 'activity'?")
