"""The tuning app driven like a marketer would, without a browser: set widget values,
check what the app shows."""

from __future__ import annotations

import html

import numpy as np
import pytest

import workbench as wb
from workbench.analysis import metrics
from workbench.ui import TuningApp


@pytest.fixture
def app(sample_model, sample_signals):
    return TuningApp(sample_model, sample_signals)


def test_a_points_slider_rescores_and_every_view_follows(app, sample_model, sample_signals):
    app.point_controls["pricing_page"][0].value = 30
    assert app.model.criterion("pricing_page").points == 30
    expected = wb.score_totals(sample_model.with_points({"pricing_page": 30}), sample_signals)
    counts = app.category_counts()
    assert counts["current"].to_dict() == metrics.category_counts(expected).to_dict()
    assert (counts["change"] == counts["current"] - counts["saved"]).all()
    shift = app.shift()
    assert shift.to_numpy().sum() == sample_signals.n_leads
    assert shift.loc["B", "A"] == counts.loc["A", "change"]  # more points only move leads up
    assert app.shift_sentences()[0].endswith(("B → A", "C → B"))
    assert "Pricing page: 15 → 30 points" in app.changes.value
    movers = app.movers()
    assert (movers["current"] > movers["saved"]).all()


def test_conversion_figures_match_the_engine(app, sample_signals):
    conv = app.conversion()
    y = metrics.outcome_array(sample_signals)
    assert conv["auc"] == pytest.approx(metrics.auc(app.totals.score, y))
    table = conv["table"]
    assert table.loc["A", "rate"] > table.loc["C", "rate"]
    assert "AUC" in app.conversion_view.value


def test_weights_stars_levels_and_thresholds(app):
    app.weight_controls["engagement"].value = 50
    assert app.model.bucket("engagement").weight == 50
    app.point_controls["target_industry"][0].value = 5
    assert app.model.criterion("target_industry").stars == 5
    levels = app.point_controls["company_size"]
    levels[3].value = 20
    assert app.model.level_points(app.model.criterion("company_size"))[3] == 20
    app.threshold_controls["A"].value = 70
    assert app.model.categories[0].min == 70


def test_thresholds_cannot_cross(app):
    app.threshold_controls["B"].value = 65  # above A (60)
    assert app.model.categories[1].min == 35  # refused
    assert app.threshold_controls["B"].value == 35  # the slider is put back
    assert "thresholds must go from highest to lowest" in app.message.value


def test_undo_and_reset(app, sample_model):
    app.point_controls["pricing_page"][0].value = 30
    app.point_controls["demo_request"][0].value = 40
    app.undo()
    assert app.model.criterion("demo_request").points == 25
    assert app.point_controls["demo_request"][0].value == 25
    app.reset()
    assert app.model == sample_model
    assert app.point_controls["pricing_page"][0].value == 15


def test_save_writes_the_next_version_for_sign_off(app, tmp_path):
    app.point_controls["pricing_page"][0].value = 22
    path = app.save(tmp_path / "m.yaml", author="Priya", note="Pricing matters more")
    saved = wb.load_model(path)
    assert saved.version == 2 and saved.approved_by == ()
    assert saved.changelog[-1].author == "Priya"
    assert saved.changelog[-1].note == "Pricing matters more"
    assert saved.criterion("pricing_page").points == 22
    assert "Saved version 2" in app.message.value
    assert app.category_counts()["change"].eq(0).all()  # the saved model is the new baseline


def test_lead_drill_down_by_id_or_name(app, sample_data):
    lead = sample_data.leads.index[10]
    name = sample_data.leads.loc[lead, "last_name"]
    assert app.find_lead(lead) == lead
    assert app.find_lead(name) is not None
    app.show_lead(lead)
    table = app.explain(lead)
    row = app.signals.rows_of([lead])[0]
    assert f"score {app.totals.score[row]:g}" in app.lead_view.value
    assert len(table) > 0
    app.show_lead("no such lead xyz")
    assert "No lead matches" in app.lead_view.value


def full_name(leads, lead_id) -> str:
    return f"{leads.loc[lead_id, 'first_name']} {leads.loc[lead_id, 'last_name']}"


def test_movers_say_why_they_are_empty_before_any_change(app):
    assert app.movers().empty
    assert "No lead has moved yet: move a slider" in app.movers_view.value
    app.apply(app.model.with_metadata(description="a note, not a rule"))
    assert app.movers().empty
    assert "No lead's score or category changed with these edits." in app.movers_view.value


def test_movers_name_the_lead_and_its_company_beside_the_id(app, sample_data):
    app.point_controls["pricing_page"][0].value = 30
    movers = app.movers()
    assert len(movers) == 10 and list(movers.columns[:2]) == ["name", "company"]
    leads = sample_data.leads
    assert movers["name"].tolist() == [full_name(leads, i) for i in movers.index]
    assert movers["company"].tolist() == leads.loc[movers.index, "company"].tolist()
    first = movers.index[0]
    assert first in app.movers_view.value and movers.loc[first, "name"] in app.movers_view.value


def test_movers_without_name_columns_show_ids_only(sample_model, sample_data):
    leads = sample_data.leads.drop(columns=["company"])
    mapping = sample_data.mapping.model_copy(update={"name": ("nickname",)})  # not in the file
    data = wb.LeadData(leads, sample_data.activities, mapping, sample_data.report)
    model = sample_model.with_points({"pricing_page": 30})
    app = TuningApp(sample_model, wb.compute_signals(sample_model, data))
    app.apply(model)
    assert list(app.movers().columns) == ["saved", "current", "from", "to"]


