"""Probing today's drafting changes (points rounded once for the whole model, stand-in
numbers as their own level, combinations and activity criteria refitted with the levels)
with what a marketer does with a draft: score it, read it, draft on other scales."""

from __future__ import annotations

import numpy as np
import pytest

import workbench as wb
from tests.helpers import SAMPLES
from workbench.learning.activity_draft import ActivityOptions
from workbench.learning.drafting import draft_model, engine_scores
from workbench.model.spec import DataMapping


@pytest.fixture(scope="module")
def sample_with_activities():
    return wb.load_data(
        SAMPLES / "leads.csv",
        SAMPLES / "activities.csv",
        mapping=DataMapping(lead_id="lead_id", outcome="converted"),
    )


@pytest.fixture(scope="module")
def activity_draft(sample_with_activities):
    return draft_model(sample_with_activities, "converted", folds=0)


def test_an_activity_criterion_caps_the_events_it_counts_after_the_refit(activity_draft):
    """The refit changes an event's points; its cap must still stop at max_events events
    (a lead with 40 page views would otherwise lose 40 × the points, not 3 ×)."""
    acts = [c for c in activity_draft.model.criteria if c.rule.kind == "activity"]
    assert acts
    events = ActivityOptions().max_events
    for c in acts:
        assert c.max_points == pytest.approx(abs(c.points) * events), c.id


def _fills_the_scale(model: wb.Model, data: wb.LeadData) -> None:
    """The drafted leads fill the model's own scale: the best near the top, and (almost)
    none tied at either end, where the score no longer tells them apart."""
    lo, hi = model.scale.min, model.scale.max
    score, _ = engine_scores(model, data)
    assert score.max() >= lo + 0.75 * (hi - lo)
    assert (score <= lo).mean() <= 0.01
    assert (score >= hi).mean() <= 0.01
    assert all(lo <= t.min <= hi for t in model.categories)


@pytest.mark.parametrize("scale", [(300.0, 850.0), (-50.0, 50.0)])
def test_a_scale_that_does_not_start_at_0_is_filled_not_clipped(scale):
    from workbench.learning.drafting import DraftOptions

    data = wb.load_data(SAMPLES / "leads.csv")
    draft = draft_model(data, "converted", folds=0, options=DraftOptions(scale=scale))
    model = wb.parse_model_text(draft.yaml())
    assert (model.scale.min, model.scale.max) == scale
    _fills_the_scale(model, data)


def test_negative_activity_points_do_not_pile_leads_up_at_0(
    activity_draft, sample_with_activities
):
    assert any(c.rule.kind == "activity" and c.points < 0 for c in activity_draft.model.criteria)
    _fills_the_scale(activity_draft.model, sample_with_activities)
