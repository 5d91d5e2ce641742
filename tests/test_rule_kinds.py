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
    named = [rule.field] if isinstance(rule, r.FieldRule) else list(rule.types) or ["activity"]
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
