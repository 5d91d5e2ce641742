"""Tuning app: kernel-side update after a slider change (issue #3).

Target: re-score, aggregate and rebuild chart data in under 100 ms for 100,000 leads and
under 500 ms for 1,000,000 leads. Measured through the same call a slider makes.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from datasets import dataset, machine

import workbench as wb
from workbench.ui import TuningApp

MODEL = Path(__file__).resolve().parents[1] / "data" / "samples" / "b2b_model.yaml"


def main() -> None:
    print(machine())
    print("| leads | slider update, median ms | target |\n|---:|---:|---|")
    for n, target in ((100_000, 100), (1_000_000, 500)):
        paths = dataset(n)
        model = wb.load_model(MODEL)
        data = wb.load_data(paths["leads"], paths["activities"], model=model)
        app = TuningApp(model, wb.compute_signals(model, data))
        slider = app.point_controls["pricing_page"][0]
        runs = []
        for i in range(15):
            started = time.perf_counter()
            slider.value = 16 + i  # what a released slider does: re-score, aggregate, redraw
            runs.append((time.perf_counter() - started) * 1000)
        ms = statistics.median(runs[1:])
        print(f"| {n:,} | {ms:.0f} | < {target} ms: {'MET' if ms < target else 'NOT MET'} |")


if __name__ == "__main__":
    main()
