"""``workbench report``: check the parameters, run the report notebook, export it as HTML.

The order matters to whoever schedules reports: every parameter is checked before a kernel
starts (a missing file, an unknown segment or a malformed date is a one-paragraph error,
exit 2), then ``notebooks/scoring_report.ipynb`` runs once per segment and date with
papermill, and each executed notebook becomes one standalone HTML file without code
(nbconvert, ``exclude_input``) whose charts are inline SVG — it opens offline, with no
script from a CDN. A notebook that fails is kept next to the output
(``report.failed.ipynb``) so the analyst can open it and see the error in place.

Every file is written whole or not at all (:mod:`workbench.files`): a stopped or failed run
leaves each earlier report as it was. Several reports are files beside ``--out``, not a
folder of their own (the user names where they go), so the index is written last, listing
only the reports that exist: a run stopped midway leaves no index naming a missing page.

>>> jobs = plan_reports("model.yaml", "leads.csv", segments=["SMB", "Enterprise"],
...                     out="out/report.html")  # doctest: +SKIP
>>> run_reports(jobs).index  # out/index.html, linking out/report-smb.html …  # doctest: +SKIP
"""

from __future__ import annotations

import copy
import html
import os
import re
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from workbench.data.dates import date_problem
from workbench.data.export import overwrites_input, unwritable
from workbench.data.loading import load_data, read_date
from workbench.engine.signals import check_columns
from workbench.errors import Problem, UsageError, WorkbenchError
from workbench.files import (
    PATH_ERRNOS,
    copy_atomic,
    os_error_words,
    path_error,
    resolved,
    write_text_atomic,
)
from workbench.model import Model, load_model
from workbench.report.build import DEFAULT_TOP_N, Report, match_segment
from workbench.report.render import STYLE
from workbench.report.stored import open_run, stored_title
from workbench.resources import notebook
from workbench.store.store import RUNS, TMP

REPORT_NOTEBOOK = notebook("scoring_report.ipynb")
STORE_REPORT_NOTEBOOK = notebook("store_report.ipynb")
HTML_SUFFIXES = (".html", ".htm")

# nbconvert's lab template without what it loads from CDNs (require.js, MathJax, mermaid,
# the widget manager): a report is static HTML and SVG and needs none of them.
TEMPLATE_FILE = "workbench_report.html.j2"
TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""


class ReportParameterError(UsageError):
    """A report parameter is wrong (found before anything runs; the CLI exits 2).

    A :class:`~workbench.errors.UsageError` like every bad option of every command; the
    report gathers all of them (files, dates, segments, --top, --out) into one.
    """


class ReportExecutionError(Exception):
    """The report notebook failed while running; ``kept`` is the executed notebook."""

    def __init__(self, message: str, kept: Path | None):
        super().__init__(message)
        self.kept = kept


@dataclass(frozen=True)
class ReportJob:
    """One report to make: the notebook's parameters and where its HTML goes."""

    parameters: dict
    out: Path
    title: str
    model_label: str = ""

    @property
    def failed_notebook(self) -> Path:
        """Where the executed notebook is kept when the run fails."""
        return self.out.with_name(self.out.stem + ".failed.ipynb")


@dataclass(frozen=True)
class ReportFacts:
    """What a written report says about itself: the instant it scored and how many leads."""

    as_of: str  # "YYYY-MM-DD HH:MM", the resolved instant (never "latest data")
    leads: int


FACTS_MIME = "application/vnd.workbench.report-facts+json"
"""The MIME type of the output in which the report notebook states its facts as data."""


def show_facts(report: Report) -> None:
    """Display the report's facts as data (in the notebook, after the report itself).

    The runner reads them from the executed notebook (:func:`notebook_facts`) for the index
    page: the numbers the report computed, not a second scoring run, and no HTML to parse.
    The output shows nothing in a notebook (its text is empty) and :func:`strip_for_html`
    drops it before the export.
    """
    from IPython.display import display

    as_of = "" if report.as_of is None else f"{report.as_of:%Y-%m-%d %H:%M}"
    # an empty text/plain: a front end that knows no renderer for the type shows nothing
    display(
        {FACTS_MIME: {"as_of": as_of, "leads": int(report.n_leads)}, "text/plain": ""}, raw=True
    )


def _is_facts(output) -> bool:
    return output.get("output_type") == "display_data" and FACTS_MIME in output.get("data", {})


