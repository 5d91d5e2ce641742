"""The sales dashboard driven like a sales rep would, without a browser: pick filters, turn
pages, open a lead, export; check what the page shows against the engine."""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd
import pytest

from tests.helpers import SAMPLES
from workbench.analysis import metrics, sales
from workbench.ui.dashboard import PAGE_SIZE, SalesDashboard, sales_dashboard


@pytest.fixture(scope="module")
def app() -> SalesDashboard:
    return SalesDashboard.load()


@pytest.fixture(autouse=True)
def reset_filters(app):
    yield
    app.category.value = app.owner.value = app.segment.value = app.only.value = ""
    app.search.value = ""


def shown_ids(app) -> list[str]:
    return [r["lead_id"] for r in app.table.rows]


def kpis(app) -> dict[str, int]:
    tiles = re.findall(r'data-kpi="([^"]+)"><div class="wb-kpi-value">([\d,]+)<', app.header.value)
    return {k: int(v.replace(",", "")) for k, v in tiles}


def test_header_shows_the_live_model_and_the_engines_counts(app):
    s = app.scoring
    assert f"{s.model.name} v{s.model.version}" in re.sub("<[^>]+>", "", app.header.value)
    assert "Dana Whitfield (Head of Sales, 2026-11-02)" in app.header.value
    counts = metrics.category_counts(s.totals)
    figures = kpis(app)
    assert {k: figures[k] for k in counts.index} == counts.to_dict()
    assert figures["new"] == int(app.queue.changes.new_top.sum()) > 0
    assert figures["cold"] == int(app.queue.changes.cold.sum()) > 0
    assert f"{s.as_of:%Y-%m-%d %H:%M}" in app.header.value


def test_the_first_page_is_the_best_leads_with_reasons(app):
    rows = app.table.rows
    assert len(rows) == PAGE_SIZE
    assert [r["rank"] for r in rows] == list(range(1, PAGE_SIZE + 1))
    best = app.queue.frame.head(PAGE_SIZE)
    assert shown_ids(app) == list(best["lead_id"])
    assert all(r["reasons"].startswith("+") for r in rows)
    assert "of <b data-field='matches'>5,000</b>" in app.page_label.value
    # the best lead's card is open from the start
    assert app.lead_id == rows[0]["lead_id"]


def test_a_filter_changes_the_queue(app):
    app.category.value = "B"
    owner = app.queue.owners[1]
    app.owner.value = owner
    expected = app.queue.filter(category="B", owner=owner)
    assert len(expected) > PAGE_SIZE
    assert shown_ids(app) == list(expected["lead_id"].head(PAGE_SIZE))
    assert {r["category"] for r in app.table.rows} == {"B"}
    assert {r["owner"] for r in app.table.rows} == {owner}
    assert f">{len(expected):,}</b>" in app.page_label.value
    assert app.download.label == f"Export {len(expected):,} leads (CSV)"


