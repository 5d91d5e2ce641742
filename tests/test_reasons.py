"""Reasons in words: every rule kind renders its evidence, points are in score units."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import workbench as wb
from tests.helpers import crit, make_model, tiny_activities, tiny_leads
from workbench.model.points import signed_points_series
from workbench.text import signed_points


def reasons_of(data, criteria, **model_kw) -> dict[str, str]:
    model = make_model(criteria, **model_kw)
    scored = wb.score(model, wb.compute_signals(model, data, as_of="2026-10-31"))
    return scored["reasons"].to_dict()


def first_reason(reasons: str) -> str:
    return reasons.split("; ")[0]


def test_each_rule_kind_says_what_it_saw(tiny_data):
    got = reasons_of(
        tiny_data,
        [
            crit(
                "size",
                {
                    "kind": "bins",
                    "field": "company_size",
                    "bins": [
                        {"max": 1000, "points": 5, "label": "small"},
                        {"min": 1000, "points": 9},
                    ],
                },
                points=None,
                label="Company size",
            ),
            crit(
                "sen",
                {
                    "kind": "lookup",
                    "field": "seniority",
                    "groups": [{"values": ["VP"], "points": 20}],
                },
                points=None,
                label="Seniority",
            ),
            crit(
                "quiet",
                {"kind": "inactivity", "days": 20},
                points=-7,
                bucket="engagement",
                label="Gone quiet",
            ),
            crit(
                "rising",
                {"kind": "trend", "types": ["page_view"], "days": 7},
                points=3,
                bucket="engagement",
                label="Rising visits",
            ),
        ],
    )
    assert (
        got["a"] == "Seniority (VP) +20; Company size 350 (small) +5; "
        "Rising visits (3 in last 7 days vs 0 before) +3"
    )
    assert (
        got["c"] == "Company size 2,500 (1000+) +9; Rising visits (2 in last 7 days vs 0 before) +3"
    )
    assert got["d"] == "Gone quiet (60 days quiet) −7"


def test_activity_reasons_quote_each_leads_own_numbers():
    # no creation dates: lead d, who has no events either, was never seen
    data = wb.load_data(tiny_leads().drop(columns="created_at"), tiny_activities())
    views = {"kind": "activity", "types": ["page_view"]}
    got = reasons_of(
        data,
        [
            crit("views", views, points=1, bucket="engagement", label="Page views"),
            crit("quiet", {"kind": "inactivity", "days": 3}, points=-1, bucket="engagement"),
        ],
    )
    # a: 4 pricing views; b: 2 careers views ('Page View' is page_view); c: 3 blog views
    assert got["a"].startswith("Page views 4×")
    assert first_reason(got["a"]).endswith(" +4")
    assert got["b"].startswith("Page views 2×")
    assert first_reason(got["b"]).endswith(" +2")
    assert got["c"].startswith("Page views 3×")
    assert first_reason(got["c"]).endswith(" +3")
    # the newest events: a 10-30, b 10-22, c 10-26; as of the end of 10-31
    assert got["b"].endswith("Quiet (9 days quiet) −1")
    assert got["c"].endswith("Quiet (5 days quiet) −1")
    assert got["d"] == "Quiet (no activity yet) −1"


def test_points_in_reasons_are_weighted_like_the_score(tiny_data):
    got = reasons_of(
        tiny_data,
        [
            crit(
                "vp",
                {"kind": "equals", "field": "seniority", "value": "VP"},
                points=30,
                label="VP title",
            )
        ],
        buckets=[{"id": "fit", "weight": 50}],
    )
    assert got["a"] == "VP title (VP) +15"


def test_top_positive_then_top_negative(tiny_data):
    criteria = [
        crit(f"p{i}", {"kind": "present", "field": "first_name"}, points=10 + i, label=f"Plus {i}")
        for i in range(5)
    ] + [
        crit(f"m{i}", {"kind": "present", "field": "first_name"}, points=-1 - i, label=f"Minus {i}")
        for i in range(4)
    ]
    model = make_model(criteria, scale={"min": -100, "max": 100})
    s = wb.compute_signals(model, tiny_data)
    text = wb.score(model, s, top=2)["reasons"]["a"]
    assert text == "Plus 4 +14; Plus 3 +13; Minus 3 −4; Minus 2 −3"
    table = wb.explain(model, s, "a")
    assert len(table) == 9 and table["points"].sum() == sum(10 + i for i in range(5)) - sum(
        1 + i for i in range(4)
    )


def test_a_made_up_lead_is_scored_like_a_real_one(sample_model):
    from workbench.analysis.hypothetical import score_hypothetical

    hot = score_hypothetical(
        sample_model,
        {"seniority": "VP", "industry": "Software", "company_size": 500, "email": "vp@acme.com",
         "first_name": "Vera", "country": "Germany", "lead_status": "Phone qualified"},
        [{"type": "page_view", "detail": "/pricing", "days_ago": d} for d in (1, 2, 3)]
        + [{"type": "demo_request", "days_ago": 2}],
        as_of="2026-10-31",
    )  # fmt: skip
    assert hot["category"] == "A" and hot["grade"] == "A"
    assert "Pricing page 3× in 30 days" in hot["reasons"]
    seeker = score_hypothetical(
        sample_model,
        {"seniority": "Student", "job_title": "Student", "email": "me@gmail.com",
         "first_name": "Sam"},
        [{"type": "page_view", "detail": "/careers", "days_ago": 1}],
        as_of="2026-10-31",
    )  # fmt: skip
    assert seeker["category"] == "C" and seeker["score"] == 0
    assert "Student or intern title (Student) −20" in seeker["reasons"]
    junk = score_hypothetical(sample_model, {"first_name": "Test", "email": "a@mailinator.com"})
    assert junk["category"] == "Inquiry"


def test_a_number_held_as_text_reads_with_thousands_separators(tiny_data):
    size = {"kind": "bins", "field": "company_size", "bins": [{"min": 0, "points": 5}]}
    leads = tiny_data.leads.assign(company_size=["18822", "5", "2,500", None])
    data = wb.LeadData(leads, tiny_data.activities, tiny_data.mapping, tiny_data.report)
    got = reasons_of(data, [crit("size", size, points=None, label="Company size")])
    assert got["a"].startswith("Company size 18,822 (")
    assert first_reason(got["a"]).endswith(" +5")
    assert got["c"].startswith("Company size 2,500 (")
    assert first_reason(got["c"]).endswith(" +5")


def test_numbers_with_decimals_read_in_full_not_in_exponent_form(tiny_data):
    revenue = {"kind": "bins", "field": "revenue", "bins": [{"min": 0, "points": 9}]}
    leads = tiny_data.leads.assign(revenue=["81378000.50", "1234567.5", "2,500,000.75", "0.25"])
    data = wb.LeadData(leads, tiny_data.activities, tiny_data.mapping, tiny_data.report)
    got = reasons_of(data, [crit("rev", revenue, points=None, label="Revenue")])
    assert got["a"].startswith("Revenue 81,378,000.5 (")
    assert first_reason(got["a"]).endswith(" +9")
    assert got["b"].startswith("Revenue 1,234,567.5 (")
    assert first_reason(got["b"]).endswith(" +9")
    assert got["c"].startswith("Revenue 2,500,000.75 (")
    assert first_reason(got["c"]).endswith(" +9")
    assert got["d"].startswith("Revenue 0.25 (")
    assert first_reason(got["d"]).endswith(" +9")


@given(st.lists(st.floats(-1e5, 1e5) | st.sampled_from([0.0, -0.0, 0.4, -0.4]), max_size=40))
def test_reasons_word_points_by_the_rule_of_every_view(values):
    """Reasons (vectorised), the report, the dashboard and the tuning app: one wording."""
    points = np.rint(values)
    words = signed_points_series(points).tolist()
    assert words == [signed_points(p) for p in points]
    signs = [w[0] for w, p in zip(words, points, strict=True) if p != 0]
    assert signs == ["+" if p > 0 else "\u2212" for p in points if p != 0]


def test_fractional_points_are_whole_in_reasons_as_written_in_the_report(tiny_data):
    criteria = [crit("name", {"kind": "present", "field": "first_name"}, points=-2.6)]
    model = make_model(criteria, scale={"min": -100, "max": 100})
    assert wb.score(model, wb.compute_signals(model, tiny_data))["reasons"]["a"] == "Name \u22123"
    assert signed_points(model.criteria[0].points) == "\u22122.6"
