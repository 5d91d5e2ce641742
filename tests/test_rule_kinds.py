"""Every rule kind has one home that evaluates it, words it and knows its levels.

The tables below are keyed by ``RULE_KINDS``: a new kind added to the model without a home
in ``workbench.engine.kinds`` (or without an example here) fails these tests.
"""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import TypeAdapter

import workbench as wb
from tests.helpers import AS_OF, crit, make_model
from workbench.engine.fields import ColumnCache
from workbench.engine.kinds import (
    REGISTRY,
    ActivityKind,
    FieldKind,
    Kind,
    LevelKind,
    kind_of,
    unhomed,
)
from workbench.engine.signals import resolve_as_of
from workbench.model import rules as r
from workbench.model.points import criterion_points_rows
from workbench.report.build import rule_text

# kind -> (rule, a tiny-data lead it matches, words its reason must hold, the rule in words:
# what the report's criteria table printed before the kinds had one home)
EXAMPLES: dict[str, tuple[dict, str, str, str]] = {
    "equals": (
        {"field": "industry", "value": "Software"},
        "a",
        "Equals (Software)",
        "industry = Software",
    ),
    "in": (
        {"field": "seniority", "values": ["VP", "Director"]},
        "a",
        "In (VP)",
        "seniority is VP, Director",
    ),
    "not_in": (
        {"field": "industry", "values": ["Retail"]},
        "c",
        "Not in (software)",
        "industry is not Retail",
    ),
    "range": (
        {"field": "company_size", "min": 1000},
        "c",
        "Range (2,500)",
        "company_size in [1000, )",
    ),
    "bins": (
        {
            "field": "company_size",
            "bins": [{"max": 1000, "points": 5, "label": "small"}, {"min": 1000, "points": 9}],
        },
        "a",
        "Bins 350 (small)",
        "company_size by bin",
    ),
    "lookup": (
        {"field": "seniority", "groups": [{"values": ["VP", "Director"], "points": 20}]},
        "a",
        "Lookup (VP)",
        "seniority by value",
    ),
    "missing": ({"field": "email"}, "d", "Missing", "email is missing"),
    "present": ({"field": "email"}, "b", "Present", "email is filled in"),
    "contains": (
        {"field": "email", "values": ["@gmail."]},
        "c",
        "Contains (bob@gmail.com)",
        "email contains @gmail.",
    ),
    "regex": (
        {"field": "job_title", "pattern": "^vp\\b"},
        "a",
        "Regex (VP Sales)",
        "job_title matches ^vp\\b",
    ),
    "within_days": (
        {"field": "created_at", "days": 30},
        "b",
        "Within days (2026-10-20)",
        "created_at within 30 days",
    ),
    "activity": (
        {"types": ["page_view"], "detail_contains": ["/pricing"], "within_days": 30},
        "a",
        "Activity 3× in 30 days",
        "page_view with /pricing, last 30 days",
    ),
    "inactivity": ({"days": 20}, "d", "Inactivity (60 days quiet)", "no activity in 20 days"),
    "trend": (
        {"types": ["page_view"], "days": 7},
        "a",
        "Trend (3 in last 7 days vs 0 before)",
        "more page_view in the last 7 days than the 7 before",
    ),
    "all_of": (
        {
            "rules": [
                {"kind": "equals", "field": "industry", "value": "Software"},
                {"kind": "range", "field": "company_size", "max": 1000},
            ],
            "labels": ["Software", "Under 1,000 staff"],
        },
        "a",
        "Software (Software) and Under 1,000 staff (350)",
        "industry = Software and company_size in [, 1000)",
    ),
}

RULE = TypeAdapter(r.Rule)


def rule_of(kind: str) -> r.FieldRule | r.ActivityRule:
    return RULE.validate_python({"kind": kind, **EXAMPLES[kind][0]})


def criterion_of(kind: str) -> dict:
    rule = {"kind": kind, **EXAMPLES[kind][0]}
    level = kind in ("bins", "lookup")
    bucket = "engagement" if kind in ("activity", "inactivity", "trend") else "fit"
    return crit(kind, rule, points=None if level else 10, bucket=bucket)


@pytest.mark.parametrize("kind", r.RULE_KINDS)
def test_every_kind_has_one_home_of_its_family(kind):
    rule = rule_of(kind)
    home = kind_of(rule)
    assert isinstance(home, Kind) and home.name == kind
    assert REGISTRY[type(rule)] is home
    family = ActivityKind if isinstance(rule, r.ActivityRule) else FieldKind
    assert isinstance(home, family)
    assert isinstance(home, LevelKind) == isinstance(rule, r.LEVEL_RULES)


