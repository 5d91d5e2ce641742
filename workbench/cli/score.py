"""``workbench validate``, ``sample`` and ``score``: check a model, make data, score leads."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

from workbench.analysis.metrics import scale_pileup
from workbench.cli.options import (
    MAX_SEED,
    TABLE_SUFFIXES,
    check_date,
    check_out,
    option_check,
    seed_number,
    whole_number,
)
from workbench.data import load_data
from workbench.data.export import export_format, unwritable, write_table
from workbench.engine.scoring import score_frame, score_totals
from workbench.engine.signals import compute_signals
from workbench.errors import DataError, UsageError
from workbench.files import copy_atomic
from workbench.model import Model, load_model
from workbench.model.signoff import sign_off_lines, stale_sign_off
from workbench.model.spec import OUTPUT_COLUMNS
from workbench.resources import samples_dir

SAMPLE_MODEL = "b2b_model.yaml"
MAX_SAMPLE_LEADS = 10_000_000
"""Leads ``sample`` makes at most: ten times the million the engine is tuned for, so a
slipped digit is refused at once instead of ending in a MemoryError."""


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
        warnings = [*signals.warnings, *scale_pileup(score_totals(model, signals), model)]
        for w in warnings:
            print(f"  warning: {w}")
        n_warn = len(warnings)
        print(
            f"The model fits the data ({data.n_leads:,} leads)"
            + (f", with {n_warn} warning{'s' if n_warn > 1 else ''} above." if n_warn else ".")
        )
    return 0


def cmd_sample(args: argparse.Namespace) -> int:
    from workbench.data.synthetic import write_sample

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
    model, copied = _sample_model(out)
    print(f"  model: {model}" + ("" if copied else " (already there: left as it is)"))
    print(
        f"Next: workbench score --model {model} --leads {paths['leads']} "
        f"--activities {paths['activities']} --out scores.csv"
    )
    return 0


def _sample_model(folder: Path) -> tuple[Path, bool]:
    """The default model next to the sample data, so an installed copy has all three files
    in one folder the user can see; a model file already there is never overwritten."""
    target = folder / SAMPLE_MODEL
    if target.exists():
        return target, False
    copy_atomic(samples_dir() / SAMPLE_MODEL, target)
    return target, True


def _summary(scored: pd.DataFrame) -> str:
    counts = scored["category"].value_counts(sort=False)
    total = len(scored)
    parts = [f"{name} {n:,} ({n / total:.0%})" for name, n in counts.items()] if total else []
    return "Categories: " + ", ".join(parts)


def cmd_score(args: argparse.Namespace) -> int:
    with option_check():
        export_format(args.out)  # refuse a bad --out before the expensive work
    check_out(
        args.out, {"--model": args.model, "--leads": args.leads, "--activities": args.activities}
    )
    check_date(args.as_of)
    model = load_model(args.model)
    data = load_data(args.leads, args.activities, model=model)
    print(data.report)
    if not data.n_leads:
        raise DataError(f"{args.leads}: no leads to score (the report above says why)")
    signals = compute_signals(model, data, as_of=args.as_of)
    totals = score_totals(model, signals)
    for w in [*signals.warnings, *scale_pileup(totals, model)]:
        print(f"  warning: {w}")
    scored = score_frame(model, signals, totals, top=args.top)
    headline = [c for c in OUTPUT_COLUMNS if c not in ("lead_id", "reasons")]
    wanted = [*headline, *model.bucket_ids, "reasons"]
    columns = [c for c in wanted if c in scored.columns]
    out = scored[columns].reset_index()
    for b in model.bucket_ids:
        out[b] = out[b].astype(float).round(1)
    out = out.rename(columns={"lead_id": data.id_column})
    path = write_table(out, args.out)
    print(
        f"Scored {len(out):,} leads with {model.name} v{model.version} as of "
        f"{signals.as_of:%Y-%m-%d %H:%M}."
    )
    print(_summary(scored))
    print(f"Wrote {path}")
    return 0


def add_parsers(sub) -> None:
    """The ``validate``, ``sample`` and ``score`` subcommands."""
    p = sub.add_parser("validate", help="check a model file (and optionally data against it)")
    p.add_argument("model", help="model YAML file")
    p.add_argument("--leads", help="also check that this leads file fits the model")
    p.add_argument("--activities", help="activities file to check with --leads")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("sample", help="generate a realistic synthetic B2B funnel")
    p.add_argument(
        "--leads", type=whole_number(1, MAX_SAMPLE_LEADS), default=5000,
        help=f"number of leads, 1 to {MAX_SAMPLE_LEADS:,} (default 5000)",
    )  # fmt: skip
    p.add_argument(
        "--seed", type=seed_number, default=42, help=f"random seed, 0 to {MAX_SEED:,} (default 42)"
    )
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
