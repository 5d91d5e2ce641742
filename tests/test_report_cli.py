"""``workbench report``: bad parameters are refused before anything runs (exit 2), a failing
notebook is kept next to the output (exit 1), several segments give one report each plus an
index page.
"""

from __future__ import annotations

import re
import subprocess
import sys

import nbformat
import pandas as pd
import pytest
from bs4 import BeautifulSoup

import workbench as wb
import workbench.report.run as runner
from tests.helpers import AS_OF, SAMPLES
from workbench.analysis import sales
from workbench.cli import main
from workbench.engine.signals import resolve_as_of

pytestmark = pytest.mark.slow  # papermill and subprocesses

MODEL, LEADS, ACTS = SAMPLES / "b2b_model.yaml", SAMPLES / "leads.csv", SAMPLES / "activities.csv"
BASE = ["report", "--model", str(MODEL), "--leads", str(LEADS), "--activities", str(ACTS)]

BAD = {
    "missing leads file": (
        ["report", "--model", str(MODEL), "--leads", "nowhere/leads.csv"],
        r"--leads: file not found: nowhere/leads\.csv",
    ),
    "missing compare-to model": (
        [*BASE, "--compare-to", "v9.yaml"],
        r"--compare-to: file not found: v9\.yaml",
    ),
    "unknown segment": (
        [*BASE, "--segment", "SMB", "Enterprize"],
        r"--segment: no lead is in segment 'Enterprize' \(column 'segment'\)\. "
        r"Did you mean 'Enterprise'\? Segments are: Enterprise, Mid-market, SMB\.",
    ),
    "malformed date": (
        [*BASE, "--as-of", "2026-10-31", "31-31-2026"],
        r"--as-of: '31-31-2026' is not a date; use YYYY-MM-DD",
    ),
    "ambiguous date": (
        [*BASE, "--as-of", "03/10/2026"],
        r"--as-of: '03/10/2026' can be read two ways: 3 October 2026 \(day first\) or "
        r"March 10, 2026 \(month first\)",
    ),
    "impossible date": ([*BASE, "--as-of", "2026-02-30"], r"'2026-02-30' is not a calendar date"),
    "not html": ([*BASE], r"--out: the report is HTML; name a \.html file, not '.*report\.pdf'"),
    "bad model file": (
        ["report", "--model", str(LEADS), "--leads", str(LEADS)],
        r"leads\.csv: a model file must be a mapping with at least 'name' and 'criteria'",
    ),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_parameters_exit_2_before_anything_runs(case, tmp_path, capsys, monkeypatch):
    def must_not_run(*args, **kwargs):
        raise AssertionError("the notebook ran despite bad parameters")

    monkeypatch.setattr(runner, "run_report", must_not_run)
    args, message = BAD[case]
    out = tmp_path / "out" / ("report.pdf" if case == "not html" else "report.html")
    assert main([*args, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err
    assert re.search(message, err), err
    assert not (tmp_path / "out").exists()  # nothing written, not even the folder


def test_the_installed_command_refuses_a_bad_date_without_a_traceback(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "workbench.cli",
            *BASE,
            "--as-of",
            "yes",
            "--out",
            tmp_path / "r.htm",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "error: --as-of: 'yes' is not a date; use YYYY-MM-DD, e.g. 2026-09-30"
    )
    assert list(tmp_path.iterdir()) == []


def test_a_failure_while_running_keeps_the_executed_notebook(tmp_path, capsys, monkeypatch):
    acts = pd.read_csv(ACTS, dtype=str, nrows=50).rename(columns={"timestamp": "when"})
    acts.to_csv(tmp_path / "acts.csv", index=False)
    # the parameter check loads the activities too (a bad file is exit 2 before papermill):
    # let it skip them, so the notebook meets the bad file and fails while running
    load = runner.load_data
    monkeypatch.setattr(runner, "load_data", lambda leads, _, model: load(leads, None, model=model))
    out = tmp_path / "report.html"
    args = ["report", "--model", str(MODEL), "--leads", str(LEADS)]
    code = main([*args, "--activities", str(tmp_path / "acts.csv"), "--out", str(out)])
    kept = tmp_path / "report.failed.ipynb"
    err = capsys.readouterr().err
    assert code == 1
    assert not out.exists() and kept.exists()
    assert str(kept) in err and "the activity timestamp column is missing" in err
    nb = nbformat.read(kept, as_version=4)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    errors = [o for o in errors if o.output_type == "error"]
    assert [e.ename for e in errors] == ["DataError"]
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert "acts.csv" in injected[0].source  # the parameters it ran with are in it


@pytest.fixture(scope="module")
def two_segments(tmp_path_factory):
    """One call for two segments and a date: two reports named after both, an index page."""
    folder = tmp_path_factory.mktemp("reports")
    out = str(folder / "weekly.html")
    code = main(
        [*BASE, "--as-of", AS_OF, "--segment", "smb", "Enterprise", "--top", "3", "--out", out]
    )
    return code, folder


def test_several_segments_give_one_report_each_and_an_index(two_segments):
    code, folder = two_segments
    assert code == 0
    names = [f"weekly-enterprise-{AS_OF}.html", f"weekly-smb-{AS_OF}.html"]
    assert sorted(p.name for p in folder.iterdir()) == ["index.html", *names]
    index = BeautifulSoup((folder / "index.html").read_text(), "html.parser")
    assert [(a.get_text(), a["href"]) for a in index.find_all("a")] == [(n, n) for n in names]
    rows = [[td.get_text() for td in tr.find_all("td")][1:4] for tr in index.tbody.find_all("tr")]
    leads = engine_leads(AS_OF)
    assert rows == [[s, AS_OF, f"{leads[s]:,}"] for s in ("Enterprise", "SMB")]
    assert not index.find_all("script")


def engine_leads(as_of: str | None) -> dict[str, int]:
    """Leads the engine scores per segment as of ``as_of`` (those created by then)."""
    model = wb.load_model(MODEL)
    data = wb.load_data(LEADS, ACTS, model=model)
    instant = resolve_as_of(data, as_of)
    known = sales.known_by(data, instant).leads["segment"]
    return {str(k): int(v) for k, v in known.value_counts().items()}


def test_the_index_shows_the_instant_scored_and_the_leads_of_each_report(tmp_path):
    """Without --as-of the index names the newest data's instant, not 'latest data'."""
    out = tmp_path / "weekly.html"
    assert main([*BASE, "--segment", "SMB", "Enterprise", "--top", "1", "--out", str(out)]) == 0
    model = wb.load_model(MODEL)
    instant = resolve_as_of(wb.load_data(LEADS, ACTS, model=model), None)
    index = BeautifulSoup((tmp_path / "index.html").read_text(), "html.parser")
    head = [th.get_text() for th in index.thead.find_all("th")]
    assert head == ["report", "segment", "as of", "leads scored", "status"]
    rows = [[td.get_text() for td in tr.find_all("td")][1:4] for tr in index.tbody.find_all("tr")]
    leads = engine_leads(None)
    when = f"{instant:%Y-%m-%d %H:%M} (newest data)"
    assert rows == [[s, when, f"{leads[s]:,}"] for s in ("Enterprise", "SMB")]
    assert "latest data" not in index.get_text()
    page = BeautifulSoup((tmp_path / "weekly-smb.html").read_text(), "html.parser")
    head = page.find(id="report-head")  # the page states them too
    assert (head["data-as-of"], int(head["data-leads"])) == (
        f"{instant:%Y-%m-%d %H:%M}",
        leads["SMB"],
    )
    assert page.find(id="report-title").get_text().endswith(f"as of {instant:%Y-%m-%d}")


def test_each_segments_report_covers_that_segment_only(two_segments):
    _, folder = two_segments
    leads = pd.read_csv(LEADS, dtype=str).drop_duplicates("lead_id")
    for segment in ("SMB", "Enterprise"):
        page = folder / f"weekly-{segment.lower()}-{AS_OF}.html"
        soup = BeautifulSoup(page.read_text(), "html.parser")
        items = {
            tr.find_all("td")[0].get_text(): tr.find_all("td")[1].get_text()
            for tr in soup.find("table", id="scored-items").tbody.find_all("tr")
        }
        assert items["Segment"] == segment
        assert items["Leads scored"] == f"{(leads['segment'] == segment).sum():,}"
        top = soup.find("table", id="top-leads-table").tbody.find_all("tr")
        assert len(top) == 3
        assert {tr.find_all("td")[5].get_text() for tr in top} == {segment}


def test_index_page_escapes_names(tmp_path):
    job = runner.ReportJob(
        parameters={"segment": "<b>A&B</b>", "as_of": None},
        out=tmp_path / "r-a-b.html",
        title="t",
        model_label="<i>m</i>",
    )
    run = runner.ReportRun(written=[(job, job.out, 1.0)])
    page = runner.index_html(run, tmp_path)
    assert "&lt;b&gt;A&amp;B&lt;/b&gt;" in page and "&lt;i&gt;m&lt;/i&gt;" in page
    assert "<b>" not in page.split("</style>")[1]


def test_an_out_folder_that_cannot_be_written_is_refused_first(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(runner, "run_report", lambda *a, **k: pytest.fail("the notebook ran"))
    blocker = tmp_path / "reports"
    blocker.write_text("a file where the folder should be")
    assert main([*BASE, "--out", str(blocker / "weekly" / "report.html")]) == 2
    err = capsys.readouterr().err
    assert "--out: cannot write" in err and "is a file, not a folder" in err


def test_a_compare_to_model_that_reads_other_columns_is_refused_first(
    tmp_path, capsys, monkeypatch
):
    monkeypatch.setattr(runner, "run_report", lambda *a, **k: pytest.fail("the notebook ran"))
    other = tmp_path / "other.yaml"
    other.write_text(MODEL.read_text().replace("field: seniority", "field: Seniority Level"))
    out = tmp_path / "r.html"
    assert main([*BASE, "--compare-to", str(other), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "--compare-to: other.yaml:" in err
    assert "column 'Seniority Level' is not in the leads file" in err
    assert not out.exists()


def test_report_dates_are_read_as_score_reads_them():
    from workbench.data.dates import date_problem
    from workbench.report.run import iso_day

    for typed in ("2026/10/31", "20261031", "31/10/2026", "2026-10-31"):
        assert date_problem(typed, day=True) is None and iso_day(typed) == "2026-10-31", typed
    assert "has a time" in str(date_problem("2026-10-31T10:00", day=True))