def notebook_facts(nb: nbformat.NotebookNode) -> ReportFacts | None:
    """The facts an executed report notebook displayed (:func:`show_facts`), or None."""
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if _is_facts(output):
                data = output["data"][FACTS_MIME]
                return ReportFacts(as_of=str(data["as_of"]), leads=int(data["leads"]))
    return None


@dataclass
class ReportRun:
    """What ``run_reports`` made: each job's HTML (or error) and the index page, if any.

    ``facts``: per written HTML file, the as-of instant and lead count it reports.
    """

    written: list[tuple[ReportJob, Path, float]] = field(default_factory=list)
    failed: list[tuple[ReportJob, ReportExecutionError]] = field(default_factory=list)
    index: Path | None = None
    facts: dict[Path, ReportFacts] = field(default_factory=dict)


def iso_day(value: str) -> str:
    """A date that passed :func:`~workbench.data.dates.date_problem`, as YYYY-MM-DD
    (parameters and file names)."""
    return f"{read_date(value):%Y-%m-%d}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-") or "report"


def _unique(values: Sequence[str | None]) -> list[str | None]:
    return list(dict.fromkeys(values))


def plan_reports(
    model: str | Path,
    leads: str | Path,
    activities: str | Path | None = None,
    as_of: Sequence[str] | str | None = None,
    segments: Sequence[str] | str | None = None,
    compare_to: str | Path | None = None,
    top_n: int = DEFAULT_TOP_N,
    out: str | Path = "report.html",
) -> list[ReportJob]:
    """Check every parameter and return one job per (segment, date); nothing runs yet.

    Raises :class:`ReportParameterError` naming each bad parameter (missing files, dates that
    are not YYYY-MM-DD, unknown segments, a bad ``--top`` or ``--out``), or the model's and
    the leads file's own errors. Several segments or dates give ``<out stem>-<segment>-
    <date>.html`` next to ``out`` plus an ``index.html`` there.
    """
    dates = [as_of] if isinstance(as_of, str) else list(as_of or [])
    segs = [segments] if isinstance(segments, str) else list(segments or [])
    out = Path(out)
    problems: list[Problem] = _out_problems(out, top_n)
    files = {"--model": model, "--leads": leads, "--activities": activities}
    files["--compare-to"] = compare_to
    for option, path in files.items():
        if path is None or Path(path).is_file():
            continue
        try:
            os.stat(path)
        except (FileNotFoundError, NotADirectoryError):
            where = "" if Path(path).is_absolute() else f" (looked in {Path.cwd()})"
            problems.append(Problem(option, f"file not found: {path}{where}"))
        except OSError as exc:  # a link loop, a folder without permission
            problems.append(Problem(option, f"cannot read {path}: {os_error_words(exc)}"))
        else:
            problems.append(Problem(option, f"{path} is a folder; name a file"))
    problems += [p for p in (date_problem(d, day=True) for d in dates) if p is not None]
    if not problems:
        dates = [iso_day(d) for d in dates]
    if not problems and (clash := overwrites_input(out, files)) is not None:
        problems.append(clash)
    if problems:
        raise ReportParameterError(problems)

    m = load_model(model)  # a ModelError names the file, line and key
    other = load_model(compare_to) if compare_to is not None else None
    # the load the notebook does: an empty or unreadable file is a message here, exit 2,
    # not a failed notebook
    data = load_data(leads, activities, model=m)
    if other is not None:
        try:  # the compare-to model must read the same leads file
            check_columns(other, data)
        except WorkbenchError as exc:
            problems += [
                Problem("--compare-to", f"{Path(compare_to).name}: {p}") for p in exc.problems
            ]
    matched: list[str | None] = []
    for s in segs:
        try:
            matched.append(match_segment(m, data, s))
        except WorkbenchError as exc:
            problems += [Problem("--segment", p.message) for p in exc.problems]
    if problems:
        raise ReportParameterError(problems, str(leads))

    matched = _unique(matched or [None])
    dates_or_none = _unique(dates or [None])
    several = len(matched) * len(dates_or_none) > 1
    jobs, names = [], set()
    for seg in matched:
        for day in dates_or_none:
            parts = [p for p in (seg and _slug(seg), day) if p]
            name = f"{out.stem}-{'-'.join(parts)}"
            while name in names:  # segments spelt alike ('Mid market', 'Mid-market')
                name += "-2"
            names.add(name)
            target = out.with_name(f"{name}.html") if several else out
            jobs.append(
                ReportJob(
                    parameters={
                        "model": str(Path(model).resolve()),
                        "leads": str(Path(leads).resolve()),
                        "activities": str(Path(activities).resolve()) if activities else None,
                        "as_of": day,
                        "segment": seg,
                        "compare_to": str(Path(compare_to).resolve()) if compare_to else None,
                        "top_n": top_n,
                    },
                    out=target,
                    title=_title(m, seg, day),
                    model_label=f"{m.name} v{m.version}",
                )
            )
    return jobs


