"""Signal computation: 1,000,000 leads and ~20,000,000 events from Parquet.

Target (issue #2): under 30 s on 2 cores, peak memory under 4 GB. The load and the
computation run in a fresh process so the peak RSS is theirs alone.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from datasets import MODEL, dataset, machine

CHILD = """
import json, resource, sys, time
import workbench as wb
leads, acts, model_path = sys.argv[1:4]
t0 = time.perf_counter()
model = wb.load_model(model_path)
data = wb.load_data(leads, acts, model=model)
t1 = time.perf_counter()
signals = wb.compute_signals(model, data)
t2 = time.perf_counter()
print(json.dumps({
    "leads": data.n_leads, "events": len(data.activities),
    "load_s": t1 - t0, "signals_s": t2 - t1,
    "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2,
}))
"""


def main(n_leads: int = 1_000_000) -> None:
    paths = dataset(n_leads)
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(paths["leads"]), str(paths["activities"]), str(MODEL)],
        check=True,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - started
    r = json.loads(out.stdout.strip().splitlines()[-1])
    total = r["load_s"] + r["signals_s"]
    print(machine())
    print(f"{r['leads']:,} leads, {r['events']:,} events (Parquet), 25 criteria")
    print("| step | seconds |\n|---|---:|")
    print(f"| load_data (read Parquet, checks, id mapping) | {r['load_s']:.1f} |")
    print(f"| compute_signals (25 criteria) | {r['signals_s']:.1f} |")
    print(f"| load + signals | {total:.1f} |")
    print(f"| whole process incl. Python start-up | {wall:.1f} |")
    print(f"\npeak memory (max RSS): {r['peak_rss_gb']:.2f} GB")
    ok = total < 30 and r["peak_rss_gb"] < 4
    print(f"target: < 30 s and < 4 GB -> {'MET' if ok else 'NOT MET'}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
