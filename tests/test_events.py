"""Activity events shared between rules: every activity rule of a model, worked out from its
events one lead at a time, and alone versus among many that read the same events."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import workbench as wb
from tests.helpers import AS_OF, crit, make_model, tiny_leads

CUTOFF = pd.Timestamp(AS_OF) + pd.Timedelta(days=1) - pd.Timedelta(1, "ns")
TYPES = ["page_view", "email_open", "demo_request"]
DETAILS = ["/pricing", "/Pricing/plans", "/careers", "/blog/x", ""]
# a few instants only, so that leads often have several events at the same moment, some
# exactly on a window's edge (2, 5 and 10 days old)
MOMENTS = [CUTOFF - pd.Timedelta(hours=h) for h in (1, 30, 48, 120, 200, 240, 500, 2000)]

events = st.lists(
    st.tuples(
        st.sampled_from("abcd"),
        st.sampled_from(MOMENTS),
        st.sampled_from(TYPES),
        st.sampled_from(DETAILS),
    ),
    min_size=1,
    max_size=40,
)
filters = st.fixed_dictionaries(
    {},
    optional={
        "types": st.lists(st.sampled_from(TYPES), min_size=1, max_size=3),
        "detail_contains": st.lists(st.sampled_from(["/pricing", "careers"]), min_size=1),
        "detail_regex": st.sampled_from(["^/(pricing|blog)", "x$"]),
    },
)
activity = st.fixed_dictionaries(
    {"kind": st.just("activity")},
    optional={
        "within_days": st.sampled_from([2, 5, 20, 60]),
        "half_life_days": st.sampled_from([3, 30]),
        "min_count": st.sampled_from([2, 3]),
        "diminishing": st.fixed_dictionaries(
            {"factor": st.sampled_from([0.5, 0.8])},
            optional={"max_count": st.sampled_from([1, 2])},
        ),
    },
)
inactivity = st.fixed_dictionaries(
    {"kind": st.just("inactivity"), "days": st.sampled_from([1, 5, 20, 200])}
)
trend = st.fixed_dictionaries(
    {"kind": st.just("trend"), "days": st.sampled_from([2, 5, 20])},
    optional={"min_count": st.sampled_from([1, 2])},
)
rules = st.lists(
    st.tuples(filters, st.one_of(activity, inactivity, trend)).map(lambda p: {**p[1], **p[0]}),
    min_size=1,
    max_size=8,
)


def matching(rule: dict, acts: pd.DataFrame, lead: str) -> pd.DataFrame:
    """The lead's events the rule's filter keeps, newest first."""
    e = acts[acts["lead_id"] == lead]
    if "types" in rule:
        e = e[e["activity_type"].isin(rule["types"])]
    if "detail_contains" in rule or "detail_regex" in rule:
        words = rule.get("detail_contains", [])
        pattern = rule.get("detail_regex")
        keep = [
            any(w.lower() in d.lower() for w in words)
            or (pattern is not None and re.search(pattern, d, re.I) is not None)
            for d in e["detail"]
        ]
        e = e[np.array(keep, dtype=bool)]
    return e.sort_values("timestamp", ascending=False)


def by_hand(rule: dict, acts: pd.DataFrame, lead: str, created: pd.Timestamp) -> float:
    """What the rule's documentation says it gives the lead, one event at a time."""
    e = matching(rule, acts, lead)
    age = [(CUTOFF - t) / pd.Timedelta(days=1) for t in e["timestamp"]]
    if rule["kind"] == "inactivity":
        last = [*e["timestamp"], created]
        return float(min((CUTOFF - t) / pd.Timedelta(days=1) for t in last) >= rule["days"])
    if rule["kind"] == "trend":
        recent = sum(a < rule["days"] for a in age)
        before = sum(rule["days"] <= a < 2 * rule["days"] for a in age)
        return float(recent > before and recent >= rule.get("min_count", 1))
    kept = [a for a in age if rule.get("within_days") is None or a < rule["within_days"]]
    if len(kept) < rule.get("min_count", 1):
        return 0.0
    total = 0.0
    for rank, a in enumerate(kept):
        w = 1.0
        if "diminishing" in rule:
            d = rule["diminishing"]
            w = 0.0 if rank >= d.get("max_count", len(kept)) else d["factor"] ** rank
        if "half_life_days" in rule:
            w *= 0.5 ** (a / rule["half_life_days"])
        total += w
    return total


def columns(model: wb.Model, data: wb.LeadData) -> dict[str, np.ndarray]:
    s = wb.compute_signals(model, data, as_of=AS_OF)
    rows = s.rows_of(list("abcd"))
    return {c.id: s.column(c.id)[rows] for c in model.criteria}


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(events, rules)
def test_every_activity_rule_gives_each_lead_what_its_events_say(evs, drawn):
    acts = pd.DataFrame(evs, columns=["lead_id", "timestamp", "activity_type", "detail"])
    leads = tiny_leads()
    data = wb.load_data(leads, acts, now="2026-11-22")
    criteria = [crit(f"r{i}", rule, bucket="engagement") for i, rule in enumerate(drawn)]
    got = columns(make_model(criteria), data)
    created = dict(zip(leads["lead_id"], pd.to_datetime(leads["created_at"]), strict=True))
    for i, rule in enumerate(drawn):
        expected = [by_hand(rule, acts, lead, created[lead]) for lead in "abcd"]
        assert got[f"r{i}"] == pytest.approx(expected, rel=1e-6), rule


@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow])
@given(events, rules)
def test_a_rule_scores_the_same_alone_as_among_rules_reading_the_same_events(evs, drawn):
    acts = pd.DataFrame(evs, columns=["lead_id", "timestamp", "activity_type", "detail"])
    data = wb.load_data(tiny_leads(), acts, now="2026-11-22")
    # every rule twice, the second time with its types in another order
    twins = [{**rule, "types": rule["types"][::-1]} if "types" in rule else rule for rule in drawn]
    criteria = [
        crit(f"{name}{i}", rule, bucket="engagement")
        for name, group in (("r", drawn), ("t", twins))
        for i, rule in enumerate(group)
    ]
    together = columns(make_model(criteria), data)
    for c in criteria:
        alone = columns(make_model([c]), data)[c["id"]]
        assert np.array_equal(together[c["id"]], alone), c["rule"]
        assert np.array_equal(together[c["id"]], together["r" + c["id"][1:]]), c["rule"]
