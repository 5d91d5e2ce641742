"""Shaping a draft's fitted points into the ones a model file shows: in order along a numeric
column's trend, following each level's own evidence, whole numbers rounded once for the whole
model, and totals moved into the scale.

Pure functions over each criterion's points and evidence (leads, conversions per level); the
regression they start from is :func:`workbench.learning.points_fit.fit_points`, the draft that
calls them :func:`workbench.learning.drafting.fit_draft`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from workbench.analysis.metrics import wilson_interval
from workbench.learning.draft_options import DraftOptions


def monotone_points(points: list[float], ev: list[tuple[int, int]]) -> list[float]:
    """Bin points that rise (or fall) as the bins' conversion does, as sales expects of
    a number like company size: 64–189 employees never outscores 590+ when bigger
    companies convert better.

    The fitted points can zigzag where columns overlap (size, revenue and segment tell
    the same story); a weighted isotonic fit (pool adjacent violators, weights = leads
    per bin) keeps them as close as possible while in order (rounded to whole points once,
    for the whole model, by :func:`whole_points`).
    """
    leads = np.array([n for n, _ in ev], dtype=float)
    won = np.array([c for _, c in ev], dtype=float)
    if len(points) < 2 or leads.sum() == 0:
        return points
    rate = won / np.maximum(leads, 1)
    # the direction of the conversion trend, weighted by leads (a tiny end bin cannot flip it)
    index = np.arange(len(rate), dtype=float)
    mean_i = np.average(index, weights=np.maximum(leads, 1e-9))
    rising = np.average((index - mean_i) * rate, weights=np.maximum(leads, 1e-9)) >= 0
    values = np.asarray(points, dtype=float) * (1 if rising else -1)
    blocks: list[list[float]] = []  # [mean, weight, size]
    for v, w in zip(values, np.maximum(leads, 1e-9), strict=True):
        blocks.append([v, w, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, w2, k2 = blocks.pop()
            m1, w1, k1 = blocks.pop()
            blocks.append([(m1 * w1 + m2 * w2) / (w1 + w2), w1 + w2, k1 + k2])
    fitted = np.concatenate([[m] * k for m, _, k in blocks]) * (1 if rising else -1)
    return [float(v) + 0.0 for v in fitted]


def evidence_points(
    points: list[float], ev: list[tuple[int, int]], options: DraftOptions = DraftOptions()
) -> list[float]:
    """The levels' points made to follow their own evidence, as a marketer reads them.

    - Two levels whose 95 % (Wilson) intervals do not overlap never get points in the
      opposite order: a source converting at 92.5 % cannot get +0 while one at 25.9 % gets
      +2. The regression can reorder levels whose evidence overlaps (other columns explain
      them); where the data are clear, the offending levels are pooled to their
      lead-weighted mean until no such pair is left.
    - A level with fewer than ``min_leads`` leads (one lead) scores no points.
    - A level nearly every lead has (``dominant_share``) scores 0: the few others carry the
      signal, with points relative to it. Otherwise the lowest level scores 0.

    Shifting all levels of a column by one number ranks no lead differently.
    """
    v = np.asarray(points, dtype=float).copy()
    n = np.array([a for a, _ in ev], dtype=float)
    c = np.array([b for _, b in ev], dtype=float)
    if len(v) == 0:
        return []
    tiny = n < max(options.min_leads, 2)
    low, high = wilson_interval(c, n)
    clearly = (low[:, None] > high[None, :]) & ~tiny[:, None] & ~tiny[None, :]
    block = np.arange(len(v))
    for _ in range(len(v)):
        wrong = clearly & (v[:, None] < v[None, :])  # i converts clearly better, fewer points
        if not wrong.any():
            break
        i, j = np.unravel_index(
            np.argmax(np.where(wrong, v[None, :] - v[:, None], -1)), wrong.shape
        )
        pool = (block == block[i]) | (block == block[j])
        v[pool] = np.average(v[pool], weights=np.maximum(n[pool], 1e-9))
        block[pool] = block[i]
    share = n / max(n.sum(), 1.0)
    dominant = np.flatnonzero(~tiny & (share >= options.dominant_share))
    kept = ~tiny
    base = v[dominant[0]] if len(dominant) else (v[kept].min() if kept.any() else 0.0)
    v = v - base
    v[tiny] = 0.0
    return [float(x) + 0.0 for x in v]


def whole_points(
    points: dict[str, list[float]],
    width: float,
    *,
    leads: dict[str, list[float]] | None = None,
    totals: Callable[[dict[str, np.ndarray]], np.ndarray] | None = None,
) -> tuple[dict[str, list[float]], float]:
    """Every criterion's points as whole numbers, rounded once for the whole model; and the
    factor they were scaled by.

    Rounding each step (the fit, the isotonic pass, the pooling) would move a level by up
    to a point and a half; rounding once moves it by less than a point. Whole points on
    a 0–100 scale are coarse, so two things keep what rounding costs the ranking small:

    - the points are scaled so the leads' totals fill the scale (``totals`` gives the
      totals of the leads the draft learns from; without it, the widest total any
      combination of levels could reach must fit, which leaves the top of the scale empty);
    - each criterion is rounded with the offset that moves its leads least (``leads`` per
      level weigh the errors), then shifted back so its base level keeps 0 points.

    Scaling by one factor and rounding never reverse two levels' order, so the points still
    follow their evidence.

    >>> whole_points({"a": [0.0, 2.4, 2.6], "b": [0.0, -1.5]}, 8.2)  # widest total 4.1
    ({'a': [0.0, 5.0, 5.0], 'b': [0.0, -3.0]}, 2.0)
    """
    exact = {k: np.asarray(v, dtype=float) for k, v in points.items()}
    weight = {
        k: np.asarray((leads or {}).get(k, np.ones(len(v))), dtype=float) for k, v in exact.items()
    }

    def top(p: dict[str, np.ndarray]) -> float:
        """Highest total measured from 0 (the engine adds points to 0 and clips)."""
        if totals is not None:
            t = totals(p)
            return float(max(t.max(), 0.0) - min(t.min(), 0.0)) if len(t) else 0.0
        return float(sum(v.max() - v.min() for v in p.values() if len(v)))

    def rounded(f: float) -> dict[str, np.ndarray]:
        out = {}
        for k, v in exact.items():
            x = v * f
            base = int(np.argmin(np.abs(v)))  # the level the evidence step set to 0
            best, err = np.round(x), (np.inf if len(v) > 1 else 0.0)  # a lone one: as is
            w = weight[k] if weight[k].sum() > 0 else np.ones(len(v))
            for d in np.linspace(-0.45, 0.45, 19):  # the offset that moves its leads least
                moved = np.round(x + d) - x  # a shift shared by all its leads ranks none
                e = float(w @ (moved - np.average(moved, weights=w)) ** 2)
                if e < err - 1e-12:
                    best, err = np.round(x + d), e
            out[k] = best - best[base] + 0.0 if len(v) > 1 else best  # a lone one keeps its sign
        return out

    widest = top(exact)
    factor = width / widest if widest > 0 else 1.0
    result = rounded(factor)
    while top(result) > width + 1e-9:  # ends: a small enough factor rounds all to 0
        factor *= 0.99
        result = rounded(factor)
    return {k: [float(x) for x in v] for k, v in result.items()}, factor


def into_scale(
    points: dict[str, list[float]], low: float, totals: np.ndarray, covering: Sequence[str]
) -> dict[str, list[float]]:
    """``points`` with the leads' totals moved up (or down) to start at the scale's ``low``.

    :func:`whole_points` fits the totals' spread in the scale's width, but the engine adds
    points to 0 and clips at the scale's ends: on 300–850 every lead under 300 would tie at
    300, and negative points (an activity) would tie leads at 0. Every lead has exactly one
    level of a ``covering`` criterion (its 'missing' included), so the same number on each
    of them moves every total alike and ranks no lead differently.
    """
    if not len(totals) or not covering:
        return points
    shift = float(np.round(low - min(float(totals.min()), 0.0)))
    if shift == 0:
        return points
    cid = covering[0]
    return {**points, cid: [p + shift + 0.0 for p in points[cid]]}
