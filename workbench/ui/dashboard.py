"""The sales dashboard: whom to call today, and why. Served read-only with Voilà.

The app only binds widgets to :mod:`workbench.analysis.sales`: the queue is filtered and paged
there, reasons are worded for the 25 rows on screen, a lead's history is re-scored for
that lead alone. Everything the browser gets is a page of rows or a small aggregate.
"""

from __future__ import annotations

import html
from pathlib import Path

import altair as alt
import ipywidgets as w
import numpy as np
import pandas as pd

from workbench.analysis import metrics, sales
from workbench.data.export import csv_text
from workbench.model.signoff import STALE_MARK
from workbench.text import plural, signed_points
from workbench.ui.charts import distribution_chart, matrix_chart, trend_chart
from workbench.ui.errors import app_or_error
from workbench.ui.inputs import resolve_inputs
from workbench.ui.widgets import DownloadButton, RowTable

PAGE_SIZE = 25

STYLE = """<style>
.wb-dash h2 { margin: 0 0 4px 0; }
.wb-model { color: #444; margin-bottom: 8px; }
.wb-kpis { display: flex; gap: 10px; flex-wrap: wrap; }
.wb-warn { color: #b00020; }
.wb-kpi { border: 1px solid #ddd; border-radius: 6px; padding: 6px 12px; min-width: 90px; }
.wb-kpi-value { font-size: 22px; font-weight: 600; }
.wb-kpi-label { color: #555; font-size: 12px; }
.wb-kpi[data-kpi="new"] .wb-kpi-value { color: #1a7f37; }
.wb-kpi[data-kpi="cold"] .wb-kpi-value { color: #1f5fa8; }
.wb-note { color: #666; font-size: 12px; margin-top: 6px; }
.wb-card h3 { margin: 0; }
.wb-card .wb-score { font-size: 28px; font-weight: 600; }
.wb-card ul { margin: 2px 0 8px 0; padding-left: 18px; }
.wb-card .wb-pos li { color: #1a5e2a; } .wb-card .wb-neg li { color: #a12b2b; }
.wb-timeline { border-collapse: collapse; font-size: 12px; }
.wb-timeline td { padding: 2px 6px; border-bottom: 1px solid #eee; }
.wb-timeline td:first-child { white-space: nowrap; }
</style>"""


def _n(value: int) -> str:
    return f"{value:,}"


def _day(ts: pd.Timestamp | None) -> str:
    return "" if ts is None or pd.isna(ts) else f"{ts:%Y-%m-%d}"


def _inquiry_kinds(model) -> str:
    labels = [q.label or q.id for q in model.inquiries]
    return ", ".join(labels[:3]).lower() + (" …" if len(labels) > 3 else "")


def header_html(h: sales.Header, note: str = "") -> str:
    """The header: live model, sign-off, as-of, counts per category, new and cold leads."""
    names = [x.removesuffix(STALE_MARK) for x in h.signed_off]  # the warning says it once
    signed = (
        "signed off by " + ", ".join(map(html.escape, names)) if names else "<b>not signed off</b>"
    )
    if h.sign_off_warning:
        signed += f' <b class="wb-warn" data-sign-off="stale">{html.escape(h.sign_off_warning)}</b>'

    kpis = [(name, _n(int(n)), f"{name} leads") for name, n in h.counts.items()]
    top = html.escape(h.top_category)
    if h.previous_as_of is not None:
        kpis.append(("new", _n(h.new_top), f"new {top} since {_day(h.previous_as_of)}"))
        fell = f" ({_n(h.fell)} already fell out of {top})" if h.fell else ""
        kpis.append(("cold", _n(h.cold), f"{top} going cold{fell}"))
    tiles = "".join(
        f'<div class="wb-kpi" data-kpi="{html.escape(k)}"><div class="wb-kpi-value">{v}</div>'
        f'<div class="wb-kpi-label">{html.escape(label)}</div></div>'
        for k, v, label in kpis
    )
    return (
        f'{STYLE}<div class="wb-dash"><h2>Whom to call today</h2>'
        f'<div class="wb-model" data-field="model">Model <b>{html.escape(h.model_name)} '
        f"v{h.version}</b> · {signed} · scored as of "
        f'<span data-field="as-of">{h.as_of:%Y-%m-%d %H:%M}</span></div>'
        f'<div class="wb-kpis">{tiles}</div>'
        + (f'<div class="wb-note">{note}</div>' if note else "")
        + "</div>"
    )


