"""``workbench report``: the scoring report as one HTML file, via papermill.

Two sources, one command: raw files (``--model``/``--leads``: load and score them) or a
published run (``--store``: read what sales was given, never rescore).
"""

from __future__ import annotations

import argparse
import sys

from workbench.cli.options import whole_number
from workbench.errors import Problem, UsageError
from workbench.store.store import DEFAULT_STORE

RAW_ONLY = {
    "--model": "model", "--leads": "leads", "--activities": "activities", "--as-of": "as_of",
    "--segment": "segment", "--compare-to": "compare_to",
}  # fmt: skip
"""Options of the report of raw files; a stored run was scored with its own already."""


def _jobs(args: argparse.Namespace):
    """The reports to make: of the stored run, or of the raw files per segment and date."""
    from workbench.report.run import plan_reports, plan_store_report

    given = [opt for opt, dest in RAW_ONLY.items() if getattr(args, dest) is not None]
    if args.store is not None:
        if given:
            raise UsageError(
                [
                    Problem(
                        "--store",
                        f"reports a published run as it was scored; {', '.join(given)} "
                        f"{'is' if len(given) == 1 else 'are'} for a report of raw files. "
                        "Give --store (and --run) or --model and --leads, not both",
                    )
                ]
            )
        return [plan_store_report(args.store, args.run, top_n=args.top, out=args.out)]
    if args.run is not None:
        raise UsageError([Problem("--run", "names a run of a store; give --store S too")])
    missing = [opt for opt in ("--model", "--leads") if getattr(args, opt[2:]) is None]
    if missing:
        raise UsageError(
            [
                Problem(
                    " and ".join(missing),
                    "required to report raw files (or --store S to report a published run)",
                )
            ]
        )
    return plan_reports(
        args.model, args.leads, args.activities, as_of=args.as_of, segments=args.segment,
        compare_to=args.compare_to, top_n=args.top, out=args.out,
    )  # fmt: skip


def cmd_report(args: argparse.Namespace) -> int:
    """Check every parameter, then run the report notebook once per segment and date (or
    once for the stored run)."""
    from workbench.report.run import REPORT_NOTEBOOK, STORE_REPORT_NOTEBOOK, run_reports

    jobs = _jobs(args)
    notebook = STORE_REPORT_NOTEBOOK if args.store is not None else REPORT_NOTEBOOK
    run = run_reports(jobs, notebook=notebook, echo=print)
    for _, exc in run.failed:
        print(f"error: {exc}", file=sys.stderr)
    return 1 if run.failed else 0


def add_parsers(sub) -> None:
    """The ``report`` subcommand."""
    p = sub.add_parser("report", help="write the scoring report as one HTML file (no code)")
    p.add_argument("--model", help="model YAML file (with --leads)")
    p.add_argument("--leads", help="leads file (CSV, Parquet or Excel)")
    p.add_argument("--activities", help="activities file (CSV, Parquet or Excel)")
    p.add_argument(
        "--as-of", dest="as_of", nargs="+", action="extend", metavar="DATE",
        help="score as of these dates, YYYY-MM-DD (one report each; default: newest event)",
    )  # fmt: skip
    p.add_argument(
        "--segment", nargs="+", action="extend", metavar="SEGMENT",
        help="report on these segments (one report each; default: all leads)",
    )  # fmt: skip
    p.add_argument(
        "--compare-to", dest="compare_to", metavar="MODEL",
        help="compare with this model (default: the same model 7 days earlier)",
    )  # fmt: skip
    p.add_argument(
        "--store", nargs="?", const=DEFAULT_STORE, metavar="STORE",
        help="report a published run of this store instead of raw files, as sales was given "
        f"it (nothing rescored; --store alone: {DEFAULT_STORE})",
    )  # fmt: skip
    p.add_argument(
        "--run", metavar="RUN_ID",
        help="with --store: the run to report (default: the current one; `workbench runs` "
        "lists them)",
    )  # fmt: skip
    p.add_argument(
        "--top", type=whole_number(1), default=20,
        help="leads listed as top, new and cold (20)",
    )  # fmt: skip
    p.add_argument(
        "--out", required=True,
        help="HTML file; with several segments or dates, one file each next to it + index.html",
    )  # fmt: skip
    p.set_defaults(func=cmd_report)
