"""Reasons in words, rendered from the contribution table (never computed separately).

``Senior title (VP Marketing) +20``, ``Pricing page 3× in 30 days +15``,
``Careers page 2× −10``: evidence first, points last, so no reason starts with ``+`` or
``−`` and a spreadsheet or CRM reads it as text (a formula-safe CSV needs no apostrophe).
Points are in score units (after the bucket weight), so the reasons of a lead add up to
roughly its score before caps. :func:`word_reasons` is the one wording: scores.csv, the
dashboard, its export, the tuning app, the hypothetical lead and the reports all use it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workbench.engine.kinds import kind_of
from workbench.engine.signals import Signals
from workbench.model.points import signed_points_series
from workbench.model.spec import Criterion, Model
from workbench.text import MINUS


def word_reasons(evidence, points) -> pd.Series:
    """Reasons in words, the one way every view says them: ``Seniority (Director) +15``,
    ``Careers page 1× −10`` (evidence, then whole points with a real minus sign; a
    part of a point where rounding would say 0).

    ``evidence`` and ``points`` are aligned sequences (the result is positioned 0..n-1).

    >>> word_reasons(["Seniority (VP)", "Careers page 1×"], [20, -9.6]).tolist()
    ['Seniority (VP) +20', 'Careers page 1× −10']
    """
    exact = np.asarray(points, dtype=np.float64)
    whole = np.rint(exact)
    # a decayed activity worth 0.4 reads '+0.4', not '+0' (or '−0') beside its bar
    shown = signed_points_series(np.where((whole == 0) & (exact != 0), np.round(exact, 1), whole))
    return pd.Series(np.asarray(evidence, dtype=object), dtype="str") + " " + shown.to_numpy()


def is_against(reason: str) -> bool:
    """Whether a worded reason counts against the lead (its points are negative).

    Runs published before this wording put the points first (``−10 Careers page 1×``);
    they are read as they were stored, so a leading minus counts too.
    """
    last = reason.rpartition(" ")[2]
    if last[:1] in ("+", MINUS) and last[1:2].isdigit():  # this wording: the points last
        return last[0] == MINUS
    return reason.startswith((MINUS, "-"))  # a criterion labelled '-VP-' is not against


def evidence_text(c: Criterion, signals: Signals, rows: np.ndarray) -> pd.Series:
    """What a criterion saw for each of ``rows``, in words (without the points).

    Each rule kind words its own evidence (:mod:`workbench.engine.kinds`).
    """
    return kind_of(c.rule).evidence_words(c, signals, rows)


def _bucket_weights(model: Model) -> np.ndarray:
    weight = {b.id: b.weight / 100.0 for b in model.buckets}
    return np.array([weight[c.bucket] for c in model.criteria])


def _in_model_order(model: Model, contrib: pd.DataFrame) -> np.ndarray:
    """The contributions as one (leads × criteria) array in the model's order; a view of
    :func:`~workbench.engine.scoring.contributions`' block, not a copy."""
    ids = list(model.criterion_ids)
    frame = contrib if list(contrib.columns) == ids else contrib[ids]
    return frame.to_numpy(dtype=np.float64)


def weighted(model: Model, contrib: pd.DataFrame) -> np.ndarray:
    """Contributions in score units: each criterion times its bucket's weight."""
    return _in_model_order(model, contrib) * _bucket_weights(model)


def _first_extremes(
    values: np.ndarray, weights: np.ndarray, count: int, *, largest: bool
) -> np.ndarray:
    """Per row, the columns of the ``count`` largest (or smallest) ``values × weights``,
    ties to the leftmost criterion: a stable sort's first ``count`` columns, without
    sorting rows of ten thousand criteria nor making a weighted copy of the matrix. Each
    pass walks the columns keeping a running best, skipping the columns picked before."""
    n, k = values.shape
    better = np.greater if largest else np.less
    out = np.empty((n, min(count, k)), dtype=np.intp)
    best = np.empty(n, dtype=np.float64)
    hit = np.empty(n, dtype=bool)
    for s in range(out.shape[1]):
        best[:] = -np.inf if largest else np.inf
        arg = out[:, s]
        arg[:] = 0
        for j in range(k):
            column = values[:, j] * weights[j]
            better(column, best, out=hit)
            for before in range(s):
                hit &= out[:, before] != j
            np.copyto(best, column, where=hit)
            arg[hit] = j
    return out


