"""The sales dashboard driven like a sales rep would, without a browser: pick filters, turn
pages, open a lead, export. The page reads a published run only; what it shows is checked
against the stored table read with pandas, and against the engine for the card."""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd
import pytest

import workbench as wb
from tests.helpers import SAMPLES
from workbench.store import Store, publish
from workbench.store.queries import StoredRun
from workbench.ui.dashboard import PAGE_SIZE, SalesDashboard, sales_dashboard

MODEL, LEADS, ACTS = SAMPLES / "b2b_model.yaml", SAMPLES / "leads.csv", SAMPLES / "activities.csv"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("store") / "s"
    publish(MODEL, LEADS, ACTS, store=path, history_weeks=2)
    return Store(path)


@pytest.fixture(scope="module")
def stored(store) -> pd.DataFrame:
    """The current run's table as pandas reads it, best first: what the page must show."""
    return store.read_leads().sort_values("rank", ignore_index=True)


@pytest.fixture(scope="module")
def app(store) -> SalesDashboard:
    return SalesDashboard(StoredRun(store), poll_seconds=0)


@pytest.fixture(autouse=True)
def reset_filters(request):
    yield
    if "app" in request.fixturenames:
        app = request.getfixturevalue("app")
        app.category.value = app.owner.value = app.segment.value = app.only.value = ""
        app.search.value = ""


def shown_ids(app) -> list[str]:
    return [r["lead_id"] for r in app.table.rows]


def kpis(app) -> dict[str, int]:
    tiles = re.findall(r'data-kpi="([^"]+)"><div class="wb-kpi-value">([\d,]+)<', app.header.value)
    return {k: int(v.replace(",", "")) for k, v in tiles}


def test_header_shows_the_run_and_its_counts(app, store, stored):
    m = store.current()
    text = re.sub("<[^>]+>", "", app.header.value)
    assert f"{m.model} v{m.version}" in text and m.run_id in text
    assert "Dana Whitfield (Head of Sales, 2026-11-02)" in app.header.value
    figures = kpis(app)
    counts = stored["category"].astype("str").value_counts()
    assert {k: figures[k] for k in m.counts} == {k: int(counts.get(k, 0)) for k in m.counts}
    assert figures["new"] == int(stored["new_top"].sum()) > 0
    assert figures["cold"] == int(stored["cold"].sum()) > 0
    assert "UNAPPROVED" not in app.header.value


def test_the_first_page_is_the_best_leads_with_contacts_and_reasons(app, stored):
    rows = app.table.rows
    assert len(rows) == PAGE_SIZE
    assert [r["rank"] for r in rows] == list(range(1, PAGE_SIZE + 1))
    assert shown_ids(app) == list(stored["lead_id"].head(PAGE_SIZE))
    best = stored.iloc[0]
    assert rows[0]["phone"] == best["phone"] and rows[0]["email"] == best["email"]
    assert rows[0]["company"] == best["company"] != ""
    firsts = [r["reasons"].split("; ")[0] for r in rows]  # the best reason: points last
    assert all(f.rpartition(" ")[2].startswith("+") and f[0] not in "+−" for f in firsts)
    assert "of <b data-field='matches'>5,000</b>" in app.page_label.value
    assert app.lead_id == rows[0]["lead_id"]  # the best lead's card is open from the start


def test_no_ties_at_the_top_the_raw_total_then_the_latest_activity(stored):
    top = stored[stored["score"] == stored["score"].max()]
    assert len(top) > 50  # many leads are clipped to the scale's top
    keys = list(zip(-top["raw_total"], -top["last_activity"].astype("int64"), strict=True))
    assert keys == sorted(keys)
    assert top["raw_total"].nunique() > 1


def test_a_filter_changes_the_queue_and_the_url(app, stored):
    owner = sorted(stored["owner"].unique())[1]
    app.category.value = "B"
    app.owner.value = owner
    expected = stored[(stored["category"] == "B") & (stored["owner"] == owner)]
    assert len(expected) > PAGE_SIZE
    assert shown_ids(app) == list(expected["lead_id"].head(PAGE_SIZE))
    assert f">{len(expected):,}</b>" in app.page_label.value
    assert app.download.label == f"Call list: {len(expected):,} leads (CSV)"
    assert app.url.params == {"owner": owner, "category": "B"}  # "my leads" in the URL


def test_a_link_with_my_leads_opens_that_view(app, stored):
    owner = sorted(stored["owner"].unique())[0]
    app.url.params = {"owner": owner, "category": "A", "nonsense": "x"}  # what the page sends
    assert (app.owner.value, app.category.value) == (owner, "A")
    expected = stored[(stored["category"] == "A") & (stored["owner"] == owner)]
    assert shown_ids(app) == list(expected["lead_id"].head(PAGE_SIZE))
    app.url.params = {"owner": "Nobody at all"}  # an unknown value is ignored, not an error
    assert app.owner.value == ""


