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


def _leads_with_after_events(n: int = 2000, seed: int = 4, dated: bool = True):
    """Leads whose converters log in to the product after converting (a consequence, not a
    sign), and request demos before it (a real sign, weaker)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    created = pd.Timestamp("2026-03-01") + pd.to_timedelta(rng.integers(0, 90, n), "D")
    won = rng.random(n) < 0.15
    converted_at = created + pd.to_timedelta(rng.integers(20, 120, n), "D")
    leads = pd.DataFrame(
        {
            "lead_id": [f"L{i:05d}" for i in range(n)],
            "seniority": rng.choice(["VP", "Manager", "Analyst"], n),
            "created_at": created.strftime("%Y-%m-%d"),
            "converted": won.astype(int),
            "converted_at": np.where(won, converted_at.strftime("%Y-%m-%d"), ""),
        }
    )
    rows = []
    for i in np.flatnonzero(won):  # logins after converting, for almost every converter
        for k in range(3):
            rows.append((i, converted_at[i] + pd.Timedelta(days=2 + k), "product_login"))
    demo = rng.random(n) < np.where(won, 0.4, 0.1)
    for i in np.flatnonzero(demo):  # demos before converting (or for non-converters, any time)
        rows.append((i, created[i] + pd.Timedelta(days=5), "demo_request"))
    activities = pd.DataFrame(
        {
            "lead_id": [leads["lead_id"].iloc[i] for i, _, _ in rows],
            "timestamp": [t.isoformat() for _, t, _ in rows],
            "activity_type": [t for _, _, t in rows],
            "detail": "",
        }
    )
    if not dated:
        leads = leads.drop(columns=["converted_at"])
    mapping = DataMapping(lead_id="lead_id", outcome="converted")
    return wb.load_data(leads, activities, mapping=mapping, now="2026-11-01")


def test_events_after_conversion_are_not_evidence_for_converting():
    draft = draft_model(_leads_with_after_events(), "converted", folds=0)
    assert _activity(draft, ["product_login"]) is None  # only converters have it: after
    demo = _activity(draft, ["demo_request"])
    assert demo is not None and demo.points > 0
    assert any("after the lead's conversion were left out" in line for line in draft.notes)


def test_a_draft_without_conversion_dates_says_it_cannot_place_events():
    draft = draft_model(_leads_with_after_events(dated=False), "converted", folds=0)
    assert any("may include events after conversion" in line for line in draft.notes)


def test_the_printed_auc_and_evidence_describe_the_draft_with_its_activity_criteria():
    """Only the activities carry signal here (seniority is noise): an AUC from folds that
    left the activity criteria out would be chance, and would describe another model."""
    draft = draft_model(_leads_with_after_events(), "converted", folds=3)
    assert _activity(draft, ["demo_request"]) is not None
    assert draft.cv_auc > 0.6
    rows = draft.evidence[draft.evidence["column"] == "(activities)"]
    demo = _activity(draft, ["demo_request"])
    assert rows.set_index("criterion").loc[demo.id, "points"] == demo.points
    assert "re-drafted on each training part" in draft.summary()
    assert "without activities" in draft.summary()  # the reference reads lead columns only


def _steady_visitors(n: int = 3000, seed: int = 6):
    """Every lead views pages at the same pace until it converts (or until today, if it
    has not): page views say nothing about buying. Converters converted months ago."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    now = pd.Timestamp("2026-11-01")
    won = rng.random(n) < 0.2
    life = pd.to_timedelta(rng.integers(30, 150, n), "D")  # the same for both: no head start
    start = np.where(won, now - pd.to_timedelta(rng.integers(200, 300, n), "D"), now - life)
    created = pd.DatetimeIndex(start)
    converted_at = created + life
    end = np.where(won, converted_at, now)
    leads = pd.DataFrame(
        {
            "lead_id": [f"L{i:05d}" for i in range(n)],
            "seniority": rng.choice(["VP", "Manager", "Analyst"], n),
            "converted": won.astype(int),
            "converted_at": np.where(won, converted_at.strftime("%Y-%m-%d"), ""),
        }
    )
    lead, days = [], []
    for i in range(n):  # a view every ~10 days over the lead's life, up to its end
        life = (pd.Timestamp(end[i]) - created[i]).days
        k = rng.poisson(life / 10)
        lead += [i] * k
        days += list(rng.uniform(0, life, k))
    stamps = created[np.array(lead)] + pd.to_timedelta(np.array(days), "D")
    activities = pd.DataFrame(
        {
            "lead_id": leads["lead_id"].to_numpy()[np.array(lead)],
            "timestamp": stamps.strftime("%Y-%m-%dT%H:%M:%S"),
            "activity_type": "page_view",
            "detail": "/blog",
        }
    )
    mapping = DataMapping(lead_id="lead_id", outcome="converted")
    return wb.load_data(leads, activities, mapping=mapping, now=str(now.date()))


def test_recent_activity_is_read_as_of_each_conversion_not_as_of_today():
    """Converters stopped acting when they converted, months ago; open leads act until today.
    Read as of today, 'page views in the last 30 days' would be 0 for every converter and
    mark every open lead as unlikely to buy, from nothing but the calendar. The events a
    draft learns from end each converter's windows at its conversion: alike leads, alike
    counts."""
    import numpy as np

    from workbench.learning.activity_draft import events_before_outcome
    from workbench.learning.profiling import outcome_values

    data = _steady_visitors()
    y = outcome_values(data, "converted")
    events, note = events_before_outcome(data, y, "converted_at")
    assert "windows end at their conversion" in note
    as_of = events["timestamp"].max()
    assert as_of == data.activities["timestamp"].max()  # the draft's as-of does not move
    lead = events["lead_idx"].to_numpy()
    for days in (30, 90):
        recent = ((as_of - events["timestamp"]).dt.days <= days).to_numpy()
        count = np.bincount(lead[recent], minlength=len(y))
        won, open_ = count[y > 0.5].mean(), count[y < 0.5].mean()
        assert won == pytest.approx(open_, rel=0.1), (days, won, open_)
    # every converter's last event is no later than the as-of, none is moved past it
    assert (events["timestamp"] <= as_of).all()
