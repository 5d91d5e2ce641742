"""The bar of issue #6: a drafted model on held-out leads vs scikit-learn on one-hot features.

Drafts on 70 % of the leads (stratified split, seed 7), scores the other 30 % with the real
engine (load_model of the drafted YAML text + compute_signals + score_totals), and compares
with scikit-learn's LogisticRegression on one-hot encoded features over the same columns.
Also reports the draft's 5-fold cross-validated AUC on the full shipped sample.

    python benchmarks/bench_draft.py
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from sklearn.model_selection import train_test_split

import workbench as wb
from workbench.analysis.metrics import auc
from workbench.data.synthetic import generate_sample
from workbench.learning.drafting import draft_model, engine_scores, subset
from workbench.learning.reference import reference_predictions

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "samples" / "leads.csv"


def held_out(data: wb.LeadData, label: str) -> None:
    y = data.leads["converted"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    train, test = train_test_split(np.arange(len(y)), test_size=0.3, stratify=y, random_state=7)
    started = time.perf_counter()
    draft = draft_model(subset(data, train), "converted", folds=0)
    took = time.perf_counter() - started
    model = wb.parse_model_text(draft.yaml())
    score, cat = engine_scores(model, subset(data, test))
    types = draft.profile.columns["type"].to_dict()
    ref = reference_predictions(data.leads.iloc[train], y[train], data.leads.iloc[test],
                                draft.used, types)  # fmt: skip
    yt = y[test]
    parts = []
    for k, t in enumerate(model.categories):
        sel = cat == k
        parts.append(f"{t.name} {yt[sel].mean():.1%} (n={sel.sum():,})")
    print(
        f"| {label} | {len(train):,} / {len(test):,} | {auc(score, yt):.3f} | {auc(ref, yt):.3f} "
        f"| {', '.join(parts)} | {took:.1f} s |"
    )


def main() -> None:
    sample = wb.load_data(SAMPLE)
    draft = draft_model(sample, "converted", folds=5)
    print(f"sample, 5-fold CV: drafted {draft.cv_auc:.3f}, one-hot LR {draft.reference_auc:.3f}")
    print(draft.conversion.round(3))
    print("| data | train / held-out | drafted AUC | one-hot LR AUC | conversion per category "
          "(held-out) | draft time |")  # fmt: skip
    print("|---|---|---:|---:|---|---:|")
    held_out(sample, "shipped sample (5,000)")
    for n, seed in ((20_000, 11), (100_000, 3)):
        leads, _ = generate_sample(n, seed=seed, messy=False)
        held_out(wb.load_data(leads), f"synthetic {n:,} (seed {seed})")


if __name__ == "__main__":
    main()
