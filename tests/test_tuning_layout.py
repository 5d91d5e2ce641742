"""What the tuning app shows a marketer on first sight, without a browser: the first bucket's
points open, what a star is worth, whole labels on hover, rates in percent, the chart's axis
over the model's whole scale (tests/test_tuning_layout_browser.py checks it all fits)."""

from __future__ import annotations

import re

import ipywidgets as w
import numpy as np
import pytest

import workbench as wb
from workbench.text import percent
from workbench.ui import TuningApp


@pytest.fixture
def app(sample_model, sample_signals):
    return TuningApp(sample_model, sample_signals)


def _all(widget: w.Widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _all(child)


def test_the_first_buckets_points_are_open(app, sample_model):
    assert app.criteria_box.selected_index == 0
    first = sample_model.buckets[0].id
    shown = set(_all(app.criteria_box.children[0]))
    for c in sample_model.criteria:
        assert (app.point_controls[c.id][0] in shown) == (c.bucket == first), c.id


def test_star_criteria_say_what_a_star_is_worth(sample_model, sample_signals):
    data = sample_model.to_dict() | {"points_per_star": 7}
    model = wb.Model.parse(data)
    app = TuningApp(model, sample_signals)
    stars = [c for c in model.criteria if c.stars is not None and not c.is_level]
    assert stars, "the sample has star criteria"
    html = " ".join(x.value for x in _all(app.widget) if isinstance(x, w.HTML))
    assert html.count("stars, 7 points each") == len(stars)
    for c in stars:
        assert "7 points each" in app.point_controls[c.id][0].tooltip


def test_every_slider_shows_its_whole_label_on_hover(app, sample_model):
    sliders = [x for x in _all(app.widget) if isinstance(x, w.IntSlider)]
    assert len(sliders) > 10
    for s in sliders:
        assert s.description in s.tooltip  # a label cut short is whole on hover
    weights = app.weight_controls
    assert all(weights[b.id].tooltip == f"Weight of {b.label} (%)" for b in sample_model.buckets)
    company = sample_model.criterion("company_size")
    levels = app.point_controls["company_size"]
    assert all(s.tooltip.startswith(f"{company.label}: ") for s in levels)


def test_the_save_path_is_whole_on_hover_and_follows_edits(app, tmp_path):
    assert app.path.tooltip == app.path.value
    app.path.value = str(tmp_path / "a" / "very" / "long" / "folder" / "b2b_model_v9.yaml")
    assert app.path.tooltip == app.path.value


def test_conversion_is_shown_in_percent(app):
    table = app.conversion()["table"]
    view = app.conversion_view.value
    for rate, low, high in table[["rate", "low", "high"]].itertuples(index=False):
        assert percent(rate) in view and f"{percent(low)}–{percent(high)}" in view
    assert f"{percent(app.conversion()['top10'])} " in view
    assert re.findall(r">\s*0\.\d+\s*<", view) == []  # no raw fraction (0.0771) in a cell


def test_a_category_without_outcomes_shows_a_dash_not_nan(app):
    a = list(app.totals.category_names).index("A")
    app.outcome = np.where(app.totals.category == a, np.nan, app.outcome)
    app.refresh()
    assert "nan" not in app.conversion_view.value.lower()
    assert "—" in app.conversion_view.value


def test_the_chart_axis_spans_the_models_whole_scale(sample_model, sample_signals):
    for top in (100, 150):
        model = wb.Model.parse(sample_model.to_dict() | {"scale": {"min": 0, "max": top}})
        spec = TuningApp(model, sample_signals).chart.spec
        x = spec["layer"][0]["encoding"]["x"]
        assert x["scale"]["domain"] == [0, top]  # the pile-up at the top stays on the axis
        assert spec["width"] == "container"  # as wide as its column, no wider


def test_the_saved_outline_is_binned_over_the_models_scale(sample_model, sample_signals):
    wide = sample_model.model_copy(
        update={"scale": sample_model.scale.model_copy(update={"max": 150})}
    )
    app = TuningApp(wide, sample_signals)
    assert app.saved_hist["bin_end"].max() == 150  # lines up with the bars, not 0..100
    assert app.saved_hist["leads"].sum() == sample_signals.n_leads
