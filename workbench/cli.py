"""The ``workbench`` command: validate a model, generate sample data, score leads.

User errors (bad files, bad options) print one paragraph and exit 2, with no traceback.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

import pandas as pd

from workbench.data import load_data
from workbench.errors import WorkbenchError
from workbench.export import export_format, write_table
from workbench.scoring import score
from workbench.signals import compute_signals
from workbench.spec import Model, load_model
from workbench.spec.model import OUTPUT_COLUMNS

USER_ERROR = 2


class UsageError(Exception):
    """Bad command-line input found after argparse (exit 2)."""


def _describe_model(model: Model) -> str:
    per_bucket = ", ".join(
        f"{sum(c.bucket == b.id for c in model.criteria)} {b.id}" for b in model.buckets
    )
    bands = ", ".join(
        f"{t.name} ≥ {t.min:g}" if t.min is not None else t.name for t in model.categories
    )
    signed = ", ".join(f"{a.name}" + (f" ({a.role})" if a.role else "") for a in model.approved_by)
    lines = [
        f"{model.name} v{model.version}: {len(model.criteria)} criteria ({per_bucket}).",
        f"Categories: {bands}.",
        f"Signed off by: {signed}." if signed else "Not signed off yet.",
    ]
    if model.segments is not None and model.segments.variants:
        names = ", ".join(v.value for v in model.segments.variants)
        lines.append(f"Segment variants on '{model.segments.field}': {names}.")
    return "\n".join(lines)


def cmd_validate(args: argparse.Namespace) -> int:
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
        print(f"The model fits the data ({data.n_leads:,} leads).")
    return 0


def cmd_sample(args: argparse.Namespace) -> int:
    from workbench.synthetic import write_sample

    if args.leads < 1:
        raise UsageError("--leads must be at least 1")
    started = time.perf_counter()
    paths = write_sample(
        args.out, n_leads=args.leads, seed=args.seed, fmt=args.format, messy=not args.clean
    )
    took = time.perf_counter() - started
    print(f"Wrote {args.leads:,} leads (seed {args.seed}) in {took:.1f} s:")
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
    model = load_model(args.model)
    data = load_data(args.leads, args.activities, model=model)
    print(data.report)
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
    out = out.rename(columns={"lead_id": model.data.lead_id})
    path = write_table(out, args.out)
    print(
        f"Scored {len(out):,} leads with {model.name} v{model.version} as of "
        f"{signals.as_of:%Y-%m-%d %H:%M}."
    )
    print(_summary(scored))
    print(f"Wrote {path}")
    return 0


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
    p.add_argument("--top", type=int, default=3, help="positive reasons per lead (default 3)")
    p.set_defaults(func=cmd_score)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
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
