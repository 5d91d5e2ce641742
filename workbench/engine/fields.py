"""Lead columns as the field kinds read them (:mod:`workbench.engine.kinds`).

Text rules are evaluated on each column's distinct values and gathered back by code, so
a million leads cost as much as their vocabulary. Parsed columns are cached per run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from workbench.data.loading import parse_dates
from workbench.data.numbers import canonical, number_key, read_numbers
from workbench.errors import Problem
from workbench.model import rules as r


@dataclass
class ColumnCache:
    """Parsed forms of lead columns, shared by all criteria of one signals run."""

    leads: pd.DataFrame
    source: str = "leads"
    warnings: list[Problem] = field(default_factory=list)
    day_first: Callable[[str], bool | None] | None = None  # a date column's order, file-wide
    _factorized: dict[str, tuple[np.ndarray, pd.Series]] = field(default_factory=dict)
    _numbers: dict[str, np.ndarray] = field(default_factory=dict)
    _dates: dict[str, np.ndarray] = field(default_factory=dict)
    _keys: dict[tuple[str, bool], pd.Series] = field(default_factory=dict)
    _key_codes: dict[tuple[str, bool], tuple[np.ndarray, dict[str, int]]] = field(
        default_factory=dict
    )
    _arrow: dict[str, pa.Array] = field(default_factory=dict)
    _rule_keys: dict[tuple[type, r.Scalar, bool], str | None] = field(default_factory=dict)

    def factorized(self, name: str) -> tuple[np.ndarray, pd.Series]:
        """Codes (-1 = missing) and the distinct values as text."""
        if name not in self._factorized:
            col = self.leads[name]
            codes, uniques = pd.factorize(col, use_na_sentinel=True)
            text = pd.Series(uniques).astype("str")
            if pd.api.types.is_numeric_dtype(col):
                text = pd.Series([number_key(v) for v in uniques], dtype="str")
            self._factorized[name] = (codes, text)
        return self._factorized[name]

    def keys(self, name: str, case_sensitive: bool) -> pd.Series:
        """:func:`value_keys` of the column's distinct values, once per run: ten thousand
        criteria on one column key its vocabulary once, not ten thousand times."""
        if (name, case_sensitive) not in self._keys:
            _, text = self.factorized(name)
            self._keys[name, case_sensitive] = value_keys(text, case_sensitive)
        return self._keys[name, case_sensitive]

    def key_codes(self, name: str, case_sensitive: bool) -> tuple[np.ndarray, dict[str, int]]:
        """Per lead, a code for its value's key (-1 where missing), and key -> code: a rule
        naming a few values then costs one ``np.isin`` over small integers."""
        if (name, case_sensitive) not in self._key_codes:
            codes, _ = self.factorized(name)
            key_code, uniques = pd.factorize(self.keys(name, case_sensitive))
            per_lead = gather(codes, key_code.astype(np.int32), np.int32(-1))
            index = {str(k): i for i, k in enumerate(uniques)}
            self._key_codes[name, case_sensitive] = (per_lead, index)
        return self._key_codes[name, case_sensitive]

    def rule_keys(self, values: Iterable[r.Scalar], case_sensitive: bool) -> list[str | None]:
        """:func:`rule_keys`, remembered per value for the run: ten thousand rules naming
        'X1' … 'X9999' are keyed in one vectorised pass (the first call may pass every
        value the model names), not one pass each."""
        values = list(values)
        memo = self._rule_keys
        new = list(dict.fromkeys(v for v in values if (type(v), v, case_sensitive) not in memo))
        if new:
            for v, key in zip(new, rule_keys(new, case_sensitive), strict=True):
                memo[type(v), v, case_sensitive] = key
        return [memo[type(v), v, case_sensitive] for v in values]

    def arrow_text(self, name: str) -> pa.Array:
        """The column's distinct values as an Arrow string array, for the regex kernels."""
        if name not in self._arrow:
            _, text = self.factorized(name)
            self._arrow[name] = pa.array(text.to_numpy(dtype=object), pa.string(), from_pandas=True)
        return self._arrow[name]

    def numbers(self, name: str) -> np.ndarray:
        """Float values as :mod:`workbench.data.numbers` reads them ('1,200', '$5000',
        '12 %'); values that are not numbers are NaN, with a warning."""
        if name not in self._numbers:
            col = self.leads[name]
            values = read_numbers(col)
            bad = np.isnan(values) & col.notna().to_numpy()
            if bad.any():
                examples = col[bad].drop_duplicates().head(3).astype("str")
                self.warnings.append(
                    Problem(
                        f"column '{name}'",
                        f"{int(bad.sum()):,} values are not numbers (e.g. "
                        f"{', '.join(repr(v) for v in examples)}); treated as missing",
                    )
                )
            self._numbers[name] = values
        return self._numbers[name]

    def dates(self, name: str) -> np.ndarray:
        """datetime64[ns] values (NaT where missing or unreadable)."""
        if name not in self._dates:
            col = self.leads[name]
            parsed = parse_dates(col, self.day_first(name) if self.day_first else None)
            bad = parsed.isna() & col.notna()
            if bad.any():
                examples = ", ".join(repr(str(v)) for v in col[bad].head(3))
                self.warnings.append(
                    Problem(
                        f"column '{name}'",
                        f"{int(bad.sum()):,} values are not dates (e.g. {examples}); treated as "
                        "missing",
                    )
                )
            self._dates[name] = parsed.to_numpy(dtype="datetime64[ns]")
        return self._dates[name]


def _rule_text(value: r.Scalar) -> str | None:
    """A value a rule names, as text a lead could hold (a YAML ``true`` is ``true``)."""
    if isinstance(value, bool):
        return str(value).casefold()
    if isinstance(value, int | float):
        return None if value != value else number_key(value)  # NaN names no value
    return value


def value_keys(text: pd.Series, case_sensitive: bool) -> pd.Series:
    """How each (distinct) text compares with the values a rule names: as a number exactly
    when :mod:`workbench.data.numbers` reads it as one (so ``range`` agrees), else trimmed
    and, unless case-sensitive, case-folded."""
    out = text.astype("str").str.strip()
    if not case_sensitive:
        out = out.str.casefold()
    return canonical(out)


def rule_keys(values: Iterable[r.Scalar], case_sensitive: bool) -> list[str | None]:
    """The values a rule names (equals/in/not_in/lookup), keyed as :func:`value_keys` keys
    the leads' values; None for a value that can match nothing (NaN).

    A rule names a handful of words, and a model may have ten thousand rules: text with no
    digit cannot read as a number, so it is keyed in plain Python (``str.strip`` and
    ``str.casefold`` are what the pandas methods apply), without a vectorised pass."""
    texts = [_rule_text(v) for v in values]
    if any(t is not None and any(ch.isdigit() for ch in t) for t in texts):
        keys = value_keys(pd.Series(texts, dtype="str"), case_sensitive)
        return [None if pd.isna(k) else str(k) for k in keys]
    return [
        None if t is None else (t.strip() if case_sensitive else t.strip().casefold())
        for t in texts
    ]


def gather(codes: np.ndarray, per_unique: np.ndarray, fill) -> np.ndarray:
    """Per lead, the result computed once for its distinct value (``fill`` where missing)."""
    if len(per_unique) == 0:
        return np.full(len(codes), fill, dtype=per_unique.dtype)
    return np.where(codes >= 0, per_unique[codes], fill)
