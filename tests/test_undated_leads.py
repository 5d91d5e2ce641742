"""A lead with no creation date has always existed: the queue, the as-of warning and the
backtest all count it, so the three agree on which leads were known at a cut-off."""

from __future__ import annotations

import pandas as pd

import workbench as wb
from tests.helpers import SAMPLES, crit, make_model, tiny_leads
from workbench.analysis import sales
from workbench.learning.calibration import backtest

VP = crit("vp", {"kind": "equals", "field": "seniority", "value": "VP"})


def test_queue_warning_and_backtest_agree_on_leads_without_a_creation_date(sample_model):
    leads = pd.read_csv(SAMPLES / "leads.csv", dtype="str", keep_default_na=False)
    undated = leads.loc[leads["converted"] == "0", "lead_id"].head(40).tolist()
    leads.loc[leads["lead_id"].isin(undated), "created_at"] = ""
    data = wb.load_data(leads, SAMPLES / "activities.csv", model=sample_model, now="2026-11-22")
    bt = backtest(sample_model, data, days=90, seed=3)

    known = set(sales.known_by(data, bt.cutoff).leads.index)
    later = set(data.leads.index) - known
    took_part = set(bt.fit_leads) | set(bt.eval_leads)
    assert set(undated) <= known  # the queue as of the cut-off lists them
    assert set(undated) <= took_part  # and the backtest judges them
    assert not took_part & later
    assert later, "the cut-off must leave some leads out for this test to mean anything"
    (warning,) = [
        str(w)
        for w in wb.compute_signals(sample_model, data, as_of=bt.cutoff).warnings
        if "created after" in str(w)
    ]
    assert f"{len(later):,} leads were created after {bt.cutoff:%Y-%m-%d}" in warning


def test_an_undated_lead_keeps_every_other_lead_from_being_every_lead():
    leads = tiny_leads()
    leads.loc[leads["lead_id"] == "b", "created_at"] = ""
    data = wb.load_data(leads, now="2026-11-22")
    model = make_model([VP])
    (warning,) = [str(w) for w in wb.compute_signals(model, data, as_of="2026-01-01").warnings]
    # b existed on 2026-01-01 (it is in that day's queue), so not every lead came later
    assert "3 leads were created after 2026-01-01" in warning
    assert sales.known_by(data, "2026-01-01").leads.index.tolist() == ["b"]


def test_without_events_the_as_of_is_the_newest_creation_date():
    data = wb.load_data(tiny_leads(), now="2026-11-22")
    signals = wb.compute_signals(make_model([VP]), data)
    assert signals.as_of == pd.Timestamp("2026-10-20 23:59:59.999999999")
