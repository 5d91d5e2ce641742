"""Analysis: shifts, conversion with intervals, AUC and lift on known numbers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import workbench as wb
from workbench.analysis import metrics


def test_category_shift_counts_every_lead_once(sample_model, sample_signals):
    before = wb.score_totals(sample_model, sample_signals)
    after = wb.score_totals(sample_model.with_thresholds({"A": 50}), sample_signals)
    shift = metrics.category_shift(before, after)
    assert shift.to_numpy().sum() == sample_signals.n_leads
    assert shift.loc["A", "A"] == metrics.category_counts(before)["A"]  # nobody leaves A
    assert shift.loc["B", "A"] > 0  # lowering A's threshold moves B leads up
    assert shift.loc["A", "B"] == 0 and shift.loc["C", "A"] == 0
    assert (metrics.category_counts(after) == shift.sum(axis=0).to_numpy()).all()


def test_moves_are_the_off_diagonal_cells_largest_first(sample_model, sample_signals):
    before = wb.score_totals(sample_model, sample_signals)
    after = wb.score_totals(sample_model.with_points({"pricing_page": 40}), sample_signals)
    shift = metrics.category_shift(before, after)
    moves = metrics.category_moves(shift)
    off_diagonal = shift.to_numpy().sum() - np.trace(shift.to_numpy())
    assert moves["leads"].sum() == off_diagonal > 0
    assert moves["leads"].is_monotonic_decreasing and (moves["before"] != moves["now"]).all()
    first = moves.iloc[0]
    assert metrics.move_sentences(shift, 1) == [
        f"{first['leads']:,} leads move {first['before']} → {first['now']}"
    ]


def test_a_shift_between_models_with_other_categories_is_rectangular(sample_model, sample_signals):
    spec = sample_model.model_dump(mode="python", exclude_defaults=True)
    spec["segments"] = None  # both models without segments: their rows line up
    cats = [c.model_dump(mode="python") for c in sample_model.categories]
    one = wb.Model.parse(spec)
    other = wb.Model.parse({**spec, "categories": [cats[0], {**cats[2], "name": "Rest"}]})
    signals = wb.compute_signals(one, sample_signals.data)
    before, after = wb.score_totals(one, signals), wb.score_totals(other, signals)
    shift = metrics.category_shift(before, after)
    assert shift.loc["A", "A"] == metrics.category_counts(before)["A"]  # same A threshold
    assert shift.shape == (4, 3)
    assert list(shift.columns) == ["A", "Rest", "Inquiry"]
    assert shift.to_numpy().sum() == sample_signals.n_leads


def test_conversion_by_category_on_the_sample(sample_model, sample_signals):
    totals = wb.score_totals(sample_model, sample_signals)
    y = metrics.outcome_array(sample_signals)
    table = metrics.conversion_by_category(totals, y)
    assert table["leads"].sum() == (~np.isnan(y)).sum()
    assert table.loc["A", "rate"] > table.loc["B", "rate"] > table.loc["C", "rate"]
    assert (table["low"] <= table["rate"]).all() and (table["rate"] <= table["high"]).all()
    assert 0.75 < metrics.auc(totals.score, y) < 0.95
    assert metrics.top_share_conversion(totals.score, y, 0.1) > 3 * np.nanmean(y)


def test_wilson_interval_known_values():
    low, high = metrics.wilson_interval(np.array([0, 5]), np.array([10, 10]))
    assert low[0] == 0 and high[0] == pytest.approx(0.2775, abs=1e-4)
    assert (low[1], high[1]) == (pytest.approx(0.2366, abs=1e-4), pytest.approx(0.7634, abs=1e-4))


def test_auc_extremes():
    y = np.array([0.0, 0.0, 1.0, 1.0])
    assert metrics.auc(np.array([1.0, 2, 3, 4]), y) == 1.0
    assert metrics.auc(np.array([4.0, 3, 2, 1]), y) == 0.0
    assert metrics.auc(np.array([1.0, 1, 1, 1]), y) == 0.5
    assert np.isnan(metrics.auc(np.array([1.0, 2]), np.array([1.0, 1.0])))


@given(st.lists(st.floats(0, 100), min_size=1, max_size=200))
def test_histogram_keeps_every_lead(scores):
    score = np.round(np.array(scores), 1)
    totals = wb.Totals(
        score=score,
        category=np.zeros(len(score), dtype=np.int8),
        grade=None,
        level=None,
        buckets={},
        category_names=("A", "Inquiry"),
        grade_names=(),
        level_names=(),
    )
    hist = metrics.score_histogram(totals, bins=20)
    assert hist["leads"].sum() == len(score)
    assert len(hist) == 40


def test_the_sample_piles_up_among_a_leads_at_100_and_overall_at_0(sample_model, sample_signals):
    totals = wb.score_totals(sample_model, sample_signals)
    in_a, at_100 = totals.category == 0, totals.score == 100
    k, n_a = int((in_a & at_100).sum()), int(in_a.sum())
    assert at_100.mean() <= 0.05 < k / n_a  # few leads overall, many A leads
    k0 = int((totals.score == 0).sum())
    assert metrics.scale_pileup(totals, sample_model) == [
        f"{k / n_a:.1%} of A leads ({k:,} of {n_a:,}) tie at exactly "
        "100, the top of the scale: the score no longer tells them apart. Raise scale.max "
        "(now 100) or lower bucket caps or points.",
        f"{k0 / len(totals.score):.1%} of leads ({k0:,}) score exactly "
        "0, the bottom of the scale: the score no longer tells them apart. Lower scale.min "
        "(now 0) or make negative points smaller.",
    ]


@given(st.lists(st.sampled_from([0.0, 20.0, 50.0, 80.0, 100.0]), min_size=1, max_size=120))
def test_a_pile_up_is_reported_exactly_when_over_five_percent(sample_model, scores):
    """Top: over 5 % of all leads, else over 5 % of the top category; bottom: of all leads."""
    from workbench.engine.scoring import Totals

    s = np.array(scores)
    category = np.select([s >= 60, s >= 35], [0, 1], 2).astype(np.int8)
    names = ("A", "B", "C", "Inquiry")
    lines = metrics.scale_pileup(Totals(s, category, None, None, {}, names, (), ()), sample_model)
    n, top, bottom, n_a = len(s), int((s == 100).sum()), int((s == 0).sum()), int((s >= 60).sum())
    tops = [x for x in lines if "the top of the scale" in x]
    if 2 <= top > 0.05 * n:  # a tie needs two leads
        assert len(tops) == 1 and f" of leads ({top:,}) score exactly 100," in tops[0]
    elif 2 <= top > 0.05 * n_a:
        assert len(tops) == 1 and f" of A leads ({top:,} of {n_a:,}) tie" in tops[0]
    else:
        assert tops == []
    bottoms = [x for x in lines if "the bottom of the scale" in x]
    assert len(bottoms) == (2 <= bottom > 0.05 * n) == len(lines) - len(tops)
    if bottoms:
        assert f" of leads ({bottom:,}) score exactly 0," in bottoms[0]
    assert metrics.scale_pileup(Totals(s[:0], category[:0], None, None, {}, names, (), ()),
                                sample_model) == []  # fmt: skip


# --- top-share conversion with tied scores -------------------------------------------------


def test_top_share_counts_leads_tied_at_the_cut_by_their_share():
    # 10 leads, top 20 % = 2 leads: one clear best (converted), then 4 tied at 5 of which
    # 1 converted; the cut takes 1 of the 4, so it counts as 1/4 of a conversion
    score = np.array([9.0, 5, 5, 5, 5, 1, 1, 1, 1, 1])
    y = np.array([1.0, 1, 0, 0, 0, 0, 0, 0, 0, 0])
    assert metrics.top_share_conversion(score, y, 0.2) == pytest.approx((1 + 0.25) / 2)
    # the tied leads in another order give the same figure
    assert metrics.top_share_conversion(score, y[[0, 4, 3, 2, 1, 5, 6, 7, 8, 9]], 0.2) == (
        pytest.approx((1 + 0.25) / 2)
    )


@given(
    st.lists(st.tuples(st.integers(0, 4), st.booleans()), min_size=1, max_size=60),
    st.sampled_from([0.05, 0.1, 0.25, 0.5, 1.0]),
    st.randoms(use_true_random=False),
)
def test_top_share_conversion_does_not_depend_on_row_order(rows, share, rnd):
    score = np.array([s for s, _ in rows], dtype=float)  # few distinct scores: many ties
    y = np.array([c for _, c in rows], dtype=float)
    order = list(range(len(rows)))
    rnd.shuffle(order)
    before = metrics.top_share_conversion(score, y, share)
    after = metrics.top_share_conversion(score[order], y[order], share)
    assert after == pytest.approx(before)
    assert 0.0 <= before <= 1.0
    if share == 1.0:  # the whole file: the overall rate
        assert before == pytest.approx(y.mean())
