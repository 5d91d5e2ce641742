"""Runs compared with the run before: past weeks published with ``--history``, "new" and
"going cold" as the engine decides them, each lead's newest events in words, and the
questions a page asks of a run (StoredRun) answered as pandas would."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

import workbench as wb
from tests.helpers import SAMPLES
from workbench.analysis import sales
from workbench.cli.main import main
from workbench.store import Store
from workbench.store.queries import QueueFilter, StoredRun

MODEL, LEADS, ACTS = SAMPLES / "b2b_model.yaml", SAMPLES / "leads.csv", SAMPLES / "activities.csv"


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    path = tmp_path_factory.mktemp("history") / "s"
    assert main(["publish", "--model", str(MODEL), "--leads", str(LEADS), "--activities",
                 str(ACTS), "--store", str(path), "--history", "3w"]) == 0  # fmt: skip
    return Store(path)


def test_history_stores_past_weeks_oldest_first_and_serves_today(store):
    runs = sorted(store.runs(), key=lambda m: m.as_of)
    assert [m.history for m in runs] == [True, True, True, False]
    assert store.current_id() == runs[-1].run_id  # past weeks are listed, never served
    as_of = [pd.Timestamp(m.as_of) for m in runs]
    assert all(b - a == pd.Timedelta(days=7) for a, b in itertools.pairwise(as_of))
    # each run is compared with the week before it
    assert [m.previous_run for m in runs] == [None, *(m.run_id for m in runs[:-1])]
    # fewer leads existed in the past: a past week holds only the leads known then
    assert [m.leads for m in runs] == sorted(m.leads for m in runs)


def test_history_already_stored_is_not_redone(store, capsys):
    before = {m.run_id for m in store.runs()}
    assert main(["publish", "--model", str(MODEL), "--leads", str(LEADS), "--activities",
                 str(ACTS), "--store", str(store.path), "--history", "2w"]) == 0  # fmt: skip
    added = [m for m in store.runs() if m.run_id not in before]
    assert [m.history for m in added] == [False]
    assert "stored already" in capsys.readouterr().out


def test_new_and_cold_are_the_engines_comparison_with_the_week_before(store):
    cur_m = store.current()
    prev_m = store.manifest(cur_m.previous_run)
    assert pd.Timestamp(cur_m.as_of) - pd.Timestamp(prev_m.as_of) == pd.Timedelta(days=7)
    model = wb.load_model(MODEL)
    data = sales.known_by(wb.load_data(LEADS, ACTS, model=model), cur_m.as_of)
    current = sales.Scoring.run(model, data, as_of=cur_m.as_of)
    previous = sales.Scoring.run(model, data, as_of=prev_m.as_of)
    ch = sales.changes_since(current, previous)
    ids = current.signals.lead_ids
    table = store.read_leads(cur_m.run_id).set_index("lead_id").loc[ids]
    assert table["new_top"].to_numpy().tolist() == ch.new_top.tolist()
    assert table["cold"].to_numpy().tolist() == ch.cold.tolist()
    np.testing.assert_array_equal(table["previous_score"].to_numpy(), ch.previous_score)
    assert cur_m.new_top == int(ch.new_top.sum()) > 0 and cur_m.cold == int(ch.cold.sum()) > 0


def test_recent_events_are_the_newest_per_lead_in_the_models_words(store):
    run = StoredRun(store)
    model = wb.load_model(MODEL)
    data = wb.load_data(LEADS, ACTS, model=model)
    as_of = pd.Timestamp(run.manifest.as_of)
    busy = data.activities["lead_idx"].value_counts().index[0]
    lead_id = data.leads.index[busy]
    row = run.lead(lead_id)
    events = run.events(row["lead_row"])
    raw = data.activities_of(lead_id)
    raw = raw[raw["timestamp"] <= as_of].head(10)
    assert len(events) == 10
    assert list(events["timestamp"]) == list(raw["timestamp"])
    assert list(events["activity"]) == [model.activity_label(str(t)) for t in raw["type"]]
    assert model.activity_label("whitepaper_download") == "Downloaded a whitepaper"
    assert (
        wb.Model.parse(
            {**model.model_dump(exclude_defaults=True), "activity_labels": {}}
        ).activity_label("whitepaper_download")
        == "Whitepaper download"
    )


def test_activity_labels_move_no_score_and_keep_the_sign_off():
    model = wb.load_model(MODEL)
    relabelled = wb.Model.parse(
        {**model.model_dump(exclude_defaults=True), "activity_labels": {"page_view": "Visit"}}
    )
    assert relabelled.scoring_fingerprint() == model.scoring_fingerprint()


def test_queries_answer_as_pandas_does(store):
    run = StoredRun(store)
    t = store.read_leads().sort_values("rank", ignore_index=True)
    owner = sorted(t["owner"].unique())[2]
    cases = [
        (QueueFilter(), t),
        (QueueFilter(category="B", owner=owner), t[(t["category"] == "B") & (t["owner"] == owner)]),
        (QueueFilter(only="new"), t[t["new_top"]]),
        (QueueFilter(text="NORTHSTONE"), t[t["company"].str.lower().str.contains("northstone")
                                             | t["email"].str.contains("northstone")]),
        (QueueFilter(owner="O'Brien; DROP"), t.iloc[:0]),
    ]  # fmt: skip
    for f, expected in cases:
        assert run.count(f) == len(expected), f
        assert list(run.page(f, 25, 25)["lead_id"]) == list(expected["lead_id"].iloc[25:50]), f
    hist = run.histogram(0, 100)
    assert hist["leads"].sum() == len(t)
    by_cat = hist.groupby("category")["leads"].sum()
    assert by_cat.to_dict() == t["category"].astype("str").value_counts().to_dict()
    conv = run.conversion()
    assert conv.loc["A", "converted"] == int(t.loc[t["category"] == "A", "converted"].sum())
    assert run.values("owner") == sorted(t["owner"].unique())


def test_a_trend_is_the_leads_score_in_each_stored_run(store):
    run = StoredRun(store)
    lead_id = store.read_leads().sort_values("rank")["lead_id"].iloc[10]
    trend = run.trend(lead_id)
    runs = sorted(store.runs(), key=lambda m: (m.as_of, m.published_at))
    expected = [store.read_leads(m.run_id).set_index("lead_id")["score"].get(lead_id)
                for m in runs]  # fmt: skip
    assert list(trend["score"]) == [s for s in expected if s is not None]
    assert trend["as_of"].is_monotonic_increasing


def test_a_run_stores_the_model_it_was_scored_with(store):
    run = StoredRun(store)
    assert run.model.scoring_fingerprint() == run.manifest.fingerprint
    assert (store.path / "runs" / run.run_id / "model.yaml").read_text() == MODEL.read_text()


def test_dashboard_options_that_cannot_go_together_exit_2(store, capsys):
    assert main(["dashboard", "--store", str(store.path), "--leads", str(LEADS)]) == 2
    assert "give one or the other" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stop:
        main(["publish", "--model", str(MODEL), "--leads", str(LEADS), "--history", "0w"])
    assert stop.value.code == 2 and "number of weeks" in capsys.readouterr().err


def test_card_reasons_are_the_engines_best_six_for_and_four_against(store):
    from workbench.engine.reasons import reason_texts

    m = store.current()
    model = wb.load_model(MODEL)
    data = sales.known_by(wb.load_data(LEADS, ACTS, model=model), m.as_of)
    signals = wb.compute_signals(model, data, as_of=m.as_of)
    card = reason_texts(model, signals, wb.contributions(model, signals), 6, 4, sep="\n")
    listed = reason_texts(model, signals, wb.contributions(model, signals))
    table = store.read_leads(m.run_id).set_index("lead_id").loc[card.index]
    assert [list(x) for x in table["card_reasons"]] == [t.split("\n") if t else [] for t in card]
    assert list(table["reasons"]) == list(listed)