@pytest.mark.parametrize("kind", r.RULE_KINDS)
def test_every_kind_puts_its_rule_into_words(kind):
    rule = rule_of(kind)
    words = kind_of(rule).describe(rule)
    assert words == EXAMPLES[kind][3]
    assert rule_text(rule) == words  # the report's criteria table
    named = [leaf.field for _, leaf in r.field_leaves(rule)]
    if isinstance(rule, r.ActivityRule):
        named = list(rule.types) or ["activity"]
    assert all(name in words for name in named)


@pytest.mark.parametrize("kind", r.RULE_KINDS)
def test_a_matching_lead_is_told_what_the_rule_saw(kind, tiny_data):
    _, lead, expected, _ = EXAMPLES[kind]
    model = make_model([criterion_of(kind)])
    signals = wb.compute_signals(model, tiny_data, as_of=AS_OF)
    scored = wb.score(model, signals)
    assert expected in scored.loc[lead, "reasons"]
    c = model.criteria[0]
    words = kind_of(c.rule).evidence_words(c, signals, signals.rows_of([lead]))
    assert words.tolist() == [expected]


def test_the_registry_is_closed():
    assert unhomed() == []
    assert {k.name for k in REGISTRY.values()} == set(r.RULE_KINDS)


def test_a_rule_class_without_a_home_is_reported(monkeypatch):
    class Shout(r.FieldRule):
        kind: str = "shout"

    monkeypatch.setattr(r, "FIELD_RULES", (*r.FIELD_RULES, Shout))
    assert unhomed() == ["Shout"]
    with pytest.raises(KeyError):
        kind_of(Shout(field="x"))


def test_levels_are_the_bins_and_groups_with_their_names():
    bins = rule_of("bins")
    lookup = RULE.validate_python(
        {
            "kind": "lookup",
            "field": "seniority",
            "groups": [
                {"values": ["VP", "Director"], "points": 20},
                {"values": ["Manager"], "points": 10, "label": "Managers"},
            ],
        }
    )
    assert bins.levels == bins.bins
    assert [level.describe() for level in bins.levels] == ["small", "1000+"]
    assert lookup.levels == lookup.groups
    assert [level.describe() for level in lookup.levels] == ["VP, Director", "Managers"]
    for kind in r.RULE_KINDS:
        rule = rule_of(kind)
        assert hasattr(rule, "levels") == isinstance(rule, r.LEVEL_RULES)


def test_reasons_name_a_level_as_the_points_table_does(tiny_data):
    model = make_model([criterion_of("bins"), criterion_of("lookup")])
    signals = wb.compute_signals(model, tiny_data, as_of=AS_OF)
    rows = np.arange(signals.n_leads)
    for c in model.criteria:
        names = {row.level: row.level_label for row in criterion_points_rows(model, c)}
        words = kind_of(c.rule).level_words(c, signals, rows)
        levels = signals.levels[c.id]
        assert (levels >= 0).any()
        assert words.tolist() == [names.get(int(lv), "") for lv in levels]


FIELD_KINDS = [k for k in r.RULE_KINDS if issubclass(type(rule_of(k)), r.FieldRule)]


@pytest.mark.parametrize("kind", FIELD_KINDS)
def test_a_field_rule_as_an_inquiry_rule_hits_the_lead_it_matches(kind, tiny_data):
    rule = rule_of(kind)
    leads = tiny_data.leads
    hits = kind_of(rule).hits(rule, ColumnCache(leads), resolve_as_of(tiny_data, AS_OF))
    assert hits.dtype == bool and len(hits) == len(leads)
    assert hits[leads.index.get_loc(EXAMPLES[kind][1])]


# --- all_of: a combination of rules, scored as one criterion --------------------------------


def _part(kind: str, **kw) -> dict:
    return {"kind": kind, **kw}


SOFTWARE = _part("equals", field="industry", value="Software")
SMALL = _part("range", field="company_size", max=1000)


def test_all_of_matches_only_leads_that_match_every_part(tiny_data):
    model = make_model([crit("combo", {"kind": "all_of", "rules": [SOFTWARE, SMALL]})])
    signals = wb.compute_signals(model, tiny_data, as_of=AS_OF)
    hit = signals.column("combo")[signals.rows_of(["a", "b", "c", "d"])]
    # a: software and 350 staff; c: software but 2,500; b and d: neither
    assert hit.tolist() == [1, 0, 0, 0]
    totals = wb.score_totals(model, signals)
    assert totals.score[signals.rows_of(["a"])][0] > totals.score[signals.rows_of(["c"])][0]


