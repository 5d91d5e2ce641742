"""Probing today's drafting changes (points rounded once for the whole model, stand-in
numbers as their own level, combinations and activity criteria refitted with the levels)
with what a marketer does with a draft: score it, read it, draft on other scales."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import workbench as wb
from tests.helpers import SAMPLES
from workbench.cli import main
from workbench.learning.activity_draft import ActivityOptions
from workbench.learning.draft_options import DraftOptions
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
    data = wb.load_data(SAMPLES / "leads.csv")
    draft = draft_model(data, "converted", folds=0, options=DraftOptions(scale=scale))
    model = wb.parse_model_text(draft.yaml())
    assert (model.scale.min, model.scale.max) == scale
    _fills_the_scale(model, data)


def test_negative_activity_points_do_not_pile_leads_up_at_0(activity_draft, sample_with_activities):
    assert any(c.rule.kind == "activity" and c.points < 0 for c in activity_draft.model.criteria)
    _fills_the_scale(activity_draft.model, sample_with_activities)


def _pdays(n: int = 3000, seed: int = 3, share: float = 0.97):
    """Days since the last campaign: −1 ('never contacted') for nearly everyone; the few
    contacted are 24 days or more ago in this file, but a new lead can be 5 days ago."""
    rng = np.random.default_rng(seed)
    never = rng.random(n) < share
    pdays = np.where(never, -1, rng.integers(24, 400, n))
    age = rng.integers(18, 90, n)
    logit = -2.5 + 1.5 * ~never + 0.03 * (age - 50)
    y = rng.random(n) < 1 / (1 + np.exp(-logit))
    frame = pd.DataFrame({"lead_id": np.arange(n).astype(str), "pdays": pdays, "age": age})
    return frame.assign(y=y.astype(int))


def test_the_bin_read_as_minus_1_holds_no_real_number():
    """A lead contacted 5 days ago is not scored (nor labelled) as 'never contacted'."""
    leads = _pdays()
    data = wb.load_data(leads, mapping=DataMapping(lead_id="lead_id", outcome="y"))
    draft = draft_model(data, "y", folds=0)
    crit = next(c for c in draft.model.criteria if c.is_level and c.rule.field == "pdays")
    never = [b for b in crit.rule.levels if b.label == "-1"]
    assert len(never) == 1
    assert never[0].max is not None and never[0].max <= 0


def test_a_draft_with_no_column_to_score_says_why_and_what_to_do(tmp_path, capsys):
    rng = np.random.default_rng(3)  # a tiny file: a column passes the screen, no level differs
    n = 3000
    pdays = np.where(rng.random(n) < 0.8, -1, rng.integers(0, 400, n))
    calls = np.where(rng.random(n) < 0.3, 999, rng.integers(0, 20, n))
    y = rng.random(n) < 0.1
    leads = pd.DataFrame({"pdays": pdays, "calls": calls, "y": y.astype(int)}).head(20)
    leads["y"] = (np.arange(20) == 2).astype(int)
    leads.to_csv(tmp_path / "leads.csv", index=False)
    out = tmp_path / "model.yaml"
    args = ["draft", "--leads", str(tmp_path / "leads.csv"), "--row-id"]
    code = main(
        [*args, "--outcome", "y", "--keep", "pdays", "calls", "--folds", "0", "--out", str(out)]
    )
    err = capsys.readouterr().err
    assert code == 2 and not out.exists()
    assert "20 leads" in err and "--keep" in err  # what is wrong, and the way out
    assert "needs at least 1 item" not in err
