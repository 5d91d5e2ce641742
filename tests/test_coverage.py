"""Warnings for criteria the data cannot feed: typos and forgotten files score 0 silently."""

from __future__ import annotations

import workbench as wb
from tests.helpers import SAMPLES, crit, make_model, tiny_activities, tiny_leads
from workbench.cli import main

DEMO = {"kind": "activity", "types": ["demo_request"]}
QUIET = {"kind": "inactivity", "days": 30}
SENIORITY = {
    "kind": "lookup",
    "field": "seniority",
    "groups": [{"values": ["VP"], "points": 20}, {"values": ["CEO"], "points": 25}],
}


def warnings_for(model: wb.Model, data: wb.LeadData, as_of=None) -> list[str]:
    return [str(w) for w in wb.compute_signals(model, data, as_of=as_of).warnings]


def test_a_forgotten_activities_file_is_named_with_the_criteria_it_silences():
    model = make_model(
        [
            crit("demo", DEMO, bucket="engagement"),
            crit("quiet", QUIET, points=-10, bucket="engagement"),
            crit("vp", {"kind": "equals", "field": "seniority", "value": "VP"}),
        ]
    )
    without = warnings_for(model, wb.load_data(tiny_leads(), now="2026-11-22"))
    assert len(without) == 1
    assert "2 of 3 criteria read activities (demo, quiet)" in without[0]
    assert "quiet fires for every lead" in without[0] and "--activities" in without[0]
    with_them = wb.load_data(tiny_leads(), tiny_activities(), now="2026-11-22")
    assert warnings_for(model, with_them) == []


def test_a_fit_only_model_needs_no_activities():
    model = make_model([crit("vp", {"kind": "equals", "field": "seniority", "value": "VP"})])
    assert warnings_for(model, wb.load_data(tiny_leads(), now="2026-11-22")) == []


def test_a_misspelt_activity_type_is_reported_with_the_likely_one(tiny_data):
    typo = {"kind": "activity", "types": ["demo_requests"]}
    (warning,) = warnings_for(make_model([crit("demo", typo, bucket="engagement")]), tiny_data)
    assert "criteria.demo.rule.types" in warning
    assert "'demo_requests' never occurs" in warning and "Did you mean 'demo_request'?" in warning


def test_a_misspelt_lookup_value_is_reported_but_a_merely_absent_one_is_not(tiny_data):
    # 'CEO' is absent from this small file but is a real value: no warning for it
    assert warnings_for(make_model([crit("sen", SENIORITY, points=None)]), tiny_data) == []
    typo = {**SENIORITY, "groups": [{"values": ["Studnet"], "points": -15}]}
    (warning,) = warnings_for(make_model([crit("sen", typo, points=None)]), tiny_data)
    assert "'Studnet' never occurs in column 'seniority'" in warning
    assert "Did you mean 'Student'?" in warning


def test_scoring_before_leads_existed_is_pointed_out(tiny_data):
    model = make_model([crit("vp", {"kind": "equals", "field": "seniority", "value": "VP"})])
    (early,) = warnings_for(model, tiny_data, as_of="2026-01-01")
    assert "every lead was created after 2026-01-01 (the first on 2026-05-01)" in early
    (some,) = warnings_for(model, tiny_data, as_of="2026-07-01")
    assert "2 leads were created after 2026-07-01" in some
    assert warnings_for(model, tiny_data, as_of="2026-11-01") == []


def test_the_shipped_sample_gives_no_warning(sample_model, sample_signals):
    assert [str(w) for w in sample_signals.warnings] == []


def test_validate_shows_the_warning_and_does_not_call_the_fit_clean(tmp_path, capsys):
    text = (SAMPLES / "b2b_model.yaml").read_text().replace("[Director]", "[Direktor]")
    model = tmp_path / "m.yaml"
    model.write_text(text)
    code = main(
        [
            "validate",
            str(model),
            "--leads",
            str(SAMPLES / "leads.csv"),
            "--activities",
            str(SAMPLES / "activities.csv"),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "'Direktor' never occurs in column 'seniority'" in out and "'Director'?" in out
    pileup = sum("of the scale: the score no longer tells them apart" in x for x in out.split("\n"))
    assert f"The model fits the data (5,000 leads), with {1 + pileup} warnings above." in out


def _planted_split():
    from tests.helpers import planted_leads

    frame = planted_leads(3000)
    cut = int(len(frame) * 0.7)
    from workbench.model.spec import DataMapping

    mapping = DataMapping(lead_id="Lead ID", outcome="won")
    return frame, frame.iloc[:cut], frame.iloc[cut:], mapping


def test_a_drafted_models_own_values_are_not_typos():
    """A draft's groups hold values the data had (500 landing pages grouped by rate): on
    the same table nothing 'never occurs', and on other leads a page they lack is not a
    typo of a page they have ('LP-0258 … Did you mean LP-0458?')."""
    from workbench.learning.drafting import draft_model

    frame, train, test, mapping = _planted_split()
    drafted = draft_model(wb.load_data(frame, mapping=mapping), "won", folds=0).model
    assert warnings_for(drafted, wb.load_data(frame, mapping=mapping)) == []
    drafted = draft_model(wb.load_data(train, mapping=mapping), "won", folds=0).model
    pages = next(c for c in drafted.criteria if c.rule.field == "Landing Page ID")
    named = {v for g in pages.rule.groups for v in g.values}
    assert named - set(test["Landing Page ID"])  # the held-out leads lack some pages
    assert warnings_for(drafted, wb.load_data(test, mapping=mapping)) == []


def test_a_typo_added_to_a_drafted_model_is_still_caught():
    from workbench.learning.drafting import draft_model

    frame, *_, mapping = _planted_split()
    drafted = draft_model(wb.load_data(frame, mapping=mapping), "won", folds=0).model
    spec = drafted.to_dict()
    crit_ = next(c for c in spec["criteria"] if c["rule"].get("field") == "industry")
    crit_["rule"]["groups"].append({"values": ["Softwear"], "points": 3})  # no evidence
    warnings = warnings_for(wb.Model.parse(spec), wb.load_data(frame, mapping=mapping))
    assert len(warnings) == 1 and "'Softwear' never occurs" in warnings[0]
    assert "Did you mean 'Software'?" in warnings[0]