class SalesDashboard:
    """The dashboard over a :class:`workbench.analysis.sales.CallQueue` (filters, page, lead card).

    >>> app = SalesDashboard.load("model.yaml", "leads.csv", "activities.csv")  # doctest: +SKIP
    >>> app.widget  # display in a notebook or serve with `workbench dashboard`  # doctest: +SKIP
    """

    def __init__(self, queue: sales.CallQueue, data_note: str = ""):
        self.queue = queue
        self.scoring = queue.scoring
        self.data_note = data_note
        self.page = 0
        self.rows = queue.frame
        self.lead_id: str | None = None
        self._build()
        self.apply_filters()
        if len(self.rows):
            self.select(self.rows["lead_id"].iloc[0])

    @classmethod
    def load(cls, model=None, leads=None, activities=None, as_of=None) -> SalesDashboard:
        """Load files (default: environment, then the sample), score now and a week ago."""
        from workbench.data.loading import load_data
        from workbench.model.yaml_io import load_model

        files = resolve_inputs(model, leads, activities, as_of)
        m = load_model(files["model"])
        loaded = load_data(files["leads"], files["activities"], model=m)
        data = sales.known_by(loaded, files["as_of"])  # not the leads that came later
        current = sales.Scoring.run(m, data, as_of=files["as_of"])
        previous = sales.Scoring.run(
            m, data, as_of=current.as_of - pd.Timedelta(days=sales.PREVIOUS_DAYS)
        )
        rejected = len(data.report.rejected_leads)
        later = loaded.n_leads - data.n_leads
        note = (
            f"{_n(data.n_leads)} leads from {html.escape(Path(str(files['leads'])).name)}"
            + (f" ({_n(later)} created after {current.as_of:%Y-%m-%d} left out)" if later else "")
            + (f"; {_n(rejected)} rows set aside by the data checks" if rejected else "")
            + f"; {html.escape(m.inquiry_category)} leads"
            + (f" ({html.escape(kinds)})" if (kinds := _inquiry_kinds(m)) else "")
            + " are kept out of the sales categories "
            + "/".join(html.escape(t.name) for t in m.categories)
            + "."
        )
        return cls(sales.build_queue(current, previous), data_note=note)

    # --- what the app does (the widgets call these; so do tests) -----------------------

    def apply_filters(self) -> None:
        self.rows = self.queue.filter(
            category=self.category.value or None,
            owner=self.owner.value or None,
            segment=self.segment.value or None,
            text=self.search.value,
            only=self.only.value or None,
        )
        self.page = 0
        self.show_page()
        if self.lead_id is not None and not (self.rows["lead_id"] == self.lead_id).any():
            self.clear_card()  # a card beside a list it is not in reads as part of it

    def clear_card(self) -> None:
        self.lead_id = None
        self.table.selected = ""
        self.card.value = "<i class='wb-note'>Pick a lead in the list to see why.</i>"
        self.timeline.value = ""
        self.trend.chart = alt.Chart(pd.DataFrame({"x": []})).mark_point()

    def show_page(self) -> None:
        n = len(self.rows)
        last_page = max((n - 1) // PAGE_SIZE, 0)
        self.page = min(max(self.page, 0), last_page)
        lo = self.page * PAGE_SIZE
        shown = self.rows.iloc[lo : lo + PAGE_SIZE]
        self.table.rows = self.page_records(shown, first=lo + 1)
        self.page_label.value = (
            f"<b>{_n(lo + 1)}–{_n(lo + len(shown))}</b> of <b data-field='matches'>{_n(n)}</b>"
            if n
            else "<b data-field='matches'>0</b> leads"
        )
        self.prev_button.disabled = self.first_button.disabled = self.page == 0
        self.next_button.disabled = self.last_button.disabled = self.page >= last_page
        self.download.label = f"Export {plural(n, 'lead')} (CSV)"
        self.download.disabled = n == 0

    def page_records(self, shown: pd.DataFrame, first: int = 1) -> list[dict]:
        reasons = self.queue.reasons(shown, top=2) if len(shown) else pd.Series(dtype="str")
        top = self.scoring.top_category
        flag = np.where(shown["new_top"], f"new {top}", np.where(shown["cold"], "going cold", ""))
        last = shown["last_activity"].dt.strftime("%Y-%m-%d").fillna("")
        frame = pd.DataFrame(
            {
                "rank": np.arange(first, first + len(shown)),
                "lead_id": shown["lead_id"],
                "score": shown["score"].map("{:.1f}".format),
                "category": shown["category"].astype("str"),
                "grade": shown["grade"].astype("str").replace("nan", ""),
                "name": shown["name"],
                "title": shown["title"],
                "owner": shown["owner"].astype("str"),
                "segment": shown["segment"].astype("str"),
                "flag": flag,
                "last": last,
                "reasons": reasons.to_numpy(),
            }
        )
        return frame.to_dict("records")

    def turn(self, step: int) -> None:
        self.page += step
        self.show_page()

    def select(self, lead_id: str) -> None:
        """Open a lead's card: score, reasons in words, recent activities, weekly trend."""
        s = self.scoring
        self.lead_id = lead_id
        if self.table.selected != lead_id:
            self.table.selected = lead_id
        row = int(s.signals.rows_of([lead_id])[0])
        t = s.totals
        q = self.queue.frame
        info = q.loc[q["row"] == row].iloc[0]
        reasons = sales.lead_reasons(s, lead_id)
        pos = reasons[np.rint(reasons["points"]) > 0]
        neg = reasons[np.rint(reasons["points"]) < 0].sort_values("points")

        def items(frame: pd.DataFrame) -> str:
            return "".join(
                f"<li>{signed_points(np.rint(p))} {html.escape(e)}</li>"
                for p, e in zip(frame["points"], frame["evidence"], strict=True)
            )

        esc = html.escape
        grade = level = ""
        if t.grade is not None:
            grade = f" · fit grade <b>{esc(t.grade_names[t.grade[row]])}</b>"
        if t.level is not None:
            level = f" · engagement <b>{esc(t.level_names[t.level[row]])}</b>"
        prev = info["previous_score"]
        change = "" if pd.isna(prev) else f" (a week ago {prev:.1f})"
        facts = " · ".join(
            html.escape(str(v)) for v in (lead_id, info["owner"], info["segment"]) if str(v)
        )
        why, inquiry = "Why call", ""
        if (q_idx := int(s.signals.inquiry_reason[row])) >= 0:
            rule = s.model.inquiries[q_idx]
            why = "Signals"
            inquiry = (
                f"<div class='wb-warn' data-field='inquiry'>{esc(s.model.inquiry_category)}, "
                f"not a sales lead: {esc(rule.label or rule.id)}</div>"
            )
        self.card.value = (
            f'<div class="wb-card" data-lead="{html.escape(lead_id)}">'
            f"<h3>{html.escape(info['name'] or lead_id)}</h3>"
            f"<div>{html.escape(info['title'])}</div><div class='wb-note'>{facts}</div>"
            f"<div><span class='wb-score' data-field='score'>{t.score[row]:.1f}</span>{change}"
            f" · category <b data-field='category'>{esc(t.category_names[t.category[row]])}</b>"
            f"{grade}{level}</div>{inquiry}"
            f"<h4>{why}</h4><ul class='wb-pos'>{items(pos.head(5)) or '<li>nothing yet</li>'}"
            "</ul>"
            + (f"<h4>Against</h4><ul class='wb-neg'>{items(neg)}</ul>" if len(neg) else "")
            + "</div>"
        )
        events = sales.timeline(s, lead_id)
        rows = "".join(
            f"<tr><td>{ts:%Y-%m-%d %H:%M}</td><td>{html.escape(str(ty))}</td>"
            f"<td>{html.escape(str(de) if pd.notna(de) else '')}</td></tr>"
            for ts, ty, de in zip(
                events["timestamp"], events["type"], events["detail"], strict=True
            )
        )
        self.timeline.value = (
            f'<div class="wb-events" data-lead="{html.escape(lead_id)}"><h4>Recent activity</h4>'
            + (f"<table class='wb-timeline'>{rows}</table>" if rows else "<i>None recorded.</i>")
            + "</div>"
        )
        # last: the history re-scores this lead at eight past dates (the slowest part)
        history = sales.score_history(s.model, s.signals.data, lead_id, s.as_of)
        self.trend.chart = trend_chart(
            history, self._thresholds, scale=(s.model.scale.min, s.model.scale.max)
        ).properties(title=f"Score, last {plural(len(history), 'week')}")

    def export_table(self) -> pd.DataFrame:
        """The filtered queue in CRM-import columns (what the export button downloads)."""
        return sales.crm_export(self.queue, self.rows)

    def export_file(self) -> tuple[str, bytes, str]:
        parts = [self.category.value, self.owner.value, self.segment.value, self.only.value]
        tag = "_".join(p.replace(" ", "-") for p in parts if p) or "all"
        name = f"leads_{tag}_{self.scoring.as_of:%Y-%m-%d}.csv"
        # a byte-order mark so Excel reads the UTF-8 names right; CRMs accept it
        return name, ("\ufeff" + csv_text(self.export_table())).encode("utf-8"), "text/csv"

    # --- widgets ------------------------------------------------------------------------

    def _build(self) -> None:
        alt.JupyterChart.enable_offline()  # no CDN: the JavaScript ships with the page
        s, q = self.scoring, self.queue
        model = s.model
        self._thresholds = pd.DataFrame(
            {"name": [c.name for c in model.categories[:-1]],
             "min": [c.min for c in model.categories[:-1]]}
        )  # fmt: skip
        self.header = w.HTML(header_html(sales.header(q), self.data_note))
        counts = metrics.category_counts(s.totals)
        top = s.top_category
        drop = {"layout": w.Layout(width="200px"), "style": {"description_width": "70px"}}
        self.category = w.Dropdown(
            options=[("All", "")] + [(f"{k} ({v:,})", k) for k, v in counts.items()],
            description="Category",
            **drop,
        )
        self.owner = w.Dropdown(
            options=[("All", "")] + [(o, o) for o in q.owners], description="Owner", **drop
        )
        self.segment = w.Dropdown(
            options=[("All", "")] + [(o, o) for o in q.segments], description="Segment", **drop
        )
        self.only = w.Dropdown(
            options=[("All leads", ""), (f"New {top} this week", "new"),
                     (f"{top} going cold", "cold")],
            description="Show",
            **drop,
        )  # fmt: skip
        self.search = w.Text(
            placeholder="name, email, title or id — Enter",
            description="Search",
            continuous_update=False,  # one search per Enter, not per key
            layout=w.Layout(width="300px"),
            style={"description_width": "60px"},
        )
        for control in (self.category, self.owner, self.segment, self.only, self.search):
            control.observe(lambda _: self.apply_filters(), "value")
        self.table = RowTable(
            columns=[
                {"key": "rank", "title": "#", "numeric": True},
                {"key": "score", "title": "Score", "numeric": True},
                {"key": "category", "title": "Cat.", "badge": True},
                {"key": "grade", "title": "Fit"},
                {"key": "name", "title": "Name"},
                {"key": "title", "title": "Title"},
                {"key": "owner", "title": "Owner"},
                {"key": "segment", "title": "Segment"},
                {"key": "flag", "title": ""},
                {"key": "last", "title": "Last activity"},
                {"key": "reasons", "title": "Why", "wrap": True},
            ]
        )
        self.table.observe(lambda ch: ch["new"] and self.select(ch["new"]), "selected")
        self.first_button = w.Button(description="« First", layout=w.Layout(width="80px"))
        self.prev_button = w.Button(description="‹ Previous", layout=w.Layout(width="110px"))
        self.next_button = w.Button(description="Next ›", layout=w.Layout(width="110px"))
        self.last_button = w.Button(description="Last »", layout=w.Layout(width="80px"))
        self.first_button.on_click(lambda _: self.turn(-(10**12)))
        self.prev_button.on_click(lambda _: self.turn(-1))
        self.next_button.on_click(lambda _: self.turn(1))
        self.last_button.on_click(lambda _: self.turn(10**12))
        self.page_label = w.HTML()
        self.download = DownloadButton(self.export_file)
        self.card = w.HTML()
        self.trend = alt.JupyterChart(alt.Chart(pd.DataFrame({"x": []})).mark_point())
        self.timeline = w.HTML()
        hist = metrics.score_histogram(s.totals, lo=model.scale.min, hi=model.scale.max)
        previous = q.frame["previous_score"].to_numpy()
        before = np.histogram(
            previous[~np.isnan(previous)], bins=50, range=(model.scale.min, model.scale.max)
        )[0]
        edges = np.linspace(model.scale.min, model.scale.max, 51)
        prev_hist = pd.DataFrame({"bin_start": edges[:-1], "bin_end": edges[1:], "leads": before})
        self.distribution = alt.JupyterChart(
            distribution_chart(hist, prev_hist, self._thresholds, outline="a week ago")
        )
        cells = self.matrix_cells()
        self.matrix = (
            alt.JupyterChart(matrix_chart(cells))
            if len(cells)
            else w.HTML("<i>This model has no fit grade or engagement levels: no matrix.</i>")
        )

        filters = w.HBox(
            [self.category, self.owner, self.segment, self.only, self.search],
            layout=w.Layout(flex_flow="row wrap"),
        )
        pager = w.HBox(
            [
                self.first_button,
                self.prev_button,
                self.page_label,
                self.next_button,
                self.last_button,
                self.download,
            ],
            layout=w.Layout(flex_flow="row wrap", align_items="center"),
        )
        # side by side on a desk, the card below the queue on a phone (the row wraps)
        queue_box = w.VBox(
            [self.table, pager], layout=w.Layout(flex="1 1 560px", min_width="0", max_width="100%")
        )
        card_box = w.VBox(
            [self.card, self.trend, self.timeline],
            layout=w.Layout(flex="0 1 400px", min_width="0", max_width="100%", padding="0 8px"),
        )
        overview = w.HBox([self.distribution, self.matrix], layout=w.Layout(flex_flow="row wrap"))
        self.widget = w.VBox(
            [
                self.header,
                filters,
                w.HBox([queue_box, card_box], layout=w.Layout(flex_flow="row wrap")),
                w.HTML("<h3>Score distribution and fit × engagement</h3>"),
                overview,
            ]
        )

    def matrix_cells(self) -> pd.DataFrame:
        t = self.scoring.totals
        if t.grade is None or t.level is None:
            return pd.DataFrame({"grade": [], "level": [], "leads": []})
        real = t.category < len(t.category_names) - 1  # inquiries are not graded leads
        k = len(t.level_names)
        cells = np.bincount(
            t.grade[real].astype(np.int64) * k + t.level[real], minlength=len(t.grade_names) * k
        )
        return pd.DataFrame(
            {
                "grade": np.repeat(t.grade_names, k),
                "level": np.tile(t.level_names, len(t.grade_names)),
                "leads": cells,
            }
        )


def sales_dashboard(model=None, leads=None, activities=None, as_of=None) -> w.Widget:
    """The dashboard widget, or a readable error in its place (also logged to the terminal).

    A viewer never gets a blank page or a traceback: a bad file becomes a message that
    names the file and the fix, and the server's terminal gets the same text.
    """
    return app_or_error(
        lambda: SalesDashboard.load(model, leads, activities, as_of).widget,
        command="workbench dashboard",
        what="The dashboard cannot show the scores",
    )
