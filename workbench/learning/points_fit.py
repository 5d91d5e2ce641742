"""Fit points from past outcomes: a regularised logistic regression turned into whole points.

The one place where "which attributes led to sales, and how much is each worth" is
computed, shared by ``workbench draft`` (a new model from a CRM export) and calibration
(suggested points for an existing model's criteria). Input is a feature matrix — 0/1
indicators (a lead is in a bin, a group, matches a criterion) or numbers (an activity's
effective count) — and the outcome; output is points per feature on the model's scale,
each with its evidence (leads, conversions, rate and 95 % Wilson interval) and the fitted
coefficient, so every point value can be traced and argued with.

Scaling. The fitted log-odds ``intercept + Σ coef·x`` is multiplied by one factor (points
per unit of log-odds) chosen so the spread of totals seen in the data fills the scale's
width. Features that are levels of one criterion (the bins of a numeric field, the groups
of a categorical one, its 'missing' level) form a *group*; with ``baseline="min"`` each
group's lowest level gets 0 points and the others are counted up from it, so points are
never negative and the best possible lead scores at most the top of the scale. Rounding to
whole points moves a total by at most half a point per group.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from workbench.analysis.metrics import wilson_interval


@dataclass(frozen=True, eq=False)
class PointsFit:
    """Points per feature with their evidence; the result of :func:`fit_points`.

    ``table`` is indexed by feature name, in input order, with columns ``group``,
    ``points``, ``coef`` (log-odds per unit of the feature), ``leads`` (rows where the
    feature is non-zero), ``converted``, ``rate``, ``low`` and ``high`` (95 % Wilson
    interval of the rate).
    """

    table: pd.DataFrame
    intercept: float  # fitted log-odds of a lead with every feature 0
    factor: float  # points per unit of log-odds
    offset: float  # points to add to Σ points·x so the lowest total seen lands on scale min
    scale: tuple[float, float]
    C: float  # inverse regularisation strength used

    @property
    def points(self) -> pd.Series:
        return self.table["points"]

    def linear_predictor(self, X) -> np.ndarray:
        """Fitted log-odds for rows of ``X`` (same columns as fitted)."""
        return _as_matrix(X) @ self.table["coef"].to_numpy() + self.intercept

    def score(self, X) -> np.ndarray:
        """Σ points·x + offset for rows of ``X``: the score the points give, before clipping."""
        return _as_matrix(X) @ self.table["points"].to_numpy() + self.offset


def _as_matrix(X) -> np.ndarray:
    if isinstance(X, pd.DataFrame):
        X = X.to_numpy(dtype=float)
    return np.asarray(X, dtype=float)


def feature_evidence(X, y: np.ndarray, names: Sequence[str]) -> pd.DataFrame:
    """Per feature: leads where it is non-zero, how many converted, rate and 95 % interval.

    Rows with an unknown outcome (NaN) are left out.

    >>> X = np.array([[1, 0], [1, 1], [0, 1]])
    >>> feature_evidence(X, np.array([1.0, 0.0, 0.0]), ["a", "b"])["converted"].tolist()
    [1, 0]
    """
    X = _as_matrix(X)
    y = np.asarray(y, dtype=float)
    known = ~np.isnan(y)
    nz = (X[known] != 0).astype(float)
    leads = nz.sum(axis=0)
    converted = nz.T @ (y[known] > 0.5)
    low, high = wilson_interval(converted, leads)
    rate = np.divide(converted, leads, out=np.full(len(leads), np.nan), where=leads > 0)
    low, high = np.fmin(low, rate), np.fmax(high, rate)  # 1e-19 above a 0 % rate is noise
    return pd.DataFrame(
        {
            "leads": leads.astype(np.int64),
            "converted": converted.astype(np.int64),
            "rate": rate,
            "low": low,
            "high": high,
        },
        index=pd.Index(list(names), name="feature"),
    )


def _group_codes(names: Sequence[str], groups: Sequence[str | None] | None) -> np.ndarray:
    """Group index per feature; a feature without a group is a group of its own."""
    labels = [
        (g if g is not None else f"\0{n}")
        for n, g in zip(names, groups if groups is not None else [None] * len(names), strict=True)
    ]
    return pd.factorize(pd.Series(labels, dtype="object"))[0]


def fit_points(
    X,
    y,
    names: Sequence[str] | None = None,
    *,
    groups: Sequence[str | None] | None = None,
    scale: tuple[float, float] = (0.0, 100.0),
    C: float = 1.0,
    baseline: Literal["min", "zero"] = "min",
    whole: bool = True,
    class_weight: str | None = None,
) -> PointsFit:
    """Fit an L2-regularised logistic regression and scale its coefficients to points.

    Parameters
    ----------
    X : array or DataFrame, shape (n_leads, n_features)
        0/1 indicators or numeric evidence (e.g. effective activity counts).
    y : array, shape (n_leads,)
        Outcome, 1/0 or True/False; NaN rows (unknown outcome) are left out.
    names : feature names (default: DataFrame columns, else ``x0, x1, …``).
    groups : optional group label per feature. Features sharing a label are levels of one
        criterion (mutually exclusive 0/1 columns: the bins of one field plus its 'missing'
        level). ``None`` (or no ``groups``) makes a feature its own group.
    scale : (min, max) of the model's score; the spread of totals in the data fills it.
    C : inverse regularisation strength of scikit-learn's ``LogisticRegression``.
    baseline : ``"min"`` — in each group of 0/1 levels, the lowest level gets 0 points and
        the others count up from it (a row in no level of the group scores 0 too, like
        the lowest); ``"zero"`` — points are ``factor × coef`` unshifted, so a feature at
        0 scores 0 and points may be negative (what calibrating fixed criteria needs).
    whole : round points to whole numbers (keeping the best total within the scale).
    class_weight : passed to scikit-learn (``"balanced"`` for very rare outcomes).

    Returns
    -------
    PointsFit
        ``table`` of points, coefficients and evidence per feature; ``factor`` (points per
        unit of log-odds) and ``offset`` so that ``Σ points·x + offset`` spans the scale.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = np.eye(3)[rng.integers(0, 3, 600)]  # one categorical field, three levels
    >>> y = rng.random(600) < np.array([0.05, 0.2, 0.5]) @ X.T
    >>> fit = fit_points(X, y, ["low", "mid", "high"], groups=["tier"] * 3)
    >>> fit.points.min(), fit.points.max()  # the worst level 0, the best the top of the scale
    (np.float64(0.0), np.float64(100.0))
    """
    from sklearn.linear_model import LogisticRegression

    frame_names = list(X.columns) if isinstance(X, pd.DataFrame) else None
    X = _as_matrix(X)
    n, k = X.shape
    names = list(names) if names is not None else frame_names or [f"x{j}" for j in range(k)]
    if len(names) != k:
        raise ValueError(f"names must give one name per column; got {len(names)} for {k}")
    if groups is not None and len(groups) != k:
        raise ValueError(f"groups must give one label per column; got {len(groups)} for {k}")
    lo_scale, hi_scale = float(scale[0]), float(scale[1])
    if not lo_scale < hi_scale:
        raise ValueError(f"scale must be (min, max) with min < max; got {scale}")
    y = np.asarray(y, dtype=float)
    known = ~np.isnan(y)
    yk = y[known] > 0.5
    if yk.all() or not yk.any():
        raise ValueError("the outcome needs both converted and not converted leads to fit")

    model = LogisticRegression(C=C, max_iter=2000, class_weight=class_weight)
    model.fit(X[known], yk)
    coef = model.coef_[0].astype(float)
    intercept = float(model.intercept_[0])

    code = _group_codes(names, groups)
    n_groups = int(code.max()) + 1 if k else 0
    member = np.zeros((k, n_groups))
    member[np.arange(k), code] = 1.0
    shift = np.zeros(k)
    if baseline == "min":
        # only a group of 0/1 levels can be shifted so its lowest level scores 0; a lone
        # feature keeps its sign (shifting it would reorder the leads)
        binary = np.isin(X, (0.0, 1.0)).all(axis=0) if n else np.ones(k, bool)
        sizes = np.bincount(code, minlength=n_groups)
        shiftable = (sizes > 1) & (member.T @ ~binary == 0)
        lowest = np.full(n_groups, np.inf)
        np.minimum.at(lowest, code, coef)
        shift = np.where(shiftable[code], lowest[code], 0.0)
    elif baseline != "zero":
        raise ValueError(f"baseline must be 'min' or 'zero'; got {baseline!r}")
    shifted = coef - shift
    width = hi_scale - lo_scale

    def spread(values: np.ndarray) -> tuple[float, float]:
        """Lowest and highest total a lead can reach, group by group, over the data."""
        if not n or not k:
            return 0.0, 0.0
        c = (X * values) @ member
        return float(c.min(axis=0).sum()), float(c.max(axis=0).sum())

    lo_raw, hi_raw = spread(shifted)
    factor = width / (hi_raw - lo_raw) if hi_raw > lo_raw else 0.0

    def to_points(f: float) -> np.ndarray:
        p = shifted * f
        return np.round(p) if whole else p

    points = to_points(factor)
    if whole and factor > 0:
        # rounding can push the widest total past the scale: shrink the factor until it fits
        for _ in range(100):
            lo, hi = spread(points)
            if hi - lo <= width + 1e-9:
                break
            factor *= 0.99
            points = to_points(factor)
    points = points + 0.0  # no negative zeros in the table
    offset = lo_scale - spread(points)[0]

    table = pd.DataFrame(
        {"group": [g if g is not None else n_ for n_, g in _pairs(names, groups)]},
        index=pd.Index(names, name="feature"),
    )
    table["points"] = points
    table["coef"] = coef
    table = table.join(feature_evidence(X, y, names))
    return PointsFit(
        table=table,
        intercept=intercept,
        factor=float(factor),
        offset=float(offset),
        scale=(lo_scale, hi_scale),
        C=float(C),
    )


def _pairs(names: Sequence[str], groups: Sequence[str | None] | None):
    return zip(names, groups if groups is not None else [None] * len(names), strict=True)


def points_on_top(score, extra, y, *, C: float = 1e4, limit: float = np.inf) -> np.ndarray:
    """Points for new criteria added to a model as it is, in the model's own units.

    The outcome's log-odds are fitted on the model's score and the new criteria's
    features together (``extra``: one column each, 0/1 or a count); a feature's
    coefficient over the score's is what it is worth in points. The criteria already there
    keep their points, so a new one is worth only what they do not already say: fitted
    instead beside every level afresh, a combination's parts would drop in that fit but
    keep their points in the model, and the combination would be counted twice.

    Rows with an unknown outcome (NaN) are left out. A score that does not rank the
    outcome (coefficient ≤ 0) gives no footing: every new criterion gets 0; one that
    barely ranks it would give thousands, so points are held within ±``limit``.

    >>> rng = np.random.default_rng(1)
    >>> score = rng.uniform(0, 100, 20000)
    >>> bonus = rng.random(20000) < 0.3
    >>> y = rng.random(20000) < 1 / (1 + np.exp(-(-4 + 0.04 * (score + 25 * bonus))))
    >>> round(float(points_on_top(score, bonus[:, None], y)[0]))  # 25 points, as planted
    25
    """
    from sklearn.linear_model import LogisticRegression

    y = np.asarray(y, dtype=float)
    known = ~np.isnan(y)
    extra = _as_matrix(extra).reshape(len(y), -1)
    X = np.column_stack([np.asarray(score, dtype=float), extra])[known]
    yk = y[known] > 0.5
    if yk.all() or not yk.any():
        return np.zeros(extra.shape[1])
    coef = LogisticRegression(C=C, max_iter=2000).fit(X, yk).coef_[0]
    if coef[0] <= 0:
        return np.zeros(extra.shape[1])
    return np.clip(coef[1:] / coef[0], -limit, limit)