def test_pages_turn_and_stop_at_the_ends(app):
    app.category.value = "A"
    n = int(metrics.category_counts(app.scoring.totals)["A"])
    assert app.prev_button.disabled and not app.next_button.disabled
    app.next_button.click()
    assert app.table.rows[0]["rank"] == PAGE_SIZE + 1
    for _ in range(n // PAGE_SIZE + 3):
        app.next_button.click()
    assert app.next_button.disabled
    assert app.table.rows[-1]["rank"] == n
    app.search.value = "a"  # a new filter goes back to page one
    assert app.table.rows[0]["rank"] == 1


def test_first_and_last_jump_to_the_ends(app):
    app.category.value = "C"
    n = int(metrics.category_counts(app.scoring.totals)["C"])
    assert app.first_button.disabled and not app.last_button.disabled
    app.last_button.click()
    assert app.table.rows[-1]["rank"] == n and app.last_button.disabled
    assert app.next_button.disabled and not app.first_button.disabled
    app.first_button.click()
    assert app.table.rows[0]["rank"] == 1 and app.first_button.disabled


def test_a_card_never_stays_beside_a_list_it_is_not_in(app):
    top = app.queue.frame.iloc[0]
    app.table.selected = top["lead_id"]
    app.category.value = "Inquiry"  # the best lead is no inquiry
    assert app.lead_id is None and "data-lead" not in app.card.value
    assert "Pick a lead" in app.card.value and app.timeline.value == ""
    app.category.value = top["category"]  # a filter that keeps the lead keeps its card
    app.table.selected = top["lead_id"]
    app.owner.value = top["owner"]
    assert app.lead_id == top["lead_id"]


def test_an_inquirys_card_says_why_it_is_not_a_sales_lead(app):
    s = app.scoring
    row = int(s.signals.inquiry_rows[0])
    lead_id = s.signals.lead_ids[row]
    rule = s.model.inquiries[int(s.signals.inquiry_reason[row])]
    app.table.selected = lead_id
    assert f"not a sales lead: {rule.label}" in app.card.value
    assert "<h4>Why call</h4>" not in app.card.value
    first_real = app.queue.frame.iloc[0]["lead_id"]
    app.table.selected = first_real
    assert "not a sales lead" not in app.card.value and "<h4>Why call</h4>" in app.card.value


def test_one_match_reads_as_one_lead(app):
    lead = app.queue.frame.iloc[5]
    app.search.value = lead["lead_id"]
    assert app.download.label == "Export 1 lead (CSV)"


def test_search_and_the_new_and_cold_views(app):
    lead = app.queue.frame.iloc[777]
    app.search.value = lead["name"]
    assert lead["lead_id"] in shown_ids(app)
    app.search.value = ""
    app.only.value = "cold"
    cold = app.queue.frame[app.queue.frame["cold"]]
    assert shown_ids(app) == list(cold["lead_id"].head(PAGE_SIZE))
    assert {r["flag"] for r in app.table.rows} == {"going cold"}
    app.search.value = "no such lead anywhere"
    assert app.table.rows == [] and app.download.disabled


def test_selecting_a_lead_opens_its_card(app):
    lead = app.queue.frame.iloc[300]
    app.table.selected = lead["lead_id"]  # what a click in the browser sets
    card = app.card.value
    assert f'data-lead="{lead["lead_id"]}"' in card
    assert f"data-field='score'>{lead['score']:.1f}<" in card
    assert f"category <b data-field='category'>{lead['category']}</b>" in card
    reasons = sales.lead_reasons(app.scoring, lead["lead_id"])
    top = reasons[np.rint(reasons["points"]) > 0].iloc[0]
    assert f"+{top['points']:.0f} {top['evidence']}" in card
    # the activity timeline and the weekly trend are this lead's
    events = app.scoring.signals.data.activities_of(lead["lead_id"])
    assert f"{events['timestamp'].iloc[0]:%Y-%m-%d %H:%M}" in app.timeline.value
    trend = app.trend.chart.layer[1].data
    assert trend["score"].iloc[-1] == lead["score"]


def test_export_is_the_filtered_queue_for_a_crm(app):
    app.category.value = "A"
    app.segment.value = app.queue.segments[0]
    name, payload, mime = app.export_file()
    assert mime == "text/csv"
    assert name == f"leads_A_{app.queue.segments[0]}_{app.scoring.as_of:%Y-%m-%d}.csv"
    text = payload.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads UTF-8 names right
    table = pd.read_csv(io.StringIO(text[1:]), dtype={"lead_id": "str"})
    expected = app.queue.filter(category="A", segment=app.queue.segments[0])
    assert list(table["lead_id"]) == list(expected["lead_id"])
    assert list(table["score"]) == list(expected["score"])
    assert list(table.columns[:5]) == ["lead_id", "score", "category", "grade", "reasons"]
    # reasons read "Seniority (VP) +20; …": nothing a spreadsheet runs, no apostrophe needed
    assert not table["reasons"].str.startswith(("'", "+", "-", "−", "=", "@")).any()
    best = expected.iloc[0]
    words = app.queue.reasons(expected.head(1)).iloc[0].split("; ")[0]  # "+20 Seniority (VP)"
    points, label = words.split(" ", 1)
    exported = table.set_index("lead_id").loc[best["lead_id"], "reasons"]
    assert exported.startswith(f"{label} {points}")


def test_the_charts_get_aggregates_not_lead_rows(app):
    hist = app.distribution.chart.layer[0].data
    assert len(hist) <= 50 * len(app.scoring.totals.category_names)
    assert hist["leads"].sum() == app.scoring.signals.n_leads
    cells = app.matrix_cells()
    real = app.scoring.totals.category < len(app.scoring.totals.category_names) - 1
    assert cells["leads"].sum() == real.sum()
    assert len(cells) == 12


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"model": "missing.yaml"}, "missing.yaml"),
        ({"leads": str(SAMPLES / "nope.csv")}, "nope.csv"),
        ({"as_of": "31/31/2026"}, "31/31/2026"),
    ],
)
def test_a_bad_file_gives_a_message_not_a_blank_page(kwargs, expected, capfd):
    widget = sales_dashboard(**kwargs)
    assert "The dashboard cannot show the scores" in widget.value
    assert expected in widget.value
    assert "Traceback" not in widget.value
    err = capfd.readouterr().err  # the server's terminal, not the page
    assert err.startswith("workbench dashboard: ") and expected in err


