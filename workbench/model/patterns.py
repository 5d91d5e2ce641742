"""Regular expressions from model files, matched in linear time (RE2, through Arrow).

Python's ``re`` backtracks: ``^(a+)+$`` against one crafted lead value runs for hours, and
both the pattern (a model file) and the value (a lead's form entry) come from outside. RE2
guarantees time linear in the text, and it is what DuckDB, Spark and the warehouses
evaluate, so a pattern means the same in every engine. What RE2 cannot express
(backreferences, lookaround) is refused when the model is read, with the reason.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

Texts = Sequence[object] | np.ndarray | pa.Array
"""Text values: an Arrow string array as is, anything else converted (missing -> null)."""

NOT_IN_RE2 = (
    "lookahead, lookbehind and backreferences are not supported, as in DuckDB and "
    "Spark; patterns run in linear time"
)


def check_pattern(pattern: str) -> str:
    """``pattern`` if RE2 compiles it; a ValueError saying why not otherwise."""
    try:
        pc.match_substring_regex(pa.array([""], pa.string()), pattern)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        reason = str(exc).removeprefix("Invalid regular expression: ")
        raise ValueError(f"not a usable regular expression ({reason}); {NOT_IN_RE2}") from None
    return pattern


def _strings(values: Texts) -> pa.Array:
    if isinstance(values, pa.Array):
        return values
    return pa.array(np.asarray(values, dtype=object), type=pa.string(), from_pandas=True)


def matches(values: Texts, pattern: str, *, case: bool) -> np.ndarray:
    """Whether each value contains a match of ``pattern`` (searched, not anchored); missing
    values never match. ``values`` are the few distinct values of a column, not all rows."""
    text = _strings(values)
    hit = pc.match_substring_regex(text, pattern, ignore_case=not case)
    return hit.fill_null(False).to_numpy(zero_copy_only=False).astype(bool)


def contains_any(values: Texts, words: Sequence[str], *, case: bool) -> np.ndarray:
    """Whether each value contains any of ``words`` as plain text."""
    text = _strings(values)
    out = np.zeros(len(text), dtype=bool)
    for word in words:
        hit = pc.match_substring(text, word, ignore_case=not case)
        out |= hit.fill_null(False).to_numpy(zero_copy_only=False).astype(bool)
    return out
