"""Comparing models on the same leads: metrics, distributions, transition matrices."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

import workbench as wb
from tests.helpers import SAMPLES
from workbench.analysis import metrics
from workbench.analysis.comparison import (
    compare_models,
    outcome_in_data_order,
    totals_in_data_order,
)
from workbench.cli import main
from workbench.errors import WorkbenchError
from workbench.model.yaml_io import save_model

LEADS = str(SAMPLES / "leads.csv")
ACTS = str(SAMPLES / "activities.csv")


@pytest.fixture(scope="module")
def other(sample_model):
    """Another model: other points, no segment variants (so its rows are ordered otherwise)."""
    spec = sample_model.model_dump(mode="python", exclude_defaults=True)
    spec.pop("segments")
    spec["name"] = "Flat"
    return wb.Model.parse(spec).with_points({"pricing_page": 30, "content": 1})


@pytest.fixture(scope="module")
def other_signals(other, sample_data):
    return wb.compute_signals(other, sample_data)


def test_transition_matrix_sums_to_the_leads_and_matches_scored_rows(
    sample_model, sample_signals, other, other_signals
):
    result = compare_models([sample_model, other], [sample_signals, other_signals])
    matrix = result.transitions[result.names[1]]
    assert matrix.to_numpy().sum() == sample_signals.n_leads
    a = wb.score(sample_model, sample_signals, reasons=False)["category"]
    b = wb.score(other, other_signals, reasons=False)["category"]
    expected = pd.crosstab(a, b).reindex(index=matrix.index, columns=matrix.columns, fill_value=0)
    np.testing.assert_array_equal(matrix.to_numpy(), expected.to_numpy())
    first = totals_in_data_order(wb.score_totals(sample_model, sample_signals), sample_signals)
    second = totals_in_data_order(wb.score_totals(other, other_signals), other_signals)
    pd.testing.assert_frame_equal(matrix, metrics.category_shift(first, second))


def test_same_rows_give_category_shift_exactly(sample_model, sample_signals):
    edited = sample_model.with_points({"demo_request": 40})
    result = compare_models([sample_model, edited], [sample_signals, sample_signals])
    expected = metrics.category_shift(
        wb.score_totals(sample_model, sample_signals), wb.score_totals(edited, sample_signals)
    )
    pd.testing.assert_frame_equal(result.transitions[result.names[1]], expected)
    assert result.names[0] != result.names[1]  # same name and version: told apart


def test_metrics_and_distributions_per_model(sample_model, sample_signals, other, other_signals):
    result = compare_models([sample_model, other], [sample_signals, other_signals])
    y = metrics.outcome_array(sample_signals)
    t = wb.score_totals(sample_model, sample_signals)
    row = result.metrics.loc[result.names[0]]
    assert row["auc"] == pytest.approx(metrics.auc(t.score, y))
    assert row["top_conversion"] == pytest.approx(metrics.top_share_conversion(t.score, y))
    assert row["converted"] == np.nansum(y)
    assert (result.distribution.sum() == sample_signals.n_leads).all()
    pd.testing.assert_series_equal(
        result.distribution[result.names[0]], metrics.category_counts(t), check_names=False
    )
    yo = outcome_in_data_order(other_signals)
    t2 = wb.score_totals(other, other_signals)
    assert result.metrics.loc[result.names[1], "auc"] == pytest.approx(
        metrics.auc(t2.score, metrics.outcome_array(other_signals))
    )
    assert np.nansum(yo) == np.nansum(y)


def test_models_with_other_categories_get_a_rectangular_matrix(sample_model, sample_signals):
    four = sample_model.model_dump(mode="python", exclude_defaults=True)
    four.pop("segments")
    four["categories"] = [
        {"name": "A", "min": 70},
        {"name": "B", "min": 50},
        {"name": "C", "min": 30},
        {"name": "D", "min": 0},
    ]
    model = wb.Model.parse(four)
    signals = wb.compute_signals(model, sample_signals.data)
    result = compare_models([sample_model, model], [sample_signals, signals])
    matrix = result.transitions[result.names[1]]
    assert list(matrix.columns) == ["A", "B", "C", "D", "Inquiry"]
    assert list(matrix.index) == ["A", "B", "C", "Inquiry"]
    assert matrix.to_numpy().sum() == sample_signals.n_leads
    assert matrix.loc["Inquiry", "Inquiry"] == int(sample_signals.inquiry.sum())


def test_without_outcomes_only_distributions(sample_model, sample_data, other):
    data = dataclasses.replace(sample_data, leads=sample_data.leads.drop(columns="converted"))
    s1, s2 = wb.compute_signals(sample_model, data), wb.compute_signals(other, data)
    result = compare_models([sample_model, other], [s1, s2])
    assert "auc" not in result.metrics
    assert result.conversion[result.names[0]].empty


def test_one_model_is_not_a_comparison(sample_model, sample_signals):
    with pytest.raises(WorkbenchError, match="at least two models"):
        compare_models([sample_model], [sample_signals])


def test_cli_compare_prints_readable_tables(tmp_path, capsys, other):
    b = save_model(other, tmp_path / "flat.yaml")
    argv = ["compare", "--model", str(SAMPLES / "b2b_model.yaml"), "--model", str(b)]
    assert main([*argv, "--leads", LEADS, "--activities", ACTS]) == 0
    out = capsys.readouterr().out
    assert "AUC" in out and "top 10 % convert" in out
    assert "B2B default v1 (rows) → Flat v1 (columns)" in out
    assert "Leads per category" in out and "leads move" in out


def test_cli_compare_errors_exit_2(tmp_path, capsys):
    model = str(SAMPLES / "b2b_model.yaml")
    assert main(["compare", "--model", model, "--leads", LEADS]) == 2
    assert "at least two models" in capsys.readouterr().err
    argv = ["compare", "--model", model, "--model", model, "--leads", LEADS]
    assert main([*argv, "--outcome", "Converted"]) == 2
    assert "Did you mean 'converted'?" in capsys.readouterr().err
