"""What every drafted criterion carries: its evidence (leads, converted, rate and 95 %
interval) and an id no other criterion has. One home, so a level, a combination and an
activity criterion read the same in the model file."""

from __future__ import annotations

import re

import numpy as np

from workbench.analysis.metrics import wilson_interval


def cell_evidence(leads: int, converted: int) -> dict:
    """``{leads, converted, rate, low, high}`` of one group of leads (Wilson interval,
    widened to hold the rate when rounding would leave it just outside)."""
    low, high = wilson_interval(np.array([converted]), np.array([leads]))
    rate = converted / leads if leads else 0.0
    return {
        "leads": int(leads),
        "converted": int(converted),
        "rate": round(rate, 4),
        "low": round(float(min(low[0], rate)), 4),
        "high": round(float(max(high[0], rate)), 4),
    }


def unique_id(text: str, taken: set[str], fallback: str = "criterion") -> str:
    """An id from ``text`` ('Pricing page 30 d' → 'pricing_page_30_d'), numbered when
    ``taken`` has it (``_2``, ``_3`` …), and added to ``taken``."""
    base = re.sub(r"[^0-9a-z]+", "_", text.casefold()).strip("_")[:56] or fallback
    if not base[0].isalpha():
        base = "c_" + base
    cid, i = base, 2
    while cid in taken:
        cid, i = f"{base}_{i}", i + 1
    taken.add(cid)
    return cid