def test_pages_turn_and_stop_at_the_ends(app, stored):
    app.category.value = "A"
    n = int((stored["category"] == "A").sum())
    assert app.prev_button.disabled and not app.next_button.disabled
    app.next_button.click()
    assert app.table.rows[0]["rank"] == PAGE_SIZE + 1
    assert shown_ids(app)[0] == stored[stored["category"] == "A"]["lead_id"].iloc[PAGE_SIZE]
    app.last_button.click()
    assert app.next_button.disabled and app.table.rows[-1]["rank"] == n
    app.search.value = "a"  # a new filter goes back to page one
    assert app.table.rows[0]["rank"] == 1


def test_search_and_the_new_and_cold_views(app, stored):
    lead = stored.iloc[777]
    app.search.value = lead["company"].upper()  # case does not matter
    assert lead["lead_id"] in shown_ids(app) or app.matches > PAGE_SIZE
    app.search.value = lead["lead_id"]
    assert shown_ids(app) == [lead["lead_id"]] and app.download.label == "Call list: 1 lead (CSV)"
    app.search.value = "'; DROP TABLE leads; --"  # a value, never SQL
    assert app.table.rows == [] and app.download.disabled
    app.search.value = ""
    app.only.value = "cold"
    cold = stored[stored["cold"]]
    assert shown_ids(app) == list(cold["lead_id"].head(PAGE_SIZE))
    assert {r["flag"] for r in app.table.rows} == {"going cold"}


def test_a_card_never_stays_beside_a_list_it_is_not_in(app, stored):
    top = stored.iloc[0]
    app.table.selected = top["lead_id"]
    app.category.value = "Inquiry"  # the best lead is no inquiry
    assert app.lead_id is None and "Pick a lead" in app.card.value and app.timeline.value == ""
    app.category.value = str(top["category"])
    app.table.selected = top["lead_id"]
    app.owner.value = top["owner"]  # a filter that keeps the lead keeps its card
    assert app.lead_id == top["lead_id"]


def test_a_card_has_contacts_reasons_activities_in_words_and_the_trend(app, store, stored):
    lead = stored.iloc[300]
    app.table.selected = lead["lead_id"]  # what a click in the browser sets
    card = app.card.value
    assert f'data-lead="{lead["lead_id"]}"' in card
    assert f"data-field='score'>{lead['score']:.1f}<" in card
    digits = re.sub(r"[^+0-9]", "", lead["phone"])
    if lead["phone"]:
        assert f'href="tel:{digits}"' in card
    assert f'href="mailto:{lead["email"]}"' in card
    # the reasons are the engine's, for this lead
    model = wb.load_model(MODEL)
    data = wb.load_data(LEADS, ACTS, model=model)
    signals = wb.compute_signals(model, data, as_of=store.current().as_of)
    why = wb.explain(model, signals, lead["lead_id"]).sort_values("points", ascending=False)
    best = why.iloc[0]
    assert f"<li>{best['evidence']} +{np.rint(best['points']):.0f}</li>" in card
    # activities in the model's words, newest first
    events = data.activities_of(lead["lead_id"])
    events = events[events["timestamp"] <= signals.as_of]
    newest = events.iloc[0]
    assert f"{newest['timestamp']:%Y-%m-%d %H:%M}" in app.timeline.value
    assert model.activity_label(str(newest["type"])) in app.timeline.value
    assert "Website visit" in model.activity_labels.values()
    # the trend: this lead's score in each stored run, oldest first
    trend = app.trend.chart.layer[1].data
    runs = sorted(store.runs(), key=lambda m: m.as_of)
    assert len(trend) == len(runs) == 3
    scores = [
        store.read_leads(m.run_id).set_index("lead_id").loc[lead["lead_id"], "score"] for m in runs
    ]
    assert list(trend["score"]) == scores


def test_an_inquirys_card_says_it_is_not_a_sales_lead(app, stored):
    inquiry = stored[stored["category"] == "Inquiry"].iloc[0]
    app.table.selected = inquiry["lead_id"]
    assert "Inquiry, not a sales lead" in app.card.value
    assert "<h4>Why call</h4>" not in app.card.value


