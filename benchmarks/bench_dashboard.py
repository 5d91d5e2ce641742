"""Sales dashboard: what a rep waits for, kernel side (issue #4).

Targets: the page is ready in under 10 s on the sample (measured in the browser by
``tests/test_dashboard_browser.py``, written to ``out/screenshots/dashboard_timings.json``);
a filter or a lead selection answers in under 1 s. Here the same calls the widgets make
are timed at 100,000 and 1,000,000 leads, so the 1 s holds where it is hardest.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from datasets import dataset, machine

from workbench.ui.dashboard import SalesDashboard

MODEL = Path(__file__).resolve().parents[1] / "data" / "samples" / "b2b_model.yaml"


def timed(action, runs: int = 5) -> float:
    """Median milliseconds of ``action()`` over ``runs`` runs after one warm-up."""
    action()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    print(machine())
    print(
        "| leads | load + score twice, s | category filter, ms | owner + text search, ms "
        "| next page, ms | open a lead card, ms | export A leads, s |\n"
        "|---:|---:|---:|---:|---:|---:|---:|"
    )
    for n in (100_000, 1_000_000):
        paths = dataset(n)
        started = time.perf_counter()
        app = SalesDashboard.load(MODEL, paths["leads"], paths["activities"])
        load_s = time.perf_counter() - started

        def category(app=app):
            app.category.value = "B"
            app.category.value = ""

        def search(app=app):
            app.owner.value = app.queue.owners[0]
            app.search.value = "director"
            app.search.value = ""
            app.owner.value = ""

        leads = list(app.queue.frame["lead_id"].iloc[1000:1010])

        def select(app=app, leads=leads):
            select.i = (getattr(select, "i", 0) + 1) % len(leads)
            app.select(leads[select.i])

        app.category.value = "A"
        started = time.perf_counter()
        _, payload, _ = app.export_file()
        export_s = time.perf_counter() - started
        app.category.value = ""
        ms = {
            "category": timed(category) / 2,  # two filter changes per run
            "search": timed(search) / 4,
            "page": timed(lambda app=app: (app.turn(1), app.turn(-1))) / 2,
            "select": timed(select),
        }
        print(
            f"| {n:,} | {load_s:.1f} | {ms['category']:.0f} | {ms['search']:.0f} "
            f"| {ms['page']:.0f} | {ms['select']:.0f} | {export_s:.1f} "
            f"({len(payload) / 1e6:.0f} MB) |"
        )


if __name__ == "__main__":
    main()