def _out_problems(out: Path, top_n: int) -> list[Problem]:
    """What is wrong with ``--out`` and ``--top`` (shared by both kinds of report)."""
    problems = []
    if out.suffix.lower() not in HTML_SUFFIXES:
        problems.append(Problem("--out", f"the report is HTML; name a .html file, not '{out}'"))
    elif (folder_problem := unwritable(out)) is not None:
        problems.append(folder_problem)
    if isinstance(top_n, bool) or not isinstance(top_n, int) or top_n < 1:
        problems.append(Problem("--top", f"must be a whole number of at least 1, not {top_n!r}"))
    return problems


def plan_store_report(
    store: str | Path,
    run: str | None = None,
    top_n: int = DEFAULT_TOP_N,
    out: str | Path = "report.html",
) -> ReportJob:
    """Check the store, the run and ``--out``, and return the job reporting that run.

    The run is pinned to its id here: a publish between this check and the notebook's run
    changes which run is current, not which run this report is of. A missing store, one
    with no run yet, an unknown run id, or an ``--out`` inside the store's runs (they are
    never changed) is a :class:`ReportParameterError`.
    """
    out = Path(out)
    problems = _out_problems(out, top_n)
    for inside in (RUNS, TMP):
        try:
            clash = resolved(out.expanduser()).is_relative_to(resolved(Path(store) / inside))
        except OSError:
            clash = False  # a link loop: said for --out by _out_problems, for --store below
        if clash:
            problems.append(
                Problem("--out", f"must not be inside the store's {inside}/ folder ({out}); "
                        "published runs are never changed. Name a file outside it")
            )  # fmt: skip
    try:
        stored = open_run(store, run)
    except UsageError as exc:
        problems += [p if p.where else Problem("--store", p.message) for p in exc.problems]
        stored = None
    if problems:
        raise ReportParameterError(problems)
    m = stored.manifest
    stored.close()
    return ReportJob(
        parameters={"store": str(Path(store).resolve()), "run": m.run_id, "top_n": top_n},
        out=out,
        title=stored_title(m),
        model_label=f"{m.model} v{m.version}",
    )


def _title(model: Model, segment: str | None, day: str | None) -> str:
    where = segment or "all segments"
    return f"Scoring report: {model.name} v{model.version}, {where}, as of {day or 'latest data'}"


def strip_for_html(nb: nbformat.NotebookNode, title: str) -> nbformat.NotebookNode:
    """A copy without stderr output (warnings are for the analyst's notebook, not the page)
    and without the facts (data for the runner, not for the reader)."""
    nb = copy.deepcopy(nb)
    nb.metadata["title"] = title
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [
                o
                for o in cell.outputs
                if not (o.get("output_type") == "stream" and o.get("name") == "stderr")
                and not _is_facts(o)
            ]
    return nb


def export_html(nb: nbformat.NotebookNode, title: str) -> str:
    """Standalone HTML of an executed notebook: outputs only, no code, nothing from a CDN."""
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="lab",
        extra_loaders=[DictLoader({TEMPLATE_FILE: TEMPLATE})],
        template_file=TEMPLATE_FILE,
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    body, _ = exporter.from_notebook_node(strip_for_html(nb, title))
    return body


