"""The report of a stored run in HTML: one screen of summary, then the details.

Rendering only, with the scoring report's pieces (:mod:`workbench.report.render`: escaped
tables, inline SVG charts, the same style), so both reports look and read alike; every
figure comes from a :class:`~workbench.report.stored.StoredReport`.
"""

from __future__ import annotations

import html

from workbench.report.render import (
    STYLE,
    chart_svg,
    conversion_cells,
    section,
    table_html,
)
from workbench.report.stored import StoredReport, when
from workbench.store.store import MODEL
from workbench.text import percent, plural

SECTIONS = (
    "summary", "distribution", "conversion", "top-leads", "new-top", "going-cold", "owners",
    "set-aside", "published",
)  # fmt: skip
"""The sections in page order (``conversion`` only when the run stored outcomes)."""


ROWS_OF = {"leads": ("lead",), "activities": ("activity", "activities")}
"""How a count of set-aside rows of each file reads (``5 leads``, ``1 activity``)."""


def _e(value) -> str:
    return html.escape(str(value))


def new_text(rep: StoredReport) -> str:
    """How many leads are new in the top category since the previous run."""
    m = rep.manifest
    verb = "is" if m.new_top == 1 else "are"
    return (
        f"{plural(m.new_top, 'lead')} {verb} new in {rep.top_category} since {rep.previous_label}"
    )


def cold_text(rep: StoredReport) -> str:
    """How many top leads of the previous run went quiet and lost points (and fell)."""
    m, top = rep.manifest, rep.top_category
    if m.cold == 0:
        return f"no {top} lead of then has gone quiet and lost points"
    text = (
        f"{plural(m.cold, f'{top} lead')} of then {'is' if m.cold == 1 else 'are'} going "
        "cold (nothing done since, points lost)"
    )
    return text + (f", {m.fell:,} of them already out of {top}" if m.fell else "")


def changes_text(rep: StoredReport) -> str:
    """New in the top category and going cold since the previous run, in one sentence."""
    if rep.manifest.previous_as_of is None:
        return (
            "This is the first run of the store, so nothing is new or going cold yet "
            "(`workbench publish --history 4w` stores past weeks to compare with)."
        )
    return f"{new_text(rep)}; {cold_text(rep)}."


def summary_html(rep: StoredReport) -> str:
    """The first screen: who published what, warnings, counts and change, new and cold,
    conversion per category."""
    m = rep.manifest
    body = "".join(f'<p class="wb-warn approval-warning">{_e(w)}</p>' for w in rep.warnings)
    body += table_html(rep.about, "run-facts")
    counts = rep.counts.assign(share=rep.counts["share"].map(percent)).rename(
        columns={"previous": "previous run"}
    )
    body += table_html(counts, "category-counts", index=True)
    body += f'<p id="changes">{_e(changes_text(rep))}</p>'
    if rep.conversion is None:
        body += "<p>The run stored no known outcomes, so conversion cannot be shown.</p>"
    else:
        body += (
            '<p class="wb-note">Conversion per category of the leads with a known outcome; '
            "95 % Wilson intervals.</p>"
            + table_html(conversion_cells(rep.conversion), "conversion", index=True)
        )
    aside = {k: v for k, v in m.set_aside.items() if v}
    if aside:
        words = ", ".join(plural(n, *ROWS_OF.get(k, (f"{k} row",))) for k, n in aside.items())
        body += f'<p class="wb-note">Set aside by the data checks: {_e(words)} (see below).</p>'
    return section("summary", "Summary", body)


def _listed(sentence: str, rows, total: int, table_id: str) -> str:
    """A sentence with its count, "the best N are shown" when the list is cut, the table."""
    more = f" The best {len(rows):,} are shown." if total > len(rows) else ""
    return f"<p>{_e(sentence)}.{more}</p>" + (table_html(rows, table_id) if len(rows) else "")


def stored_sections(rep: StoredReport) -> list[str]:
    """The report as HTML fragments, one per section (each displayed as one output)."""
    m, top = rep.manifest, rep.top_category
    head = (
        f'{STYLE}<div class="wb-report" id="report-head" data-run="{_e(m.run_id)}" '
        f'data-as-of="{_e(when(m.as_of))}" data-leads="{int(m.leads)}">'
        f'<h1 id="report-title">{_e(rep.title)}</h1>'
        f'<p class="wb-note">Read from the store {_e(rep.store)}: the scores, categories, '
        "ranks and reasons sales was given; nothing was rescored. This page needs no "
        "network.</p></div>"
    )
    sections = [head, summary_html(rep)]
    outline = f" (dashed: {rep.previous_label})" if rep.previous_histogram is not None else ""
    sections.append(
        section(
            "distribution",
            "Score distribution" + outline,
            f"<figure>{chart_svg(rep.charts['distribution'])}</figure>",
        )
    )
    if "conversion" in rep.charts:
        sections.append(
            section(
                "conversion",
                "Conversion per category",
                f"<figure>{chart_svg(rep.charts['conversion'])}</figure>",
            )
        )
    sections.append(
        section(
            "top-leads",
            f"Top {rep.top_n} leads",
            '<p class="wb-note">Best first, by the rank stored at publishing (the dashboard\'s '
            "call queue); inquiries left out.</p>" + table_html(rep.top, "top-leads-table"),
        )
    )
    if m.previous_as_of is None:
        new = cold = f"<p>{_e(changes_text(rep))}</p>"
    else:
        cold_words = cold_text(rep)
        new = _listed(new_text(rep), rep.new_top, m.new_top, "new-top-table")
        cold = _listed(
            cold_words[:1].upper() + cold_words[1:], rep.cold, m.cold, "cold-leads-table"
        )
    sections.append(section("new-top", f"New in {top}", new))
    sections.append(section("going-cold", f"{top} leads going cold", cold))
    if rep.owners is None:
        owners = "<p>The leads have no owner column, so there is no table per owner.</p>"
    else:
        table = rep.owners
        if "conversion" in table.columns:
            table = table.assign(conversion=table["conversion"].map(percent))
        owners = (
            '<p class="wb-note">Leads per category, new and going cold per owner; the last '
            "row adds them up.</p>" + table_html(table, "owners-table", index=True)
        )
    sections.append(section("owners", "Per owner", owners))
    if len(rep.set_aside):
        aside = (
            "<p>Rows the data checks set aside when the run was published, per reason. Each "
            "file under <b>stored in</b> holds them with their spreadsheet row, the reason and "
            "the file's own columns, for a data steward to fix (Parquet: pandas.read_parquet, "
            "DuckDB or a spreadsheet import).</p>" + table_html(rep.set_aside, "set-aside-table")
        )
    else:
        aside = "<p>The data checks set no row aside.</p>"
    sections.append(section("set-aside", "Rows set aside", aside))
    published = (
        table_html(rep.files, "input-files")
        + f'<p class="wb-note">Rules fingerprint {_e(m.fingerprint)}; workbench '
        f"{_e(m.tool_version)}; the model as published: {_e(rep.folder / MODEL)}.</p>"
    )
    sections.append(section("published", "What was published", published))
    return sections


def stored_report_html(rep: StoredReport) -> str:
    """All sections as one HTML fragment."""
    return "\n".join(stored_sections(rep))


def show_stored_report(rep: StoredReport) -> None:
    """Display the report in a notebook, one output per section."""
    from IPython.display import HTML, display

    for fragment in stored_sections(rep):
        display(HTML(fragment))
