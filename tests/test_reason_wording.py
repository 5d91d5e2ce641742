"""One reason, one wording: scores.csv, the dashboard (its list, card and call list) and the
tuning app's drill-down say a lead's reasons in the same words, evidence first and points
last, so no cell starts like a formula and no CRM import keeps an apostrophe."""

from __future__ import annotations

import csv
import html
import io

import pytest

import workbench as wb
from tests.helpers import SAMPLES
from workbench.cli.main import main
from workbench.engine.reasons import is_against, word_reasons
from workbench.store import Store, publish
from workbench.store.queries import StoredRun
from workbench.text import MINUS
from workbench.ui import TuningApp
from workbench.ui.dashboard import SalesDashboard

MODEL, LEADS, ACTS = SAMPLES / "b2b_model.yaml", SAMPLES / "leads.csv", SAMPLES / "activities.csv"


@pytest.fixture(scope="module")
def scores_csv(tmp_path_factory) -> dict[str, str]:
    """``workbench score`` on the sample: lead id -> its reasons cell, as a CRM reads it."""
    out = tmp_path_factory.mktemp("score") / "scores.csv"
    argv = ["score", "--model", str(MODEL), "--leads", str(LEADS), "--activities", str(ACTS)]
    assert main([*argv, "--out", str(out)]) == 0
    with out.open(encoding="utf-8-sig", newline="") as f:
        return {row["lead_id"]: row["reasons"] for row in csv.DictReader(f)}


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory) -> SalesDashboard:
    path = tmp_path_factory.mktemp("store") / "s"
    publish(MODEL, LEADS, ACTS, store=path)
    return SalesDashboard(StoredRun(Store(path)), poll_seconds=0)


def test_no_reason_in_scores_csv_needs_a_formula_quote(scores_csv):
    cells = [c for c in scores_csv.values() if c]
    assert len(cells) > 1000
    assert not [c for c in cells if c[0] in "'+-=@" + MINUS]
    for reason in (r for c in cells for r in c.split("; ")):
        points = reason.rpartition(" ")[2]
        assert points[0] in "+" + MINUS and points[1:].replace(",", "").isdigit(), reason


def test_a_leads_reasons_read_the_same_in_scores_csv_dashboard_export_and_tuning_app(
    scores_csv, dashboard
):
    # a lead with reasons for and against, so both lists of the card are compared
    lead = next(
        k for k, v in scores_csv.items() if any(is_against(r) for r in v.split("; ")) and "; " in v
    )
    listed = scores_csv[lead]
    reasons = listed.split("; ")

    # the dashboard's list and its call list (the CSV a rep downloads)
    dashboard.search.value = lead
    (row,) = [r for r in dashboard.table.rows if r["lead_id"] == lead]
    assert row["reasons"] == listed
    _, payload, _ = dashboard.export_file()
    exported = list(csv.DictReader(io.StringIO(payload.decode("utf-8-sig"))))
    assert [r["reasons"] for r in exported if r["lead_id"] == lead] == [listed]

    # the card: the listed reasons lead its longer lists, each under for or against
    dashboard.select(lead)
    card = dashboard.card.value
    pos = card.split("<ul class='wb-pos'>")[1].split("</ul>")[0]
    neg = card.split("<ul class='wb-neg'>")[1].split("</ul>")[0]
    for reason in reasons:
        assert f"<li>{html.escape(reason)}</li>" in (neg if is_against(reason) else pos)

    # the tuning app's drill-down on the same data: one line per reason, the same words
    model = wb.load_model(MODEL)
    signals = wb.compute_signals(model, wb.load_data(LEADS, ACTS, model=model))
    app = TuningApp(model, signals)
    app.show_lead(lead)
    lines = app.lead_view.value.split("<br>")[1:]
    assert set(map(html.escape, reasons)) <= set(lines)


def test_one_reason_is_worded_evidence_first_points_last():
    words = word_reasons(["Seniority (Director)", "Careers page 1×", "Big deal"], [15, -10, 1e6])
    assert words.tolist() == [
        "Seniority (Director) +15",
        f"Careers page 1× {MINUS}10",
        "Big deal +1,000,000",
    ]
    assert [is_against(w) for w in words] == [False, True, False]
    assert is_against(f"{MINUS}10 Careers page 1×")  # a run stored before: read as it was
