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
    assert "bucket engagement: weight 100% → 80%" in lines
    assert any(line.startswith("bucket fit: cap ") and line.endswith("→ 40.0") for line in lines)
    assert any(line.startswith("category A:") and "55" in line for line in lines)
    assert len(lines) == 4


def test_stars_are_compared_as_the_points_they_give(model):
    new = model.with_stars({"vp": 4})
    per_star = model.points_per_star
    assert model_changes(model, new) == [f"Vp: {3 * per_star:g} → {4 * per_star:g} points"]


def test_a_level_criterion_lists_the_points_of_each_level(model):
    new = model.with_points({"size": [0, 15, 25]})
    assert model_changes(model, new) == ["Size: points per level 0→0, 10→15, 20→25"]


def test_a_changed_rule_added_and_removed_criteria_are_named(model):
    new = make_model(
        [
            crit("pricing_page", {**PRICING, "within_days": 30}, points=15, bucket="engagement"),
            crit("size", SIZE, points=None),
            crit("demo", {"kind": "activity", "types": ["demo_request"]}, bucket="engagement"),
        ]
    )
    lines = model_changes(model, new)
    assert "Pricing page: rule changed" in lines
    assert "criterion 'demo' added" in lines
    assert "criterion 'vp' removed" in lines
