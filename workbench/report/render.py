"""The scoring report in HTML: escaped tables, inline SVG charts, no code, no network.

Rendering only: every figure comes from a :class:`workbench.report.build.Report`.
"""

from __future__ import annotations

import html
import io
import re

import altair as alt
import numpy as np
import pandas as pd

from workbench.report.build import NEW, SCORE_COLUMNS, Report
from workbench.text import percent, plural

STYLE = """<style>
.wb-report { font-family: system-ui, sans-serif; color: #222; }
.wb-report p { max-width: 70em; }
.wb-report .wb-scroll { overflow-x: auto; max-width: 100%; }
.wb-report h1 { font-size: 24px; margin: 8px 0 4px 0; }
.wb-report h2 { font-size: 18px; margin: 24px 0 8px 0; border-bottom: 2px solid #ddd; }
.wb-report table.wb-table { border-collapse: collapse; font-size: 13px; margin: 6px 0 12px 0;
  table-layout: auto; width: auto; max-width: none; }
.wb-report table.wb-table th, .wb-report table.wb-table td { padding: 3px 8px;
  border-bottom: 1px solid #e5e5e5; text-align: left; vertical-align: top; }
.wb-report table.wb-table td.num { text-align: right; font-variant-numeric: tabular-nums;
  white-space: nowrap; }
.wb-report table.wb-table td.date { white-space: nowrap; }
.wb-report table.wb-table tbody tr:nth-child(odd) { background: #f7f7f7; }
.wb-report .wb-note { color: #555; font-size: 13px; margin: 4px 0; }
.wb-report .wb-warn { color: #a12b2b; font-weight: 600; }
.wb-report code { font-size: 12px; word-break: break-all; }
.wb-report figure { margin: 8px 0; }
</style>"""


def _e(value) -> str:
    return html.escape(str(value))


DATE_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2})?)?$")


def _cell(value, one_decimal: bool = False) -> tuple[str, str]:
    """Text of one table cell and its class: ``num`` (right-aligned), ``date`` or ``""``.

    ``one_decimal``: a score, always shown with one decimal (``94.0``); other numbers drop
    a ``.0``.
    """
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return "—", ""
    if isinstance(value, bool | np.bool_):
        return ("yes" if value else "no"), ""
    if isinstance(value, pd.Timestamp):
        return (
            f"{value:%Y-%m-%d}" if value == value.normalize() else f"{value:%Y-%m-%d %H:%M}"
        ), "date"
    if isinstance(value, int | np.integer) and not one_decimal:
        return f"{int(value):,}", "num"
    if isinstance(value, int | np.integer | float | np.floating):
        value = float(value)
        return (f"{value:,.1f}" if one_decimal or value % 1 else f"{value:,.0f}"), "num"
    text = str(value)
    return text, "date" if DATE_TEXT.match(text) else ""


