"""Kinds that read a column as numbers: range and bins (``ColumnCache.numbers`` parses them)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.engine.kinds.base import FieldKind, LevelKind, home
from workbench.engine.kinds.words import label_series, lead_values
from workbench.model import rules as r


def _within(x: np.ndarray, lo: float | None, hi: float | None) -> np.ndarray:
    """``lo <= x < hi`` with an open end where a bound is None; NaN is in no interval."""
    ok = ~np.isnan(x)
    if lo is not None:
        ok &= x >= lo
    if hi is not None:
        ok &= x < hi
    return ok


@home(r.Range)
class RangeKind(FieldKind):
    def match(self, rule: r.Range, cache, cutoff) -> np.ndarray:
        return _within(cache.numbers(rule.field), rule.min, rule.max)

    def describe(self, rule: r.Range) -> str:
        lo = "" if rule.min is None else f"{rule.min:g}"
        hi = "" if rule.max is None else f"{rule.max:g}"
        return f"{rule.field} in [{lo}, {hi})"


@home(r.Bins)
class BinsKind(LevelKind):
    def match(self, rule: r.Bins, cache, cutoff) -> np.ndarray:
        x = cache.numbers(rule.field)
        level = np.full(len(x), -1, dtype=np.int16)
        for i, b in enumerate(rule.bins):
            level[_within(x, b.min, b.max) & (level < 0)] = i
        return level

    def describe(self, rule: r.Bins) -> str:
        return f"{rule.field} by bin"

    def evidence_words(self, c, signals, rows) -> pd.Series:
        """``Company size 350 (small)``: the number as read, then its bin."""
        value = lead_values(signals, c.rule.field, rows, numeric=True)
        band = self.level_words(c, signals, rows)
        return label_series(c, rows) + " " + value + " (" + band + ")"
