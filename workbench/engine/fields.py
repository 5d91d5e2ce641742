"""Lead columns as the field kinds read them (:mod:`workbench.engine.kinds`).

Text rules are evaluated on each column's distinct values and gathered back by code, so
a million leads cost as much as their vocabulary. Parsed columns are cached per run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.data.loading import parse_dates
from workbench.data.numbers import parse_numbers, read_numbers
from workbench.errors import Problem

DAY_NS = 86_400 * 10**9


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

    def factorized(self, name: str) -> tuple[np.ndarray, pd.Series]:
        """Codes (-1 = missing) and the distinct values as text."""
        if name not in self._factorized:
            col = self.leads[name]
            codes, uniques = pd.factorize(col, use_na_sentinel=True)
            text = pd.Series(uniques).astype("str")
            if pd.api.types.is_numeric_dtype(col):
                text = pd.Series([_canon_number(v) for v in uniques], dtype="str")
            self._factorized[name] = (codes, text)
        return self._factorized[name]

    def numbers(self, name: str) -> np.ndarray:
        """Float values as :mod:`workbench.data.numbers` reads them ('1,200', '$5000',
        '12 %'); values that are not numbers are NaN, with a warning."""
        if name not in self._numbers:
            col = self.leads[name]
            if pd.api.types.is_numeric_dtype(col):
                values = read_numbers(col)
            else:
                codes, text = self.factorized(name)
                parsed = parse_numbers(text)  # each distinct text once
                bad = np.flatnonzero(np.isnan(parsed))
                if len(bad):
                    n_bad = int(np.isin(codes, bad).sum())
                    examples = ", ".join(repr(v) for v in text.iloc[bad[:3]])
                    self.warnings.append(
                        Problem(
                            f"column '{name}'",
                            f"{n_bad:,} values are not numbers (e.g. {examples}); treated as "
                            "missing",
                        )
                    )
                values = np.where(codes >= 0, parsed[codes] if len(parsed) else np.nan, np.nan)
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


def _canon_number(v) -> str | None:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    f = float(v)
    return str(int(f)) if f.is_integer() else repr(f)


def _canon(value, case_sensitive: bool) -> str:
    """How a rule value is compared: numbers by value, text trimmed (and case-folded)."""
    if isinstance(value, bool):
        return str(value).casefold()
    if isinstance(value, int | float):
        return _canon_number(value)
    text = str(value).strip()
    try:
        return _canon_number(float(text.replace(",", "")))
    except ValueError:
        return text if case_sensitive else text.casefold()


def _canon_series(text: pd.Series, case_sensitive: bool) -> pd.Series:
    out = text.str.strip()
    if not case_sensitive:
        out = out.str.casefold()
    numeric = pd.to_numeric(out.str.replace(",", "", regex=False), errors="coerce")
    is_num = numeric.notna().to_numpy()
    if is_num.any():
        out = out.copy()
        out[is_num] = [_canon_number(v) for v in numeric[is_num]]
    return out


def _gather(codes: np.ndarray, per_unique: np.ndarray, fill) -> np.ndarray:
    if len(per_unique) == 0:
        return np.full(len(codes), fill, dtype=per_unique.dtype)
    return np.where(codes >= 0, per_unique[codes], fill)
