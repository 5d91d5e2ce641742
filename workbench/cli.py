"""The ``workbench`` command: validate a model, make sample data, score leads, serve dashboards.

User errors (bad files, bad options) print one paragraph and exit 2, with no traceback.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from workbench.data import load_data
from workbench.errors import WorkbenchError
from workbench.export import export_format, refuse_overwrite, unwritable, write_table
from workbench.scoring import score, score_totals
from workbench.signals import compute_signals
from workbench.spec import Model, load_model
from workbench.spec.model import OUTPUT_COLUMNS
from workbench.spec.signoff import sign_off_lines, stale_sign_off

USER_ERROR = 2
TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".parquet", ".pq", ".xlsx", ".xls", ".json")
DASHBOARD_NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "sales_dashboard.ipynb"


class UsageError(Exception):
    """Bad command-line input found after argparse (exit 2)."""


def _describe_model(model: Model) -> str:
    per_bucket = ", ".join(
        f"{sum(c.bucket == b.id for c in model.criteria)} {b.id}" for b in model.buckets
    )
    bands = ", ".join(
        f"{t.name} ≥ {t.min:g}" if t.min is not None else t.name for t in model.categories
    )
    signed = "; ".join(sign_off_lines(model))
    lines = [
        f"{model.name} v{model.version}: {len(model.criteria)} criteria ({per_bucket}).",
        f"Categories: {bands}.",
        f"Signed off by: {signed}." if signed else "Not signed off yet.",
        f"Rules fingerprint: {model.scoring_fingerprint()}.",
    ]
    if stale := stale_sign_off(model):
        lines.append(f"warning: {stale} Sign off again with: workbench sign-off MODEL --name …")
    if model.segments is not None and model.segments.variants:
        names = ", ".join(v.value for v in model.segments.variants)
        lines.append(f"Segment variants on '{model.segments.field}': {names}.")
    return "\n".join(lines)


def cmd_validate(args: argparse.Namespace) -> int:
    if args.activities and not args.leads:
        raise UsageError("--activities needs --leads: activities are checked against the leads")
    model = load_model(args.model)
    print(f"OK  {args.model}")
    print(_describe_model(model))
    if args.leads:
        data = load_data(args.leads, args.activities, model=model)
        signals = compute_signals(model, data)
        print("\nData:")
        print(data.report)
        for w in signals.warnings:
            print(f"  warning: {w}")
        n_warn = len(signals.warnings)
        print(
            f"The model fits the data ({data.n_leads:,} leads)"
            + (f", with {n_warn} warning{'s' if n_warn > 1 else ''} above." if n_warn else ".")
        )
    return 0


def cmd_sample(args: argparse.Namespace) -> int:
    from workbench.synthetic import write_sample

    if args.leads < 1:
        raise UsageError("--leads must be at least 1")
    out = Path(args.out)
    names = f"leads.{args.format} and activities.{args.format}"
    if out.suffix.lower() in TABLE_SUFFIXES:
        raise UsageError(
            f"--out is a folder: sample writes {names} into it, so '{args.out}' would become "
            f"a folder named like a file; give a folder, e.g. --out {out.with_suffix('')}"
        )
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {args.out} is a file; give a folder to write {names} into")
    if (problem := unwritable(out / f"leads.{args.format}")) is not None:
        raise UsageError(str(problem))
    started = time.perf_counter()
    paths = write_sample(
        args.out, n_leads=args.leads, seed=args.seed, fmt=args.format, messy=not args.clean
    )
    took = time.perf_counter() - started
    leads = f"{args.leads:,} lead" + ("s" if args.leads != 1 else "")
    print(f"Wrote {leads} (seed {args.seed}) in {took:.1f} s:")
    for kind, path in paths.items():
        print(f"  {kind}: {path}")
    return 0


def _summary(scored: pd.DataFrame) -> str:
    counts = scored["category"].value_counts(sort=False)
    total = len(scored)
    parts = [f"{name} {n:,} ({n / total:.0%})" for name, n in counts.items()] if total else []
    return "Categories: " + ", ".join(parts)


def cmd_score(args: argparse.Namespace) -> int:
    export_format(args.out)  # refuse a bad --out before the expensive work
    inputs = {"--model": args.model, "--leads": args.leads, "--activities": args.activities}
    refuse_overwrite(args.out, inputs)
    model = load_model(args.model)
    data = load_data(args.leads, args.activities, model=model)
    print(data.report)
    if not data.n_leads:
        raise UsageError(f"{args.leads}: no leads to score (the report above says why)")
    signals = compute_signals(model, data, as_of=args.as_of)
    for w in signals.warnings:
        print(f"  warning: {w}")
    scored = score(model, signals, top=args.top)
    headline = [c for c in OUTPUT_COLUMNS if c not in ("lead_id", "reasons")]
    wanted = [*headline, *model.bucket_ids, "reasons"]
    columns = [c for c in wanted if c in scored.columns]
    out = scored[columns].reset_index()
    for b in model.bucket_ids:
        out[b] = out[b].astype(float).round(1)
    out = out.rename(columns={"lead_id": data.leads.attrs.get("id_column", model.data.lead_id)})
    path = write_table(out, args.out)
    print(
        f"Scored {len(out):,} leads with {model.name} v{model.version} as of "
        f"{signals.as_of:%Y-%m-%d %H:%M}."
    )
    print(_summary(scored))
    print(f"Wrote {path}")
    return 0


def _port_free(ip: str, port: int) -> bool:
    try:
        with socket.socket() as sock:
            sock.bind((ip, port))
    except OSError:
        return False
    return True


def cmd_dashboard(args: argparse.Namespace) -> int:
    """Check the files, then serve the sales dashboard with Voilà (read-only, offline)."""
    from workbench.ui.inputs import ENV, resolve_inputs

    if args.activities and not args.leads:
        raise UsageError("--activities needs --leads (without --leads the sample is served)")
    if not 0 < args.port < 65536:
        raise UsageError(f"--port must be between 1 and 65535, not {args.port}")
    files = resolve_inputs(args.model, args.leads, args.activities, args.as_of)
    # the checks the page will run, so a bad file is reported here, not as a blank page:
    # the files in full, and the page itself built over a few hundred leads
    from workbench import sales
    from workbench.ui.dashboard import SalesDashboard

    model = load_model(files["model"])
    data = load_data(files["leads"], files["activities"], model=model)
    probe = sales.known_by(data, files["as_of"])
    probe = probe.subset(probe.leads.index[:300])
    signals = compute_signals(model, probe, as_of=files["as_of"])
    SalesDashboard(sales.build_queue(sales.Scoring(model, signals, score_totals(model, signals))))
    print(f"{model.name} v{model.version}: {data.n_leads:,} leads as of {signals.as_of:%Y-%m-%d}")
    if stale := stale_sign_off(model):
        print(f"warning: {stale} The page says so in its header.")
    if len(data.report.rejected_leads) or len(data.report.rejected_activities):
        print(data.report)
    if not _port_free(args.ip, args.port):
        raise UsageError(f"port {args.port} on {args.ip} is in use; choose another with --port")
    import workbench.ui

    jupyter_path = str(Path(workbench.ui.__file__).parent / "jupyter")
    env = {
        **os.environ,
        "JUPYTER_PATH": os.pathsep.join(
            filter(None, [jupyter_path, os.environ.get("JUPYTER_PATH")])
        ),
    }
    for key, value in files.items():
        env.pop(ENV[key], None)
        if value is not None:
            env[ENV[key]] = str(Path(value).resolve()) if key != "as_of" else str(value)
    command = [
        sys.executable, "-m", "voila", str(DASHBOARD_NOTEBOOK), "--no-browser",
        f"--port={args.port}", f"--Voila.ip={args.ip}", "--Voila.port_retries=0",
        "--template=offline", "--theme=light",
        "--strip_sources=True", "--show_tracebacks=False",  # viewers see no code, no traceback
        "--preheat_kernel=True", "--pool_size=1",  # the next visit finds the scores ready
    ]  # fmt: skip
    if args.token:
        command.append(f"--token={args.token}")
    url = f"http://{args.ip}:{args.port}/" + (f"?token={args.token}" if args.token else "")
    if args.ip not in ("127.0.0.1", "localhost", "::1") and not args.token:
        print(
            f"warning: listening on {args.ip} without --token: anyone who can reach it can read it"
        )
    print(f"Sales dashboard: {url}   (Ctrl+C to stop)", flush=True)
    sys.stderr.flush()
    if hasattr(os, "execve"):
        # Voilà takes this process over: Ctrl+C and a service manager's SIGTERM reach it
        os.execve(sys.executable, command, env)
    proc = subprocess.Popen(command, env=env)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        proc.wait(10)
        return 0


def cmd_calibrate(args: argparse.Namespace) -> int:
    from workbench.cli_calibrate import run_calibrate

    return run_calibrate(args)


def cmd_compare(args: argparse.Namespace) -> int:
    from workbench.cli_calibrate import run_compare

    return run_compare(args)


def cmd_report(args: argparse.Namespace) -> int:
    """Check every parameter, then run the report notebook once per segment and date."""
    from workbench.report_runner import plan_reports, run_reports

    jobs = plan_reports(
        args.model, args.leads, args.activities, as_of=args.as_of, segments=args.segment,
        compare_to=args.compare_to, top_n=args.top, out=args.out,
    )  # fmt: skip
    run = run_reports(jobs, echo=print)
    for _, exc in run.failed:
        print(f"error: {exc}", file=sys.stderr)
    return 1 if run.failed else 0


def whole_number(minimum: int):
    """An argparse type: a whole number of at least ``minimum`` (argparse exits 2 otherwise)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, not {value}")
        return value

    parse.__name__ = "whole number"  # argparse names the type in its messages
    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="workbench",
        description="Lead Scoring Workbench: validate models, make sample data, score leads.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help="check a model file (and optionally data against it)")
    p.add_argument("model", help="model YAML file")
    p.add_argument("--leads", help="also check that this leads file fits the model")
    p.add_argument("--activities", help="activities file to check with --leads")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("sample", help="generate a realistic synthetic B2B funnel")
    p.add_argument("--leads", type=int, default=5000, help="number of leads (default 5000)")
    p.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--format", choices=["csv", "parquet"], default="csv")
    p.add_argument("--clean", action="store_true", help="no deliberate data problems")
    p.set_defaults(func=cmd_sample)

    p = sub.add_parser("score", help="score leads with a model and write CSV or Parquet")
    p.add_argument("--model", required=True, help="model YAML file")
    p.add_argument("--leads", required=True, help="leads file (CSV, Parquet or Excel)")
    p.add_argument("--activities", help="activities file (CSV, Parquet or Excel)")
    p.add_argument("--as-of", dest="as_of", help="score as of this date (YYYY-MM-DD)")
    p.add_argument("--out", required=True, help="output file, .csv or .parquet")
    p.add_argument(
        "--top", type=whole_number(0), default=3, help="positive reasons per lead (default 3)"
    )
    p.set_defaults(func=cmd_score)

    p = sub.add_parser(
        "dashboard",
        help="serve the sales dashboard (Voila, read-only; the sample when no files are given)",
    )
    p.add_argument("--model", help="model YAML file (default: the sample model)")
    p.add_argument("--leads", help="leads file (default: the sample leads)")
    p.add_argument("--activities", help="activities file")
    p.add_argument("--as-of", dest="as_of", help="score as of this date (default: newest event)")
    p.add_argument("--port", type=int, default=8866, help="port (default 8866)")
    p.add_argument("--ip", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--token", help="require this token in the URL (?token=...)")
    p.set_defaults(func=cmd_dashboard)

    p = sub.add_parser("calibrate", help="suggest points for a model from past conversions")
    p.add_argument("--model", required=True, help="model YAML file")
    p.add_argument("--leads", required=True, help="leads file with an outcome column")
    p.add_argument("--activities", help="activities file (CSV, Parquet or Excel)")
    p.add_argument("--outcome", help="outcome column (default: the model's, 'converted')")
    p.add_argument("--outcome-date", dest="outcome_date", help="conversion date column")
    p.add_argument("--as-of", dest="as_of", help="evidence as of this date (default: newest)")
    p.add_argument(
        "--backtest-days",
        dest="backtest_days",
        type=int,
        default=90,
        help="backtest outcome window after the cut-off (default 90 days)",
    )
    p.add_argument(
        "--backtest-as-of",
        dest="backtest_as_of",
        help="backtest cut-off date (default: the newest date minus the window)",
    )
    p.add_argument(
        "--backtest-split",
        dest="backtest_split",
        choices=("random", "time"),
        default="random",
        help="random: fit on half the leads, judge the other half (one window of "
        "conversions); time: fit as of an earlier cut-off, judge the window after "
        "(out of time; needs conversion dates in both windows)",
    )
    p.add_argument("--no-backtest", dest="no_backtest", action="store_true")
    p.add_argument("--seed", type=int, default=0, help="backtest split seed (default 0)")
    p.add_argument("--out", help="write the calibrated model here as the next version")
    p.add_argument("--chart", help="write gains and conversion charts here (.svg or .png)")
    p.add_argument(
        "--keep-thresholds",
        dest="keep_thresholds",
        action="store_true",
        help="keep the category thresholds (default: move them so each category keeps its "
        "share of leads)",
    )
    p.add_argument("--author", default="", help="changelog author for --out")
    p.add_argument("--note", default="", help="changelog note for --out")
    p.set_defaults(func=cmd_calibrate)

    p = sub.add_parser("compare", help="compare models on the same leads")
    p.add_argument("--model", required=True, action="append", help="model YAML (twice or more)")
    p.add_argument("--leads", required=True, help="leads file (CSV, Parquet or Excel)")
    p.add_argument("--activities", help="activities file (CSV, Parquet or Excel)")
    p.add_argument("--outcome", help="outcome column (default: the first model's)")
    p.add_argument("--as-of", dest="as_of", help="score as of this date (default: newest)")
    p.set_defaults(func=cmd_compare)

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
    p.add_argument("--top", type=int, default=20, help="leads listed as top and cold (20)")
    p.add_argument(
        "--out", required=True,
        help="HTML file; with several segments or dates, one file each next to it + index.html",
    )  # fmt: skip
    p.set_defaults(func=cmd_report)

    from workbench.cli_draft import add_parsers as add_draft_parsers
    from workbench.cli_signoff import add_parsers as add_sign_off_parser

    add_draft_parsers(sub)  # profile, draft
    add_sign_off_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = args.func(args)
        sys.stdout.flush()  # a closed pipe shows here, not at exit
        return code
    except BrokenPipeError:
        # the reader went away (`workbench compare … | head`): as the Python docs advise,
        # send the rest of the output nowhere and stop quietly
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass  # stdout without a file descriptor (captured in-process): nothing to redirect
        return 1
    except WorkbenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return USER_ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
