"""The limits of a model file: how big, how deep, and the range of every number in it.

A model file may come from anyone (a colleague's e-mail, a shared drive), so it is read as
hostile: a YAML alias bomb, 100,000 nesting levels or ``points: .inf`` must end in a short
message naming the key and the allowed range, never a hang, a traceback or a score of NaN.
The ranges are wide enough for every real model and narrow enough that sums of thousands
of criteria stay exact in float64.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import AfterValidator, AllowInfNan, BeforeValidator, Field

MAX_MODEL_BYTES = 16_000_000
"""A drafted 10,000-criteria model with evidence is about 4 MB."""
MAX_DEPTH = 64
"""Nesting levels of YAML; a model needs fewer than 10."""
MAX_ALIAS_NODES = 100_000
"""Nodes that YAML aliases (``*name``) may add when expanded: a few shared lists, never a
'billion laughs'."""
MAX_CRITERIA = 10_000
"""Criteria (and inquiry rules) in one model: beyond that no one can review it; split it
into segment models."""

POINTS = 10_000
"""Points of a criterion, bin or group, and a criterion's max_points."""
SCALE = 1_000_000
"""Scale ends, thresholds and bucket caps."""
EDGE = 1e15
"""Bin edges and ranges: revenue in cents fits; float64 is exact for integers this big."""
DAYS = 36_500
"""Windows and half-lives: a hundred years."""
COUNT = 1_000_000
"""Event counts (min_count, max_count)."""


def _number(value: float) -> str:
    return f"{value:,.6g}" if abs(value) < 1e6 else f"{value:,.0f}"


def _range_text(lo: float, hi: float, lo_open: bool, unit: str) -> str:
    lo_text = "one hour (0.0417 days)" if unit == " days" and 0 < lo < 1 else _number(lo)
    if lo_open:
        return f"a number above {_number(lo)} and at most {_number(hi)}{unit}"
    return f"a number from {lo_text} to {_number(hi)}{unit}"


def _bounded_check(lo: float, hi: float, lo_open: bool, unit: str):
    allowed = _range_text(lo, hi, lo_open, unit)

    def check(value: float) -> float:
        ok = math.isfinite(value) and (lo < value if lo_open else lo <= value) and value <= hi
        if not ok:
            raise ValueError(f"must be {allowed}; got {value:g}")
        return value

    return check


def _refuse_far_floats(lo: float, hi: float, unit: str):
    """For whole numbers: ``.inf``, ``.nan`` and ``1.0e+308`` get the range, not pydantic's
    parse error about integer sizes."""
    allowed = _range_text(lo, hi, False, unit)

    def check(value: Any) -> Any:
        if isinstance(value, float) and not (math.isfinite(value) and lo <= value <= hi):
            raise ValueError(f"must be a whole {allowed[2:]}; got {value:g}")
        return value

    return check


def _no_bool(value: Any) -> Any:
    """``points: true`` is a slip (pydantic would read it as 1), never a number."""
    if isinstance(value, bool):
        raise ValueError(f"must be a number, not {str(value).lower()}")
    return value


def bounded(lo: float, hi: float, *, lo_open: bool = False, unit: str = "") -> Any:
    """A float type that is finite and in ``[lo, hi]`` (``(lo, hi]`` with ``lo_open``); its
    error names the range, so ``points: .inf`` reads "must be a number from -10,000 to
    10,000; got inf"."""
    return Annotated[
        float,
        AllowInfNan(True),
        BeforeValidator(_no_bool),
        AfterValidator(_bounded_check(lo, hi, lo_open, unit)),
    ]


def bounded_int(lo: int, hi: int, *, unit: str = "") -> Any:
    """A whole number in ``[lo, hi]``, with the range in its error."""
    return Annotated[
        int,
        BeforeValidator(_no_bool),
        BeforeValidator(_refuse_far_floats(lo, hi, unit)),
        AfterValidator(_bounded_check(lo, hi, False, unit)),
    ]


Points = bounded(-POINTS, POINTS)
PositivePoints = bounded(0, POINTS, lo_open=True)
ScaleValue = bounded(-SCALE, SCALE)
Cap = bounded(0, SCALE, lo_open=True)
Weight = bounded(0, 100)
PointsPerStar = bounded(0, 1_000, lo_open=True)
Edge = bounded(-EDGE, EDGE)
HalfLife = bounded(1 / 24, DAYS, unit=" days")
Days = bounded_int(1, DAYS, unit=" days")
Count = bounded_int(1, COUNT)
Factor = bounded(0, 1, lo_open=True)
Version = bounded_int(1, 1_000_000)
Stars = Annotated[int, BeforeValidator(_no_bool), Field(ge=-5, le=5)]

NAME_CHARS = 300
"""Names, labels and column names: a line of a report, never a megabyte echoed back."""
TEXT_CHARS = 20_000
"""Descriptions and changelog notes."""
Name = Annotated[str, Field(min_length=1, max_length=NAME_CHARS)]
Label = Annotated[str, Field(max_length=NAME_CHARS)]
Text = Annotated[str, Field(max_length=TEXT_CHARS)]
