"""``workbench calibrate`` and ``workbench compare``: learn points from past conversions,
and choose between models. Plain-text tables for a terminal; the work is done by
:mod:`workbench.learning.calibration` and :mod:`workbench.analysis.comparison`.

An option to change raises :class:`~workbench.errors.UsageError`, a file that cannot be
used ``DataError``, so ``workbench.cli.main`` prints one paragraph and exits 2.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from workbench.analysis import metrics
from workbench.analysis.comparison import compare_models
from workbench.cli.options import MAX_SEED, check_date, check_out, option_check, seed_number
from workbench.data import load_data
from workbench.data.export import refuse_overwrite, same_file
from workbench.data.loading import LeadData
from workbench.engine.signals import compute_signals
from workbench.errors import DataError, Problem, UsageError, column_hint
from workbench.files import atomic_output
from workbench.model import load_model
from workbench.model.spec import Model
from workbench.model.versioning import VersionExists, first_free, save_version, yaml_file
from workbench.text import shorten

if TYPE_CHECKING:
    from workbench.learning.calibration import Calibration


def _pct(x: float) -> str:
    return "–" if pd.isna(x) else f"{x:.1%}"


def _num(x: float, digits: int = 3) -> str:
    return "–" if pd.isna(x) else f"{x:.{digits}f}"


def _load(model: Model, args: argparse.Namespace, outcome_required: bool) -> LeadData:
    """Leads and activities read with the model's column names and the chosen outcome."""
    col = args.outcome or model.data.outcome
    mapping = model.data.model_copy(update={"outcome": col})
    if getattr(args, "outcome_date", None):
        mapping = mapping.model_copy(update={"outcome_date": args.outcome_date})
    data = load_data(args.leads, args.activities, model=model, mapping=mapping)
    columns = [str(c) for c in data.leads.columns]
    if col and col not in data.leads.columns and (args.outcome or outcome_required):
        raise UsageError(
            [
                Problem(
                    "--outcome",
                    f"no column '{col}' in {args.leads}." + column_hint(col, columns),
                )
            ]
        )
    if outcome_required and not col:
        raise UsageError("give the outcome column with --outcome COL (e.g. --outcome converted)")
    return data


def _metrics_table(cal: Calibration) -> str:
    m = cal.metrics
    frame = pd.DataFrame(
        {
            "leads": m["leads"].map("{:,}".format),
            "converted": m["converted"].map("{:,}".format),
            "AUC": m["auc"].map(_num),
            "top 10 % convert": m["top10"].map(_pct),
        }
    )
    return frame.to_string()


def _category_table(cal: Calibration) -> str:
    parts = []
    for name in ("current", "suggested"):
        t = cal.conversion[name]
        parts.append(
            pd.DataFrame(
                {
                    (name, "leads"): t["leads"].map("{:,}".format),
                    (name, "share"): t["share"].map(_pct),
                    (name, "rate"): t["rate"].map(_pct),
                    (name, "95 % interval"): [
                        f"{_pct(lo)}–{_pct(hi)}" for lo, hi in zip(t["low"], t["high"], strict=True)
                    ],
                    (name, "lift"): t["lift"].map(lambda x: _num(x, 2)),
                },
                index=t.index,
            )
        )
    return pd.concat(parts, axis=1).to_string()


def _gains_table(cal: Calibration) -> str:
    cur, sug = cal.gains["current"], cal.gains["suggested"]
    frame = pd.DataFrame(
        {
            "top": cur["top_share"].map(lambda x: f"{x:.0%}"),
            "current: rate": cur["rate"].map(_pct),
            "current: gain": cur["gain"].map(_pct),
            "suggested: rate": sug["rate"].map(_pct),
            "suggested: gain": sug["gain"].map(_pct),
        }
    )
    return frame.to_string(index=False)