def _variant(sample_model, tmp_path, **changes) -> str:
    """The sample model with some top-level keys changed, saved where the app can load it."""
    import workbench as wb

    spec = sample_model.model_dump(mode="python", exclude_defaults=True)
    spec.update(changes)
    path = tmp_path / "variant.yaml"
    wb.save_model(wb.Model.parse(spec), path)
    return str(path)


def test_a_model_without_grades_still_shows_its_queue(sample_model, tmp_path):
    """Drafted models have no fit grade: the page works, with no matrix and no grade."""
    app = SalesDashboard.load(_variant(sample_model, tmp_path, fit_grade=None))
    assert app.scoring.totals.grade is None
    assert "no fit grade" in app.matrix.value
    assert len(app.table.rows) == PAGE_SIZE and "fit grade" not in app.card.value
    assert "grade" not in app.export_table().columns


def test_names_from_the_model_are_shown_as_text_not_html(sample_model, tmp_path):
    cats = [c.model_dump(mode="python") for c in sample_model.categories]
    cats[0]["name"] = "<svg onload=alert(1)>"
    path = _variant(
        sample_model, tmp_path, categories=cats, inquiry_category="<i>Inq</i>", segments=None
    )
    app = SalesDashboard.load(path)
    best = app.queue.frame.iloc[0]
    app.select(best["lead_id"])
    for html_text in (app.card.value, app.header.value):
        assert "<svg" not in html_text and "<i>Inq" not in html_text
    assert "&lt;svg onload=alert(1)&gt;" in app.card.value
    assert "&lt;i&gt;Inq&lt;/i&gt;" in app.header.value


def test_as_of_a_past_date_leaves_out_leads_created_later(raw_leads_created):
    app = SalesDashboard.load(as_of="2026-07-01")
    created = raw_leads_created.loc[app.queue.frame["lead_id"]]
    assert (created <= pd.Timestamp("2026-07-01 23:59:59")).all()
    later = int((raw_leads_created > pd.Timestamp("2026-07-01 23:59:59")).sum())
    assert later > 0 and app.scoring.signals.n_leads + later == len(raw_leads_created)
    assert f"{later:,} created after 2026-07-01 left out" in app.header.value
    exported = app.export_table()["lead_id"]
    assert set(exported) <= set(created.index)


@pytest.fixture(scope="module")
def raw_leads_created() -> pd.Series:
    raw = pd.read_csv(SAMPLES / "leads.csv", dtype="str").drop_duplicates("lead_id")
    return pd.to_datetime(raw.set_index("lead_id")["created_at"])