def test_export_is_a_call_list_of_the_filtered_queue(app, stored):
    segment = sorted(stored["segment"].unique())[0]
    app.category.value = "A"
    app.segment.value = segment
    name, payload, mime = app.export_file()
    assert mime == "text/csv" and name.startswith(f"call-list_A_{segment}_")
    text = payload.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads UTF-8 names right
    table = pd.read_csv(io.StringIO(text[1:]), dtype="str", keep_default_na=False)
    expected = stored[(stored["category"] == "A") & (stored["segment"] == segment)]
    assert list(table.columns) == [
        "lead_id", "name", "company", "email", "phone", "owner", "score", "category", "reasons",
    ]  # fmt: skip
    assert list(table["lead_id"]) == list(expected["lead_id"])
    assert list(table["phone"]) == list(expected["phone"])
    # reasons read "Seniority (VP) +20; …": nothing a spreadsheet runs; phones dial as they are
    for col in table.columns.drop("phone"):
        assert not table[col].str.startswith(("+", "-", "−", "=", "@")).any(), col
    assert table["phone"].str.fullmatch(r"(\+[\d ]+)?").all()


def test_the_charts_get_aggregates_not_lead_rows(app, stored):
    hist = app.distribution.chart.layer[0].data
    assert len(hist) <= 50 * 4 and hist["leads"].sum() == len(stored)
    cells = app.matrix.chart.data
    assert cells["leads"].sum() == int((stored["category"] != "Inquiry").sum())
    assert len(cells) == 12


def test_a_newer_run_is_offered_and_shown_with_the_same_filters(store, stored, tmp_path):
    app = SalesDashboard(StoredRun(store), poll_seconds=0)
    first = app.run.run_id
    app.category.value = "B"
    assert app.check_for_newer() is None and app.newer_box.layout.display == "none"
    m = publish(MODEL, LEADS, ACTS, store=store.path, by="Priya")
    assert app.check_for_newer() == m.run_id
    assert "A newer run was published" in app.newer_text.value and "Priya" in app.newer_text.value
    assert app.run.run_id == first  # nothing changes under the rep until asked
    app.newer_button.click()
    assert app.run.run_id == m.run_id and m.run_id in app.header.value
    assert app.category.value == "B" and app.newer_box.layout.display == "none"
    app.close()


def test_a_missing_store_gives_a_message_not_a_blank_page(tmp_path, capfd):
    widget = sales_dashboard(tmp_path / "nowhere")
    assert "The dashboard cannot show the scores" in widget.value
    assert "nowhere" in widget.value and "workbench publish" in widget.value
    assert "Traceback" not in widget.value
    err = capfd.readouterr().err  # the server's terminal, not the page
    assert err.startswith("workbench dashboard: ") and "nowhere" in err


def test_an_unapproved_run_says_so_and_a_past_as_of_leaves_out_later_leads(tmp_path):
    model = wb.load_model(MODEL).with_metadata(approved_by=())
    publish(model, LEADS, ACTS, store=tmp_path / "s", unapproved=True, as_of="2026-07-01")
    app = SalesDashboard.open(tmp_path / "s")
    assert 'data-field="unapproved"' in app.header.value and "UNAPPROVED" in app.header.value
    raw = pd.read_csv(LEADS, dtype="str").drop_duplicates("lead_id")
    later = int((pd.to_datetime(raw["created_at"]) > pd.Timestamp("2026-07-01 23:59:59")).sum())
    assert later > 0
    assert f"{later:,} created after 2026-07-01 left out" in app.header.value
    assert app.run.count() == app.run.manifest.leads < len(raw)


def _variant(tmp_path, **changes) -> wb.Model:
    spec = wb.load_model(MODEL).model_dump(mode="python", exclude_defaults=True)
    spec.update(changes)
    return wb.Model.parse(spec)


def test_a_model_without_grades_still_shows_its_queue(tmp_path):
    """Drafted models have no fit grade: the page works, with no matrix and no grade."""
    publish(_variant(tmp_path, fit_grade=None), LEADS, ACTS, store=tmp_path / "s", unapproved=True)
    app = SalesDashboard.open(tmp_path / "s")
    assert app.matrix.layout.display == "none"
    assert len(app.table.rows) == PAGE_SIZE and "fit grade" not in app.card.value


def test_names_from_the_model_are_shown_as_text_not_html(tmp_path):
    cats = [c.model_dump(mode="python") for c in wb.load_model(MODEL).categories]
    cats[0]["name"] = "<svg onload=alert(1)>"
    model = _variant(tmp_path, categories=cats, inquiry_category="<i>Inq</i>", segments=None)
    publish(model, LEADS, ACTS, store=tmp_path / "s", unapproved=True)
    app = SalesDashboard.open(tmp_path / "s")
    for html_text in (app.card.value, app.header.value):
        assert "<svg" not in html_text and "<i>Inq" not in html_text
    assert "&lt;svg onload=alert(1)&gt;" in app.card.value
    assert "&lt;i&gt;Inq&lt;/i&gt;" in app.header.value
