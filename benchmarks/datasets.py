"""The benchmark data set: 1,000,000 leads and ~20,000,000 events as Parquet, made once.

Generated with the project's own seeded generator and cached in ``benchmarks/data/``
(git-ignored), so repeated runs measure the engine, not the generator.
"""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
MODEL = HERE / "bench_model.yaml"


def dataset(n_leads: int = 1_000_000, seed: int = 7) -> dict[str, Path]:
    """Paths of leads/activities Parquet files for ``n_leads`` (generated if missing)."""
    from workbench.data.synthetic import write_sample

    out = DATA / f"leads_{n_leads}_seed{seed}"
    paths = {"leads": out / "leads.parquet", "activities": out / "activities.parquet"}
    if not all(p.exists() for p in paths.values()):
        started = time.perf_counter()
        write_sample(out, n_leads=n_leads, seed=seed, fmt="parquet", messy=False)
        print(f"generated {n_leads:,} leads in {time.perf_counter() - started:.1f} s")
    return paths


def machine() -> str:
    """One line on the machine, for RESULTS.md."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024**2:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    import numpy
    import pandas

    return (
        f"{cpu}, {os.cpu_count()} cores{mem}; Python {platform.python_version()}, "
        f"numpy {numpy.__version__}, pandas {pandas.__version__}"
    )
