"""Segments and points have one home each: for every segment of the sample model (with an
exclusion, a restriction and overrides added), what scoring pays a criterion is what the
report's criteria table prints, what calibration's evidence columns and current points add
up to, and what the tuning app's sliders show.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import workbench as wb
from workbench.analysis import metrics, sales
from workbench.engine.scoring import contributions, score_totals
from workbench.engine.segments import rules_by_code, segment_rules
from workbench.learning.calibration import evidence_features, suggest_points
from workbench.model.points import points_table
from workbench.report.build import criteria_table, segment_categories, threshold_table
from workbench.text import signed_points

SEGMENTS = ("Enterprise", "SMB", "Mid-market")


def segmented(model: wb.Model) -> wb.Model:
    """The sample model with every way a segment can differ from the base model."""
    d = model.model_dump(mode="json", exclude_defaults=True)
    for c in d["criteria"]:
        if c["id"] == "content":
            c["segments"] = ["enterprise"]  # spelt otherwise than the variant
        if c["id"] == "email_clicks":
            c["segments"] = ["Mid-market"]  # a segment without a variant: scores nowhere
    enterprise = d["segments"]["variants"][0]
    enterprise["exclude"] = ["free_trial"]
    enterprise["points"] = {**enterprise["points"], "target_industry": 12}  # a star criterion
    d["segments"]["variants"].append(
        {"value": "SMB", "exclude": ["seniority"], "points": {"free_mail": -4}}
    )
    return wb.Model.parse(d)


@pytest.fixture(scope="module")
def world(sample_model, sample_data):
    model = segmented(sample_model)
    signals = wb.compute_signals(model, sample_data)
    scoring = sales.Scoring(model, signals, score_totals(model, signals))
    segment = sample_data.leads["segment"].reindex(signals.lead_ids).to_numpy()
    return model, scoring, contributions(model, signals), segment


def paid(model, signals, contrib, rows, c) -> dict[int, float] | None:
    """What scoring paid ``c`` on ``rows`` per unit of evidence, per level (-1: simple).

    None when no lead of ``rows`` has evidence for it (nothing to tell).
    """
    got = contrib[c.id].to_numpy()[rows]
    if c.is_level:
        levels = signals.levels[c.id][rows]
        out = {}
        for lv in np.unique(levels[levels >= 0]):
            values = np.unique(got[levels == lv])
            assert len(values) == 1, (c.id, lv, values)  # one level, one number of points
            out[int(lv)] = float(values[0])
        return out or None
    evidence = signals.column(c.id)[rows]
    if not (evidence > 0).any():
        return None
    i = np.flatnonzero(evidence > 0)[np.argmin(evidence[evidence > 0])]  # least: no cap bites
    return {-1: round(float(got[i] / evidence[i]), 3)}


@pytest.mark.parametrize("segment", SEGMENTS)
def test_the_report_prints_the_points_scoring_pays_in_each_segment(world, segment):
    model, scoring, contrib, seg = world
    rows = np.flatnonzero(seg == segment)
    table = criteria_table(model, scoring, segment).set_index("criterion")
    labels = {(r.criterion, r.level): r.level_label for r in points_table(model)}
    checked = set()
    for c in model.criteria:
        got = paid(model, scoring.signals, contrib, rows, c)
        if got is None:
            continue
        checked.add(c.id)
        text = table.loc[c.label, "points"]
        if all(v == 0 for v in got.values()):
            assert text.endswith(f" in {segment}"), (c.id, text)  # excluded / not used
            continue
        assert "in " + segment not in text, (c.id, text)
        for lv, value in got.items():
            part = signed_points(value)
            if lv >= 0:
                part = f"{labels[c.id, lv]} {part}"
            assert part in text, (c.id, part, text)
    wanted = {"content", "email_clicks", "free_trial", "seniority", "target_industry"}
    assert wanted | {"free_mail", "pricing_page", "company_size"} <= checked


def test_the_segment_variants_change_what_scoring_pays(world):
    """The model above is worth testing with: each variant's change shows in the scores."""
    model, scoring, contrib, seg = world

    def pays(segment, cid):
        rows = np.flatnonzero(seg == segment)
        return paid(model, scoring.signals, contrib, rows, model.criterion(cid))

    assert pays("Enterprise", "free_trial") == {-1: 0.0}  # excluded
    assert pays("Enterprise", "content") == {-1: 6.0}  # restricted to it
    assert pays("SMB", "content") == {-1: 0.0} and pays("Mid-market", "content") == {-1: 0.0}
    assert pays("Mid-market", "email_clicks") == {-1: 0.0}  # no variant: never
    assert pays("Enterprise", "target_industry") == {-1: 12.0}  # override of a star criterion
    assert pays("Mid-market", "target_industry") == {-1: 10.0}  # 2 stars × 5
    assert pays("SMB", "free_mail") == {-1: -4.0}
    assert set(pays("SMB", "seniority").values()) == {0.0}
    assert set(pays("Enterprise", "seniority").values()) >= {20.0, 15.0}


