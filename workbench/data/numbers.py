"""The one reader of numbers, money and percentages written as text in a leads file.

Profiling decides a column is numeric, drafting bins it, the engine scores it with a
``range`` or ``bins`` rule and the reasons show its value: all four read the text with
this module, so a column that profiles as numbers also scores as numbers.

A value reads as a number when it is, after trimming spaces:

* digits with an optional decimal point and exponent: ``7``, ``-3``, ``+2.5``, ``.5``,
  ``1.2E+07`` (the point is always the decimal point: ``1.200`` is 1.2);
* thousands grouped by commas or spaces, three digits a group: ``1,200``,
  ``1,234,567.5``, ``1 200`` (also a no-break space, as French spreadsheets write it);
* with one currency sign before or after it: ``$5000``, ``€ 1,200``, ``-$5``, ``5 £``;
* or with a percent sign after it: ``12 %`` and ``12%`` both read **12.0**, the number
  written, the way a marketer writes a ``range`` rule on the column (``min: 10``);
* negative with ``-`` or the typographic minus ``−`` the workbench prints in reasons.

Everything else is not a number (the callers say how many and give examples): words,
``5M`` or ``$5k`` (a suffix is not guessed at), ``12,5`` or ``1,2345`` (a comma that does
not group thousands: a decimal comma would otherwise silently read ten times too big),
``inf`` and ``nan``, two signs or two currency symbols, a currency with a percent.

The value rules (``equals``, ``in``, ``not_in``, ``lookup``) compare a value as a number
exactly when this module reads it as one (:func:`canonical`): ``$1,200`` matches ``in:
[1200]`` because it is in ``range: {min: 1000}``, and ``12,5`` is the text ``12,5`` for both.

Work is done with Arrow string kernels on each *distinct* text, never per row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workbench.model.bounds import EDGE

__all__ = ["canonical", "number_key", "parse_numbers", "read_numbers"]

_SPACE = "[\\s\u00a0\u202f]"  # ASCII whitespace, no-break and narrow no-break space
_GAP = " \u00a0\u202f"  # what groups thousands besides a comma: spaces, as French sheets write
_GROUPED = f"\\d{{1,3}}(?:,\\d{{3}})+|\\d{{1,3}}(?:[{_GAP}]\\d{{3}})+|\\d+"
_NUMBER = f"(?:(?:{_GROUPED})(?:\\.\\d*)?|\\.\\d+)(?:[eE][-+]?\\d+)?"
_SIGN = "[-+\u2212]"
PATTERN = (
    f"^{_SPACE}*(?P<sign>{_SIGN}?){_SPACE}*(?P<pre>[$€£]?){_SPACE}*(?P<sign2>{_SIGN}?)"
    f"(?P<number>{_NUMBER}){_SPACE}*(?P<post>[$€£%]?){_SPACE}*$"
)
"""What a number looks like (RE2 and Python ``re`` syntax alike); see the module docstring."""


def parse_numbers(text: pd.Series | pa.Array | list) -> np.ndarray:
    """Each text value as a float64 (NaN where missing or not a number), in one Arrow pass.

    Callers pass a column's distinct values (see :func:`read_numbers`), not every row.
    """
    if isinstance(text, pd.Series):
        text = text.astype("str")
    arr = pa.array(text, type=pa.large_string(), from_pandas=True)
    if not len(arr):
        return np.zeros(0, dtype=float)
    parts = pc.extract_regex(arr, PATTERN)  # null where the whole value is not a number

    def part(name: str) -> pa.Array:
        return pc.struct_field(parts, name)

    sign, sign2, pre, post = part("sign"), part("sign2"), part("pre"), part("post")
    ok = pc.and_(
        pc.or_(pc.equal(sign, ""), pc.equal(sign2, "")),  # one sign at most
        pc.or_(pc.equal(pre, ""), pc.equal(post, "")),  # one currency (or a %) at most
    )
    digits = pc.replace_substring_regex(part("number"), f"[,{_GAP}]", "")
    value = pc.cast(pc.if_else(ok, digits, None), pa.float64())
    negative = pc.or_(
        pc.is_in(sign, pa.array(["-", "\u2212"])), pc.is_in(sign2, pa.array(["-", "\u2212"]))
    )
    value = pc.if_else(negative, pc.negate(value), value)
    return value.to_numpy(zero_copy_only=False).astype(float, copy=False)


def read_numbers(col: pd.Series) -> np.ndarray:
    """A column's values as float64 (NaN where missing or not a number).

    Numeric columns (from Parquet, Excel or a DataFrame; yes/no as 1/0) are taken as
    they are; text is parsed by :func:`parse_numbers` once per distinct value and
    gathered back by code, so a million leads cost as much as their distinct values.
    """
    if pd.api.types.is_numeric_dtype(col):
        values = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        return _usable(values)
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    parsed = _usable(parse_numbers(pd.Series(uniques, dtype="object")))
    if not len(parsed):
        return np.full(len(col), np.nan)
    return np.where(codes >= 0, parsed[codes], np.nan)


def _usable(values: np.ndarray) -> np.ndarray:
    """NaN for infinities and magnitudes beyond what a bin edge may be (±10^15): an
    export's overflow or sentinel (``inf``, ``1e308``), not a company size; the engine
    warns about them as values that are not numbers."""
    with np.errstate(invalid="ignore"):
        ok = np.abs(values) <= EDGE
    return np.where(ok, values, np.nan)


def number_key(value: float) -> str:
    """The text a number compares by as a value: ``125`` for 125.0, ``0.5``, ``-3``.

    One key per number, however it was written (``1,200``, ``$1200``, ``1200.0``).
    """
    f = float(value)
    return str(int(f)) if f.is_integer() else repr(f)


def canonical(text: pd.Series) -> pd.Series:
    """Each text as a value rule compares it: the :func:`number_key` of the number it reads
    as where :func:`parse_numbers` reads one, else the text unchanged (missing stays missing).

    Callers pass distinct values (a column's vocabulary, a rule's values), not every row.
    """
    text = text.astype("str")
    parsed = parse_numbers(text)
    is_num = ~np.isnan(parsed)
    if not is_num.any():
        return text
    out = text.copy()
    out[is_num] = [number_key(v) for v in parsed[is_num]]
    return out
