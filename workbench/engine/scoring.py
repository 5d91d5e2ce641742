"""Scoring: points, caps, weights and thresholds applied to precomputed signals.

This is the cheap stage a slider move runs: per segment block and bucket, one
matrix-vector product over a contiguous slice of the evidence matrix, a few gathers for
bins/lookup criteria, then caps, weights, the scale and the thresholds. No signal is
recomputed and no per-lead Python runs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.engine.reasons import reason_texts
from workbench.engine.segments import SegmentRules, rules_by_code
from workbench.engine.signals import Signals, rules_key
from workbench.errors import ModelError, Problem
from workbench.model.spec import Criterion, Model, Threshold


@dataclass(frozen=True, eq=False)
class Totals:
    """Scores in signals' row order: what a slider move needs, and nothing more."""

    score: np.ndarray  # float64, rounded to 0.1, clipped to the scale
    category: np.ndarray  # int8 index into category_names (last = inquiry)
    grade: np.ndarray | None  # int8 index into grade_names
    level: np.ndarray | None  # int8 index into level_names
    buckets: dict[str, np.ndarray]  # capped bucket subtotals (before weight)
    category_names: tuple[str, ...]
    grade_names: tuple[str, ...]
    level_names: tuple[str, ...]
    raw: np.ndarray | None = None
    """float64, rounded to 0.1, before clipping to the scale: what orders leads that the
    clip ties (a hundred leads at exactly the scale's top are not equally good)."""


def _check(model: Model, signals: Signals) -> None:
    if rules_key(model) != signals.key:
        raise ModelError(
            [
                Problem(
                    "signals",
                    "these signals were computed for other rules (criteria, inquiries, segments "
                    "or data mapping changed); run compute_signals again with this model",
                )
            ]
        )


def _variant_points(rules: SegmentRules, model: Model) -> dict[str, float]:
    """Points per simple criterion for one segment, and 1/0 for whether level criteria apply."""
    return {
        c.id: (1.0 if rules.applies[c.id] else 0.0) if c.is_level else rules.points[c.id]
        for c in model.criteria
    }


def _level_table(model: Model, c: Criterion) -> np.ndarray:
    """Points per level (criterion cap applied), then a trailing 0 for 'in no bin' (-1)."""
    pts = np.array((*model.level_points(c), 0.0), dtype=np.float64)
    if c.max_points is not None:
        pts = np.clip(pts, -c.max_points, c.max_points)
    return pts


def _column_points(model: Model, rules: SegmentRules, signals: Signals) -> np.ndarray:
    """Points per matrix column for one segment: a level column carries its level's points."""
    pts = _variant_points(rules, model)
    crit = {c.id: c for c in model.criteria}
    tables = {cid: _level_table(model, crit[cid]) for cid in signals.levels}
    return np.array(
        [pts[cid] * (tables[cid][lv] if lv >= 0 else 1.0) for cid, lv in signals.columns],
        dtype=np.float32,
    )


def _bucket_slices(model: Model, signals: Signals) -> dict[str, np.ndarray]:
    crit = {c.id: c for c in model.criteria}
    out: dict[str, list[int]] = {b: [] for b in model.bucket_ids}
    for j, (cid, _) in enumerate(signals.columns):
        out[crit[cid].bucket].append(j)
    return {b: np.array(cols, dtype=np.intp) for b, cols in out.items()}


def _as_slice(cols: np.ndarray) -> slice | np.ndarray:
    if len(cols) and (np.diff(cols) == 1).all():
        return slice(int(cols[0]), int(cols[-1]) + 1)
    return cols


def _subtotal(
    signals: Signals, lo: int, hi: int, cols: np.ndarray, p: np.ndarray, caps
) -> np.ndarray:
    """One bucket's subtotal over rows lo:hi — a matvec plus the capped columns."""
    out = np.zeros(hi - lo, dtype=np.float32)
    free = np.array([j for j in cols if j not in caps], dtype=np.intp)
    if len(free):
        # a contiguous slice is a view of the Fortran-ordered matrix: no copy before the matvec
        out += signals.matrix[lo:hi][:, _as_slice(free)] @ p[free]
    in_bucket = set(cols.tolist())
    for j, cap in caps.items():
        if j in in_bucket:
            # clip the points, not the evidence: cap / p * p is not exactly cap in float32,
            # and that last bit could lower a score when a capped criterion's points go up
            out += np.clip(signals.matrix[lo:hi, j] * p[j], -cap, cap)
    return out