def test_calibration_columns_add_up_to_what_scoring_pays_in_each_segment(world):
    """Calibration's features and current points are the model as scoring sees it: a
    criterion dropped in a segment is 0 there, and features × current points are the
    contributions wherever the segment does not override the points."""
    model, scoring, contrib, _ = world
    signals = scoring.signals
    X = evidence_features(model, signals)
    table = suggest_points(model, signals, metrics.outcome_array(signals)).table
    assert list(table.index) == [r.feature for r in points_table_in(model, signals)]
    current = table["current"].to_numpy()
    by_code = rules_by_code(model)
    for code, lo, hi in signals.segment_blocks:
        for c in model.criteria:
            if c.id in by_code[code].overridden:
                continue
            cols = np.flatnonzero((table["criterion"] == c.id).to_numpy())
            added = X[lo:hi][:, cols].astype(np.float64) @ current[cols]
            np.testing.assert_allclose(
                added, contrib[c.id].to_numpy()[lo:hi], atol=1e-3, err_msg=f"{c.id}, {code}"
            )


def points_table_in(model, signals):
    """The points table in the evidence matrix's column order."""
    rows = {(r.criterion, r.level): r for r in points_table(model)}
    return [rows[col] for col in signals.columns]


def test_tuning_sliders_show_the_points_the_report_prints(world):
    from workbench.ui.tuning import TuningApp

    model, scoring, _, _ = world
    app = TuningApp(model, scoring.signals)
    table = criteria_table(model, scoring).set_index("criterion")
    for c in model.criteria:
        if not c.is_level:
            continue
        shown = " · ".join(
            f"{s.description.removeprefix(c.label + ': ')} {signed_points(s.value)}"
            for s in app.point_controls[c.id]
        )
        assert shown == table.loc[c.label, "points"]


def test_segment_rules_match_a_segment_as_the_engine_does(world):
    model = world[0]
    enterprise = segment_rules(model, "  ENTERPRISE ")
    assert enterprise.variant is model.segments.variants[0]
    assert not enterprise.applies["free_trial"] and enterprise.excluded("free_trial")
    assert enterprise.points["pricing_page"] == 18 and enterprise.points["free_trial"] == 0
    unknown = segment_rules(model, "Public sector")  # a segment without a variant
    assert unknown.variant is None and unknown.points == segment_rules(model, None).points
    assert not unknown.applies["content"] and not unknown.excluded("content")
    assert unknown.categories == model.categories


def test_a_segments_thresholds_are_the_ones_its_leads_are_put_in_categories_with(world):
    model, scoring, _, seg = world
    totals = scoring.totals
    names = np.array(totals.category_names)
    signals = scoring.signals
    sales_rows = ~signals.inquiry
    for segment in SEGMENTS:
        bands = segment_categories(model, segment)
        assert all(t.label for t in bands)  # a variant's band takes the base label
        rows = np.flatnonzero((seg == segment) & sales_rows)
        mins = np.array([t.lower_bound for t in bands])
        expected = (totals.score[rows, None] < mins[None, :-1]).sum(axis=1)
        assert (names[totals.category[rows]] == np.array([t.name for t in bands])[expected]).all()
        shown = threshold_table(model, segment)
        assert list(shown["min score"]) == [t.min for t in bands]


def test_points_table_has_a_row_per_criterion_or_level(sample_model):
    rows = points_table(sample_model)
    seniority = [r for r in rows if r.criterion == "seniority"]
    assert [(r.feature, r.level_label, r.points) for r in seniority][:2] == [
        ("seniority[0]", "Executive", 20.0),
        ("seniority[1]", "Director", 15.0),
    ]
    (industry,) = [r for r in rows if r.criterion == "target_industry"]
    assert (industry.feature, industry.unit, industry.stars, industry.points) == (
        "target_industry",
        "stars",
        2,
        10.0,
    )
    assert len(rows) == len(pd.unique(pd.Series([r.feature for r in rows])))
