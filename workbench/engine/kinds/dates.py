"""Kinds that read a column as dates: within_days (``ColumnCache.dates`` parses them)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.engine.kinds.base import FieldKind, home
from workbench.model import rules as r


@home(r.WithinDays)
class WithinDaysKind(FieldKind):
    def match(self, rule: r.WithinDays, cache, cutoff: pd.Timestamp) -> np.ndarray:
        d = cache.dates(rule.field)
        start = (cutoff - pd.Timedelta(days=rule.days)).to_datetime64()
        return ~np.isnat(d) & (d > start) & (d <= cutoff.to_datetime64())

    def describe(self, rule: r.WithinDays) -> str:
        return f"{rule.field} within {rule.days} days"
