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
