"""The report states its instant and lead count as data in the executed notebook: the runner
reads them from there for the index page, and the exported page does not show them."""

from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_notebook, new_output

import workbench.report.run as runner


def executed(facts: dict | None) -> nbformat.NotebookNode:
    """An executed report notebook: the report's HTML, then (maybe) its facts."""
    outputs = [new_output("display_data", data={"text/html": "<h1>Scoring report</h1>"})]
    if facts is not None:
        outputs.append(
            new_output("display_data", data={runner.FACTS_MIME: facts, "text/plain": ""})
        )
    cell = new_code_cell("show_report(report)\nshow_facts(report)", outputs=outputs)
    return new_notebook(cells=[cell])


def test_the_runner_reads_the_facts_the_notebook_displayed():
    nb = executed({"as_of": "2026-10-31 23:59", "leads": 1234})
    assert runner.notebook_facts(nb) == runner.ReportFacts("2026-10-31 23:59", 1234)
    assert runner.notebook_facts(executed(None)) is None


def test_the_page_shows_the_report_but_not_the_facts():
    nb = executed({"as_of": "2026-10-31 23:59", "leads": 1234})
    page = runner.strip_for_html(nb, "t")
    (outputs,) = [c.outputs for c in page.cells]
    assert [list(o.data) for o in outputs] == [["text/html"]]
    assert runner.notebook_facts(nb) is not None  # the executed notebook keeps them
    html = runner.export_html(nb, "t")
    assert "Scoring report" in html and "1234" not in html and runner.FACTS_MIME not in html
