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
