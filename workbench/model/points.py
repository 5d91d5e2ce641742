"""The points table of a model: one row per criterion, or per bin/group of a level criterion.

The report's criteria table, calibration's evidence columns and the tuning app's sliders
all show "this criterion (at this level) is worth these points"; they read it here, so a
bin's label or a star criterion's points cannot be worked out three ways.

>>> [(p.feature, p.level_label, p.points) for p in points_table(model)][:2]  # doctest: +SKIP
[('job_title', '', 15.0), ('seniority[0]', 'Executive', 20.0)]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.model.spec import Criterion, Model
from workbench.text import MINUS, signed_points


@dataclass(frozen=True)
class PointsRow:
    """What one evidence column of a criterion is worth in the model.

    ``level`` is the bin/group index of a bins/lookup criterion (-1 for a simple one);
    ``feature`` names the evidence column the points multiply (``seniority[0]``).
    """

    criterion: str  # criterion id
    label: str  # the criterion's label
    level: int
    level_label: str  # the bin or group in words ('' for a simple criterion)
    points: float
    stars: int | None = None  # a star criterion's stars (points = stars × points per star)

    @property
    def feature(self) -> str:
        return f"{self.criterion}[{self.level}]" if self.level >= 0 else self.criterion

    @property
    def unit(self) -> str:
        """What the model file counts this value in: ``stars`` or ``points``."""
        return "stars" if self.stars is not None else "points"


def criterion_points_rows(model: Model, c: Criterion) -> tuple[PointsRow, ...]:
    """The rows of one criterion: one per bin/group of a level criterion, else one."""
    if c.is_level:
        return tuple(
            PointsRow(c.id, c.label, lv, item.describe(), p)
            for lv, (item, p) in enumerate(zip(c.rule.levels, model.level_points(c), strict=True))
        )
    return (PointsRow(c.id, c.label, -1, "", model.criterion_points(c), c.stars),)


def points_table(model: Model) -> tuple[PointsRow, ...]:
    """Every criterion's rows, in the model's order."""
    return tuple(row for c in model.criteria for row in criterion_points_rows(model, c))


def signed_points_series(values: np.ndarray) -> pd.Series:
    """:func:`signed_points` of each value (positioned 0..n-1), worded once per distinct
    value: the reasons of a million leads hold a handful of distinct (rounded) points."""
    bits = np.ascontiguousarray(values, dtype=np.float64).reshape(-1).view(np.int64)
    distinct, inverse = np.unique(bits, return_inverse=True)  # bits: −0 stays apart from +0
    words = np.array([signed_points(v) for v in distinct.view(np.float64)], dtype=object)
    return pd.Series(words[inverse.reshape(-1)], dtype="str")


def points_text(model: Model, c: Criterion) -> str:
    """``+15``, ``★★ (+10)`` or, per bin or group, ``Executive +20 · Director +15 …``."""
    rows = criterion_points_rows(model, c)
    if c.is_level:
        return " · ".join(f"{row.level_label} {signed_points(row.points)}" for row in rows)
    (row,) = rows
    if row.stars is not None:
        stars = ("" if row.stars > 0 else MINUS) + "★" * abs(row.stars)
        return f"{stars} ({signed_points(row.points)})"
    return signed_points(row.points)