def run_report(
    job: ReportJob,
    notebook: str | Path = REPORT_NOTEBOOK,
    facts: dict[Path, ReportFacts] | None = None,
) -> Path:
    """Execute the notebook for one job with papermill and write its HTML to ``job.out``.

    The facts the notebook states (:func:`show_facts`) go into ``facts`` under the path
    written. On a failure the executed notebook (with the error in its cell) is kept at
    ``job.failed_notebook`` and :class:`ReportExecutionError` says where.
    """
    import papermill as pm
    from traitlets.config import Config

    notebook = Path(notebook)
    job.out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="workbench-report-") as tmp:
        executed = Path(tmp) / notebook.name
        # the kernel talks over Unix sockets in the private temporary folder, not TCP ports
        kernel = Config({"KernelManager": {"transport": "ipc", "ip": str(Path(tmp) / "kernel")}})
        try:
            pm.execute_notebook(
                str(notebook),
                str(executed),
                parameters=job.parameters,
                progress_bar=False,
                cwd=str(notebook.parent),
                config=kernel,
                # quiet: shutting a kernel down interrupts it, which it logs as an error
                extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
            )
        except OSError as exc:
            if exc.errno not in PATH_ERRNOS:
                raise
            # a full disk while papermill saves the executed notebook: nothing worth keeping
            where = f"cannot write the report (its working copy goes to {tempfile.gettempdir()})"
            raise path_error(exc, job.out, where) from None
        except Exception as exc:  # any failure of the run: keep what was executed
            kept = None
            if executed.exists():
                kept = copy_atomic(executed, job.failed_notebook)
            cause = _describe(exc).rstrip()
            cause += "" if cause.endswith(".") else "."
            where = f" The executed notebook is kept for debugging: {kept}" if kept else ""
            raise ReportExecutionError(
                f"{job.out}: the report notebook failed while running. {cause}{where}", kept
            ) from None
        nb = nbformat.read(executed, as_version=4)
    write_text_atomic(job.out, export_html(nb, job.title))
    job.failed_notebook.unlink(missing_ok=True)  # a failure of an earlier run is stale now
    if facts is not None and (stated := notebook_facts(nb)) is not None:
        facts[job.out] = stated
    return job.out


def _describe(exc: Exception) -> str:
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    if ename:
        return f"{ename}: {evalue}" if evalue else str(ename)
    return f"{type(exc).__name__}: {exc}"


def index_html(run: ReportRun, where: Path) -> str:
    """A page linking every report of one call (relative links: the folder can move)."""
    rows = []
    entries = [(job, path, f"written in {sec:.1f} s") for job, path, sec in run.written]
    entries += [(job, None, "FAILED") for job, _ in run.failed]
    for job, path, status in sorted(entries, key=lambda e: str(e[0].out)):
        p = job.parameters
        if path is not None:
            href = html.escape(urllib.parse.quote(path.relative_to(where).as_posix()))
            link = f'<a href="{href}">{html.escape(path.name)}</a>'
        else:
            kept = job.failed_notebook.name
            link = f"{html.escape(job.out.name)} (see {html.escape(kept)})"
        facts = run.facts.get(path) if path is not None else None
        if facts is not None:
            # the instant actually scored: a date asked for means its end (23:59)
            as_of = facts.as_of[:10] if p["as_of"] else f"{facts.as_of} (newest data)"
            leads = f"{facts.leads:,}"
        else:
            as_of, leads = p["as_of"] or "newest data", "—"
        rows.append(
            "<tr>"
            + f"<td>{link}</td>"
            + f"<td>{html.escape(p['segment'] or 'all segments')}</td>"
            + f'<td class="date">{html.escape(as_of)}</td>'
            + f'<td class="num">{html.escape(leads)}</td>'
            + f"<td>{html.escape(status)}</td>"
            + "</tr>"
        )
    model = html.escape(entries[0][0].model_label) if entries else ""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Scoring reports: {model}</title>{STYLE}</head><body>"
        f'<div class="wb-report"><h1>Scoring reports: {model}</h1>'
        '<div class="wb-scroll" style="overflow-x: auto">'
        '<table class="wb-table" id="report-index"><thead><tr><th>report</th><th>segment</th>'
        "<th>as of</th><th>leads scored</th><th>status</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div></div>"
        "</body></html>\n"
    )


def run_reports(
    jobs: Sequence[ReportJob],
    notebook: str | Path = REPORT_NOTEBOOK,
    echo: Callable[[str], None] = lambda _: None,
) -> ReportRun:
    """Run every job (a failure does not stop the others); with several, write the index.

    ``echo`` hears of each file written; failures are in the returned ``failed``.
    """
    run = ReportRun()
    for job in jobs:
        started = time.perf_counter()
        try:
            path = run_report(job, notebook, run.facts)
        except ReportExecutionError as exc:
            run.failed.append((job, exc))
            continue
        took = time.perf_counter() - started
        run.written.append((job, path, took))
        echo(f"Wrote {path} ({took:.1f} s)")
    if len(jobs) > 1:
        folder = jobs[0].out.parent
        run.index = folder / "index.html"
        write_text_atomic(run.index, index_html(run, folder))  # last: it lists what exists
        echo(f"Index: {run.index}")
    return run
