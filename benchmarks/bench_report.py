"""Scoring report over the shipped sample (issue #5 target: under 30 s).

Times ``workbench report`` as a scheduler runs it: a fresh process that checks the
parameters, starts a kernel, runs notebooks/scoring_report.ipynb with papermill and exports
the HTML; then the parts in-process (engine and tables; rendering with SVG charts).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from datasets import machine

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
FILES = [
    "--model", str(SAMPLES / "b2b_model.yaml"),
    "--leads", str(SAMPLES / "leads.csv"),
    "--activities", str(SAMPLES / "activities.csv"),
]  # fmt: skip
RUNS = 3


def command_seconds(extra: list[str], out: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "workbench.cli", "report", *FILES, *extra, "--out", str(out)],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def main() -> None:
    print(machine())
    with tempfile.TemporaryDirectory() as tmp:
        one = [command_seconds([], Path(tmp) / f"r{i}.html") for i in range(RUNS)]
        three = command_seconds(
            ["--segment", "SMB", "Mid-market", "Enterprise"], Path(tmp) / "seg" / "r.html"
        )
    from workbench.report.build import build_report
    from workbench.report.render import report_html

    started = time.perf_counter()
    report = build_report(top_n=20)
    built = time.perf_counter() - started
    started = time.perf_counter()
    report_html(report)
    rendered = time.perf_counter() - started
    median = statistics.median(one)
    print("| step | seconds |\n|---|---:|")
    print(f"| `workbench report` on the sample, whole command (median of {RUNS}) | {median:.1f} |")
    print(f"| of which, in-process after imports: load, score now and a week ago | {built:.1f} |")
    print(f"| of which, in-process: HTML with its two SVG charts | {rendered:.1f} |")
    print(f"| three segments in one call (3 reports + index) | {three:.1f} |")
    print(f"target: < 30 s -> {'MET' if median < 30 else 'NOT MET'} (runs: {one})")


if __name__ == "__main__":
    main()
