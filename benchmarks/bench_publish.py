"""Publishing a run at 1,000,000 leads (issue #12 target: ≤ 1.5× load + signals + scores).

Two whole processes, run in turn A B A B … so a drift in the machine's speed hits both:

- *scores*: load the files, compute the signals, score every lead (``load_data``,
  ``compute_signals``, ``score_totals``: what ``workbench score`` does before it words
  reasons and writes a file);
- *publish*: ``workbench publish`` into a fresh store (the same work, plus the queue rank,
  reasons for the list and the card, rep fields, each lead's newest events, Parquet files).

The ratio is taken pair by pair and its median quoted. ``--score`` adds ``workbench score
--out scores.parquet`` (reasons for every lead, a file written) as a third command;
``--profile`` runs one publish under cProfile and prints where its time goes.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from datasets import MODEL, dataset, machine

SCORES = """
import sys
import workbench as wb
model = wb.load_model(sys.argv[1])
data = wb.load_data(sys.argv[2], sys.argv[3], model=model)
wb.score_totals(model, wb.compute_signals(model, data))
"""

STAGES = (
    "load_data",
    "known_by",
    "compute_signals",
    "score_totals",
    "lead_table",
    "contributions",
    "score_frame",
    "reason_texts",
    "rep_fields",
    "last_activity",
    "queue_order",
    "_with_changes",
    "recent_events",
    "_write",
    "commit",
)
"""Functions of the publishing path whose cumulative time the profile shows (nested:
``lead_table`` holds contributions … queue_order)."""


def workbench_command() -> list[str]:
    exe = Path(sys.executable).with_name("workbench")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "workbench.cli"]


def run_process(command: list[str]) -> dict[str, float]:
    """Wall seconds, CPU seconds and peak RSS (GB) of one whole process."""
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if proc.returncode:
        raise SystemExit(f"{' '.join(command[:3])} … failed ({proc.returncode}):\n{err}")
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss_gb": usage.ru_maxrss / 1024**2,
    }


def profile_publish(files: list[str], store: Path, top: int = 25) -> None:
    """One publish in this process under cProfile: the named stages, then the top callees."""
    from workbench.cli.main import main as cli

    prof = cProfile.Profile()
    started = time.perf_counter()
    prof.runcall(cli, ["publish", *files, "--store", str(store)])
    wall = time.perf_counter() - started
    stats = pstats.Stats(prof)
    print(f"\npublish under cProfile: {wall:.1f} s (profiling slows Python-heavy code)")
    print("| stage (cumulative, nested) | seconds | calls |\n|---|---:|---:|")
    found = {}
    for (path, _, name), (_, calls, _, cum, _) in stats.stats.items():
        if name in STAGES and "workbench" in path:
            found[name] = (found.get(name, (0.0, 0))[0] + cum, found.get(name, (0, 0))[1] + calls)
    for name in STAGES:
        if name in found:
            print(f"| {name} | {found[name][0]:.1f} | {found[name][1]} |")
    print(f"\ntop {top} functions by own time:")
    stats.sort_stats("tottime").print_stats(top)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--leads", type=int, default=1_000_000, help="leads in the data set")
    ap.add_argument("--runs", type=int, default=3, help="counted pairs (after one warm-up)")
    ap.add_argument("--score", action="store_true", help="also time `workbench score --out`")
    ap.add_argument("--profile", action="store_true", help="profile one publish in-process")
    args = ap.parse_args()

    paths = dataset(args.leads)
    files = [
        "--model",
        str(MODEL),
        "--leads",
        str(paths["leads"]),
        "--activities",
        str(paths["activities"]),
    ]
    tmp = Path(tempfile.mkdtemp(prefix="bench-publish-"))
    store = tmp / "store"
    commands = {
        "scores": [
            sys.executable,
            "-c",
            SCORES,
            str(MODEL),
            str(paths["leads"]),
            str(paths["activities"]),
        ],
        "publish": [*workbench_command(), "publish", *files, "--store", str(store)],
    }
    if args.score:
        commands["score"] = [
            *workbench_command(),
            "score",
            *files,
            "--out",
            str(tmp / "scores.parquet"),
        ]
    runs: dict[str, list[dict[str, float]]] = {k: [] for k in commands}
    try:
        for i in range(args.runs + 1):  # the first round warms the page cache
            for name, command in commands.items():
                shutil.rmtree(store, ignore_errors=True)  # every publish starts a fresh store
                result = run_process(command)
                if i:
                    runs[name].append(result)
                print(
                    f"  {'warm-up' if not i else f'run {i}'} {name}: {result['wall']:.1f} s",
                    file=sys.stderr,
                )
        if args.profile:
            shutil.rmtree(store, ignore_errors=True)
            profile_publish(files, store)
        store_mb = sum(f.stat().st_size for f in store.rglob("*") if f.is_file()) / 1e6
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    ratios = [p["wall"] / s["wall"] for p, s in zip(runs["publish"], runs["scores"], strict=True)]
    ratio = statistics.median(ratios)

    def med(name: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[name])

    print(machine())
    print(
        f"{args.leads:,} leads (Parquet), model {MODEL.name}; medians of {args.runs} "
        f"pairs after a warm-up, whole processes, run in turn"
    )
    print("| command | wall s | CPU s | peak RSS GB | runs (wall s) |\n|---|---:|---:|---:|---|")
    labels = {
        "scores": "load + signals + scores (`load_data`, `compute_signals`, `score_totals`)",
        "publish": f"`workbench publish` into a fresh store ({store_mb:.0f} MB written)",
        "score": "`workbench score --out scores.parquet` (reasons for every lead, file written)",
    }
    for name in commands:
        walls = ", ".join(f"{r['wall']:.1f}" for r in runs[name])
        print(
            f"| {labels[name]} | {med(name, 'wall'):.1f} | {med(name, 'cpu'):.1f} "
            f"| {med(name, 'rss_gb'):.2f} | {walls} |"
        )
    print(
        f"\npublish / scores, pair by pair: {', '.join(f'{r:.2f}' for r in ratios)}; "
        f"median {ratio:.2f}"
    )
    print(
        f"target: publish ≤ 1.5× load + signals + scores -> {'MET' if ratio <= 1.5 else 'NOT MET'}"
    )


if __name__ == "__main__":
    main()
