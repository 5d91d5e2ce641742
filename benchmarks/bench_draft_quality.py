"""The bar of issue 15: drafted models on CRM-export-like tables, held out, side by side.

For each table of :mod:`crm_exports` (an X-Education-like course export, a UCI
bank-marketing-like table, the shipped sample): the export is written to CSV and loaded
as ``workbench draft`` loads it; a stratified 70/30 split (seed 7); ``draft_model`` on the
70 % as a user runs it (5 folds, leaks screened, no ``--keep``); the 30 % scored by the
real engine (the drafted YAML parsed, signals, totals). Compared on the same 30 % and
THE SAME columns the draft scored (no leaks):

- one-hot logistic regression (numbers in training deciles), the draft's own reference;
- scikit-learn ``HistGradientBoostingClassifier`` (categories native, a category with
  more values than HGB takes target-encoded on the training rows);
- the same boosting restricted to no interactions (diagnostic: is a gap combinations?).

Also: which planted leaks were flagged, that none is used (in any criterion, combinations
included), and conversion per category on the 30 % (A > B > C strictly).

With ``--seeds N`` the split is drawn N times (seeds 7, 8, …) and a second table gives,
per table, the mean and spread of draft − LR over the splits and, per split, the paired
DeLong z of the difference (:func:`~workbench.learning.calibration.auc_difference`): is a
gap systematic or the split's noise? (N times the runtime.)

    python benchmarks/bench_draft_quality.py [--only course|bank|sample] [--seeds N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

sys.path.insert(0, str(Path(__file__).resolve().parent))

import crm_exports

import workbench as wb
from workbench.analysis.metrics import auc
from workbench.cli.learn import load_export
from workbench.data.numbers import read_numbers
from workbench.learning.calibration import auc_difference
from workbench.learning.drafting import draft_model, engine_scores, subset
from workbench.learning.profiling import outcome_values
from workbench.learning.reference import reference_predictions

NATIVE_MAX = 250  # HGB's categorical support takes at most max_bins (255) categories


def boosting_frames(
    train: pd.DataFrame, y_train: np.ndarray, test: pd.DataFrame, columns, types, seed: int = 7
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The columns as HGB takes them: numbers as read by the engine, categories as pandas
    categories (values compared as the engine compares them), many-valued ones encoded by
    their training conversion (cross-fitted by scikit-learn's TargetEncoder)."""
    from sklearn.model_selection import StratifiedKFold
    from sklearn.preprocessing import TargetEncoder

    a, b = {}, {}
    for name in columns:
        if types[name] == "numeric":
            a[name], b[name] = read_numbers(train[name]), read_numbers(test[name])
            continue
        ta = train[name].astype("str").str.strip().str.casefold().fillna("(missing)")
        tb = test[name].astype("str").str.strip().str.casefold().fillna("(missing)")
        if ta.nunique() > NATIVE_MAX:
            enc = TargetEncoder(
                target_type="binary", cv=StratifiedKFold(5, shuffle=True, random_state=seed)
            )
            a[name] = enc.fit_transform(ta.to_frame(), y_train)[:, 0]
            b[name] = enc.transform(tb.to_frame())[:, 0]
        else:
            cats = pd.CategoricalDtype(sorted(ta.unique()))
            a[name] = ta.astype(cats).reset_index(drop=True)
            b[name] = tb.astype(cats).reset_index(drop=True)
    return pd.DataFrame(a), pd.DataFrame(b)


def boosting_predictions(fa, y_train, fb, *, additive: bool, seed: int = 7) -> np.ndarray:
    from sklearn.ensemble import HistGradientBoostingClassifier

    cats = [isinstance(fa[c].dtype, pd.CategoricalDtype) for c in fa.columns]
    hgb = HistGradientBoostingClassifier(
        categorical_features=cats,
        interaction_cst="no_interactions" if additive else None,
        random_state=seed,
    )
    hgb.fit(fa, y_train > 0.5)
    return hgb.predict_proba(fb)[:, 1]


