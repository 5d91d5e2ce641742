"""Re-scoring speed: 1,000,000 leads × 25 criteria after a points change.

Target (issue #2): under 50 ms, and at most 5× a bare NumPy matrix-vector product over the
same signal matrix, measured in the same run. Prints a Markdown table row set.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from datasets import MODEL, dataset, machine

import workbench as wb


def timed(fn, repeat: int = 25) -> float:
    """Median wall time in ms (after one warm-up)."""
    fn()
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t) * 1000)
    return statistics.median(runs)


def main(n_leads: int = 1_000_000) -> None:
    paths = dataset(n_leads)
    model = wb.load_model(MODEL)
    data = wb.load_data(paths["leads"], paths["activities"], model=model)
    signals = wb.compute_signals(model, data)
    n, k = signals.matrix.shape
    print(f"{machine()}")
    print(
        f"{n:,} leads, {len(model.criteria)} criteria ({k} evidence columns + "
        f"{len(signals.levels)} bins/lookup)"
    )

    edits = iter(range(10**6))

    def rescore():
        m = model.with_points({"pricing_page": 15 + next(edits) % 7})
        return wb.score_totals(m, signals)

    def cold():
        signals.subtotal_cache.entries.clear()  # nothing cached: every bucket's matvec runs
        return wb.score_totals(edited, signals)

    edited = model.with_points({"pricing_page": 21})
    p = np.ones(k, dtype=np.float32)
    t_matvec = timed(lambda: signals.matrix @ p)
    t_rescore = timed(rescore)
    t_cold = timed(cold)
    t_edit = timed(lambda: model.with_points({"pricing_page": 21}))
    ratio = t_rescore / t_matvec
    rows = [
        ("bare NumPy matvec (signal matrix @ points, float32)", t_matvec, ""),
        (
            "points change -> with_points + score_totals (score, buckets, category, grade)",
            t_rescore,
            f"{ratio:.1f}× matvec; the changed bucket is recomputed",
        ),
        (
            "score_totals with nothing memoised (all buckets)",
            t_cold,
            f"{t_cold / t_matvec:.1f}× matvec",
        ),
        ("model.with_points alone (validation)", t_edit, ""),
    ]
    print("| step | median ms | note |\n|---|---:|---|")
    for name, ms, note in rows:
        print(f"| {name} | {ms:.1f} | {note} |")
    ok = t_rescore < 50 and ratio <= 5
    verdict = "MET" if ok else "NOT MET"
    print(f"\ntarget: re-score after a points change < 50 ms and ≤ 5× matvec -> {verdict}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
