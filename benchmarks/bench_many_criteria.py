"""Ten thousand criteria (issue 13, hostile input): ``workbench score`` over the sample.

Targets: 10,000 field criteria score the 5,000 sample leads in under 10 s, and 10,000
activity criteria in under 30 s, whole process (start-up, loading the model file, signals,
scores, reasons, writing the CSV). The models are generated here, seeded, into a temporary
folder: a mix of every field rule kind, and of every activity option (types, detail
contains/regex, windows, half-lives, diminishing returns with and without a cap, minimum
counts, inactivity, trend). Each command runs ``--runs`` times (default 3); the table gives
the median wall time, the median CPU time (user + system, which a busy machine inflates
less) and the largest peak memory.

    python benchmarks/bench_many_criteria.py [--criteria 10000] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from datasets import machine

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
TARGETS = {"field": 10.0, "activity": 30.0}
INDUSTRIES = [
    "Software",
    "Financial services",
    "Healthcare",
    "Retail",
    "Manufacturing",
    "Education",
]
TYPES = [
    "page_view",
    "email_open",
    "email_click",
    "whitepaper_download",
    "webinar_attendance",
    "demo_request",
    "form_submit",
    "free_trial",
]


def field_rule(i: int, rng: random.Random) -> dict:
    """The ``i``-th field rule: the eight field kinds in turn, values drawn from ``rng``."""
    return [
        lambda: {"kind": "in", "field": "industry", "values": rng.sample(INDUSTRIES, 2)},
        lambda: {
            "kind": "equals",
            "field": "seniority",
            "value": rng.choice(["VP", "Director", "Manager"]),
        },
        lambda: {
            "kind": "contains",
            "field": "job_title",
            "values": [rng.choice(["market", "sales", "engineer", "ops"])],
        },
        lambda: {
            "kind": "regex",
            "field": "email",
            "pattern": rng.choice([r"@gmail\.", r"\.com$", "^[a-c]"]),
        },
        lambda: {"kind": "range", "field": "company_size", "min": rng.randint(1, 500)},
        lambda: {
            "kind": "bins",
            "field": "annual_revenue",
            "bins": [
                {"max": 1e6, "points": 1},
                {"min": 1e6, "max": 1e7, "points": 2},
                {"min": 1e7, "points": 3},
            ],
        },
        lambda: {"kind": "present", "field": "budget"},
        lambda: {"kind": "within_days", "field": "created_at", "days": rng.randint(10, 200)},
    ][i % 8]()


def activity_rule(i: int, rng: random.Random) -> dict:
    """The ``i``-th activity rule: eight shapes in turn, types and windows from ``rng``."""
    return [
        lambda: {
            "kind": "activity",
            "types": [rng.choice(TYPES)],
            "within_days": rng.randint(7, 90),
        },
        lambda: {
            "kind": "activity",
            "types": ["page_view"],
            "detail_contains": [rng.choice(["/pricing", "/contact", "/careers", "/blog"])],
            "diminishing": {"factor": 0.5, "max_count": 3},
        },
        lambda: {
            "kind": "activity",
            "types": [rng.choice(TYPES)],
            "half_life_days": rng.randint(5, 60),
        },
        lambda: {"kind": "inactivity", "days": rng.randint(20, 90)},
        lambda: {"kind": "trend", "days": rng.randint(7, 30)},
        lambda: {
            "kind": "activity",
            "types": ["page_view"],
            "detail_regex": rng.choice(["^/pricing", "/(contact|demo)"]),
            "within_days": 30,
        },
        lambda: {"kind": "activity", "types": [rng.choice(TYPES)], "min_count": 2},
        lambda: {
            "kind": "activity",
            "types": [rng.choice(TYPES)],
            "diminishing": {"factor": 0.7},
            "half_life_days": 30,
            "within_days": 60,
        },
    ][i % 8]()


def write_model(kind: str, n: int, folder: Path, seed: int = 1) -> Path:
    """A model of ``n`` ``kind`` ("field" or "activity") criteria, written to ``folder``."""
    rng = random.Random(seed)
    make, bucket = (field_rule, "fit") if kind == "field" else (activity_rule, "engagement")
    criteria = []
    for i in range(n):
        rule = make(i, rng)
        c = {"id": f"c{i}", "label": f"Criterion {i}", "bucket": bucket, "rule": rule}
        if rule["kind"] != "bins":
            c["points"] = rng.randint(-5, 10)
        criteria.append(c)
    path = folder / f"{kind}_{n}.yaml"
    path.write_text(yaml.safe_dump({"name": f"{n} {kind}", "criteria": criteria}, sort_keys=False))
    return path


def run_once(args: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak memory (GB) of one process."""
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode:
            err.seek(0)
            raise SystemExit(f"{' '.join(args)} failed:\n{err.read().decode()}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024**2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--criteria", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--kinds", default="field,activity", help="field, activity or both")
    opts = parser.parse_args()
    print(machine())
    print(f"`workbench score` over the sample ({SAMPLES}), median of {opts.runs} runs\n")
    print("| model | wall s (median) | CPU s (median) | peak GB | runs (wall s) | target |")
    print("|---|---:|---:|---:|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for kind in opts.kinds.split(","):
            model = write_model(kind, opts.criteria, folder)
            args = [
                *(sys.executable, "-m", "workbench", "score", "--model", str(model)),
                *("--leads", str(SAMPLES / "leads.csv")),
                *("--activities", str(SAMPLES / "activities.csv")),
                *("--out", str(folder / "scores.csv")),
            ]
            runs = [run_once(args) for _ in range(opts.runs)]
            wall = statistics.median(r[0] for r in runs)
            cpu = statistics.median(r[1] for r in runs)
            peak = max(r[2] for r in runs)
            limit = TARGETS[kind]
            verdict = f"< {limit:g} s: {'met' if wall < limit else 'NOT met'}"
            shown = ", ".join(f"{r[0]:.1f}" for r in runs)
            print(
                f"| {opts.criteria:,} {kind} criteria | {wall:.1f} | {cpu:.1f} | {peak:.2f} "
                f"| {shown} | {verdict} |"
            )


if __name__ == "__main__":
    main()
