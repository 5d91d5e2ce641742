"""Activity events as flat arrays, for the activity kinds (:mod:`workbench.engine.kinds.activity`).

Every rule is a mask, a weight per event and a ``np.bincount`` per lead. Nothing sorts
all events: only the events a diminishing-returns rule matches are sorted (by lead, newest
first) to rank repeats, and the last event per lead is a ``np.maximum.at``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.model import rules as r
from workbench.model.patterns import contains_any, matches

DAY_NS = 86_400 * 10**9


@dataclass(frozen=True, eq=False)
class EventArrays:
    """Events up to the cut-off, as flat arrays (in file order)."""

    lead_idx: np.ndarray  # int32, position of the lead (in signals' row order)
    ts: np.ndarray  # int64 nanoseconds
    type_codes: np.ndarray
    type_cats: pd.Index
    detail_codes: np.ndarray
    detail_cats: pd.Index
    n_leads: int
    cutoff_ns: int

    @classmethod
    def build(
        cls, activities: pd.DataFrame, row_of_lead: np.ndarray, n_leads: int, cutoff: pd.Timestamp
    ) -> EventArrays:
        ts = activities["timestamp"].to_numpy(dtype="datetime64[ns]").view(np.int64)
        cutoff_ns = cutoff.value
        keep = ts <= cutoff_ns
        lead = row_of_lead[activities["lead_idx"].to_numpy()]
        type_codes = activities["type"].cat.codes.to_numpy()
        detail_codes = activities["detail"].cat.codes.to_numpy()
        if not keep.all():
            lead, ts = lead[keep], ts[keep]
            type_codes, detail_codes = type_codes[keep], detail_codes[keep]
        return cls(
            lead_idx=lead.astype(np.int32, copy=False),
            ts=ts,
            type_codes=type_codes,
            type_cats=activities["type"].cat.categories,
            detail_codes=detail_codes,
            detail_cats=activities["detail"].cat.categories,
            n_leads=n_leads,
            cutoff_ns=cutoff_ns,
        )

    def mask(self, rule: r.ActivityRule) -> np.ndarray | None:
        """Events matching the rule's types and detail pattern (None = all events)."""
        mask = None
        if rule.types:
            mask = _lookup(self.type_codes, self.type_cats.isin(rule.types))
        if rule.detail_contains or rule.detail_regex:
            text = np.asarray(self.detail_cats, dtype=object)
            ok = np.zeros(len(text), dtype=bool)
            if rule.detail_contains:
                ok |= contains_any(text, rule.detail_contains, case=False)
            if rule.detail_regex:
                ok |= matches(text, rule.detail_regex, case=False)
            d = _lookup(self.detail_codes, ok)
            mask = d if mask is None else mask & d
        return mask

    def age_days(self, ts: np.ndarray) -> np.ndarray:
        return (self.cutoff_ns - ts) / DAY_NS

    def count(self, lead: np.ndarray, weights=None) -> np.ndarray:
        """Per lead, how many of these events (or their summed ``weights``) are its."""
        return np.bincount(lead, weights=weights, minlength=self.n_leads)


def _lookup(codes: np.ndarray, per_code: np.ndarray) -> np.ndarray:
    """``per_code[codes]`` with code -1 (missing) mapping to False: one gather per event."""
    table = np.append(np.asarray(per_code, dtype=bool), False)
    return table[codes]


def ranks(lead: np.ndarray, ts: np.ndarray) -> np.ndarray:
    """0 for each lead's newest matching event, 1 for the next older one, and so on."""
    n = len(lead)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((-ts, lead))
    sorted_lead = lead[order]
    idx = np.arange(n)
    start = np.r_[True, sorted_lead[1:] != sorted_lead[:-1]]
    out = np.empty(n, dtype=np.int64)
    out[order] = idx - np.maximum.accumulate(np.where(start, idx, 0))
    return out
