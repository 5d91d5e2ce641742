"""Kinds that ask only whether a column is filled in: missing and present."""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.engine.kinds.base import FieldKind, home
from workbench.engine.kinds.words import label_series
from workbench.model import rules as r


class _Presence(FieldKind):
    """Empty (or a placeholder the loader blanked) versus filled in; the label says it all."""

    def evidence_words(self, c, signals, rows) -> pd.Series:
        return label_series(c, rows)


@home(r.Missing)
class MissingKind(_Presence):
    def match(self, rule: r.Missing, cache, cutoff) -> np.ndarray:
        return cache.factorized(rule.field)[0] < 0  # missing: no code (cached per column)

    def describe(self, rule: r.Missing) -> str:
        return f"{rule.field} is missing"


@home(r.Present)
class PresentKind(_Presence):
    def match(self, rule: r.Present, cache, cutoff) -> np.ndarray:
        return cache.factorized(rule.field)[0] >= 0

    def describe(self, rule: r.Present) -> str:
        return f"{rule.field} is filled in"