def test_all_of_without_labels_words_each_part_by_its_rule(tiny_data):
    model = make_model([crit("combo", {"kind": "all_of", "rules": [SOFTWARE, SMALL]})])
    scored = wb.score(model, wb.compute_signals(model, tiny_data, as_of=AS_OF))
    assert scored.loc["a", "reasons"].startswith(
        "industry = Software (Software) and company_size in [, 1000) (350) +"
    )


@pytest.mark.parametrize(
    ("rules", "extra", "message"),
    [
        ([SOFTWARE], {}, r"criteria\[0\]\.rule\.rules: needs at least 2"),
        (
            [SOFTWARE, _part("bins", field="company_size", bins=[{"points": 1}])],
            {},
            r"criteria\[0\]\.rule\.rules\[1\]: a 'bins' rule scores each bin separately",
        ),
        (
            [_part("activity", types=["page_view"]), SOFTWARE],
            {},
            r"rules\[0\]: all_of combines lead-field rules",
        ),
        (
            [SOFTWARE, _part("equlas", field="industry", value="x")],
            {},
            r"criteria\[0\]\.rule\.rules\[1\]: unknown rule kind 'equlas'\. Did you mean 'equals'",
        ),
        ([SOFTWARE, SMALL], {"labels": ["only one"]}, r"labels: give one label per rule \(2\)"),
        (
            [
                SOFTWARE,
                _part(
                    "all_of",
                    rules=[
                        SMALL,
                        _part("all_of", rules=[SMALL, _part("all_of", rules=[SMALL, SOFTWARE])]),
                    ],
                ),
            ],
            {},
            r"all_of nests 4 deep; at most 3",
        ),
    ],
)
def test_a_wrong_all_of_is_refused_with_its_key_path(rules, extra, message):
    with pytest.raises(wb.ModelError, match=message):
        make_model([crit("combo", {"kind": "all_of", "rules": rules, **extra})])


def test_a_missing_column_in_an_all_of_part_names_its_path(tiny_data):
    typo = _part("equals", field="industy", value="Software")
    model = make_model([crit("combo", {"kind": "all_of", "rules": [SMALL, typo]})])
    with pytest.raises(wb.DataError, match=r"criteria\[0\]\.rule\.rules\[1\]\.field.*industry"):
        wb.compute_signals(model, tiny_data, as_of=AS_OF)


def test_an_all_of_model_round_trips_through_yaml(tmp_path):
    rule = {"kind": "all_of", "rules": [SOFTWARE, SMALL], "labels": ["Software", "Small"]}
    model = make_model([crit("combo", rule)])
    path = tmp_path / "m.yaml"
    wb.save_model(model, path)
    assert wb.load_model(path) == model


def test_a_model_with_all_of_is_tuned_and_reported(sample_model, sample_data):
    from workbench.analysis import metrics, sales
    from workbench.report.build import criteria_table
    from workbench.ui import TuningApp

    combo = crit(
        "senior_referral",
        {
            "kind": "all_of",
            "rules": [
                _part("in", field="seniority", values=["VP", "Director", "C-level"]),
                _part("equals", field="source", value="Referral"),
            ],
            "labels": ["Senior", "Referral"],
        },
        points=10,
        label="Senior and referred",
    )
    model = wb.Model.parse(
        {**sample_model.to_dict(), "criteria": [*sample_model.to_dict()["criteria"], combo]}
    )
    signals = wb.compute_signals(model, sample_data)
    touched = signals.touches("senior_referral")
    assert 0 < touched < signals.n_leads
    app = TuningApp(model, signals)
    app.point_controls["senior_referral"][0].value = 25
    assert app.model.criterion("senior_referral").points == 25
    assert "Senior and referred: 10 → 25 points" in app.changes.value
    expected = wb.score_totals(model.with_points({"senior_referral": 25}), signals)
    counts = app.category_counts()["current"].to_dict()
    assert counts == metrics.category_counts(expected).to_dict()
    table = criteria_table(model, sales.Scoring.run(model, sample_data)).set_index("criterion")
    row = table.loc["Senior and referred"]
    assert row["rule"] == "seniority is VP, Director, C-level and source = Referral"
    assert row["leads touched"] == touched