def evidence_text(cal: Calibration) -> str:
    """Every suggested value with its evidence, one row per criterion or level."""
    t = cal.suggestion.table
    frame = pd.DataFrame(
        {
            "criterion": t["label"].map(lambda v: shorten(str(v), 28)),
            "level": t["level"].map(lambda v: shorten(str(v), 28)),
            "now": t["current"].map("{:g}".format),
            "suggested": t["suggested"].map("{:g}".format),
            "leads": t["leads"].map("{:,}".format),
            "converted": t["converted"].map("{:,}".format),
            "rate": t["rate"].map(_pct),
            "95 % interval": [
                f"{_pct(lo)}–{_pct(hi)}" for lo, hi in zip(t["low"], t["high"], strict=True)
            ],
            "lift": t["lift"].map(lambda x: _num(x, 2)),
            "note": t["note"],
        }
    )
    # text left-aligned (a right-aligned note runs into the figures), figures right-aligned
    text_cols = {"criterion", "level", "note"}
    width = {c: max(len(c), *(len(v) for v in frame[c])) if len(frame) else len(c) for c in frame}
    text = frame.to_string(
        index=False,
        formatters={c: (lambda v, w=width[c]: f"{v:<{w}}") for c in text_cols},
        justify="left",
    )
    return "\n".join(line.rstrip() for line in text.splitlines())


def _thresholds_text(cal: Calibration) -> str:
    """'A ≥ 58 (was 60), B ≥ 31 (was 35)', or that they stayed as they were."""
    moved = [
        f"{new.name} ≥ {new.min:g} (was {old.min:g})"
        for old, new in zip(cal.model.categories[:-1], cal.suggested.categories[:-1], strict=True)
        if old.min != new.min
    ]
    if not moved:
        return "thresholds unchanged"
    return "suggested thresholds keep each category's share of leads: " + ", ".join(moved)


def _report(cal: Calibration, heading: str) -> None:
    print(heading)
    print(_metrics_table(cal))
    print(f"\nConversion by category ({_thresholds_text(cal)}):")
    print(_category_table(cal))
    print("\nGains: leads ranked by score, in tenths (rate in each tenth, conversions so far)")
    print(_gains_table(cal))


def _exists(path: Path, free: Path) -> UsageError:
    return UsageError(
        f"--out {path}: the file exists, and a saved version is never overwritten; give "
        f"another name (--out {free} is the next free version) or a folder "
        f"(--out {path.parent}) to save the next free version in"
    )


def _version_out(args: argparse.Namespace, model: Model) -> tuple[Path | None, bool]:
    """Where ``--out`` saves the next version, and whether it is a folder (then the next
    free version name of the model's file in it is taken). An existing file is refused
    before any work starts: a saved version is never overwritten."""
    if not args.out:
        return None, False
    out = Path(args.out).expanduser()
    if out.is_dir():
        return out / Path(args.model).name, True
    out = yaml_file(out)  # 'ours' is saved as ours.yaml
    if out.exists() or out.is_symlink():
        raise _exists(out, first_free(out, model.version + 1)[0])
    return out, False


