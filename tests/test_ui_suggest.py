"""The tuning app's "Suggest from data" button, driven without a browser."""

from __future__ import annotations

import dataclasses
import html

import ipywidgets as w
import numpy as np
import pytest

import workbench as wb
from workbench.analysis import metrics
from workbench.learning.calibration import calibrate
from workbench.ui import TuningApp


@pytest.fixture
def app(sample_model, sample_signals):
    return TuningApp(sample_model, sample_signals)


def _shown(app: TuningApp) -> dict[str, list]:
    return {cid: [c.value for c in ctrls] for cid, ctrls in app.point_controls.items()}


def _expected(model: wb.Model) -> dict[str, list]:
    out = {}
    for c in model.criteria:
        if c.is_level:
            out[c.id] = [round(p) for p in model.level_points(c)]
        elif c.stars is not None:
            out[c.id] = [c.stars]
        else:
            out[c.id] = [round(model.criterion_points(c))]
    return out


def test_the_button_moves_the_sliders_to_the_calibrated_values(app, sample_model, sample_signals):
    assert not app.suggest_button.disabled
    before = _shown(app)
    app.suggest_button.click()
    expected = calibrate(sample_model, sample_signals, keep_star_signs=True).suggested
    assert app.model == expected
    assert _shown(app) == _expected(expected)  # every slider shows the new model exactly
    assert _shown(app) != before
    for c in sample_model.criteria:  # star criteria stay star toggles, on their side
        if c.stars is not None:
            assert isinstance(app.point_controls[c.id][0], w.ToggleButtons)
            assert app.point_controls[c.id][0].value in app.point_controls[c.id][0].options


def test_the_views_follow_like_a_manual_edit(app, sample_model, sample_signals):
    app.suggest_button.click()
    y = metrics.outcome_array(sample_signals)
    expected = wb.score_totals(app.model, sample_signals)
    assert app.category_counts()["current"].to_dict() == (
        metrics.category_counts(expected).to_dict()
    )
    conv = app.conversion()
    assert conv["auc"] == pytest.approx(metrics.auc(expected.score, y))
    assert conv["auc"] >= conv["auc_saved"]
    assert "Demo request:" in app.changes.value
    assert app.shift().to_numpy().sum() == sample_signals.n_leads


def test_before_and_after_metrics_are_shown(app):
    cal = app.suggest()
    view = app.suggest_view.value
    for key in ("current", "suggested"):
        assert f"{cal.metrics.loc[key, 'auc']:.3f}" in view
        assert f"{cal.metrics.loc[key, 'top10']:.1%}" in view
    assert "Conversion by category, before and after" in view
    assert "Evidence for each value" in view and "Pricing page" in view
    # the same verdict as `workbench calibrate`, judged on a half the points never saw
    assert cal.verdict is not None and html.escape(cal.verdict.text()) in view
    # the gains and conversion charts appear, drawn from the same aggregates
    assert app.suggest_box.children == (app.suggest_chart,)
    gains_panel, conversion_panel = app.suggest_chart.chart.hconcat
    gains, conversion = gains_panel.layer[1].data, conversion_panel.data
    assert set(gains["model"]) == {"current", "suggested"}
    assert gains.groupby("model")["gain"].max().round(9).eq(1).all()
    rates = conversion.set_index(["model", "category"])["rate"]
    assert rates["suggested"].equals(cal.conversion["suggested"]["rate"])


def test_undo_restores_the_sliders(app, sample_model):
    before = _shown(app)
    app.point_controls["pricing_page"][0].value = 40
    app.suggest_button.click()
    app.undo()
    assert app.model.criterion("pricing_page").points == 40
    assert app.point_controls["pricing_page"][0].value == 40
    app.undo()
    assert app.model == sample_model
    assert _shown(app) == before


def test_values_past_a_slider_end_widen_the_slider(app):
    slider = app.point_controls["pricing_page"][0]
    model = app.model.with_points({"pricing_page": slider.max + 25})
    app.apply(model)
    assert slider.value == model.criterion("pricing_page").points  # not clamped


def test_disabled_with_a_reason_when_there_is_no_outcome(sample_model, sample_data):
    data = dataclasses.replace(sample_data, leads=sample_data.leads.drop(columns="converted"))
    app = TuningApp(sample_model, wb.compute_signals(sample_model, data))
    assert app.suggest_button.disabled
    assert "no outcome column ('converted')" in app.suggest_button.tooltip
    assert "nothing to learn from" in app.suggest_view.value
    assert app.suggest() is None
    assert app.model == sample_model and app.history == []


def test_disabled_when_too_few_leads_converted(sample_model, sample_data):
    leads = sample_data.leads.copy()
    won = np.flatnonzero(leads["converted"].fillna(False).to_numpy(dtype=bool))
    leads.iloc[won[2:], leads.columns.get_loc("converted")] = False
    data = dataclasses.replace(sample_data, leads=leads)
    app = TuningApp(sample_model, wb.compute_signals(sample_model, data))
    assert app.suggest_button.disabled
    assert "2 of 5,000 leads converted" in app.suggest_button.tooltip


def test_chart_builders_take_aggregates_only(sample_model, sample_signals):
    from workbench.ui.calibration_charts import (
        category_conversion_chart,
        gains_chart,
        gains_frame,
        points_chart,
    )

    cal = calibrate(sample_model, sample_signals)
    frame = gains_frame(cal.gains)
    assert len(frame) == 2 * 11  # ten tenths and the origin, per model
    assert frame.groupby("model")["gain"].max().round(9).eq(1).all()
    for chart in (
        gains_chart(cal.gains),
        points_chart(cal.suggestion.table),
        category_conversion_chart(cal.conversion),
    ):
        spec = chart.to_dict()
        rows = sum(len(v) for v in spec.get("datasets", {}).values())
        assert 0 < rows < 200 < sample_signals.n_leads
