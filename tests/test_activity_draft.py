"""Activity criteria drafted from past leads' events: what converts gets points, what does
not gets none or fewer."""

from __future__ import annotations

import pytest

import workbench as wb
from workbench.learning.drafting import draft_model
from workbench.model.spec import DataMapping
from workbench.resources import samples_dir


@pytest.fixture(scope="module")
def sample_draft():
    data = wb.load_data(
        samples_dir() / "leads.csv",
        samples_dir() / "activities.csv",
        mapping=DataMapping(lead_id="lead_id", outcome="converted"),
    )
    return draft_model(data, "converted", folds=0, exclude=["converted_at", "lead_status"])


def _activity(draft, types, section=None):
    for c in draft.model.criteria:
        sections = [section] if section else []
        if c.rule.kind != "activity":
            continue
        if list(c.rule.types) == types and list(c.rule.detail_contains) == sections:
            return c
    return None


@pytest.mark.slow
def test_pricing_and_demo_requests_earn_points_and_careers_pages_do_not(sample_draft):
    pricing = _activity(sample_draft, ["page_view"], "/pricing")
    demo = _activity(sample_draft, ["demo_request"])
    careers = _activity(sample_draft, ["page_view"], "/careers")
    assert pricing is not None and pricing.points > 0
    assert demo is not None and demo.points > 0
    assert careers is None or careers.points < 0
    # each carries its evidence, and a cap so a flood of events cannot run away
    assert demo.evidence.rate > sample_draft.profile.base_rate
    assert demo.max_points is not None and demo.max_points >= demo.points
    assert any("Activity criteria" in line for line in sample_draft.notes)


@pytest.mark.slow
def test_drafted_activity_criteria_score_with_the_engine(sample_draft):
    model = wb.Model.parse(sample_draft.model.to_dict())
    assert model == sample_draft.model
    windows = {c.rule.within_days for c in model.criteria if c.rule.kind == "activity"}
    assert windows <= {7, 30, 90, None}
