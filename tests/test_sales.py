"""What sales relies on: the call queue, new and cold top leads, a lead's history, the export."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import workbench as wb
from tests.helpers import SAMPLES
from workbench.analysis import sales


def lead_table(ids: list[str], **columns: list[str]) -> pd.DataFrame:
    """Leads with every column the default model reads: senior, software, US, mid-sized."""
    base = {
        "first_name": "Ann", "email": "ann@acme.com", "job_title": "VP Sales",
        "seniority": "VP", "industry": "Software", "company_size": "500",
        "country": "United States", "budget": "", "lead_status": "", "segment": "Mid-market",
        "created_at": "2026-06-01",
    }  # fmt: skip
    frame = pd.DataFrame({"lead_id": ids, **{k: [v] * len(ids) for k, v in base.items()}})
    for name, values in columns.items():
        frame[name] = values
    return frame


@pytest.fixture(scope="module")
def current(sample_model, sample_data) -> sales.Scoring:
    return sales.Scoring.run(sample_model, sample_data)


@pytest.fixture(scope="module")
def previous(sample_model, sample_data, current) -> sales.Scoring:
    return sales.Scoring.run(
        sample_model, sample_data, as_of=current.as_of - pd.Timedelta(days=sales.PREVIOUS_DAYS)
    )


@pytest.fixture(scope="module")
def queue(current, previous) -> sales.CallQueue:
    return sales.build_queue(current, previous)


@pytest.fixture(scope="module")
def raw_leads() -> pd.DataFrame:
    return pd.read_csv(SAMPLES / "leads.csv", dtype="str", keep_default_na=False)


def test_the_queue_holds_every_lead_once_best_first(queue, current):
    f = queue.frame
    assert len(f) == current.signals.n_leads
    assert f["lead_id"].is_unique
    assert (np.diff(f["score"].to_numpy()) <= 0).all()
    # equal scores: the higher raw total first (no ties at the clipped top), then the
    # latest activity, then the id, so the order is the same from one visit to the next
    raw = pd.Series(current.totals.raw[f["row"]], index=f.index)
    last = f["last_activity"].fillna(pd.Timestamp.min)
    for _, tied in f.groupby("score", sort=False):
        keys = list(
            zip(-raw[tied.index], -last[tied.index].astype("int64"), tied["lead_id"], strict=True)
        )
        assert keys == sorted(keys)
    # each row carries the engine's figures for that lead
    t = current.totals
    rows = f["row"].to_numpy()
    assert np.array_equal(f["score"].to_numpy(), t.score[rows])
    assert list(f["category"].astype("str")) == [t.category_names[c] for c in t.category[rows]]
    assert np.array_equal(f["lead_id"].to_numpy(), current.signals.lead_ids[rows].to_numpy())


def test_filters_match_the_leads_file(queue, raw_leads):
    by_id = raw_leads.drop_duplicates("lead_id").set_index("lead_id")
    owner = queue.owners[0]
    segment = queue.segments[-1]
    got = queue.filter(category="B", owner=owner, segment=segment)
    assert len(got) > 0
    assert (got["category"] == "B").all()
    assert set(by_id.loc[got["lead_id"], "owner"]) == {owner}
    assert set(by_id.loc[got["lead_id"], "segment"]) == {segment}
    # the filters are exhaustive: no B lead of that owner and segment is missing
    every_b = queue.frame[queue.frame["category"] == "B"]["lead_id"]
    expected = by_id.loc[every_b]
    expected = expected[(expected["owner"] == owner) & (expected["segment"] == segment)]
    assert sorted(got["lead_id"]) == sorted(expected.index)
    # still best first
    assert got["score"].is_monotonic_decreasing


def test_free_text_finds_name_email_title_and_id_ignoring_case(queue, raw_leads):
    lead = raw_leads[raw_leads["email"] != ""].iloc[123]
    for text in (lead["email"].upper(), lead["lead_id"].lower(), f"  {lead['last_name']}  "):
        hits = queue.filter(text=text)
        assert lead["lead_id"] in set(hits["lead_id"]), text
    hits = queue.filter(text=lead["last_name"])
    names = hits["name"].str.casefold()
    assert names.str.contains(lead["last_name"].casefold(), regex=False).all()
    assert len(queue.filter(text="no such lead anywhere")) == 0
    # regex characters are searched literally, not run as a pattern
    assert len(queue.filter(text="(.*")) == 0


def test_new_and_cold_top_leads(queue, current, previous):
    ch = queue.changes
    top_now = current.totals.category == 0
    top_then = previous.totals.category == 0
    # new: top now, not a week ago (leads created since count as new)
    assert np.array_equal(ch.new_top & ~top_now, np.zeros_like(top_now))
    assert not (ch.new_top & top_then & ~np.isnan(ch.previous_score)).any()
    assert ch.new_top.sum() > 0
    # cold: top a week ago, nothing done since, and losing points
    assert ch.cold.sum() > 0
    assert (top_then[ch.cold]).all()
    assert (current.totals.score[ch.cold] < previous.totals.score[ch.cold]).all()
    last = sales.last_activity(current.signals)
    assert (last[ch.cold] <= previous.as_of.value).all()
    assert np.array_equal(ch.fell, ch.cold & ~top_now)
    # the queue's "only" filters are those same leads
    assert len(queue.filter(only="new")) == ch.new_top.sum()
    assert len(queue.filter(only="cold")) == ch.cold.sum()
    with pytest.raises(ValueError, match="only must be 'new' or 'cold'"):
        queue.filter(only="hot")


def test_a_lead_that_went_quiet_is_reported_cold():
    """A hot lead active until three weeks ago, then nothing: decay takes it out of A."""
    model = wb.load_model(SAMPLES / "b2b_model.yaml")
    leads = lead_table(["hot", "quiet"], first_name=["Hal", "Quin"])
    end = pd.Timestamp("2026-10-31")
    events = []
    for lead, last_day in (("hot", 0), ("quiet", 12)):
        for k in range(6):
            ts = end - pd.Timedelta(days=last_day + k, hours=3)
            events += [(lead, ts, "page_view", "/pricing"), (lead, ts, "demo_request", "")]
    acts = pd.DataFrame(events, columns=["lead_id", "timestamp", "activity_type", "detail"])
    data = wb.load_data(leads, acts, model=model, now="2026-11-22")
    cur = sales.Scoring.run(model, data, as_of=end)
    prev = sales.Scoring.run(model, data, as_of=end - pd.Timedelta(days=7))
    q = sales.build_queue(cur, prev)
    cold = set(q.filter(only="cold")["lead_id"])
    assert cold == {"quiet"}
    assert q.changes.previous_as_of == prev.as_of


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.integers(0, 4999), min_size=1, max_size=6, unique=True))
def test_scoring_a_subset_gives_the_same_scores(sample_model, sample_data, sample_signals, picks):
    """No rule looks across leads: a lead scores the same alone as in the whole file."""
    ids = [sample_data.leads.index[i] for i in picks]
    full = wb.score_totals(sample_model, sample_signals)
    sub = sales.Scoring.run(sample_model, sample_data.subset(ids), as_of=sample_signals.as_of)
    rows_full = sample_signals.rows_of(ids)
    rows_sub = sub.signals.rows_of(ids)
    assert np.array_equal(full.score[rows_full], sub.totals.score[rows_sub])
    assert np.array_equal(full.category[rows_full], sub.totals.category[rows_sub])


def test_subset_names_unknown_ids(sample_data):
    with pytest.raises(KeyError, match="nobody"):
        sample_data.subset(["nobody"])
