"""What a reviewer reads between two versions: every changed setting in one line of words."""

from __future__ import annotations

import pytest

from tests.helpers import crit, make_model
from workbench.model.diff import model_changes

PRICING = {"kind": "activity", "types": ["page_view"], "detail_contains": ["/pricing"]}
SIZE = {
    "kind": "bins",
    "field": "company_size",
    "bins": [
        {"max": 50, "points": 0},
        {"min": 50, "max": 500, "points": 10},
        {"min": 500, "points": 20},
    ],
}


@pytest.fixture
def model():
    return make_model(
        [
            crit("pricing_page", PRICING, points=15, bucket="engagement"),
            crit("size", SIZE, points=None),
            crit(
                "vp", {"kind": "equals", "field": "seniority", "value": "VP"}, points=None, stars=3
            ),
        ]
    )


def test_an_unchanged_model_has_no_changes(model):
    assert model_changes(model, model) == []


def test_points_weights_caps_and_thresholds_each_get_a_line(model):
    new = (
        model.with_points({"pricing_page": 20})
        .with_weights({"engagement": 80})
        .with_caps({"fit": 40})
        .with_thresholds({"A": 55})
    )
    lines = model_changes(model, new)
    assert "Pricing page: 15 → 20 points" in lines
    assert "Engagement (what they do) weight: 100% → 80%" in lines  # the bucket's label
    assert "Fit (who they are) cap: no cap → 40 points" in lines
    assert "A threshold: 70 → 55" in lines
    assert len(lines) == 4


def test_stars_are_compared_as_the_points_they_give(model):
    new = model.with_stars({"vp": 4})
    per_star = model.points_per_star
    assert model_changes(model, new) == [
        f"Vp: 3 → 4 stars ({3 * per_star:g} → {4 * per_star:g} points)"
    ]
    as_points = model.with_points({"vp": 4 * per_star})
    assert model_changes(model, as_points) == [
        f"Vp: 3 stars ({3 * per_star:g} points) → {4 * per_star:g} points"
    ]


def test_a_level_criterion_names_each_changed_bin_or_group(model):
    new = model.with_points({"size": [0, 15, -25]})
    assert model_changes(model, new) == [
        "Size (50–500): 10 → 15 points",
        "Size (500+): 20 → −25 points",  # the typographic minus, as the app shows points
    ]


def test_a_changed_rule_setting_says_which_and_by_how_much(model):
    new = model.with_rule("pricing_page", half_life_days=14).with_rule(
        "pricing_page", half_life_days=21, within_days=30
    )
    older = model.with_rule("pricing_page", half_life_days=14)
    assert model_changes(older, new) == [
        "Pricing page: counted within any time → 30 days",
        "Pricing page: half-life 14 → 21 days",
    ]


def test_added_and_removed_criteria_and_a_rule_of_another_kind_are_named(model):
    new = make_model(
        [
            crit(
                "pricing_page", {"kind": "inactivity", "days": 30}, points=15, bucket="engagement"
            ),
            crit("size", SIZE, points=None),
            crit("demo", {"kind": "activity", "types": ["demo_request"]}, bucket="engagement"),
        ]
    )
    lines = model_changes(model, new)
    assert "Pricing page: rule changed (activity → inactivity)" in lines
    assert "Demo: criterion added" in lines
    assert "Vp: criterion removed" in lines