def fields_used(model: wb.Model) -> set[str]:
    """Every column any criterion reads (inside combinations too)."""
    out: set[str] = set()

    def walk(node) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("field"), str):
                out.add(node["field"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(model.to_dict()["criteria"])
    return out


def load(export: crm_exports.Export, folder: Path) -> wb.LeadData:
    """The export as ``workbench draft`` loads it: a CSV file, --id or --row-id."""
    path = folder / f"{export.outcome}_{len(export.frame)}.csv"
    export.frame.to_csv(path, index=False)
    return load_export(str(path), export.id_column, export.outcome)


def run(export: crm_exports.Export, folder: Path, seed: int = 7) -> dict:
    data = load(export, folder)
    y = outcome_values(data, export.outcome)
    rows = np.flatnonzero(~np.isnan(y))
    train, test = train_test_split(rows, test_size=0.3, stratify=y[rows], random_state=seed)
    started = time.perf_counter()
    draft = draft_model(subset(data, train), export.outcome)
    took = time.perf_counter() - started
    model = wb.parse_model_text(draft.yaml())
    score, cat = engine_scores(model, subset(data, test))
    yt, ytr = y[test], y[train]
    types = draft.profile.columns["type"].to_dict()
    used = list(draft.used)
    lead_a, lead_b = data.leads.iloc[train], data.leads.iloc[test]
    lr = reference_predictions(lead_a, ytr, lead_b, used, types)
    fa, fb = boosting_frames(lead_a, ytr, lead_b, used, types)
    hgb = boosting_predictions(fa, ytr, fb, additive=False)
    hgb_add = boosting_predictions(fa, ytr, fb, additive=True)
    flagged = draft.profile.columns.index[draft.profile.columns["leak"]].tolist()
    in_model = fields_used(model)
    rates = []
    for k, t in enumerate(model.categories):
        sel = cat == k
        rates.append((t.name, float(yt[sel].mean()) if sel.any() else float("nan"), int(sel.sum())))
    combos = [c.label for c in model.criteria if c.rule.kind == "all_of"]
    diff, se = auc_difference(lr, score, yt)
    return {
        "table": export.name,
        "rows": f"{len(train):,} / {len(test):,}",
        "draft": auc(score, yt),
        "lr": auc(lr, yt),
        "hgb": auc(hgb, yt),
        "hgb_add": auc(hgb_add, yt),
        "cv": draft.cv_auc,
        "seed": seed,
        "z": diff / se if se > 0 else float("nan"),
        "rates": rates,
        "ordered": all(rates[i][1] > rates[i + 1][1] for i in range(len(rates) - 1)),
        "planted": export.leaks,
        "flagged": flagged,
        "missed": [c for c in export.leaks if c not in flagged],
        "leaks_used": sorted(in_model & set(export.leaks)),
        "used": used,
        "combos": combos,
        "seconds": took,
        "draft_obj": draft,
    }


def report(results: list[dict]) -> str:
    lines = [
        "| table | train / held-out | drafted AUC | one-hot LR | HGB | HGB, no interactions "
        "| draft − LR | HGB − draft | bar | draft time |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for r in results:
        met = r["draft"] >= r["lr"] and r["hgb"] - r["draft"] <= 0.015
        lines.append(
            f"| {r['table']} | {r['rows']} | {r['draft']:.3f} | {r['lr']:.3f} | {r['hgb']:.3f} "
            f"| {r['hgb_add']:.3f} | {r['draft'] - r['lr']:+.3f} | {r['hgb'] - r['draft']:+.3f} "
            f"| {'met' if met else 'NOT met'} | {r['seconds']:.0f} s |"
        )
    lines += [
        "",
        "| table | planted leaks | flagged (all) | planted leak used | conversion per category "
        "(held-out) | strict order |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        cats = ", ".join(f"{n} {rate:.1%} (n={k:,})" for n, rate, k in r["rates"])
        lines.append(
            f"| {r['table']} | {', '.join(r['planted'])} | {', '.join(r['flagged']) or '—'} "
            f"| {', '.join(r['leaks_used']) or 'none'} | {cats} | "
            f"{'yes' if r['ordered'] else 'NO'} |"
        )
    lines.append("")
    for r in results:
        lines.append(f"- {r['table']}: scored {len(r['used'])} columns ({', '.join(r['used'])})"
                     f"; combinations: {'; '.join(r['combos']) or 'none'}.")  # fmt: skip
    return "\n".join(lines)


def seeds_report(runs: list[dict]) -> str:
    """Per table over the splits: mean draft and LR AUC, draft − LR mean and spread, the
    per-split DeLong z of draft − LR, and on how many splits the draft was at least LR."""
    lines = [
        "| table | splits | drafted AUC (mean) | one-hot LR (mean) | draft − LR mean ± sd "
        "| DeLong z per split | draft ≥ LR |",
        "|---|---:|---:|---:|---:|---|---:|",
    ]
    for table in dict.fromkeys(r["table"] for r in runs):
        rs = [r for r in runs if r["table"] == table]
        d = np.array([r["draft"] - r["lr"] for r in rs])
        sd = d.std(ddof=1) if len(d) > 1 else float("nan")
        zs = ", ".join(f"{r['z']:+.1f}" for r in rs)
        lines.append(
            f"| {table} | {len(rs)} | {np.mean([r['draft'] for r in rs]):.4f} "
            f"| {np.mean([r['lr'] for r in rs]):.4f} | {d.mean():+.4f} ± {sd:.4f} | {zs} "
            f"| {int((d >= 0).sum())}/{len(rs)} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["course", "bank", "sample"], action="append")
    parser.add_argument("--verbose", action="store_true", help="print each draft's summary")
    parser.add_argument(
        "--seeds", type=int, default=1, help="splits to draw (seeds 7, 8, …); N × the runtime"
    )
    args = parser.parse_args()
    makers = {
        "course": crm_exports.online_course_leads,
        "bank": crm_exports.bank_telemarketing,
        "sample": crm_exports.shipped_sample,
    }
    results, runs = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for key in args.only or list(makers):
            export = makers[key]()
            for k in range(max(args.seeds, 1)):
                r = run(export, Path(tmp), seed=7 + k)
                if args.verbose:
                    print(r["draft_obj"].summary())
                runs.append(r)
                if k == 0:
                    results.append(r)
    print(report(results))
    if args.seeds > 1:
        print()
        print(seeds_report(runs))


if __name__ == "__main__":
    main()
