"""A segment is one segment however it is spelt: outer spaces and case never split it, in
scoring, in a criterion's ``segments``, in the report and in calibration."""

from __future__ import annotations

import numpy as np
import pytest

import workbench as wb
from tests.helpers import AS_OF, crit, make_model, tiny_activities, tiny_leads
from workbench.learning.calibration import evidence_features
from workbench.model.yaml_io import save_model
from workbench.report.build import build_report

SOFTWARE = {"kind": "equals", "field": "industry", "value": "Software"}
BANDS = [{"name": "A", "min": 5}, {"name": "B", "min": 1}, {"name": "C"}]


def spelt_model() -> wb.Model:
    return make_model(
        [
            crit("vp", {"kind": "equals", "field": "seniority", "value": "VP"}),
            # limited to the segment as someone typed it, with a space in front
            crit("software", SOFTWARE, points=15, segments=[" Enterprise"]),
        ],
        segments={"field": "segment", "variants": [{"value": "Enterprise", "categories": BANDS}]},
    )


def spelt_leads():
    leads = tiny_leads()
    leads["industry"] = "Software"
    leads["segment"] = ["Enterprise", "SMB", " enterprise ", "SMB"]  # a, b, c, d
    return leads


def test_a_lead_of_enterprise_spelt_otherwise_is_scored_as_enterprise():
    model = spelt_model()
    data = wb.load_data(spelt_leads(), tiny_activities(), now="2026-11-22")
    signals = wb.compute_signals(model, data, as_of=AS_OF)
    scored = wb.score(model, signals)
    # the criterion limited to ' Enterprise' scores for a and c only
    assert scored.loc[["a", "c"], "score"].tolist() == [25.0, 15.0]
    assert scored.loc[["b", "d"], "score"].tolist() == [0.0, 0.0]
    # c is put in a category with Enterprise's thresholds (A from 5), not the base model's
    assert scored.loc["c", "category"] == "A"
    # calibration sees the criterion's evidence where scoring pays it
    X = evidence_features(model, signals)
    column = X[:, [cid for cid, _ in signals.columns].index("software")]
    touched = set(signals.lead_ids[np.flatnonzero(column)])
    assert touched == {"a", "c"}


def test_the_enterprise_report_holds_every_spelling_of_enterprise(tmp_path):
    leads = spelt_leads()
    leads["segment"] = ["Enterprise", "SMB", "ENTERPRISE", "SMB"]
    leads.to_csv(tmp_path / "leads.csv", index=False)
    tiny_activities().to_csv(tmp_path / "activities.csv", index=False)
    model = save_model(spelt_model(), tmp_path / "model.yaml")
    report = build_report(
        model, tmp_path / "leads.csv", tmp_path / "activities.csv", AS_OF, segment=" enterprise"
    )
    assert report.n_leads == 2  # a and c
    row = report.criteria.set_index("criterion").loc["Software"]
    assert row["points"] != "not used in Enterprise" and row["leads touched"] == 2


def test_two_variants_that_differ_only_in_spaces_or_case_are_one_segment_twice():
    """The model is checked with the rule scoring uses: ' Enterprise' and 'enterprise' would
    both claim the same leads, so the second is refused as a duplicate."""
    spec = {
        "name": "T",
        "criteria": [crit("vp", {"kind": "equals", "field": "seniority", "value": "VP"})],
        "segments": {"variants": [{"value": "Enterprise"}, {"value": " enterprise "}]},
    }
    with pytest.raises(wb.ModelError, match="duplicate segment"):
        wb.Model.parse(spec)


def test_a_segment_report_takes_the_leads_the_models_segment_field_names():
    """The model scores segments by 'region' while the file also has a 'segment' column: a
    report on EMEA holds the leads its EMEA variant scores, not a 'segment' value."""
    from workbench.report.build import segment_subset

    leads = tiny_leads().assign(region=["EMEA", "AMER", "emea ", "AMER"])
    model = make_model(
        [crit("vp", {"kind": "equals", "field": "seniority", "value": "VP"})],
        segments={"field": "region", "variants": [{"value": "EMEA", "points": {"vp": 30}}]},
    )
    data = wb.load_data(leads, tiny_activities(), model=model, now="2026-11-22")
    assert sorted(segment_subset(model, data, "emea").leads.index) == ["a", "c"]