def bucket_subtotals(
    model: Model, signals: Signals, per_code: tuple[SegmentRules, ...] | None = None
) -> dict[str, np.ndarray]:
    """Uncapped subtotal per bucket (criterion caps applied), memoised by exact points.

    A slider move changes one criterion, so only its bucket's matvec runs again.
    ``per_code``: :func:`rules_by_code` of ``model`` when the caller has it already.
    """
    _check(model, signals)
    n = signals.n_leads
    crit = {c.id: c for c in model.criteria}
    cols = _bucket_slices(model, signals)
    blocks = signals.segment_blocks
    per_code = per_code or rules_by_code(model)
    subtotals = (
        {b: np.empty(n, dtype=np.float32) for b in model.bucket_ids} if len(blocks) > 1 else {}
    )
    for code, lo, hi in blocks:
        p = _column_points(model, per_code[code], signals)
        caps = {}  # column -> points cap, only where the cap can bite
        for j, (cid, lv) in enumerate(signals.columns):
            cap = crit[cid].max_points
            if lv < 0 and cap is not None and p[j] != 0 and signals.col_max[j] * abs(p[j]) > cap:
                caps[j] = np.float32(cap)
        for b, bcols in cols.items():
            key = (
                code,
                tuple(bcols.tolist()),
                p[bcols].tobytes(),
                tuple(sorted((j, float(v)) for j, v in caps.items() if j in bcols)),
            )
            cached = signals.subtotal_cache.get(key)
            if cached is None:
                cached = signals.subtotal_cache.put(
                    key, _subtotal(signals, lo, hi, bcols, p, caps), 4 * len(cols) * len(blocks)
                )
            if len(blocks) > 1:
                subtotals[b][lo:hi] = cached
            else:
                subtotals[b] = cached
    if not blocks:
        return {b: np.zeros(0, dtype=np.float32) for b in model.bucket_ids}
    return subtotals


def _band_index(levels: tuple[Threshold, ...], values: np.ndarray) -> np.ndarray:
    """Index of the first band (highest first) whose min the value reaches; else the last.

    Counting the mins a value falls below is a few comparisons per lead — much cheaper
    than a binary search for the handful of bands a model has.
    """
    idx = np.zeros(len(values), dtype=np.int8)
    for t in levels[:-1]:
        idx += values < t.lower_bound
    return idx


def score_totals(model: Model, signals: Signals) -> Totals:
    """Score, category, grade and capped bucket subtotals for every lead (signals' row order)."""
    per_code = rules_by_code(model)  # a slider move builds the segments' rules once
    raw = bucket_subtotals(model, signals, per_code)
    n = signals.n_leads
    total = np.zeros(n, dtype=np.float32)
    capped: dict[str, np.ndarray] = {}
    for b in model.buckets:
        sub = raw[b.id]
        if b.cap is not None:
            sub = np.minimum(sub, np.float32(b.cap))
        capped[b.id] = sub
        if b.weight == 100:
            total += sub
        elif b.weight:
            total += sub * np.float32(b.weight / 100.0)
    # float32 is ample for a sum of a few buckets; the score itself is an exact-decimal float64
    raw_total = total.astype(np.float64)
    score = np.clip(raw_total, model.scale.min, model.scale.max)
    np.round(score, 1, out=score)
    np.round(raw_total, 1, out=raw_total)

    category = np.empty(n, dtype=np.int8)
    for code, lo, hi in signals.segment_blocks:
        category[lo:hi] = _band_index(per_code[code].categories, score[lo:hi])
    category[signals.inquiry_rows] = len(model.categories)

    def grading(g):
        if g is None:
            return None, ()
        return _band_index(g.levels, capped[g.bucket]), tuple(t.name for t in g.levels)

    grade, grade_names = grading(model.fit_grade)
    level, level_names = grading(model.engagement_levels)
    return Totals(
        score=score,
        category=category,
        grade=grade,
        level=level,
        buckets=capped,
        category_names=(*(t.name for t in model.categories), model.inquiry_category),
        grade_names=grade_names,
        level_names=level_names,
        raw=raw_total,
    )