def test_the_drill_down_card_names_the_lead(app, sample_data):
    leads = sample_data.leads
    lead = leads.index[10]
    app.show_lead(str(leads.loc[lead, "last_name"]))  # a name finds the first such lead
    found = app.find_lead(str(leads.loc[lead, "last_name"]))
    assert f"{full_name(leads, found)} · {leads.loc[found, 'company']}</b> ({found})" in (
        app.lead_view.value
    )
    table = app.explain(found)
    assert len(app.lead_chart.chart.data) == len(table) > 0  # the waterfall of that lead


def test_a_search_that_finds_nobody_clears_the_previous_card_and_waterfall(app, sample_data):
    lead = sample_data.leads.index[10]
    app.show_lead(lead)
    assert lead in app.lead_view.value and len(app.lead_chart.chart.data) > 0
    app.show_lead("  xyz ")
    assert "No lead matches 'xyz' (searched ids and names)." in app.lead_view.value
    assert lead not in app.lead_view.value
    assert len(app.lead_chart.chart.data) == 0


def test_the_app_warns_of_a_pile_up_at_the_top_and_says_the_fix(app):
    assert app.pileup_warnings() == metrics.scale_pileup(app.totals, app.model)
    top = [line for line in app.pileup_warnings() if "top of the scale" in line]
    assert top and "Raise scale.max" in top[0]
    assert html.escape(top[0]) in app.pileup_view.value  # shown beside the chart
    for b in app.model.buckets:  # caps that add up to less than the scale: nobody at 100
        app.weight_controls[b.id].value = 30
    assert not [line for line in app.pileup_warnings() if "top of the scale" in line]
    assert "top of the scale" not in app.pileup_view.value  # and gone when fixed


def test_hypothetical_lead_form(app):
    app.hypo_fields.value = "seniority: VP\nindustry: Software\nemail: v@acme.com\nfirst_name: V"
    app.hypo_events.value = "page_view /pricing 1\npage_view /pricing 2\ndemo_request - 1"
    app.show_hypothetical()
    assert "category <b>A</b>" in app.hypo_view.value
    assert "Pricing page 2× in 30 days" in app.hypo_view.value


def test_no_raw_lead_rows_go_to_the_chart(app, sample_signals):
    spec = app.chart.spec
    rows = sum(len(v) for v in spec.get("datasets", {}).values())
    assert rows < 500 < sample_signals.n_leads
    assert np.isclose(
        sum(r["leads"] for v in spec["datasets"].values() for r in v if "category" in r),
        sample_signals.n_leads,
    )


def test_a_half_life_slider_recomputes_only_what_it_must(app, sample_model, sample_data):
    before = app.totals.score.copy()
    app.half_life_controls["pricing_page"].value = 60  # slower decay: old views count more
    assert app.model.criterion("pricing_page").rule.half_life_days == 60
    fresh = wb.compute_signals(app.model, sample_data)
    expected = wb.score_totals(app.model, fresh)
    np.testing.assert_array_equal(app.totals.score, expected.score)
    assert (app.totals.score >= before).all() and (app.totals.score > before).any()
    assert "Pricing page: half-life 14 → 60 days" in app.changes.value
    app.undo()
    assert app.model == sample_model
    np.testing.assert_array_equal(app.totals.score, before)
    assert app.changes.value == "No changes since the saved version."


def test_the_next_version_goes_next_to_the_model_never_into_the_installed_sample(
    tmp_path, monkeypatch
):
    from workbench.resources import samples_dir
    from workbench.ui.inputs import SAVE_DIR, next_version_path

    mine = tmp_path / "models" / "ours.yaml"
    shipped = samples_dir() / "b2b_model.yaml"
    monkeypatch.delenv(SAVE_DIR, raising=False)
    assert next_version_path(mine, 3) == tmp_path / "models" / "ours_v3.yaml"
    assert next_version_path(shipped, 2) == samples_dir() / "b2b_model_v2.yaml"  # a checkout
    monkeypatch.setenv(SAVE_DIR, str(tmp_path))  # started by `workbench tune` in tmp_path
    assert next_version_path(shipped, 2) == tmp_path / "b2b_model_v2.yaml"
    assert next_version_path(mine, 3) == tmp_path / "models" / "ours_v3.yaml"


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"model_path": "missing.yaml"}, "missing.yaml"),
        ({"leads": "nope.csv"}, "nope.csv"),
    ],
)
def test_a_bad_file_gives_the_tuning_page_a_message_not_a_blank_page(kwargs, expected, capfd):
    from workbench.ui import tuning_page

    widget = tuning_page(**kwargs)
    assert "The tuning app cannot open the model and leads" in widget.value
    assert expected in widget.value and "Traceback" not in widget.value
    err = capfd.readouterr().err  # the server's terminal, not the page
    assert err.startswith("workbench tune: ") and expected in err


def test_empty_views_say_why_before_anything_is_asked(sample_model, sample_signals):
    app = TuningApp(sample_model, sample_signals)
    assert "Type a lead's id or part of its name" in app.lead_view.value
    assert "No lead has moved yet" in app.movers_view.value
    assert "no-matrix" not in app.matrix_view.value  # the sample has both bands
    no_bands = sample_model.model_copy(update={"fit_grade": None, "engagement_levels": None})
    bare = TuningApp(no_bands, sample_signals)
    assert "no fit grade or no engagement levels" in bare.matrix_view.value
