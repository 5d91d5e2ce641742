"""``workbench report``: the scoring report as one HTML file, via papermill."""

from __future__ import annotations

import argparse
import sys

from workbench.cli.options import whole_number


def cmd_report(args: argparse.Namespace) -> int:
    """Check every parameter, then run the report notebook once per segment and date."""
    from workbench.report.run import plan_reports, run_reports

    jobs = plan_reports(
        args.model, args.leads, args.activities, as_of=args.as_of, segments=args.segment,
        compare_to=args.compare_to, top_n=args.top, out=args.out,
    )  # fmt: skip
    run = run_reports(jobs, echo=print)
    for _, exc in run.failed:
        print(f"error: {exc}", file=sys.stderr)
    return 1 if run.failed else 0


def add_parsers(sub) -> None:
    """The ``report`` subcommand."""
    p = sub.add_parser("report", help="write the scoring report as one HTML file (no code)")
    p.add_argument("--model", required=True, help="model YAML file")
    p.add_argument("--leads", required=True, help="leads file (CSV, Parquet or Excel)")
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
        "--top", type=whole_number(1), default=20, help="leads listed as top and cold (20)"
    )
    p.add_argument(
        "--out", required=True,
        help="HTML file; with several segments or dates, one file each next to it + index.html",
    )  # fmt: skip
    p.set_defaults(func=cmd_report)