def run_calibrate(args: argparse.Namespace) -> int:
    # imported here: altair and the fitting code take seconds to import, and every other
    # command (score, validate …) builds this parser too
    import altair as alt

    from workbench.learning.calibration import backtest, calibrate, holdout_verdict
    from workbench.ui.calibration_charts import suggestion_charts

    inputs = {"--model": args.model, "--leads": args.leads, "--activities": args.activities}
    with option_check():
        refuse_overwrite(args.out, inputs)
        refuse_overwrite(args.chart, inputs, "--chart")
    if args.out and args.chart and same_file(args.out, args.chart):
        raise UsageError(f"--out and --chart name the same file {args.out}; give two files")
    model = load_model(args.model)
    if args.chart and Path(args.chart).suffix.lower() not in (".svg", ".png"):
        raise UsageError(
            f"--chart {args.chart}: write the charts as .svg or .png (pictures that open "
            "anywhere, with no network)"
        )
    out, out_folder = _version_out(args, model)
    check_out(first_free(out, model.version + 1)[0] if out_folder else out, inputs)
    check_out(args.chart or None, inputs, "--chart")
    if args.backtest_days < 1:
        raise UsageError(f"--backtest-days must be at least 1, not {args.backtest_days}")
    check_date(args.as_of)
    if not args.no_backtest:
        check_date(args.backtest_as_of, "--backtest-as-of")
    data = _load(model, args, outcome_required=True)
    signals = compute_signals(model, data, as_of=args.as_of)
    y = metrics.outcome_array(signals)
    known = ~np.isnan(y)
    print(
        f"{model.name} v{model.version}: {data.n_leads:,} leads, {int(known.sum()):,} with an "
        f"outcome ('{data.mapping.outcome}'), {int(np.nansum(y)):,} converted "
        f"({np.nanmean(y):.1%}); evidence as of {signals.as_of:%Y-%m-%d}."
    )
    cal = calibrate(model, signals, y, keep_shares=not args.keep_thresholds, holdout=False)
    s = cal.suggestion
    print(
        f"\nSuggested points (regularised logistic regression on the model's evidence, "
        f"{s.factor:.1f} points per unit of log-odds; evidence = fitted leads where the "
        "criterion applies):"
    )
    print(evidence_text(cal))
    if model.segments is not None and any(v.points for v in model.segments.variants):
        print("Segment variants' point overrides are kept as they are.")
    _report(cal, "\nIn-sample (measured on the leads the points were fitted on; flatters them):")

    charts = [suggestion_charts(cal.gains, cal.conversion, "in-sample")]
    judged = None
    if not args.no_backtest:
        try:
            bt = backtest(
                model,
                data,
                days=args.backtest_days,
                cutoff=args.backtest_as_of,
                seed=args.seed,
                keep_shares=not args.keep_thresholds,
                split=args.backtest_split,
            )
        except DataError as exc:
            print(f"\nNo backtest: {exc}")
        else:
            skipped = ", ".join(f"{n:,} {why}" for why, n in bt.excluded.items() if n)
            fitted = (
                f"Points fitted on a random half ({len(bt.fit_leads):,} leads), every figure "
                f"below on the other half ({len(bt.eval_leads):,} leads)"
                if bt.split == "random"
                else f"Points fitted out of time: as of {bt.fit_cutoff:%Y-%m-%d} on "
                f"{len(bt.fit_leads):,} leads and their conversions up to "
                f"{bt.cutoff:%Y-%m-%d}; every figure below on the {len(bt.eval_leads):,} "
                "leads of the later window"
            )
            _report(
                bt.calibration,
                f"\nBacktest: scored as of {bt.cutoff:%Y-%m-%d} with only what was known then; "
                f"outcome = converted within {bt.days} days after. {fitted}"
                + (f"; left out: {skipped}." if skipped else "."),
            )
            print(
                "Lead fields are read as they are in the file: a field filled in after the "
                "cut-off (e.g. a sales status) can flatter both models."
            )
            c = bt.calibration
            judged = c.verdict
            half = "held-out half" if bt.split == "random" else "later window"
            charts.append(suggestion_charts(c.gains, c.conversion, f"backtest, {half}"))
    if judged is None:  # no backtest: judge on a random half of the same leads instead
        judged = holdout_verdict(model, signals, y, seed=args.seed)
    print("\n" + judged.text())
    if args.chart:
        path = Path(args.chart)
        with atomic_output(path) as tmp:  # drawn by vl-convert: no browser, no network
            alt.vconcat(*charts).save(str(tmp), format=path.suffix.lower().lstrip("."))
        print(f"\nWrote the gains and conversion charts to {path}")
    if args.out and not judged.adopt and not args.force:
        raise UsageError(
            f"--out {args.out}: nothing written, as the verdict is '{judged.decision}'. "
            "Add --force to write it anyway."
        )
    if args.out:
        auc = cal.metrics["auc"]
        note = args.note or (
            f"Calibrated on {Path(args.leads).name}: in-sample AUC "
            f"{auc['current']:.3f} → {auc['suggested']:.3f}"
        )
        try:
            saved = save_version(
                model,
                cal.suggested,
                out,
                parent=args.model,
                next_free=out_folder,
                author=args.author,
                note=note,
            )
        except VersionExists as exc:  # created meanwhile by someone else
            raise _exists(exc.path, exc.free) from None
        print(f"\n{saved.summary()} Sign-off cleared: sales and marketing approve it again.")
    return 0