def contributions(model: Model, signals: Signals, rows: np.ndarray | None = None) -> pd.DataFrame:
    """Points each criterion adds for each lead (criterion caps applied, before weights).

    ``rows`` are signals row positions (default: all). Columns follow the model's criteria.
    """
    _check(model, signals)
    rows = np.arange(signals.n_leads) if rows is None else np.asarray(rows, dtype=np.intp)
    seg_code = np.zeros(signals.n_leads, dtype=np.int16)
    for code, lo, hi in signals.segment_blocks:
        seg_code[lo:hi] = code
    codes = seg_code[rows]
    n_codes = len(signals.segment_names)
    per_code = [_variant_points(rules, model) for rules in rules_by_code(model)]
    # one block, filled column by column: a frame from ten thousand separate arrays would
    # be stacked (copied) by pandas, and reasons read the block as it is
    out = np.empty((len(rows), len(model.criteria)), dtype=np.float64, order="F")
    everyone = len(rows) == signals.n_leads and bool((rows == np.arange(len(rows))).all())
    for j, c in enumerate(model.criteria):
        factors = [per_code[k][c.id] for k in range(n_codes)]
        # one segment (or the same points in all): a number, not an array per lead
        mult = factors[0] if len(set(factors)) == 1 else np.array(factors)[codes]
        if c.is_level:
            points = _level_table(model, c)[signals.levels[c.id][rows]]
            np.multiply(points, mult, out=out[:, j], dtype=np.float64)
        else:
            column = signals.column(c.id)
            # in float64, as the totals add them (evidence is stored as float32)
            np.multiply(column if everyone else column[rows], mult, out=out[:, j], dtype=np.float64)
            if c.max_points is not None:
                np.clip(out[:, j], -c.max_points, c.max_points, out=out[:, j])
        out[:, j] += 0.0  # no "-0.0" for a negative criterion that did not fire
    return pd.DataFrame(
        out, index=signals.lead_ids[rows], columns=list(model.criterion_ids), copy=False
    )


def totals_frame(model: Model, signals: Signals, totals: Totals) -> pd.DataFrame:
    """The headline columns as a DataFrame in signals' row order."""
    frame = pd.DataFrame(
        {
            "score": totals.score,
            "category": pd.Categorical.from_codes(
                totals.category, categories=list(totals.category_names), ordered=True
            ),
        },
        index=signals.lead_ids,
    )
    if totals.grade is not None:
        frame["grade"] = pd.Categorical.from_codes(
            totals.grade, categories=list(totals.grade_names), ordered=True
        )
    if totals.level is not None:
        frame["engagement_level"] = pd.Categorical.from_codes(
            totals.level, categories=list(totals.level_names), ordered=True
        )
    if totals.grade is not None and totals.level is not None:
        names = np.array(
            [g + lv for g in totals.grade_names for lv in totals.level_names], dtype=object
        )
        cell = totals.grade.astype(np.int16) * len(totals.level_names) + totals.level
        frame["matrix"] = pd.Categorical.from_codes(cell, categories=list(names), ordered=True)
    frame["inquiry"] = signals.inquiry
    names = np.array([q.label for q in model.inquiries] + [""], dtype=object)
    frame["inquiry_reason"] = pd.Series(
        names[signals.inquiry_reason], index=frame.index, dtype="str"
    )
    if model.segments is not None:
        frame["segment"] = signals.data.leads[model.segments.field].to_numpy()[signals.order]
    for b, values in totals.buckets.items():
        frame[b] = values
    return frame


def score(model: Model, signals: Signals, *, reasons: bool = True, top: int = 3) -> pd.DataFrame:
    """Score every lead: one row per lead, in the order of the leads file.

    Columns: ``score``, ``category``, ``grade``, ``engagement_level``, ``matrix`` (e.g. A1),
    ``inquiry``, ``inquiry_reason``, one per bucket subtotal, one per criterion
    contribution, and ``reasons`` (top reasons in words) unless ``reasons=False``.

    >>> scored = score(model, signals)  # doctest: +SKIP
    >>> scored.sort_values("score", ascending=False).head()  # doctest: +SKIP
    """
    return score_frame(model, signals, score_totals(model, signals), reasons=reasons, top=top)


def score_frame(
    model: Model,
    signals: Signals,
    totals: Totals,
    *,
    reasons: bool = True,
    top: int = 3,
    contrib: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """:func:`score` from totals (and contributions) the caller has already: publishing
    also stores the raw total and words a card's reasons, from one scoring."""
    frame = totals_frame(model, signals, totals)
    if contrib is None:
        contrib = contributions(model, signals)
    frame = pd.concat([frame, contrib], axis=1)
    if reasons:
        frame["reasons"] = reason_texts(model, signals, contrib=contrib, top=top)
    return frame.iloc[signals.row_of_lead]
