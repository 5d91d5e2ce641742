"""The words the kinds share: value lists, labels, and lead values quoted as reasons show them.

Reasons (:mod:`workbench.engine.reasons`) are each kind's ``evidence_words``; this module is
where a lead's value becomes text (``18,822``), below both, so nothing imports upward.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from workbench.data.numbers import read_numbers
from workbench.text import number_text

if TYPE_CHECKING:
    from workbench.engine.signals import Signals
    from workbench.model.spec import Criterion


def listing(values: Iterable, limit: int = 6) -> str:
    """``VP, Director`` — at most ``limit`` values, then ``(+3 more)``."""
    items = [str(v) for v in values]
    shown = ", ".join(items[:limit])
    return shown + (f" (+{len(items) - limit} more)" if len(items) > limit else "")


def label_series(c: Criterion, rows: np.ndarray) -> pd.Series:
    return pd.Series(c.label, index=range(len(rows)), dtype="str")


def lead_values(signals: Signals, field: str, rows: np.ndarray, numeric: bool = False) -> pd.Series:
    """The leads' values as a reader expects them, positioned 0..len(rows)-1: a number with
    thousands separators ("18,822", even when the file holds it as text), anything else as
    written. ``numeric`` reads text as the engine does (a bins rule's value)."""
    col = signals.data.leads[field].iloc[signals.order[rows]]
    if numeric and not pd.api.types.is_numeric_dtype(col):
        col = pd.Series(read_numbers(col), index=col.index)
    if pd.api.types.is_numeric_dtype(col):
        # a million leads hold a few thousand sizes
        return worded(col, number_text)
    return col.astype("str").fillna("").reset_index(drop=True)


def worded(values, say: Callable[[Any], str], missing: str = "") -> pd.Series:
    """``say(v)`` for each of ``values`` (``missing`` where it is NaN/None), positioned
    0..len-1, each distinct value worded once: the counts, days and sizes that reasons quote
    take a few dozen values over a million leads, and a handful in a small group of them.

    >>> worded(np.array([3, 1, 3]), lambda n: f"{n}×").tolist()
    ['3×', '1×', '3×']
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    words = np.asarray([say(v) for v in uniques] + [missing], dtype=object)
    return pd.Series(words[codes], dtype="str")