def run_compare(args: argparse.Namespace) -> int:
    if len(args.model) < 2:
        raise UsageError("give at least two models: --model A.yaml --model B.yaml")
    check_date(args.as_of)
    models = [load_model(p) for p in args.model]
    data = _load(models[0], args, outcome_required=False)
    signals = [compute_signals(m, data, as_of=args.as_of) for m in models]
    result = compare_models(models, signals)
    print(f"{data.n_leads:,} leads, as of {signals[0].as_of:%Y-%m-%d}.")
    for name, path in zip(result.names, args.model, strict=True):
        print(f"  {name}: {path}")
    m = result.metrics
    table = pd.DataFrame({"leads": m["leads"].map("{:,}".format)})
    if "auc" in m:
        table["outcomes"] = m["outcomes"].map("{:,}".format)
        table["converted"] = m["converted"].map("{:,}".format)
        table["AUC"] = m["auc"].map(_num)
        table["top 10 % convert"] = m["top_conversion"].map(_pct)
    else:
        print("No outcomes in the data: AUC and conversion not shown.")
    print("\n" + table.to_string())
    print("\nLeads per category:")
    dist = result.distribution
    shares = dist / dist.sum()
    print(
        pd.DataFrame(
            {
                c: [f"{n:,} ({s:.0%})" for n, s in zip(dist[c], shares[c], strict=True)]
                for c in dist.columns
            },
            index=dist.index,
        ).to_string()
    )
    if "auc" in m:
        print("\nConversion by category:")
        rates = pd.DataFrame(
            {name: t["rate"].map(_pct) for name, t in result.conversion.items()}
        ).fillna("–")
        print(rates.to_string())
    for name, matrix in result.transitions.items():
        print(f"\n{result.names[0]} (rows) → {name} (columns):")
        print(matrix.to_string())
        for sentence in metrics.move_sentences(matrix):
            print(f"  {sentence}")
    return 0


def add_parsers(sub) -> None:
    """The ``calibrate`` and ``compare`` subcommands."""
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
    p.add_argument(
        "--seed", type=seed_number, default=0,
        help=f"backtest split seed, 0 to {MAX_SEED:,} (default 0)",
    )  # fmt: skip
    p.add_argument(
        "--out",
        help="write the calibrated model as the next version to this new file, or into this "
        "folder as the next free version (b2b_model_v2.yaml, _v3 …); never overwrites",
    )
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
    p.add_argument(
        "--force",
        action="store_true",
        help="write --out even when the verdict is 'do not adopt' or 'not enough "
        "conversions to tell'",
    )
    p.set_defaults(func=run_calibrate)

    p = sub.add_parser("compare", help="compare models on the same leads")
    p.add_argument("--model", required=True, action="append", help="model YAML (twice or more)")
    p.add_argument("--leads", required=True, help="leads file (CSV, Parquet or Excel)")
    p.add_argument("--activities", help="activities file (CSV, Parquet or Excel)")
    p.add_argument("--outcome", help="outcome column (default: the first model's)")
    p.add_argument("--as-of", dest="as_of", help="score as of this date (default: newest)")
    p.set_defaults(func=run_compare)
