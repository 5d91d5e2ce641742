"""What loaded data and signals carry besides the leads: the id column as the file names
it, the creation instant, and the subtotals scoring keeps between slider moves."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import workbench as wb
from tests.helpers import AS_OF, crit, make_model, tiny_activities, tiny_leads
from workbench.analysis import sales
from workbench.engine.scoring import score_totals
from workbench.learning.profiling import profile_leads
from workbench.model.spec import DataMapping


def test_the_id_column_keeps_the_files_spelling_in_subsets_profiles_and_exports(tmp_path):
    leads = tiny_leads().rename(columns={"lead_id": "Lead ID"})
    data = wb.load_data(leads, mapping=DataMapping(outcome="converted"))
    assert data.id_column == "Lead ID"  # matched loosely, named as written
    assert data.subset(["a", "c"]).id_column == "Lead ID"
    assert profile_leads(data).id_column == "Lead ID"
    plain = wb.load_data(tiny_leads())
    assert plain.id_column == "lead_id"


def test_inactivity_counts_quiet_days_from_creation_alone_or_in_the_queue():
    model = make_model([crit("quiet", {"kind": "inactivity", "days": 60}, points=-10)])
    data = wb.load_data(tiny_leads(), tiny_activities(), now="2026-11-22")
    signals = wb.compute_signals(model, data, as_of=AS_OF)
    days = pd.Series(signals.details["quiet"]["days"], index=signals.lead_ids)
    # 'd' has no events: quiet since it was created (2026-09-01), 60 days before AS_OF's end
    assert days["d"] == 60
    created = pd.Series(signals.created_ns, index=signals.lead_ids)
    assert created["d"] == pd.Timestamp("2026-09-01").value
    alone = wb.compute_signals(model, data.subset(["d"]), as_of=AS_OF)
    assert alone.details["quiet"]["days"].tolist() == [60]


def test_a_lead_without_a_creation_date_is_never_left_out_of_a_past_scoring():
    leads = tiny_leads()
    leads.loc[leads["lead_id"] == "b", "created_at"] = ""
    data = wb.load_data(leads)
    # b has no creation date; c was created 2026-06-01, so on 2026-05-15 only a and b existed
    assert sorted(sales.known_by(data, "2026-05-15").leads.index) == ["a", "b"]


@pytest.mark.parametrize("bump", [5, -7])
def test_scores_after_slider_moves_equal_scores_from_fresh_signals(tiny_data, bump):
    pricing = {"kind": "activity", "types": ["page_view"], "detail_contains": ["/pricing"]}
    crits = [
        crit("vp", {"kind": "equals", "field": "seniority", "value": "VP"}, points=20),
        crit("pricing", pricing, points=5, bucket="engagement", max_points=12),
    ]
    before = make_model(crits)
    moved = make_model([{**crits[0], "points": 20 + bump}, crits[1]])  # a slider moved
    signals = wb.compute_signals(before, tiny_data, as_of=AS_OF)
    for model in (before, moved, before, moved):  # the subtotal cache is hit on the way back
        kept = score_totals(model, signals)
        fresh = score_totals(model, wb.compute_signals(model, tiny_data, as_of=AS_OF))
        np.testing.assert_array_equal(kept.score, fresh.score)
    with pytest.raises(ValueError):  # subtotals handed out are shared: never edited in place
        kept.buckets["fit"][0] += 1
