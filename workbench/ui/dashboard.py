"""The sales dashboard: whom to call today, and why. Served read-only with Voilà.

It reads a published run (:class:`workbench.store.queries.StoredRun`) and nothing else:
the queue, filters, search, paging and the call list are queries over the run's Parquet
file, a lead's trend is its score in the stored runs, "new" and "going cold" were decided
when the run was published. A page never loads raw files or computes signals, so it opens
in about a second over a million leads and costs its kernel tens of megabytes.
"""

from __future__ import annotations

import asyncio
import html
import os
import re

import altair as alt
import ipywidgets as w
import pandas as pd

from workbench.data.export import csv_text
from workbench.engine.reasons import is_against
from workbench.errors import DataError, UsageError
from workbench.model.signoff import STALE_MARK
from workbench.store.manifest import Manifest
from workbench.store.queries import QueueFilter, StoredRun
from workbench.store.store import Store
from workbench.text import plural
from workbench.ui.charts import distribution_chart, matrix_chart, trend_chart
from workbench.ui.errors import app_or_error
from workbench.ui.offline import enable_offline_charts
from workbench.ui.widgets import DownloadButton, RowTable, UrlState

PAGE_SIZE = 25
POLL_SECONDS = "WORKBENCH_POLL_SECONDS"
"""How often an open page looks for a newer run (default 30 s; the check reads one file)."""
URL_KEYS = ("owner", "category", "segment", "show", "q")

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
.wb-newer { background: #fff4d6; border: 1px solid #e0b84c; border-radius: 6px; padding: 6px 10px; }
.wb-card h3 { margin: 0; }
.wb-card .wb-score { font-size: 28px; font-weight: 600; }
.wb-card ul { margin: 2px 0 8px 0; padding-left: 18px; }
.wb-card .wb-pos li { color: #1a5e2a; } .wb-card .wb-neg li { color: #a12b2b; }
.wb-card .wb-contact a { color: #1f5fa8; margin-right: 12px; }
.wb-timeline { border-collapse: collapse; font-size: 12px; }
.wb-timeline td { padding: 2px 6px; border-bottom: 1px solid #eee; }
.wb-timeline td:first-child { white-space: nowrap; }
</style>"""

QUEUE_COLUMNS = [
    {"key": "rank", "title": "#", "numeric": True},
    {"key": "score", "title": "Score", "numeric": True},
    {"key": "category", "title": "Cat.", "badge": True},
    {"key": "name", "title": "Lead", "sub": [{"key": "company"}]},
    {
        "key": "phone",
        "title": "Contact",
        "link": "tel",
        "sub": [{"key": "email", "link": "mailto"}],
    },
    {"key": "owner", "title": "Owner"},
    {"key": "flag", "title": ""},
    {"key": "last", "title": "Last activity"},
    {"key": "reasons", "title": "Why", "wrap": True},
]


def _n(value: int) -> str:
    return f"{value:,}"


def _when(iso: str | None) -> str:
    return "" if not iso else iso[:16].replace("T", " ")


def _text(value) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def header_html(m: Manifest, note: str = "") -> str:
    """The header: model, sign-off, as-of, counts per category, new and cold leads."""
    esc = html.escape
    names = [x.removesuffix(STALE_MARK) for x in m.signed_off]  # the warning says it once
    signed = "signed off by " + ", ".join(map(esc, names)) if names else "<b>not signed off</b>"
    if m.sign_off_warning:
        signed += f' <b class="wb-warn" data-sign-off="stale">{esc(m.sign_off_warning)}</b>'
    if m.unapproved:
        signed += (
            ' <b class="wb-warn" data-field="unapproved">UNAPPROVED: published without a '
            "current sign-off; check with marketing before acting on it.</b>"
        )
    kpis = [(name, _n(n), f"{name} leads") for name, n in m.counts.items()]
    top = esc(m.top_category)
    if m.previous_as_of:
        since = _when(m.previous_as_of)[:10]
        kpis.append(("new", _n(m.new_top), f"new {top} since {since}"))
        fell = f" ({_n(m.fell)} already fell out of {top})" if m.fell else ""
        kpis.append(("cold", _n(m.cold), f"{top} going cold{fell}"))
    tiles = "".join(
        f'<div class="wb-kpi" data-kpi="{esc(k)}"><div class="wb-kpi-value">{v}</div>'
        f'<div class="wb-kpi-label">{esc(label)}</div></div>'
        for k, v, label in kpis
    )
    return (
        f'{STYLE}<div class="wb-dash"><h2>Whom to call today</h2>'
        f'<div class="wb-model" data-field="model">Model <b>{esc(m.model)} v{m.version}</b> · '
        f'{signed} · scored as of <span data-field="as-of">{_when(m.as_of)}</span></div>'
        f'<div class="wb-kpis">{tiles}</div>'
        + (f'<div class="wb-note">{note}</div>' if note else "")
        + "</div>"
    )


def run_note(m: Manifest, inquiry: str, sales_categories: list[str]) -> str:
    """Where the figures come from: the run, its publisher, rows set aside."""
    esc = html.escape
    aside = ", ".join(f"{_n(n)} {k}" for k, n in m.set_aside.items() if n)
    leads_file = next((f.name for f in m.files if f.role == "leads"), "")
    return (
        f"{_n(m.leads)} leads from {esc(leads_file)}"
        + (
            f" ({_n(m.created_later)} created after {_when(m.as_of)[:10]} left out)"
            if m.created_later
            else ""
        )
        + f", published by {esc(m.published_by)} on "
        f"{m.published_at:%Y-%m-%d %H:%M} UTC (run <span data-field='run'>{esc(m.run_id)}</span>)"
        + (f"; rows set aside by the data checks: {esc(aside)}" if aside else "")
        + f"; {esc(inquiry)} leads are kept out of the sales categories "
        + "/".join(map(esc, sales_categories))
        + "."
    )


def release_memory() -> None:
    """Give freed memory back to the system after a big answer (a call list of 100,000
    leads): Arrow's pool and glibc's malloc both keep it otherwise, and a kernel that
    only ever grows is what makes many viewers expensive."""
    import ctypes
    import ctypes.util

    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    libc = ctypes.util.find_library("c")
    if libc and hasattr(ctypes.CDLL(libc), "malloc_trim"):
        ctypes.CDLL(libc).malloc_trim(0)


def _tel(phone: str) -> str:
    return re.sub(r"[^+0-9]", "", phone)


def contact_html(row: dict) -> str:
    """Phone and e-mail as links a laptop or phone acts on."""
    esc = html.escape
    parts = []
    if phone := _text(row.get("phone")):
        parts.append(f'<a href="tel:{esc(_tel(phone))}" data-field="phone">{esc(phone)}</a>')
    if email := _text(row.get("email")):
        parts.append(f'<a href="mailto:{esc(email)}" data-field="email">{esc(email)}</a>')
    return f'<div class="wb-contact">{"".join(parts)}</div>' if parts else ""


class SalesDashboard:
    """The dashboard over one stored run (filters, pages, a lead's card, the call list).

    >>> app = SalesDashboard(StoredRun("scoring-store"))  # doctest: +SKIP
    >>> app.widget  # display in a notebook or serve with `workbench dashboard`  # doctest: +SKIP
    """

    def __init__(self, run: StoredRun, poll_seconds: float | None = None):
        self.run = run
        self.store = run.store
        self.page = 0
        self.matches = 0
        self.lead_id: str | None = None
        self.newer: str | None = None
        self._filling = False
        self._writing_url = False
        self._build()
        self._show_run()
        seconds = float(os.environ.get(POLL_SECONDS, 30)) if poll_seconds is None else poll_seconds
        self._watch = self._start_watch(seconds)

    @classmethod
    def open(cls, store=None, run_id: str | None = None) -> SalesDashboard:
        return cls(StoredRun(Store(store) if store is not None else Store(), run_id))

    # --- what the app does (the widgets call these; so do tests) -----------------------

    @property
    def filters(self) -> QueueFilter:
        return QueueFilter(
            category=self.category.value or None,
            owner=self.owner.value or None,
            segment=self.segment.value or None,
            text=self.search.value,
            only=self.only.value or None,
        )

    def apply_filters(self) -> None:
        if self._filling:
            return
        self.matches = self.run.count(self.filters)
        self.page = 0
        self.show_page()
        values = (self.owner.value, self.category.value, self.segment.value, self.only.value,
                  self.search.value.strip())  # fmt: skip
        self._writing_url = True  # the page's own change, not a link being opened
        try:
            self.url.params = {k: v for k, v in zip(URL_KEYS, values, strict=True) if v}
        finally:
            self._writing_url = False

    def show_page(self) -> None:
        n = self.matches
        last_page = max((n - 1) // PAGE_SIZE, 0)
        self.page = min(max(self.page, 0), last_page)
        lo = self.page * PAGE_SIZE
        shown = self.run.page(self.filters, lo, PAGE_SIZE, total=n)
        self.table.rows = self.page_records(shown, first=lo + 1)
        self.page_label.value = (
            f"<b>{_n(lo + 1)}–{_n(lo + len(shown))}</b> of <b data-field='matches'>{_n(n)}</b>"
            if n
            else "<b data-field='matches'>0</b> leads"
        )
        self.prev_button.disabled = self.first_button.disabled = self.page == 0
        self.next_button.disabled = self.last_button.disabled = self.page >= last_page
        self.download.label = f"Call list: {plural(n, 'lead')} (CSV)"
        self.download.disabled = n == 0
        lead = self.lead_id
        if lead is not None and lead not in set(shown["lead_id"]) and not self._matches(lead):
            self.clear_card()  # a card beside a list it is not in reads as part of it

    def _matches(self, lead_id: str) -> bool:
        f = self.filters
        return bool(self.run.count(QueueFilter(**{**f.__dict__, "lead_id": lead_id})))

    def page_records(self, shown: pd.DataFrame, first: int = 1) -> list[dict]:
        """The rows as the table shows them, numbered from ``first`` (place in this list)."""
        top = self.run.manifest.top_category
        out = []
        cols = set(shown.columns)
        for i, r in enumerate(shown.to_dict("records")):
            flag = f"new {top}" if r.get("new_top") else ("going cold" if r.get("cold") else "")
            last = r.get("last_activity")
            out.append(
                {
                    "rank": first + i,
                    "lead_id": r["lead_id"],
                    "score": f"{r['score']:.1f}",
                    "category": _text(r["category"]),
                    "name": _text(r.get("name")) or r["lead_id"],
                    "company": _text(r.get("company")),
                    "phone": _text(r.get("phone")) if "phone" in cols else "",
                    "email": _text(r.get("email")),
                    "owner": _text(r.get("owner")),
                    "flag": flag,
                    "last": "" if last is None or pd.isna(last) else f"{last:%Y-%m-%d}",
                    "reasons": _text(r.get("reasons")),
                }
            )
        return out

    def turn(self, step: int) -> None:
        self.page += step
        self.show_page()

    def clear_card(self) -> None:
        self.lead_id = None
        self.table.selected = ""
        self.card.value = "<i class='wb-note'>Pick a lead in the list to see why.</i>"
        self.timeline.value = ""
        self.trend.chart = alt.Chart(pd.DataFrame({"x": []})).mark_point()

    def select(self, lead_id: str) -> None:
        """Open a lead's card: contact, score, reasons, recent activities, trend by run."""
        row = self.run.lead(lead_id)
        if row is None:
            self.clear_card()
            return
        self.lead_id = lead_id
        if self.table.selected != lead_id:
            self.table.selected = lead_id
        esc = html.escape
        m = self.run.manifest
        stored = row.get("card_reasons")
        reasons = [r for r in (list(stored) if stored is not None else []) if r]
        pos = [r for r in reasons if not is_against(r)]
        neg = [r for r in reasons if is_against(r)]

        def items(texts: list[str]) -> str:
            return "".join(f"<li>{esc(t)}</li>" for t in texts)

        grade = level = ""
        if _text(row.get("grade")):
            grade = f" · fit grade <b>{esc(_text(row['grade']))}</b>"
        if _text(row.get("engagement_level")):
            level = f" · engagement <b>{esc(_text(row['engagement_level']))}</b>"
        prev = row.get("previous_score")
        change = (
            ""
            if prev is None or pd.isna(prev)
            else f" (previous run {prev:.1f}, as of {_when(m.previous_as_of)[:10]})"
        )
        facts = " · ".join(
            esc(v)
            for v in (lead_id, _text(row.get("owner")), _text(row.get("segment")),
                      _text(row.get("source")))
            if v
        )  # fmt: skip
        category = _text(row["category"])
        why, inquiry = "Why call", ""
        if category == self.run.categories[-1]:
            why = "Signals"
            inquiry = (
                f"<div class='wb-warn' data-field='inquiry'>{esc(category)}, not a sales lead</div>"
            )
        company = _text(row.get("company"))
        title = _text(row.get("title"))
        self.card.value = (
            f'<div class="wb-card" data-lead="{esc(lead_id)}">'
            f"<h3>{esc(_text(row.get('name')) or lead_id)}</h3>"
            f"<div>{esc(title)}{' · ' if title and company else ''}"
            f"<span data-field='company'>{esc(company)}</span></div>"
            f"{contact_html(row)}<div class='wb-note'>{facts}</div>"
            f"<div><span class='wb-score' data-field='score'>{row['score']:.1f}</span>{change}"
            f" · category <b data-field='category'>{esc(category)}</b>{grade}{level}</div>"
            f"{inquiry}<h4>{why}</h4><ul class='wb-pos'>{items(pos) or '<li>nothing yet</li>'}</ul>"
            + (f"<h4>Against</h4><ul class='wb-neg'>{items(neg)}</ul>" if neg else "")
            + "</div>"
        )
        events = self.run.events(row["lead_row"])
        rows = "".join(
            f"<tr><td>{ts:%Y-%m-%d %H:%M}</td><td data-type='{esc(ty)}'>{esc(label)}</td>"
            f"<td>{esc(_text(de))}</td></tr>"
            for ts, ty, label, de in zip(
                events["timestamp"], events["type"], events["activity"], events["detail"],
                strict=True,
            )
        )  # fmt: skip
        self.timeline.value = (
            f'<div class="wb-events" data-lead="{esc(lead_id)}"><h4>Recent activity</h4>'
            + (f"<table class='wb-timeline'>{rows}</table>" if rows else "<i>None recorded.</i>")
            + "</div>"
        )
        history = self.run.trend(lead_id)[["as_of", "score", "category"]]
        scale = (self.run.model.scale.min, self.run.model.scale.max)
        title = f"Score in the last {plural(len(history), 'published run')}"
        self.trend.chart = trend_chart(history, self._thresholds, scale=scale).properties(
            title=title
        )

    def call_list(self) -> pd.DataFrame:
        """The filtered queue as a call list: who, how to reach them, score and why."""
        out = self.run.call_list(self.filters)
        out["reasons"] = out["reasons"].fillna("")  # worded points last: no cell starts with + or −
        return out.rename(columns={"lead_id": self.run.model.data.lead_id})

    def export_file(self) -> tuple[str, bytes, str]:
        parts = [self.category.value, self.owner.value, self.segment.value, self.only.value]
        tag = "_".join(re.sub(r"[^\w-]+", "-", p) for p in parts if p) or "all"
        name = f"call-list_{tag}_{_when(self.run.manifest.as_of)[:10]}.csv"
        # a byte-order mark so Excel reads the UTF-8 names right; CRMs accept it
        payload = ("\ufeff" + csv_text(self.call_list())).encode("utf-8")
        release_memory()
        return name, payload, "text/csv"

    # --- a newer run ------------------------------------------------------------------------

    def check_for_newer(self) -> str | None:
        """Offer the store's current run when it is not the one shown (None: none newer)."""
        try:
            current = self.store.current_id()
        except UsageError:
            return None  # the store moved away: keep showing what is here
        if current is None or current == self.run.run_id or current == self.newer:
            return self.newer if current == self.newer else None
        try:
            m = self.store.manifest(current)
        except (UsageError, DataError):  # pruned meanwhile, or damaged: nothing to offer
            return None
        self.newer = current
        self.newer_text.value = (
            f"<div class='wb-newer' data-field='newer'>A newer run was published: "
            f"<b>{html.escape(m.model)} v{m.version}</b>, as of {_when(m.as_of)}, by "
            f"{html.escape(m.published_by)}. This page still shows the run as of "
            f"{_when(self.run.manifest.as_of)}.</div>"
        )
        self.newer_box.layout.display = "flex"
        return current

    def switch(self, run_id: str | None = None) -> None:
        """Show another run (default: the newer one offered), keeping the filters."""
        run_id = run_id or self.newer or self.store.current_id()
        old = self.run
        self.run = StoredRun(self.store, run_id)
        old.close()
        self.newer = None
        self.newer_box.layout.display = "none"
        self._show_run()

    def _start_watch(self, seconds: float) -> asyncio.Task | None:
        """Look for a newer run every ``seconds`` while the page is open (in a kernel's
        running event loop; a plain Python session has none and checks on demand)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return None

        async def watch() -> None:
            while True:
                await asyncio.sleep(seconds)
                self.check_for_newer()

        return loop.create_task(watch())

    def close(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
        self.run.close()

    # --- widgets ------------------------------------------------------------------------

    def _show_run(self) -> None:
        """Fill every widget from the current run (on opening, and on switching runs)."""
        run, m = self.run, self.run.manifest
        model = run.model
        self._thresholds = pd.DataFrame(
            {"name": [c.name for c in model.categories[:-1]],
             "min": [c.min for c in model.categories[:-1]]}
        )  # fmt: skip
        cats = run.categories
        self.header.value = header_html(m, run_note(m, cats[-1], cats[:-1]))
        top = m.top_category
        self._filling = True
        try:
            keep = (self.category.value, self.owner.value, self.segment.value)
            self.category.options = [("All", "")] + [
                (f"{k} ({v:,})", k) for k, v in m.counts.items()
            ]
            self.owner.options = [("All", "")] + [(o, o) for o in run.values("owner")]
            self.segment.options = [("All", "")] + [(s, s) for s in run.values("segment")]
            for control, value in zip((self.category, self.owner, self.segment), keep, strict=True):
                control.value = value if value in {v for _, v in control.options} else ""
            self.only.options = [
                ("All leads", ""), (f"New {top} since the previous run", "new"),
                (f"{top} going cold", "cold"),
            ]  # fmt: skip
        finally:
            self._filling = False
        lo, hi = model.scale.min, model.scale.max
        hist = run.histogram(lo, hi)
        if m.previous_as_of:
            prev = run.histogram(lo, hi, column="previous_score")
            outline = f"previous run ({_when(m.previous_as_of)[:10]})"
        else:
            prev = pd.DataFrame({"bin_start": [], "bin_end": [], "leads": []})
            outline = "no previous run"
        self.distribution.chart = distribution_chart(hist, prev, self._thresholds, outline=outline)
        cells = run.matrix()
        if len(cells) and cells["leads"].sum():
            self.matrix.chart = matrix_chart(cells)
            self.matrix.layout.display = ""
        else:
            self.matrix.layout.display = "none"
        self.apply_filters()
        first = self.table.rows[0]["lead_id"] if self.table.rows else None
        if first is not None:
            self.select(first)
        else:
            self.clear_card()
        release_memory()  # what building the page needed and no longer does

    def _from_url(self, change) -> None:
        """A link with ``?owner=…&category=…`` opens that view (unknown values ignored)."""
        if self._writing_url:
            return
        params = change["new"] or {}
        self._filling = True
        try:
            for key, control in (("owner", self.owner), ("category", self.category),
                                 ("segment", self.segment), ("show", self.only)):  # fmt: skip
                value = params.get(key, "")
                control.value = value if value in {v for _, v in control.options} else ""
            self.search.value = str(params.get("q", ""))[:200]
        finally:
            self._filling = False
        self.apply_filters()
        if self.lead_id is None and self.table.rows:  # a link opens on its best lead's card
            self.select(self.table.rows[0]["lead_id"])

    def _build(self) -> None:
        enable_offline_charts()  # no CDN: the JavaScript ships with the page
        self.header = w.HTML()
        self.newer_text = w.HTML()
        self.newer_button = w.Button(description="Show the newer run", button_style="warning")
        self.newer_button.on_click(lambda _: self.switch())
        self.newer_box = w.HBox(
            [self.newer_text, self.newer_button],
            layout=w.Layout(display="none", align_items="center", flex_flow="row wrap"),
        )
        drop = {"layout": w.Layout(width="210px"), "style": {"description_width": "70px"}}
        self.category = w.Dropdown(options=[("All", "")], description="Category", **drop)
        self.owner = w.Dropdown(options=[("All", "")], description="Owner", **drop)
        self.segment = w.Dropdown(options=[("All", "")], description="Segment", **drop)
        self.only = w.Dropdown(options=[("All leads", "")], description="Show", **drop)
        self.search = w.Text(
            placeholder="name, company, email, title or id — Enter",
            description="Search",
            continuous_update=False,  # one search per Enter, not per key
            layout=w.Layout(width="300px"),
            style={"description_width": "60px"},
        )
        for control in (self.category, self.owner, self.segment, self.only, self.search):
            control.observe(lambda _: self.apply_filters(), "value")
        self.url = UrlState(names=list(URL_KEYS))
        self.url.observe(self._from_url, "params")
        self.table = RowTable(columns=QUEUE_COLUMNS)
        self.table.observe(
            lambda ch: ch["new"] and ch["new"] != self.lead_id and self.select(ch["new"]),
            "selected",
        )
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
        empty = alt.Chart(pd.DataFrame({"x": []})).mark_point()
        self.trend = alt.JupyterChart(empty)
        self.timeline = w.HTML()
        self.distribution = alt.JupyterChart(empty)
        self.matrix = alt.JupyterChart(empty)

        filters = w.HBox(
            [self.category, self.owner, self.segment, self.only, self.search, self.url],
            layout=w.Layout(flex_flow="row wrap"),
        )
        pager = w.HBox(
            [self.first_button, self.prev_button, self.page_label, self.next_button,
             self.last_button, self.download],
            layout=w.Layout(flex_flow="row wrap", align_items="center"),
        )  # fmt: skip
        # the card beside the queue on a desk (1280 px shows every column, Why included);
        # below it under ~1100 px, where the row wraps
        queue_box = w.VBox(
            [self.table, pager], layout=w.Layout(flex="1 1 700px", min_width="0", max_width="100%")
        )
        card_box = w.VBox(
            [self.card, self.trend, self.timeline],
            layout=w.Layout(flex="0 1 360px", min_width="0", max_width="100%", padding="0 8px"),
        )
        overview = w.HBox([self.distribution, self.matrix], layout=w.Layout(flex_flow="row wrap"))
        self.widget = w.VBox(
            [
                self.header,
                self.newer_box,
                filters,
                w.HBox([queue_box, card_box], layout=w.Layout(flex_flow="row wrap")),
                w.HTML("<h3>Score distribution and fit × engagement</h3>"),
                overview,
            ]
        )


def sales_dashboard(store=None, run: str | None = None) -> w.Widget:
    """The dashboard widget over a store's current run (or ``run``), or a readable error.

    Default store: ``WORKBENCH_STORE`` (what ``workbench dashboard`` serves), else a store
    of the shipped sample. A viewer never gets a blank page or a traceback: a missing store
    or run becomes a message that names it and the fix, and the server's terminal gets the
    same text.
    """
    from workbench.ui.inputs import RUN, STORE

    chosen = store or os.environ.get(STORE)
    run = run or os.environ.get(RUN) or None

    def build() -> w.Widget:
        if chosen is None:
            from workbench.store.samples import sample_store

            return SalesDashboard.open(sample_store(), run).widget
        return SalesDashboard.open(chosen, run).widget

    return app_or_error(
        build, command="workbench dashboard", what="The dashboard cannot show the scores"
    )
