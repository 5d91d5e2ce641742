"""Activity events as flat arrays, for the activity kinds (:mod:`workbench.engine.kinds.activity`).

Every rule is a selection of events, a weight per event and a ``np.bincount`` per lead.
A model may hold thousands of activity rules that read the same few selections (the
page views with /pricing, every email click), so a selection is made once per run and
shared: its events are found through an index of the events by type (no pass over every
event per rule), and what the rules derive from it alone (repeat ranks, the last event
per lead) is computed on first use and kept. The one pass over all events is that index
(a radix sort of the small type codes, once per run); beyond it only the events a
diminishing rule counts are sorted, to rank repeats.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from workbench.data.loading import NEVER
from workbench.model import rules as r
from workbench.model.patterns import contains_any, matches

DAY_NS = 86_400 * 10**9


@dataclass(frozen=True, eq=False)
class Selection:
    """The events one (types, detail pattern) filter keeps, in file order.

    File order keeps sums over weighted events in the order they always had, so a
    shared selection gives the same floats as a rule's own mask would.
    """

    lead: np.ndarray  # int32 row of the lead of each event
    ts: np.ndarray  # int64 nanoseconds
    n_leads: int
    _ranks: dict[int | None, np.ndarray] = field(default_factory=dict, repr=False)

    def ranks(self, after_ns: int | None = None) -> np.ndarray:
        """Of the events later than ``after_ns`` (all if None), in file order: 0 for each
        lead's newest, 1 for the next older one, and so on.

        Kept per ``after_ns``: the diminishing rules of a selection and a window share one
        sort (ranking all the selection's events instead would sort far more than a short
        window holds).
        """
        found = self._ranks.get(after_ns)
        if found is None:
            lead, ts = self.lead, self.ts
            if after_ns is not None:
                window = ts > after_ns
                lead, ts = lead[window], ts[window]
            found = self._ranks[after_ns] = _read_only(ranks(lead, ts))
        return found

    @cached_property
    def last(self) -> np.ndarray:
        """Per lead, the instant of its newest event here (``NEVER`` if none)."""
        last = np.full(self.n_leads, NEVER, dtype=np.int64)
        np.maximum.at(last, self.lead, self.ts)
        return _read_only(last)


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
    _selections: dict[tuple, Selection] = field(default_factory=dict, repr=False)

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

    @cached_property
    def _by_type(self) -> tuple[np.ndarray, np.ndarray]:
        """Event positions grouped by type code (ascending within a type), and where each
        code's group starts: code ``c``'s events are ``order[start[c + 1]:start[c + 2]]``
        (the first group is code -1, no type). A stable sort of small integer codes is a
        radix sort: one pass, made once per run."""
        order = np.argsort(self.type_codes, kind="stable")
        codes = np.arange(-1, len(self.type_cats) + 1, dtype=np.int64)
        start = np.searchsorted(self.type_codes[order], codes)
        return order, start

    def _positions(self, types: tuple[str, ...]) -> np.ndarray:
        """Ascending positions of the events of any of ``types``."""
        order, start = self._by_type
        codes = np.flatnonzero(self.type_cats.isin(types))
        parts = [order[start[c + 1] : start[c + 2]] for c in codes]
        if len(parts) == 1:
            return parts[0]
        # each part is ascending: a stable sort (timsort) merges the runs
        return np.sort(np.concatenate(parts), kind="stable") if parts else np.zeros(0, np.intp)

    def select(self, rule: r.ActivityRule) -> Selection:
        """The events matching the rule's types and detail pattern (all events if it names
        none), shared by every rule that names the same ones."""
        key = (frozenset(rule.types), frozenset(rule.detail_contains), rule.detail_regex)
        found = self._selections.get(key)
        if found is not None:
            return found
        pos = self._positions(rule.types) if rule.types else None
        if rule.detail_contains or rule.detail_regex:
            text = np.asarray(self.detail_cats, dtype=object)
            ok = np.zeros(len(text), dtype=bool)
            if rule.detail_contains:
                ok |= contains_any(text, rule.detail_contains, case=False)
            if rule.detail_regex:
                ok |= matches(text, rule.detail_regex, case=False)
            if pos is None:
                pos = np.flatnonzero(_lookup(self.detail_codes, ok))
            else:
                pos = pos[_lookup(self.detail_codes[pos], ok)]
        if pos is None:
            found = Selection(self.lead_idx, self.ts, self.n_leads)
        else:
            found = Selection(self.lead_idx[pos], self.ts[pos], self.n_leads)
        self._selections[key] = found
        return found

    def age_days(self, ts: np.ndarray) -> np.ndarray:
        return (self.cutoff_ns - ts) / DAY_NS

    def count(self, lead: np.ndarray, weights=None) -> np.ndarray:
        """Per lead, how many of these events (or their summed ``weights``) are its."""
        return np.bincount(lead, weights=weights, minlength=self.n_leads)


def _read_only(a: np.ndarray) -> np.ndarray:
    """``a``, made read-only: every rule of a selection shares it."""
    a.flags.writeable = False
    return a


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
