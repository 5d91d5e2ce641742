"""Signals: every rule kind on a tiny hand-checked world, and as-of scoring."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import workbench as wb
from tests.helpers import AS_OF, crit, make_model, tiny_activities, tiny_leads


def evidence(data, rule: dict, as_of=AS_OF, **kw) -> dict[str, float]:
    """Evidence of one criterion per lead id."""
    model = make_model([crit("x", rule, **kw)])
    s = wb.compute_signals(model, data, as_of=as_of)
    values = s.levels["x"] if "x" in s.levels else s.column("x")
    return dict(zip(s.lead_ids, np.asarray(values, dtype=float).tolist(), strict=True))


FIELD_CASES = [
    ({"kind": "equals", "field": "seniority", "value": "vp"}, {"a": 1, "b": 0, "c": 0, "d": 0}),
    (
        {"kind": "equals", "field": "seniority", "value": "vp", "case_sensitive": True},
        {"a": 0, "b": 0, "c": 0, "d": 0},
    ),
    # trailing spaces and case are forgiven: 'software ' matches 'Software'
    ({"kind": "in", "field": "industry", "values": ["Software"]}, {"a": 1, "b": 0, "c": 1, "d": 0}),
    # not_in: a missing value (placeholder 'N/A') never matches
    (
        {"kind": "not_in", "field": "industry", "values": ["software"]},
        {"a": 0, "b": 1, "c": 0, "d": 0},
    ),
    # numbers compare by value: '2,500' is 2500
    ({"kind": "range", "field": "company_size", "min": 200}, {"a": 1, "b": 0, "c": 1, "d": 0}),
    ({"kind": "range", "field": "company_size", "max": 350}, {"a": 0, "b": 1, "c": 0, "d": 0}),
    (
        {"kind": "in", "field": "company_size", "values": [350, 2500]},
        {"a": 1, "b": 0, "c": 1, "d": 0},
    ),
    ({"kind": "missing", "field": "seniority"}, {"a": 0, "b": 0, "c": 0, "d": 1}),
    ({"kind": "present", "field": "email"}, {"a": 1, "b": 1, "c": 1, "d": 0}),
    (
        {"kind": "contains", "field": "job_title", "values": ["student", "head"]},
        {"a": 0, "b": 1, "c": 0, "d": 1},
    ),
    (
        {"kind": "regex", "field": "email", "pattern": r"@(gmail|mailinator)\."},
        {"a": 0, "b": 1, "c": 1, "d": 0},
    ),
    # created within 30 days of 2026-10-31: b (10-20); d (09-01) is 60 days old
    ({"kind": "within_days", "field": "created_at", "days": 30}, {"a": 0, "b": 1, "c": 0, "d": 0}),
    ({"kind": "within_days", "field": "created_at", "days": 61}, {"a": 0, "b": 1, "c": 0, "d": 1}),
]


@pytest.mark.parametrize(("rule", "expected"), FIELD_CASES)
def test_field_rules(tiny_data, rule, expected):
    assert evidence(tiny_data, rule) == expected


def test_bins_and_lookup_give_the_level_of_each_lead(tiny_data):
    bins = {
        "kind": "bins",
        "field": "company_size",
        "bins": [
            {"max": 10, "points": -5},
            {"min": 10, "max": 1000, "points": 5},
            {"min": 1000, "points": 9},
        ],
    }
    assert evidence(tiny_data, bins, points=None) == {"a": 1, "b": 0, "c": 2, "d": -1}
    lookup = {
        "kind": "lookup",
        "field": "seniority",
        "groups": [
            {"values": ["VP", "C-level"], "points": 20},
            {"values": ["student"], "points": -15},
        ],
    }
    assert evidence(tiny_data, lookup, points=None) == {"a": 0, "b": 1, "c": -1, "d": -1}


def test_activity_counts_types_details_and_windows(tiny_data):
    pricing = {"kind": "activity", "types": ["page_view"], "detail_contains": ["/PRICING"]}
    assert evidence(tiny_data, pricing) == {"a": 4, "b": 0, "c": 0, "d": 0}
    recent = {**pricing, "within_days": 30}
    assert evidence(tiny_data, recent) == {"a": 3, "b": 0, "c": 0, "d": 0}
    # 'Page View' in the file is the same type as page_view
    careers = {"kind": "activity", "types": ["Page View"], "detail_regex": "^/careers"}
    assert evidence(tiny_data, careers)["b"] == 2
    assert evidence(tiny_data, {"kind": "activity"})["c"] == 4  # no filter: every event
    at_least_3 = {**recent, "min_count": 4}
    assert evidence(tiny_data, at_least_3)["a"] == 0


def test_diminishing_returns_each_repeat_worth_a_factor_of_the_previous(tiny_data):
    rule = {
        "kind": "activity",
        "types": ["page_view"],
        "detail_contains": ["/pricing"],
        "diminishing": {"factor": 0.5},
    }
    assert evidence(tiny_data, rule)["a"] == pytest.approx(1 + 0.5 + 0.25 + 0.125)
    capped = {**rule, "diminishing": {"factor": 0.5, "max_count": 2}}
    assert evidence(tiny_data, capped)["a"] == pytest.approx(1.5)


def test_recency_decay_halves_an_event_every_half_life(tiny_data):
    rule = {"kind": "activity", "types": ["demo_request"], "half_life_days": 10}
    # demo on 2026-10-15 09:00; as of the end of 2026-10-31 it is 16 days 15 h old
    age = pd.Timestamp("2026-11-01") - pd.Timedelta(1, "ns") - pd.Timestamp("2026-10-15 09:00")
    expected = 0.5 ** (age / pd.Timedelta(days=10))
    assert evidence(tiny_data, rule)["a"] == pytest.approx(expected, rel=1e-6)


def test_decay_and_diminishing_rank_the_newest_event_first(tiny_data):
    rule = {
        "kind": "activity",
        "types": ["page_view"],
        "detail_contains": ["/pricing"],
        "within_days": 30,
        "half_life_days": 7,
        "diminishing": {"factor": 0.5},
    }
    cutoff = pd.Timestamp("2026-11-01") - pd.Timedelta(1, "ns")
    ages = [
        (cutoff - pd.Timestamp(t)) / pd.Timedelta(days=1)
        for t in ("2026-10-30 10:00", "2026-10-29 10:00", "2026-10-28 10:00")
    ]
    expected = sum(0.5**k * 0.5 ** (a / 7) for k, a in enumerate(ages))
    assert evidence(tiny_data, rule)["a"] == pytest.approx(expected, rel=1e-6)


def test_inactivity_counts_days_since_the_last_event_or_creation(tiny_data):
    rule = {"kind": "inactivity", "days": 20}
    # a: last event 10-30; b: 10-22; c: 10-26; d: no events, created 09-01 -> 60 days quiet
    assert evidence(tiny_data, rule) == {"a": 0, "b": 0, "c": 0, "d": 1}
    content = {"kind": "inactivity", "types": ["whitepaper_download"], "days": 60}
    # c downloaded on 07-01 (122 days); a and b never did and were created long enough ago
    got = evidence(tiny_data, content)
    assert got["c"] == 1 and got["a"] == 1
    assert got["b"] == 0  # b was created on 10-20: not quiet for 60 days yet


def test_trend_rising_visits(tiny_data):
    rule = {"kind": "trend", "types": ["page_view"], "days": 7}
    # c: 2 views in the last 7 days (10-25, 10-26), 0 in the 7 before -> rising
    # a: 3 in the last 7 days vs 0 before -> rising; b: 10-21, 10-22 are 9-10 days old -> 0 vs 2
    assert evidence(tiny_data, rule) == {"a": 1, "b": 0, "c": 1, "d": 0}


def test_as_of_scoring_ignores_later_events(tiny_data):
    rule = {"kind": "activity", "types": ["page_view"], "detail_contains": ["/pricing"]}
    assert evidence(tiny_data, rule, as_of="2026-10-28")["a"] == 2  # 08-01 and 10-28
    assert evidence(tiny_data, rule, as_of="2026-10-27")["a"] == 1
    assert evidence(tiny_data, rule, as_of="2026-07-31")["a"] == 0


def test_default_as_of_is_the_newest_event(tiny_data):
    s = wb.compute_signals(
        make_model([crit("x", {"kind": "present", "field": "email"})]), tiny_data
    )
    assert s.as_of == pd.Timestamp("2026-10-30 10:00:00")


def test_a_date_as_of_means_the_end_of_that_day(tiny_data):
    s = wb.compute_signals(
        make_model([crit("x", {"kind": "present", "field": "email"})]),
        tiny_data,
        as_of="2026-10-30",
    )
    assert s.as_of == pd.Timestamp("2026-10-31") - pd.Timedelta(1, "ns")


def test_unknown_columns_are_named_with_a_suggestion(tiny_data):
    model = make_model(
        [
            crit("x", {"kind": "in", "field": "Industry", "values": ["x"]}),
            crit("y", {"kind": "missing", "field": "emial"}),
        ]
    )
    with pytest.raises(wb.DataError) as info:
        wb.compute_signals(model, tiny_data)
    msg = str(info.value)
    assert (
        "criteria[0].rule.field: column 'Industry' is not in the leads file. "
        "Did you mean 'industry'?" in msg
    )
    assert "criteria[1].rule.field: column 'emial'" in msg and "Did you mean 'email'?" in msg


def test_malformed_as_of_is_a_data_error(tiny_data):
    with pytest.raises(wb.DataError, match="'31/31/2026' is not a date"):
        wb.compute_signals(
            make_model([crit("x", {"kind": "present", "field": "email"})]),
            tiny_data,
            as_of="31/31/2026",
        )


def test_non_numbers_in_a_numeric_rule_are_reported_not_fatal():
    leads = tiny_leads()
    leads.loc[3, "company_size"] = "50-100"
    data = wb.load_data(leads, tiny_activities(), now="2026-11-22")
    model = make_model([crit("x", {"kind": "range", "field": "company_size", "min": 10})])
    s = wb.compute_signals(model, data)
    assert any("1 values are not numbers (e.g. '50-100')" in str(w) for w in s.warnings)


def test_segment_rows_are_grouped_and_signals_touch_counts(tiny_data):
    model = make_model(
        [crit("x", {"kind": "present", "field": "email"})],
        segments={"field": "segment", "variants": [{"value": "enterprise", "points": {"x": 3}}]},
    )
    s = wb.compute_signals(model, tiny_data)
    assert list(s.lead_ids) == ["b", "d", "a", "c"]  # base segment first, then Enterprise
    assert s.segment_blocks == ((0, 0, 2), (1, 2, 4))
    assert s.touches("x") == 3


def test_refreshing_signals_after_a_half_life_change_equals_computing_afresh(tiny_data):
    rule = {"kind": "activity", "types": ["page_view"], "half_life_days": 7}
    model = make_model(
        [crit("views", rule, bucket="engagement"), crit("x", {"kind": "present", "field": "email"})]
    )
    before = wb.compute_signals(model, tiny_data, as_of="2026-10-31")
    slower = model.with_rule("views", half_life_days=30)
    assert slower.criterion("views").rule.half_life_days == 30
    assert model.criterion("views").rule.half_life_days == 7  # the original is untouched
    refreshed = wb.refresh_signals(slower, before)
    fresh = wb.compute_signals(slower, tiny_data, as_of="2026-10-31")
    np.testing.assert_allclose(refreshed.matrix, fresh.matrix)
    pd.testing.assert_frame_equal(wb.score(slower, refreshed), wb.score(slower, fresh))
    assert wb.refresh_signals(slower, refreshed) is refreshed  # nothing to do
    other = make_model([crit("y", {"kind": "missing", "field": "email"})])
    assert wb.refresh_signals(other, before).key == wb.compute_signals(other, tiny_data).key