def reason_slots(
    model: Model, signals: Signals, contrib: pd.DataFrame, top: int = 3, top_negative: int = 2
) -> tuple[list[pa.Array], list[pa.Array]]:
    """Each lead's ``top`` positive and ``top_negative`` negative reasons as text columns,
    one per slot (null where a lead has fewer), best first: worded once, joined as needed
    (:func:`join_slots`), so a short list and a card's longer one share the work.

    The work is vectorised per (slot, criterion), so it scales to every lead of an export.
    """
    rows = signals.lead_ids.get_indexer(contrib.index)
    values, weights = _in_model_order(model, contrib), _bucket_weights(model)
    n, k = values.shape
    if n == 0 or k == 0:
        return [], []
    every = np.arange(n)
    worded: dict[tuple[int, bool], list[pa.Array]] = {}
    for sign, count in ((True, top), (False, top_negative)):
        order = _first_extremes(values, weights, count, largest=sign)
        pieces = []
        for s in range(order.shape[1]):
            j_slot = order[:, s]
            picked_j = np.rint(values[every, j_slot] * weights[j_slot])  # whole points
            valid = picked_j > 0 if sign else picked_j < 0
            piece = np.full(n, None, dtype=object)
            picked = np.flatnonzero(valid)
            by_criterion = picked[np.argsort(j_slot[picked], kind="stable")]
            bounds = np.flatnonzero(np.diff(j_slot[by_criterion])) + 1
            for sel in np.split(by_criterion, bounds):
                if not len(sel):
                    continue
                c = model.criteria[j_slot[sel[0]]]
                text = word_reasons(evidence_text(c, signals, rows[sel]), picked_j[sel])
                piece[sel] = text.to_numpy(dtype=object)
            pieces.append(pa.array(piece, type=pa.string()))
        worded[sign, True] = pieces
    return worded[True, True], worded[False, True]


def join_slots(pieces: list[pa.Array], sep: str = "; ") -> pa.Array:
    """Slots joined by ``sep``, skipping empty ones ("" for a lead with none)."""
    if not pieces:
        return pa.array([], pa.string())
    acc = pieces[0].fill_null("")
    for piece in pieces[1:]:
        has = pc.is_valid(piece)
        both = pc.binary_join_element_wise(acc, piece.fill_null(""), sep)
        acc = pc.if_else(pc.and_(has, pc.not_equal(acc, "")), both, pc.if_else(has, piece, acc))
    return acc


def reason_texts(
    model: Model,
    signals: Signals,
    contrib: pd.DataFrame,
    top: int = 3,
    top_negative: int = 2,
    sep: str = "; ",
) -> pd.Series:
    """Top positive then top negative reasons per lead, joined by ``sep``.

    ``contrib`` is :func:`workbench.engine.scoring.contributions` for the leads wanted.
    """
    pos, neg = reason_slots(model, signals, contrib, top, top_negative)
    if not pos and not neg:
        return pd.Series("", index=contrib.index, dtype="str")
    joined = join_slots(pos + neg, sep)
    return pd.Series(joined.to_pandas(), dtype="str").set_axis(contrib.index)


def reasons_table(model: Model, signals: Signals, contrib: pd.DataFrame) -> pd.DataFrame:
    """Tidy table for drill-downs: lead, criterion, bucket, evidence, points (score units)."""
    rows = signals.lead_ids.get_indexer(contrib.index)
    pts = weighted(model, contrib)
    frames = []
    for j, c in enumerate(model.criteria):
        sel = np.flatnonzero(pts[:, j] != 0)
        if not len(sel):
            continue
        frames.append(
            pd.DataFrame(
                {
                    "lead_id": contrib.index[sel],
                    "criterion": c.id,
                    "label": c.label,
                    "bucket": c.bucket,
                    "evidence": evidence_text(c, signals, rows[sel]).to_numpy(),
                    "points": pts[sel, j],
                }
            )
        )
    if not frames:
        return pd.DataFrame(
            columns=["lead_id", "criterion", "label", "bucket", "evidence", "points"]
        )
    table = pd.concat(frames, ignore_index=True)
    return table.sort_values(["lead_id", "points"], ascending=[True, False], ignore_index=True)