def table_html(
    frame: pd.DataFrame,
    table_id: str,
    index: bool = False,
    one_decimal: tuple[str, ...] = SCORE_COLUMNS,
) -> str:
    """An HTML table with every header and cell escaped (a few dozen rows, never all leads).

    Columns named in ``one_decimal`` (scores) always show one decimal; dates do not wrap;
    the table sits in a box that scrolls sideways when the screen is narrower than it.
    """
    if index:
        frame = frame.reset_index()
    head = "".join(f"<th>{_e(c)}</th>" for c in frame.columns)
    fixed = [str(c) in one_decimal for c in frame.columns]
    body = []
    for row in frame.itertuples(index=False):
        cells = []
        for value, dec in zip(row, fixed, strict=True):
            text, kind = _cell(value, dec)
            cls = f' class="{kind}"' if kind else ""
            cells.append(f"<td{cls}>{_e(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        '<div class="wb-scroll" style="overflow-x: auto">'
        f'<table class="wb-table" id="{_e(table_id)}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def chart_svg(chart: alt.TopLevelMixin) -> str:
    """The chart as an SVG document (vl-convert, offline): no JavaScript needed to see it."""
    buf = io.StringIO()
    chart.save(buf, format="svg")
    return buf.getvalue()


def conversion_cells(table: pd.DataFrame) -> pd.DataFrame:
    """A conversion table as a reader sees it: the rate in percent and the 95 % interval
    as one ``low – high`` cell."""
    return table.assign(
        rate=table["rate"].map(percent),
        interval=[
            "—" if np.isnan(lo) else f"{lo:.1%} – {hi:.1%}"
            for lo, hi in zip(table["low"], table["high"], strict=True)
        ],
    ).drop(columns=["low", "high"])


def section(sid: str, title: str, body: str) -> str:
    return (
        f'<div class="wb-report"><section id="{_e(sid)}"><h2>{_e(title)}</h2>{body}</section></div>'
    )


def report_sections(report: Report) -> list[str]:
    """The report as HTML fragments, one per section (each displayed as one output)."""
    rep = report
    as_of = "" if rep.as_of is None else f"{rep.as_of:%Y-%m-%d %H:%M}"
    head = (
        f'{STYLE}<div class="wb-report" id="report-head" data-as-of="{_e(as_of)}" '
        f'data-leads="{int(rep.n_leads)}"><h1 id="report-title">{_e(rep.title)}</h1>'
        f'<p class="wb-note">{plural(rep.n_leads, "lead")}. Scores, categories and reasons '
        "come from the workbench engine; this page needs no network.</p></div>"
    )
    sections = [head]

    sections.append(
        section(
            "what-was-scored",
            "What was scored",
            table_html(rep.scored, "scored-items") + table_html(rep.files, "input-files"),
        )
    )

    quality = table_html(rep.quality_counts, "quality-counts")
    if len(rep.quality):
        cols = ["file", "column", "problem", "count", "action", "examples"]
        quality += table_html(rep.quality[cols], "quality-issues")
    else:
        quality += '<p class="wb-note">No problem found while loading.</p>'
    inq = int(rep.inquiries["counted here"].sum()) if len(rep.inquiries) else 0
    sales_names = "/".join(dict.fromkeys(str(n) for n in rep.thresholds["category"]))
    quality += (
        "<p>Inquiries (junk, tests, job seekers …: leads that match a validity rule) are "
        f"kept out of the sales categories {_e(sales_names)}. "
        f"{plural(inq, 'lead')} {'is an inquiry' if inq == 1 else 'are inquiries'} here.</p>"
        '<p class="wb-note">A lead can match several rules: <b>matches</b> counts every lead '
        "a rule matches; <b>counted here</b> counts each inquiry once, under the first rule "
        "it matches in the model's order (the reason the dashboard shows), so that column "
        "adds up to the inquiries.</p>" + table_html(rep.inquiries, "inquiries")
    )
    if len(rep.placeholders):
        quality += "<p>Placeholder values ('Select', 'N/A', blank) treated as missing:</p>"
        quality += table_html(rep.placeholders, "placeholders")
    for w in rep.warnings:
        quality += f'<p class="wb-warn">warning: {_e(w)}</p>'
    quality += (
        '<p class="wb-note">Rows set aside are counted over the whole files, '
        "before any segment is chosen.</p>"
    )
    sections.append(section("data-quality", "Data quality", quality))

    sections.append(
        section(
            "criteria",
            "Criteria, weights and thresholds",
            table_html(rep.criteria, "criteria-table")
            + table_html(rep.buckets, "bucket-weights")
            + table_html(rep.thresholds, "thresholds"),
        )
    )
    sections.append(
        section(
            "distribution",
            "Score distribution",
            f"<figure>{chart_svg(rep.charts['distribution'])}</figure>",
        )
    )

    counts = rep.counts.assign(share=rep.counts["share"].map(percent))
    counts = counts.rename(columns={"baseline": "baseline leads"})
    moves = "".join(
        f"<li>{plural(int(m.leads), 'new lead')} (created since then) "
        f"{'is' if int(m.leads) == 1 else 'are'} {_e(m.now)}</li>"
        if m.before == NEW
        else f"<li>{plural(int(m.leads), 'lead')} {'moves' if int(m.leads) == 1 else 'move'} "
        f"{_e(m.before)} → {_e(m.now)}</li>"
        for m in rep.moves.head(8).itertuples()
    )
    sections.append(
        section(
            "categories",
            "Leads per category and shifts",
            f'<p class="wb-note">Baseline: {_e(rep.baseline_label)}.</p>'
            + table_html(counts, "category-counts", index=True)
            + (f"<ul>{moves}</ul>" if moves else "<p>No lead changes category.</p>")
            + "<p>Leads per category: baseline (rows) → now (columns)</p>"
            + table_html(rep.shift, "category-shift", index=True),
        )
    )

    if rep.conversion is None:
        conv = "<p>The data has no known outcomes, so conversion cannot be shown.</p>"
    else:
        c = conversion_cells(rep.conversion)
        auc = "" if np.isnan(rep.auc) else f"AUC {rep.auc:.3f}"
        if auc and not np.isnan(rep.baseline_auc):
            auc += f" (baseline {rep.baseline_auc:.3f})"
        conv = (
            '<p class="wb-note">Leads with a known outcome; 95 % Wilson intervals. '
            f"{_e(auc)}</p>"
            + table_html(c, "conversion", index=True)
            + f"<figure>{chart_svg(rep.charts['conversion'])}</figure>"
        )
    sections.append(section("conversion", "Conversion per category", conv))

    sections.append(
        section(
            "top-leads",
            f"Top {rep.top_n} leads",
            table_html(rep.top, "top-leads-table"),
        )
    )
    cold = "<p>" + going_cold_text(rep.n_cold, rep.n_fell, len(rep.cold)) + "</p>"
    if len(rep.cold):
        cold += table_html(rep.cold, "cold-leads-table")
    sections.append(section("going-cold", "Hot leads going cold", cold))
    return sections


def going_cold_text(n_cold: int, n_fell: int, shown: int) -> str:
    """The going-cold sentence, without "0 of them …" and with singular and plural right."""
    if n_cold == 0:
        return "No lead of the top category a week ago has gone quiet and lost points since."
    one = n_cold == 1
    text = (
        f"{plural(n_cold, 'lead')} {'was' if one else 'were'} in the top category a week ago, "
        f"{'has' if one else 'have'} done nothing since and lost points"
    )
    if n_fell:
        text += (
            "; it already fell out of it" if one else f"; {n_fell:,} of them already fell out of it"
        )
    text += "."
    if n_cold > shown > 0:
        text += f" The best {shown:,} are shown." if shown > 1 else " The best one is shown."
    return text


def report_html(report: Report) -> str:
    """All sections as one HTML fragment."""
    return "\n".join(report_sections(report))


def show_report(report: Report) -> None:
    """Display the report in a notebook, one output per section."""
    from IPython.display import HTML, display

    for fragment in report_sections(report):
        display(HTML(fragment))
