"""The report from a store: ``workbench report --store S [--run R]`` reports a published run
as sales was given it. Its numbers are checked against the store read independently (pandas
over ``Store.read_leads`` and the manifests), its page has the summary first, a table per
owner that adds up, the approval warning of an unapproved run, and bad options exit 2
before anything runs.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from bs4 import BeautifulSoup

import workbench as wb
import workbench.report.run as runner
from tests.helpers import SAMPLES
from workbench.cli import main
from workbench.errors import DataError
from workbench.model.yaml_io import save_model
from workbench.report.stored import ALL_OWNERS, NO_OWNER, build_stored_report
from workbench.report.stored_html import SECTIONS, stored_report_html
from workbench.store import Store, publish
from workbench.store.queries import StoredRun

MODEL, LEADS, ACTS = SAMPLES / "b2b_model.yaml", SAMPLES / "leads.csv", SAMPLES / "activities.csv"
TOP = 7


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    """The sample published as of its newest data, with one past week to compare with."""
    path = tmp_path_factory.mktemp("report-store") / "store"
    publish(MODEL, LEADS, ACTS, store=path, by="Ann Lee", history_weeks=1)
    return path


@pytest.fixture(scope="module")
def report(store):
    return build_stored_report(store, top_n=TOP)


@pytest.fixture(scope="module")
def leads(store) -> pd.DataFrame:
    """The current run's leads, read by pandas (not by the report's queries)."""
    return Store(store).read_leads()


@pytest.fixture(scope="module")
def soup(report) -> BeautifulSoup:
    return BeautifulSoup(stored_report_html(report), "html.parser")


def html_table(soup: BeautifulSoup, table_id: str) -> pd.DataFrame:
    table = soup.find("table", id=table_id)
    assert table is not None, f"no table {table_id}"
    head = [th.get_text() for th in table.thead.find_all("th")]
    rows = [[td.get_text() for td in tr.find_all("td")] for tr in table.tbody.find_all("tr")]
    return pd.DataFrame(rows, columns=head)


def number(text: str) -> int:
    return int(text.replace(",", ""))


def _counts(frame: pd.DataFrame, names) -> pd.Series:
    return frame["category"].astype("str").value_counts().reindex(names, fill_value=0)


# --- the summary --------------------------------------------------------------------------


def test_counts_and_change_are_the_two_runs_counts(report, store, leads):
    s = Store(store)
    current = s.current()
    previous = s.manifest(current.previous_run)
    names = list(current.counts)
    now = _counts(leads, names)
    before = _counts(s.read_leads(previous.run_id), names)
    assert report.counts["leads"].tolist() == now.tolist()
    assert report.counts["previous"].tolist() == before.tolist()
    assert report.counts["change"].tolist() == (now - before).tolist()
    assert report.counts["share"].sum() == pytest.approx(1.0)
    assert report.previous_label == f"the run as of {pd.Timestamp(previous.as_of):%Y-%m-%d %H:%M}"


def test_new_top_and_going_cold_are_the_stored_flags_best_first(report, leads):
    m = report.manifest
    assert m.new_top == int(leads["new_top"].sum()) > TOP
    assert m.cold == int(leads["cold"].sum()) > TOP
    best_new = leads[leads["new_top"]].sort_values("rank").head(TOP)
    assert report.new_top["lead id"].tolist() == best_new["lead_id"].tolist()
    assert (report.new_top["category"].astype("str") == m.top_category).all()
    best_cold = leads[leads["cold"]].sort_values("rank").head(TOP)
    assert report.cold["lead id"].tolist() == best_cold["lead_id"].tolist()
    assert report.cold["score then"].tolist() == best_cold["previous_score"].tolist()
    assert (report.cold["score then"] > report.cold["score now"]).all()
    assert report.cold["reasons"].tolist() == best_cold["reasons"].tolist()


def test_conversion_per_category_is_the_stored_outcomes(report, leads):
    known = leads[leads["converted"].notna()]
    by = known.groupby(known["category"].astype("str"))["converted"].agg(["count", "sum"])
    by = by.reindex(report.conversion.index)
    assert report.conversion["leads"].tolist() == by["count"].tolist()
    assert report.conversion["converted"].tolist() == by["sum"].astype(int).tolist()
    rate = report.conversion["rate"].dropna()
    assert rate.to_numpy() == pytest.approx((by["sum"] / by["count"]).dropna().to_numpy())
    assert (report.conversion["low"] <= report.conversion["rate"].fillna(0)).all()


def test_top_leads_are_the_best_ranked_outside_inquiries(report, leads, sample_model):
    sales = leads[leads["category"].astype("str") != sample_model.inquiry_category]
    best = sales.sort_values("rank").head(TOP)
    assert report.top["lead id"].tolist() == best["lead_id"].tolist()
    assert report.top["rank"].tolist() == best["rank"].tolist()
    assert report.top["reasons"].tolist() == best["reasons"].tolist()


def test_the_histogram_holds_every_lead_in_its_category(report, leads):
    per = report.histogram.groupby("category")["leads"].sum()
    assert per.reindex(report.counts.index).tolist() == report.counts["leads"].tolist()
    assert report.previous_histogram["leads"].sum() == sum(report.counts["previous"])


# --- the details --------------------------------------------------------------------------


def test_the_table_per_owner_adds_up_to_the_run(report, leads):
    owners = report.owners
    top = report.top_category
    rows = owners.drop(index=ALL_OWNERS)
    expected = pd.crosstab(leads["owner"].replace("", NO_OWNER), leads["category"].astype("str"))
    for name in report.counts.index:
        assert rows[name].to_dict() == expected[name].to_dict()
    assert rows["leads"].tolist() == rows[list(report.counts.index)].sum(axis=1).tolist()
    flags = leads.groupby("owner")[["new_top", "cold"]].sum()
    assert rows[f"new {top}"].to_dict() == flags["new_top"].to_dict()
    assert rows[f"{top} going cold"].to_dict() == flags["cold"].to_dict()
    total = owners.loc[ALL_OWNERS]
    assert total.drop("conversion").tolist() == rows.drop(columns="conversion").sum().tolist()
    assert total["leads"] == report.manifest.leads == len(leads)
    assert [total[c] for c in report.counts.index] == list(report.manifest.counts.values())
    assert total[f"new {top}"] == report.manifest.new_top
    assert total["conversion"] == pytest.approx(leads["converted"].mean())
    assert list(rows.index) == sorted(rows.index, key=str.casefold)


def test_rows_set_aside_per_reason_and_where_to_download_them(report, store):
    s = Store(store)
    for kind in ("leads", "activities"):
        rejected = s.read_rejected(kind)
        got = report.set_aside[report.set_aside["file"] == kind]
        assert (
            got.set_index("reason")["rows"].to_dict() == rejected["reason"].value_counts().to_dict()
        )
        assert got["rows"].sum() == report.manifest.set_aside[kind]
        (path,) = set(got["stored in"])
        assert Path(path).is_file() and pd.read_parquet(path).shape[0] == len(rejected)
        assert Path(path).parent.name == report.manifest.run_id


def test_a_run_given_by_id_is_reported_and_the_first_run_has_nothing_to_compare(store):
    s = Store(store)
    first = s.manifest(s.current().previous_run)
    rep = build_stored_report(store, run=first.run_id, top_n=TOP)
    assert rep.manifest.run_id == first.run_id
    assert rep.counts["leads"].tolist() == list(first.counts.values())
    assert rep.counts["previous"].isna().all() and rep.previous_label is None
    soup = BeautifulSoup(stored_report_html(rep), "html.parser")
    assert "first run of the store" in soup.find(id="changes").get_text()
    assert soup.find("table", id="new-top-table") is None
    assert soup.find("table", id="cold-leads-table") is None


def test_a_pruned_previous_run_is_named_but_not_counted(store, tmp_path):
    copy = tmp_path / "store"
    shutil.copytree(store, copy)
    assert Store(copy).prune(keep=1)  # deletes the past week, keeps the current run
    rep = build_stored_report(copy, top_n=TOP)
    assert "pruned since" in rep.previous_label
    assert rep.counts["previous"].isna().all() and rep.previous_histogram is None
    assert len(rep.new_top) == len(rep.cold) == TOP  # the flags were stored with the run


# --- the page -----------------------------------------------------------------------------


def test_the_page_opens_with_the_summary_then_the_details(soup, report):
    ids = [s["id"] for s in soup.find_all("section")]
    assert ids == list(SECTIONS)
    summary = soup.find("section", id="summary")
    assert [t["id"] for t in summary.find_all("table")] == [
        "run-facts",
        "category-counts",
        "conversion",
    ]
    facts = html_table(soup, "run-facts").set_index("item")["value"]
    m = report.manifest
    assert facts["Model"] == f"{m.model} v{m.version}"
    assert facts["Published"].endswith("UTC by Ann Lee")
    assert facts["Run"] == m.run_id
    assert "Dana Whitfield" in facts["Signed off by"]
    assert not soup.find_all(class_="approval-warning")
    counts = html_table(soup, "category-counts").set_index("category")
    assert [number(x) for x in counts["leads"]] == list(m.counts.values())
    assert [number(x) for x in counts["change"]] == report.counts["change"].tolist()
    changes = soup.find(id="changes").get_text()
    assert f"{m.new_top:,} leads are new in {m.top_category}" in changes
    assert f"{m.cold:,} {m.top_category} leads of then are going cold" in changes
    assert f"{m.fell:,} of them already out of {m.top_category}" in changes
    assert len(soup.find("section", id="distribution").find_all("svg")) == 1


def test_the_pages_owner_table_sums_to_its_last_row(soup, report):
    owners = html_table(soup, "owners-table").set_index("owner")
    numeric = owners.drop(columns="conversion").map(number)
    assert numeric.drop(index=ALL_OWNERS).sum().tolist() == numeric.loc[ALL_OWNERS].tolist()
    assert numeric.loc[ALL_OWNERS, "leads"] == report.manifest.leads


def test_an_unapproved_run_says_so_first(tmp_path):
    stale = wb.load_model(MODEL).with_points({"pricing_page": 25})  # rules edited after sign-off
    save_model(stale, tmp_path / "stale.yaml")
    publish(tmp_path / "stale.yaml", LEADS, ACTS, store=tmp_path / "s", unapproved=True)
    rep = build_stored_report(tmp_path / "s", top_n=3)
    soup = BeautifulSoup(stored_report_html(rep), "html.parser")
    summary = soup.find("section", id="summary")
    (warning,) = summary.find_all(class_="approval-warning")
    assert warning.get_text().startswith("UNAPPROVED: this run was published with --unapproved.")
    assert "The rules changed after Dana Whitfield" in warning.get_text()
    assert summary.find(class_="approval-warning") is next(iter(summary.find_all(["p", "table"])))
    facts = html_table(soup, "run-facts").set_index("item")["value"]
    assert facts["Approval"] == "UNAPPROVED run"


def test_user_text_from_the_store_is_escaped(store, tmp_path):
    copy = tmp_path / "store"
    shutil.copytree(store, copy)
    s = Store(copy)
    path = copy / "runs" / s.current_id() / "leads.parquet"
    frame = pd.read_parquet(path)
    frame.loc[frame["rank"] == 1, "name"] = "<script>alert(1)</script>"
    frame.loc[:, "owner"] = np.where(frame["rank"] == 1, "<b>Eve</b>", frame["owner"])
    frame.to_parquet(path)
    text = stored_report_html(build_stored_report(copy, top_n=3))
    soup = BeautifulSoup(text, "html.parser")
    assert "<script>" not in text and not soup.find_all("script")
    assert "&lt;b&gt;Eve&lt;/b&gt;" in text


# --- the command --------------------------------------------------------------------------


@pytest.fixture
def no_run(monkeypatch):
    """The notebook must not run: every case here is refused while checking."""

    def must_not_run(*args, **kwargs):
        raise AssertionError("the notebook ran despite bad parameters")

    monkeypatch.setattr(runner, "run_report", must_not_run)


def _bad_cases(store: Path, tmp: Path) -> dict[str, tuple[list[str], str]]:
    (tmp / "empty").mkdir(exist_ok=True)
    return {
        "missing store": (
            ["--store", str(tmp / "nowhere")],
            rf"--store: {re.escape(str(tmp / 'nowhere'))}: no store here yet; `workbench "
            r"publish --store .*` makes one",
        ),
        "no run yet": (
            ["--store", str(tmp / "empty")],
            r"--store: .*empty has no published run yet; `workbench publish --store",
        ),
        "unknown run": (
            ["--store", str(store), "--run", "20260101T000000.000000Z-deadbeef"],
            r"--run: no run '20260101T000000\.000000Z-deadbeef' in .*`workbench runs --store",
        ),
        "store and raw files": (
            ["--store", str(store), "--model", str(MODEL), "--segment", "SMB"],
            r"--store: reports a published run as it was scored; --model, --segment are for "
            r"a report of raw files",
        ),
        "run without store": (
            ["--model", str(MODEL), "--leads", str(LEADS), "--run", "x"],
            r"--run: names a run of a store; give --store S too",
        ),
        "neither": ([], r"--model and --leads: required to report raw files \(or --store S"),
        "out inside the runs": (
            ["--store", str(store), "--out", str(store / "runs" / "report.html")],
            r"--out: must not be inside the store's runs/ folder",
        ),
        "not html": (
            ["--store", str(store), "--out", str(tmp / "out" / "report.pdf")],
            r"--out: the report is HTML",
        ),
    }


@pytest.mark.parametrize(
    "case",
    [
        "missing store",
        "no run yet",
        "unknown run",
        "store and raw files",
        "run without store",
        "neither",
        "out inside the runs",
        "not html",
    ],
)
def test_bad_options_exit_2_before_anything_runs(case, store, tmp_path, capsys, no_run):
    args, message = _bad_cases(store, tmp_path)[case]
    if "--out" not in args:
        args = [*args, "--out", str(tmp_path / "out" / "report.html")]
    assert main(["report", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err
    assert re.search(message, err), err
    assert not (tmp_path / "out").exists()
    assert not list((store / "runs").glob("*.html"))


def test_store_alone_means_the_default_store(tmp_path, monkeypatch, capsys, no_run):
    monkeypatch.chdir(tmp_path)
    assert main(["report", "--store", "--out", "r.html"]) == 2
    assert "--store: scoring-store: no store here yet" in capsys.readouterr().err


def test_the_job_pins_the_current_run(store, tmp_path):
    job = runner.plan_store_report(store, out=tmp_path / "r.html")
    assert job.parameters == {
        "store": str(store.resolve()),
        "run": Store(store).current_id(),
        "top_n": 20,
    }


@pytest.mark.slow
def test_the_command_writes_the_report_of_the_stored_run(store, tmp_path, capsys):
    """Through papermill and nbconvert, as an analyst or a scheduler runs it."""
    previous = Store(store).current().previous_run
    out = tmp_path / "reports" / "store.html"
    args = ["report", "--store", str(store), "--run", previous, "--top", "5", "--out", str(out)]
    assert main(args) == 0
    assert f"Wrote {out}" in capsys.readouterr().out
    text = out.read_text(encoding="utf-8")
    soup = BeautifulSoup(text, "html.parser")
    assert not soup.find_all("script")  # static: no JavaScript, nothing from a CDN
    assert not soup.find_all(class_=["jp-InputArea", "jp-InputPrompt"])  # no code
    m = Store(store).manifest(previous)
    as_of = f"{pd.Timestamp(m.as_of):%Y-%m-%d %H:%M}"
    assert (
        soup.title.get_text()
        == f"Scoring report: {m.model} v{m.version}, published run as of {as_of}"
    )
    assert soup.find(id="report-head")["data-run"] == previous
    assert soup.find("section")["id"] == "summary"
    counts = html_table(soup, "category-counts").set_index("category")
    assert [number(x) for x in counts["leads"]] == list(m.counts.values())
    assert len(html_table(soup, "top-leads-table")) == 5


def test_a_run_without_outcomes_or_owners_still_reports(tmp_path):
    leads = pd.read_csv(LEADS, dtype=str).drop(columns=["owner", "converted", "converted_at"])
    leads.to_csv(tmp_path / "leads.csv", index=False)
    publish(MODEL, tmp_path / "leads.csv", store=tmp_path / "s")
    rep = build_stored_report(tmp_path / "s", top_n=3)
    assert rep.conversion is None and rep.owners is None
    soup = BeautifulSoup(stored_report_html(rep), "html.parser")
    assert "no known outcomes" in soup.find("section", id="summary").get_text()
    assert "no owner column" in soup.find("section", id="owners").get_text()
    assert soup.find("section", id="conversion") is None
    assert len(html_table(soup, "top-leads-table")) == 3


# --- a damaged run ------------------------------------------------------------------------

DAMAGE = {
    "manifest cut short": (
        "manifest.json", lambda b: b[: len(b) // 2], r"manifest is damaged \(Invalid JSON: "
    ),
    "manifest of another shape": (
        "manifest.json", lambda b: b'{"run_id": 3}',
        r"manifest is damaged \(run_id: Input should be a valid string and \d+ more\)",
    ),
    "manifest not an object": ("manifest.json", lambda b: b"[]", r"manifest is damaged \(Input"),
    "leads cut short": ("leads.parquet", lambda b: b[: len(b) // 2], r"leads file is damaged \(\w"),
    "leads empty": ("leads.parquet", lambda b: b"", r"leads file is damaged \(\w"),
}  # fmt: skip


def _damaged_copy(store: Path, tmp: Path, file: str, damage) -> tuple[Path, Path]:
    """A copy of the store with one file of its current run damaged; (copy, that file)."""
    copy = tmp / "store"
    shutil.copytree(store, copy)
    path = copy / "runs" / Store(copy).current_id() / file
    path.write_bytes(damage(path.read_bytes()))
    return copy, path


def _says_damaged(err: str, path: Path, pattern: str) -> None:
    assert err.startswith(f"error: {path}: the run's ") and "Traceback" not in err, err
    assert err.endswith("; remove the run folder or publish again\n"), err
    assert re.search(pattern, err) and len(err) < 400, err


@pytest.mark.parametrize("case", list(DAMAGE))
def test_a_damaged_run_exits_2_naming_its_file(case, store, tmp_path, capsys, no_run):
    file, damage, pattern = DAMAGE[case]
    copy, path = _damaged_copy(store, tmp_path, file, damage)
    out = tmp_path / "out" / "report.html"
    assert main(["report", "--store", str(copy), "--out", str(out)]) == 2
    _says_damaged(capsys.readouterr().err, path, pattern)
    assert not out.parent.exists()
    listed = main(["runs", "--store", str(copy)])
    captured = capsys.readouterr()
    if file == "manifest.json":  # the list is read from the manifests
        assert listed == 2
        _says_damaged(captured.err, path, pattern)
    else:  # the leads are not read to list the runs
        assert listed == 0 and captured.out.count(" as of ") == 2


def test_a_leads_file_of_another_length_is_damaged(store, tmp_path):
    copy, path = _damaged_copy(store, tmp_path, "leads.parquet", lambda b: b)  # intact, so far
    pq.write_table(pq.read_table(path).slice(0, 10), path)
    leads = Store(copy).current().leads
    with pytest.raises(DataError, match=rf"damaged \(10 leads where the manifest says {leads:,}\)"):
        StoredRun(copy)


def test_reading_a_cut_leads_file_names_it(store, tmp_path):
    copy, path = _damaged_copy(store, tmp_path, "leads.parquet", lambda b: b[:-100])
    with pytest.raises(DataError, match=r"leads file is damaged") as caught:
        Store(copy).read_leads()
    assert caught.value.source == str(path)


def test_the_dashboard_refuses_a_damaged_run_before_serving(store, tmp_path):
    copy, path = _damaged_copy(store, tmp_path, "manifest.json", lambda b: b[:40])
    done = subprocess.run(
        [sys.executable, "-m", "workbench", "dashboard", "--store", str(copy), "--port", "1"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    _says_damaged(done.stderr, path, r"manifest is damaged \(Invalid JSON: ")
