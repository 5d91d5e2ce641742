"""The ``workbench`` command as a user runs it: exit codes, messages, output files.

Error paths run the real command in a subprocess (exit code 2, one paragraph on stderr, no
traceback); they start together so the suite stays fast. Success paths call
``workbench.cli.main`` in-process and check the files it writes.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

import workbench as wb
from tests.helpers import ROOT
from workbench.cli import main

MODEL = str(ROOT / "data" / "samples" / "b2b_model.yaml")
FORMULA_CHARS = ("=", "+", "-", "@", "\t", "\r")
BUCKETS = ("fit", "engagement", "qualification")

# event dates relative to today, so no event is ever "in the future" of the real clock
TODAY = pd.Timestamp.now().normalize()


def day(days_ago: int, hour: int = 10) -> str:
    return (TODAY - pd.Timedelta(days=days_ago) + pd.Timedelta(hours=hour)).isoformat()


PRICING, DEMO, TRIAL = day(12), day(5), day(40)
BEFORE_DEMO = (TODAY - pd.Timedelta(days=8)).strftime("%Y-%m-%d")
AFTER_ALL = (TODAY - pd.Timedelta(days=1)).strftime("%Y-%m-%d")


def leads_frame() -> pd.DataFrame:
    """Six rows for the default model: four leads kept, one duplicate and one empty id."""
    return pd.DataFrame(
        {
            "lead_id": ["L1", "=L2", "-L3", "L4", "L1", ""],
            "first_name": ["Ann", '=HYPERLINK("http://x")', "-Bob", "Dee", "Dup", "Nobody"],
            "last_name": ["A", "B", "C", "D", "E", "F"],
            "email": ["ann@acme.com", "=cmd@evil.com", "-x@acme.com", "dee@acme.com", "", ""],
            "job_title": ["VP Sales", "Director", "Engineer", "Manager", "", ""],
            "seniority": ["VP", "Director", "Select", "Manager", "", ""],
            "industry": ["Software", "Retail", "Software", "Healthcare", "", ""],
            "company_size": ["350", "5", "2500", "", "", ""],
            "country": ["Germany", "United States", "N/A", "Canada", "", ""],
            "budget": ["Yes", "No", "", "Yes", "", ""],
            "lead_status": ["Contacted", "Phone qualified", "Disqualified", "", "", ""],
            "segment": ["Enterprise", "SMB", "@Partner", "Enterprise", "", ""],
            "created_at": [day(200, 0)[:10]] * 6,
            "converted": [""] * 6,
        }
    )


def activities_frame() -> pd.DataFrame:
    return pd.DataFrame(
        [
            ("L1", PRICING, "page_view", "/pricing"),
            ("L1", DEMO, "Demo Request", ""),
            ("L4", TRIAL, "Free Trial", ""),
        ],
        columns=["lead_id", "timestamp", "activity_type", "detail"],
    )


@pytest.fixture
def files(tmp_path) -> Path:
    leads_frame().to_csv(tmp_path / "leads.csv", index=False)
    activities_frame().to_csv(tmp_path / "acts.csv", index=False)
    return tmp_path


def score_args(files: Path, out: str, *extra: str) -> list[str]:
    return [
        "score",
        "--model",
        MODEL,
        "--leads",
        str(files / "leads.csv"),
        "--activities",
        str(files / "acts.csv"),
        "--out",
        str(files / out),
        *extra,
    ]


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def unquote(cell: str) -> str:
    return cell[1:] if cell.startswith("'") else cell


# --- success paths -------------------------------------------------------------------------


@pytest.mark.slow
def test_validate_the_default_model_with_the_installed_command():
    exe = Path(sys.executable).with_name("workbench")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "workbench.cli"]
    result = subprocess.run([*cmd, "validate", MODEL], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"OK  {MODEL}")
    assert "B2B default v1: 17 criteria (7 fit, 9 engagement, 1 qualification)" in result.stdout
    assert "Categories: A ≥ 60, B ≥ 35, C ≥ 0." in result.stdout
    assert result.stderr == ""


def test_validate_with_data_reports_what_loading_found(files, capsys):
    argv = ["validate", MODEL, "--leads", str(files / "leads.csv")]
    assert main([*argv, "--activities", str(files / "acts.csv")]) == 0
    out = capsys.readouterr().out
    assert "Leads: 6 rows read, 4 kept, 2 set aside." in out
    assert "Activities: 3 rows read, 3 kept, 0 set aside." in out
    assert "lead id appears more than once" in out
    assert "The model fits the data (4 leads)" in out


def test_score_writes_one_formula_safe_row_per_kept_lead(files, capsys):
    assert main(score_args(files, "out/scores.csv")) == 0
    stdout = capsys.readouterr().out
    assert "Leads: 6 rows read, 4 kept, 2 set aside." in stdout
    assert "Scored 4 leads with B2B default v1" in stdout

    rows = read_rows(files / "out" / "scores.csv")
    header = list(rows[0])
    assert header[:4] == ["lead_id", "score", "category", "grade"]
    assert header[-1] == "reasons"
    assert set(BUCKETS) <= set(header)
    # one row per kept lead, in file order; hostile ids are quoted, not dropped
    assert [r["lead_id"] for r in rows] == ["L1", "'=L2", "'-L3", "L4"]
    assert rows[2]["segment"] == "'@Partner"
    # points last ("Demo request … +25"): no reason reads as a formula, none needs a quote
    assert rows[0]["reasons"].startswith("Demo request") and " +25" in rows[0]["reasons"]
    assert not any(r["reasons"].startswith(("'", "+", "-", "\u2212")) for r in rows)
    for row in rows:
        assert row["category"] in {"A", "B", "C", "Inquiry"}
        assert 0 <= float(row["score"]) <= 100
        for column, value in row.items():
            if column in ("score", *BUCKETS):
                float(value)  # numbers (e.g. -40.0) are data, written as numbers
            else:
                assert not value.startswith(FORMULA_CHARS), (column, value)
    assert float(rows[2]["qualification"]) == -40.0  # 'Disqualified'


def test_the_csv_holds_the_same_scores_as_the_library(files, capsys):
    assert main(score_args(files, "scores.csv")) == 0
    model = wb.load_model(MODEL)
    data = wb.load_data(files / "leads.csv", files / "acts.csv", model=model)
    scored = wb.score(model, wb.compute_signals(model, data))
    rows = read_rows(files / "scores.csv")
    assert [unquote(r["lead_id"]) for r in rows] == scored.index.tolist()
    assert [float(r["score"]) for r in rows] == scored["score"].tolist()
    assert [r["category"] for r in rows] == scored["category"].astype(str).tolist()
    for b in BUCKETS:
        assert [float(r[b]) for r in rows] == pytest.approx(scored[b].round(1).tolist())


def test_score_to_parquet_has_the_same_scores(files, capsys):
    assert main(score_args(files, "s.csv")) == 0
    assert main(score_args(files, "s.parquet")) == 0
    rows = read_rows(files / "s.csv")
    table = pd.read_parquet(files / "s.parquet")
    assert list(table.columns) == list(rows[0])
    # Parquet is for programs: ids come back as they were, without the spreadsheet quote
    assert table["lead_id"].tolist() == ["L1", "=L2", "-L3", "L4"]
    assert table["score"].tolist() == [float(r["score"]) for r in rows]
    assert table["category"].astype(str).tolist() == [r["category"] for r in rows]
    for b in BUCKETS:
        assert table[b].tolist() == [float(r[b]) for r in rows]


def test_as_of_before_an_event_leaves_it_out(files, capsys):
    assert main(score_args(files, "after.csv", "--as-of", AFTER_ALL)) == 0
    assert main(score_args(files, "before.csv", "--as-of", BEFORE_DEMO)) == 0
    assert f"as of {BEFORE_DEMO} 23:59" in capsys.readouterr().out
    after = {r["lead_id"]: r for r in read_rows(files / "after.csv")}
    before = {r["lead_id"]: r for r in read_rows(files / "before.csv")}
    # the demo request (25 points) happened after BEFORE_DEMO: it no longer counts
    assert "Demo request" in after["L1"]["reasons"]
    assert "Demo request" not in before["L1"]["reasons"]
    assert float(before["L1"]["engagement"]) <= float(after["L1"]["engagement"]) - 15
    assert float(before["L1"]["score"]) < float(after["L1"]["score"])
    # leads without activity are scored the same either way (fit does not depend on as-of)
    assert before["'=L2"]["fit"] == after["'=L2"]["fit"]


def test_validate_and_score_warn_of_leads_piled_up_at_the_ends_of_the_scale(tmp_path, capsys):
    """The sample's A leads tie at 100 and many leads at 0: both commands say so, with the fix."""
    from workbench.analysis.metrics import scale_pileup

    samples = ROOT / "data" / "samples"
    data = ["--leads", str(samples / "leads.csv"), "--activities", str(samples / "activities.csv")]
    model = wb.load_model(MODEL)
    signals = wb.compute_signals(model, wb.load_data(*data[1::2], model=model))
    expected = scale_pileup(wb.score_totals(model, signals), model)
    assert len(expected) == 2 and "Raise scale.max" in expected[0]
    lines = [f"  warning: {w}" for w in expected]

    assert main(["validate", MODEL, *data]) == 0
    out = capsys.readouterr().out.splitlines()
    assert all(line in out for line in lines)
    assert out[-1].endswith(f"with {len(signals.warnings) + 2} warnings above.")

    assert main(["score", "--model", MODEL, *data, "--out", str(tmp_path / "s.csv")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert all(line in out for line in lines)


def test_top_limits_the_positive_reasons(files, capsys):
    assert main(score_args(files, "scores.csv")) == 0
    assert main(score_args(files, "top1.csv", "--top", "1")) == 0
    default = read_rows(files / "scores.csv")[0]["reasons"].split("; ")
    top1 = read_rows(files / "top1.csv")[0]["reasons"].split("; ")

    def positive(reasons: list[str]) -> list[str]:
        return [r for r in reasons if r.rpartition(" ")[2].startswith("+")]  # points last

    assert len(positive(default)) == 3
    assert positive(top1) == default[:1]


def test_messy_but_valid_activities_score_without_an_error(files, capsys):
    """Blank types, daylight-saving offsets, unknown leads: set aside or read, never a crash."""
    (files / "acts.csv").write_text(
        "lead_id,timestamp,activity_type,detail\n"
        f"L1,{PRICING}+01:00,page_view,/pricing\n"
        f"L1,{DEMO}+02:00,Demo Request,\n"
        "L1,2026-01-01T10:00:00,,\n"
        "nobody,2026-01-01T10:00:00,page_view,/x\n"
    )
    assert main(score_args(files, "messy.csv")) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert "Activities: 4 rows read, 2 kept, 2 set aside." in captured.out
    rows = read_rows(files / "messy.csv")
    assert len(rows) == 4
    assert "Demo request" in rows[0]["reasons"]


def test_sample_is_deterministic_for_a_seed(tmp_path, capsys):
    for name, seed in (("one", "1"), ("two", "1"), ("other", "2")):
        assert (
            main(["sample", "--leads", "200", "--seed", seed, "--out", str(tmp_path / name)]) == 0
        )
    assert "Wrote 200 leads (seed 1)" in capsys.readouterr().out
    for f in ("leads.csv", "activities.csv"):
        one = (tmp_path / "one" / f).read_bytes()
        assert one == (tmp_path / "two" / f).read_bytes()
        assert one != (tmp_path / "other" / f).read_bytes()
    data = wb.load_data(
        tmp_path / "one" / "leads.csv",
        tmp_path / "one" / "activities.csv",
        model=wb.load_model(MODEL),
    )
    assert data.n_leads == 200
    assert data.report.counts["activities_read"] > 0


def test_sample_writes_parquet_when_asked(tmp_path, capsys):
    assert (
        main(
            [
                "sample",
                "--leads",
                "20",
                "--seed",
                "3",
                "--out",
                str(tmp_path),
                "--format",
                "parquet",
            ]
        )
        == 0
    )
    assert {p.name for p in tmp_path.iterdir()} >= {"leads.parquet", "activities.parquet"}
    assert wb.load_data(tmp_path / "leads.parquet").n_leads == 20


def test_sample_comes_with_the_model_and_the_command_to_score_it(tmp_path, capsys):
    """Installed from a wheel, the sample model is out of sight in site-packages: sample puts
    it next to the data, and the printed command scores them as it stands."""
    out = tmp_path / "try"
    assert main(["sample", "--leads", "50", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    shipped = Path(MODEL).read_bytes()
    assert (out / "b2b_model.yaml").read_bytes() == shipped
    command = next(line for line in printed.splitlines() if line.startswith("Next: workbench "))
    argv = command.removeprefix("Next: workbench ").split()
    argv[argv.index("--out") + 1] = str(tmp_path / "scores.csv")
    assert main(argv) == 0
    assert len(pd.read_csv(tmp_path / "scores.csv")) == 50

    (out / "b2b_model.yaml").write_text("# my edited model\n")  # never overwritten
    assert main(["sample", "--leads", "50", "--out", str(out)]) == 0
    assert "left as it is" in capsys.readouterr().out
    assert (out / "b2b_model.yaml").read_text() == "# my edited model\n"


# --- error paths: the real command, exit 2, one paragraph, no traceback ------------------


def prepare_bad_inputs(d: Path) -> None:
    leads_frame().to_csv(d / "leads.csv", index=False)
    activities_frame().to_csv(d / "acts.csv", index=False)
    leads_frame().rename(columns={"lead_id": "ident"}).to_csv(d / "noid.csv", index=False)
    leads_frame().drop(columns=["budget"]).to_csv(d / "nobudget.csv", index=False)
    (d / "latin1.csv").write_bytes(b"lead_id,first_name\nL1,\x81\x8d\n")  # no known encoding
    text = Path(MODEL).read_text()
    (d / "badkind.yaml").write_text(text.replace("kind: lookup", "kind: lokup", 1))
    (d / "badyaml.yaml").write_text("name: x\ncriteria:\n  - {id: a, label: [A\n")


# name -> (argv with {d} for the folder, what stderr must say); run by the real command
ERROR_CASES = {
    "missing model file": (
        ["score", "--model", "{d}/nope.yaml", "--leads", "{d}/leads.csv", "--out", "{d}/x.csv"],
        ["nope.yaml: file not found"],
    ),
    "unknown rule kind": (
        ["validate", "{d}/badkind.yaml"],
        [
            "badkind.yaml",
            "line ",
            "criteria[0].rule",
            "unknown rule kind 'lokup'",
            "Did you mean 'lookup'?",
        ],
    ),
    "missing leads file": (
        ["score", "--model", MODEL, "--leads", "{d}/none.csv", "--out", "{d}/x.csv"],
        ["none.csv: file not found"],
    ),
    "leads without the id column": (
        ["score", "--model", MODEL, "--leads", "{d}/noid.csv", "--out", "{d}/x.csv"],
        ["noid.csv", "column 'lead_id'", "the lead id column is missing", "data:"],
    ),
    "malformed --as-of": (
        [
            "score",
            "--model",
            MODEL,
            "--leads",
            "{d}/leads.csv",
            "--as-of",
            "31/31/2026",
            "--out",
            "{d}/x.csv",
        ],
        ["'31/31/2026' is not a date", "YYYY-MM-DD"],
    ),
    "unknown --out extension": (
        ["score", "--model", MODEL, "--leads", "{d}/leads.csv", "--out", "{d}/x.xlsx"],
        ["--out: cannot write '.xlsx'", ".csv or .parquet"],
    ),
}


# more bad input, checked in-process (same handler, without the start-up cost)
MORE_ERROR_CASES = {
    "invalid YAML": (
        ["validate", "{d}/badyaml.yaml"],
        ["badyaml.yaml", "line ", "not valid YAML"],
    ),
    "missing activities file": (
        [
            "score",
            "--model",
            MODEL,
            "--leads",
            "{d}/leads.csv",
            "--activities",
            "{d}/no.csv",
            "--out",
            "{d}/x.csv",
        ],
        ["no.csv: file not found"],
    ),
    "leads without a column the model needs": (
        ["score", "--model", MODEL, "--leads", "{d}/nobudget.csv", "--out", "{d}/x.csv"],
        ["nobudget.csv", "column 'budget' is not in the leads file"],
    ),
    "leads file not in UTF-8": (
        ["validate", MODEL, "--leads", "{d}/latin1.csv"],
        ["latin1.csv", "cannot read the file"],
    ),
}


@pytest.fixture(scope="module")
def error_runs(tmp_path_factory) -> dict[str, tuple[subprocess.CompletedProcess, Path]]:
    """Every error case run by the real command, all at once (each is ~1 s of start-up)."""
    base = tmp_path_factory.mktemp("errors")

    def run(name: str) -> tuple[subprocess.CompletedProcess, Path]:
        d = base / name.replace(" ", "_").replace("-", "")
        d.mkdir()
        prepare_bad_inputs(d)
        argv = [a.replace("{d}", str(d)) for a in ERROR_CASES[name][0]]
        result = subprocess.run(
            [sys.executable, "-m", "workbench.cli", *argv],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=d,
        )
        return result, d

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(ERROR_CASES, pool.map(run, ERROR_CASES), strict=True))


@pytest.mark.slow
@pytest.mark.parametrize("case", list(ERROR_CASES))
def test_bad_input_exits_2_with_one_paragraph_and_no_traceback(error_runs, case):
    result, folder = error_runs[case]
    err = result.stderr
    assert result.returncode == 2, err
    assert "Traceback" not in err and "Traceback" not in result.stdout
    assert err.startswith("error: ")
    assert err.endswith("\n") and "\n\n" not in err  # one paragraph
    for needle in ERROR_CASES[case][1]:
        assert needle in err, err
    assert not (folder / "x.csv").exists() and not (folder / "x.xlsx").exists()


@pytest.mark.parametrize("case", list(MORE_ERROR_CASES))
def test_more_bad_input_returns_2_with_one_paragraph(tmp_path, capsys, case):
    prepare_bad_inputs(tmp_path)
    argv, needles = MORE_ERROR_CASES[case]
    assert main([a.replace("{d}", str(tmp_path)) for a in argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "\n\n" not in err
    for needle in needles:
        assert needle in err, err
    assert not (tmp_path / "x.csv").exists()


def test_a_bad_out_is_refused_before_any_data_is_read(tmp_path, capsys):
    argv = ["score", "--model", MODEL, "--leads", str(tmp_path / "missing.csv")]
    assert main([*argv, "--out", str(tmp_path / "x.xlsx")]) == 2
    captured = capsys.readouterr()
    assert "--out" in captured.err and "missing.csv" not in captured.err
    assert captured.out == ""


def test_the_out_error_names_the_file(tmp_path, capsys):
    out = tmp_path / "q3_scores.xlsx"
    main(["score", "--model", MODEL, "--leads", str(tmp_path / "l.csv"), "--out", str(out)])
    assert "q3_scores.xlsx" in capsys.readouterr().err
