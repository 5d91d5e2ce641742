"""Evidence from activity events, computed with array operations only.

Every rule is a mask, a weight per event and a ``np.bincount`` per lead. Nothing sorts
all events: only the events a diminishing-returns rule matches are sorted (by lead, newest
first) to rank repeats, and the last event per lead is a ``np.maximum.at``.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.model import rules as r

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
            text = pd.Series(self.detail_cats, dtype="str")
            ok = pd.Series(False, index=text.index)
            if rule.detail_contains:
                pat = "|".join(re.escape(v) for v in rule.detail_contains)
                ok |= text.str.contains(pat, case=False, regex=True).fillna(False)
            if rule.detail_regex:
                with warnings.catch_warnings():  # groups in a user's pattern are fine
                    warnings.simplefilter("ignore", UserWarning)
                    hit = text.str.contains(rule.detail_regex, case=False, regex=True)
                ok |= hit.fillna(False)
            d = _lookup(self.detail_codes, ok.to_numpy(bool))
            mask = d if mask is None else mask & d
        return mask

    def age_days(self, ts: np.ndarray) -> np.ndarray:
        return (self.cutoff_ns - ts) / DAY_NS

    def _count(self, lead: np.ndarray, weights=None) -> np.ndarray:
        return np.bincount(lead, weights=weights, minlength=self.n_leads)


def _lookup(codes: np.ndarray, per_code: np.ndarray) -> np.ndarray:
    """``per_code[codes]`` with code -1 (missing) mapping to False: one gather per event."""
    table = np.append(np.asarray(per_code, dtype=bool), False)
    return table[codes]


def _ranks(lead: np.ndarray, ts: np.ndarray) -> np.ndarray:
    """0 for each lead's newest matching event, 1 for the next older one, and so on."""
    n = len(lead)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((-ts, lead))
    sorted_lead = lead[order]
    idx = np.arange(n)
    start = np.r_[True, sorted_lead[1:] != sorted_lead[:-1]]
    ranks = np.empty(n, dtype=np.int64)
    ranks[order] = idx - np.maximum.accumulate(np.where(start, idx, 0))
    return ranks


def activity_evidence(rule: r.Activity, ev: EventArrays) -> tuple[np.ndarray, dict]:
    """Effective count per lead, plus the raw count in the window for explanations."""
    mask = ev.mask(rule)
    if rule.within_days is not None:
        recent = ev.ts > ev.cutoff_ns - rule.within_days * DAY_NS
        mask = recent if mask is None else mask & recent
    lead = ev.lead_idx if mask is None else ev.lead_idx[mask]
    count = ev._count(lead).astype(np.int32)
    weights = None
    if rule.half_life_days is not None:
        ts = ev.ts if mask is None else ev.ts[mask]
        weights = np.exp2(-ev.age_days(ts) / rule.half_life_days)
    if rule.diminishing is not None:
        rank = _ranks(lead, ev.ts if mask is None else ev.ts[mask])
        w = np.power(rule.diminishing.factor, rank, dtype=np.float64)
        if rule.diminishing.max_count is not None:
            w[rank >= rule.diminishing.max_count] = 0.0
        weights = w if weights is None else weights * w
    evidence = ev._count(lead, weights) if weights is not None else count.astype(np.float64)
    if rule.min_count > 1:
        evidence[count < rule.min_count] = 0.0
    return evidence, {"count": count}


def inactivity_evidence(
    rule: r.Inactivity, ev: EventArrays, created_ns: np.ndarray | None
) -> tuple[np.ndarray, dict]:
    """1 where the last matching event (or creation) is at least ``days`` old."""
    mask = ev.mask(rule)
    lead = ev.lead_idx if mask is None else ev.lead_idx[mask]
    ts = ev.ts if mask is None else ev.ts[mask]
    last = np.full(ev.n_leads, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(last, lead, ts)
    if created_ns is not None:
        last = np.maximum(last, np.where(created_ns <= ev.cutoff_ns, created_ns, last))
    known = last != np.iinfo(np.int64).min
    days = np.where(known, (ev.cutoff_ns - last) / DAY_NS, np.nan)
    inactive = ~known | (days >= rule.days)
    return inactive.astype(np.float64), {"days": np.floor(days).astype(np.float32)}


def trend_evidence(rule: r.Trend, ev: EventArrays) -> tuple[np.ndarray, dict]:
    """1 where the last ``days`` hold more matching events than the ``days`` before."""
    mask = ev.mask(rule)
    span = rule.days * DAY_NS
    recent_m = ev.ts > ev.cutoff_ns - span
    before_m = (ev.ts > ev.cutoff_ns - 2 * span) & ~recent_m
    if mask is not None:
        recent_m &= mask
        before_m &= mask
    recent = ev._count(ev.lead_idx[recent_m]).astype(np.int32)
    before = ev._count(ev.lead_idx[before_m]).astype(np.int32)
    rising = (recent > before) & (recent >= rule.min_count)
    return rising.astype(np.float64), {"recent": recent, "before": before}
