"""Analysis over scores: category shifts, conversion per category, AUC, lift.

Pure functions over :class:`~workbench.engine.scoring.Totals` and outcome arrays, already
aggregated — small tables a chart, a report or a notebook can show as they are.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.engine.scoring import Totals
from workbench.engine.signals import Signals
from workbench.model.spec import Model
from workbench.text import number_text, percent


def outcome_array(signals: Signals) -> np.ndarray | None:
    """The outcome of each lead in signals' row order (NaN where unknown), or None."""
    col = signals.data.mapping.outcome
    leads = signals.data.leads
    if not col or col not in leads.columns:
        return None
    values = leads[col].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    return values[signals.order]


def category_counts(totals: Totals) -> pd.Series:
    """Leads per category, every category listed (zeros included), in model order."""
    counts = np.bincount(totals.category, minlength=len(totals.category_names))
    return pd.Series(counts, index=pd.Index(totals.category_names, name="category"), name="leads")


def category_shift(before: Totals, after: Totals) -> pd.DataFrame:
    """Leads per (category before, category after): "312 leads move B → A".

    The two scorings may have different categories (two models): the table is then
    rectangular, rows in ``before``'s order and columns in ``after``'s.
    """
    kb, ka = len(before.category_names), len(after.category_names)
    cells = np.bincount(
        before.category.astype(np.int64) * ka + after.category, minlength=kb * ka
    ).reshape(kb, ka)
    return pd.DataFrame(
        cells,
        index=pd.Index(before.category_names, name="before"),
        columns=pd.Index(after.category_names, name="after"),
    )


def category_moves(shift: pd.DataFrame) -> pd.DataFrame:
    """Off-diagonal cells of a shift table, largest first: columns before, now, leads."""
    long = shift.stack().rename("leads").reset_index()
    long.columns = ["before", "now", "leads"]
    moved = long[(long["before"] != long["now"]) & (long["leads"] > 0)]
    return moved.sort_values("leads", ascending=False, kind="stable").reset_index(drop=True)


def move_sentences(shift: pd.DataFrame, limit: int = 4) -> list[str]:
    """The largest moves in words: ["314 leads move B → C", …]."""
    top = category_moves(shift).head(limit)
    return [
        f"{n:,} lead moves {a} → {b}" if n == 1 else f"{n:,} leads move {a} → {b}"
        for a, b, n in zip(top["before"], top["now"], top["leads"], strict=True)
    ]


def wilson_interval(successes: np.ndarray, n: np.ndarray, z: float = 1.96):
    """Wilson score interval for a proportion: sound for small samples and rates near 0."""
    n = np.asarray(n, dtype=float)
    safe_n = np.where(n > 0, n, 1.0)
    p = np.where(n > 0, np.asarray(successes, dtype=float) / safe_n, np.nan)
    denom = 1 + z**2 / safe_n
    centre = (p + z**2 / (2 * safe_n)) / denom
    half = z * np.sqrt(p * (1 - p) / safe_n + z**2 / (4 * safe_n**2)) / denom
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def conversion_by_category(totals: Totals, outcome: np.ndarray) -> pd.DataFrame:
    """Per category: leads with a known outcome, conversions, rate and 95 % interval."""
    known = ~np.isnan(outcome)
    k = len(totals.category_names)
    n = np.bincount(totals.category[known], minlength=k)
    conv = np.bincount(totals.category[known], weights=outcome[known], minlength=k)
    low, high = wilson_interval(conv, n)
    rate = np.divide(conv, n, out=np.full(k, np.nan), where=n > 0)
    return pd.DataFrame(
        {"leads": n, "converted": conv.astype(np.int64), "rate": rate, "low": low, "high": high},
        index=pd.Index(totals.category_names, name="category"),
    )


def auc(score: np.ndarray, outcome: np.ndarray) -> float:
    """Area under the ROC curve (ties count half): how well the score ranks converters."""
    known = ~np.isnan(outcome)
    s, y = score[known], outcome[known] > 0.5
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    grid = np.rint(s * 10)
    if np.array_equal(grid / 10, s) and grid.min() >= -1e6 and grid.max() <= 1e6:
        # scores on a 0.1 grid (as workbench rounds them): count, don't sort — O(n)
        codes = (grid - grid.min()).astype(np.int64)
        pos = np.bincount(codes[y], minlength=codes.max() + 1)
        neg = np.bincount(codes[~y], minlength=codes.max() + 1)
        below = np.cumsum(neg) - neg
        return float((pos * (below + 0.5 * neg)).sum() / (n_pos * n_neg))
    ranks = pd.Series(s).rank(method="average").to_numpy()
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def top_share_conversion(score: np.ndarray, outcome: np.ndarray, share: float = 0.1) -> float:
    """Conversion rate of the best-scored ``share`` of leads with a known outcome.

    Leads tied at the cut score count by the share of them the cut takes (their average
    conversion, weighted), so the figure does not depend on row order: a file sorted
    differently gives the same number, as it should.

    >>> top_share_conversion(np.array([3.0, 2, 2, 1]), np.array([1.0, 1, 0, 0]), 0.5)
    0.75
    """
    known = ~np.isnan(outcome)
    s, y = score[known], outcome[known]
    if not len(s):
        return float("nan")
    k = max(1, round(share * len(s)))
    cut = np.partition(-s, k - 1)[k - 1]  # the k-th best score, negated
    above = -s < cut
    at = -s == cut
    take = k - int(above.sum())  # leads the cut takes from those tied at it
    total = y[above].sum() + take * y[at].mean()
    return float(total / k)


def score_histogram(totals: Totals, bins: int = 50, lo: float = 0, hi: float = 100) -> pd.DataFrame:
    """Leads per score bin and category: what a distribution chart needs, not raw rows."""
    edges = np.linspace(lo, hi, bins + 1)
    b = np.clip(np.searchsorted(edges, totals.score, side="right") - 1, 0, bins - 1)
    k = len(totals.category_names)
    cells = np.bincount(b * k + totals.category, minlength=bins * k).reshape(bins, k)
    frame = pd.DataFrame(cells, columns=list(totals.category_names))
    frame.insert(0, "bin_start", edges[:-1])
    frame.insert(1, "bin_end", edges[1:])
    return frame.melt(["bin_start", "bin_end"], var_name="category", value_name="leads")


PILEUP_SHARE = 0.05
"""More than this share of leads at one end of the scale is a pile-up worth a warning."""


def scale_pileup(totals: Totals, model: Model, share: float = PILEUP_SHARE) -> list[str]:
    """Warnings in words when more than ``share`` of the leads score exactly the top or the
    bottom of the scale, each with its fix.

    The clip to the scale ties them: a hundred leads at 100 look equally good, so the
    score no longer tells a marketer or a rep which to call first. When the leads overall
    do not pile up at the top but the top category's do (the ones sales calls), that is
    said instead. ``[]`` when nothing piles up.

    >>> scale_pileup(totals, model)  # doctest: +SKIP
    ['21.9% of A leads (118 of 539) tie at exactly 100, the top of the scale: …', …]
    """
    n = len(totals.score)
    if n == 0:
        return []
    lo, hi = model.scale.min, model.scale.max
    top_name = totals.category_names[0]
    at_top = totals.score >= hi
    at_bottom = totals.score <= lo
    raise_top = f"Raise scale.max (now {number_text(hi)}) or lower bucket caps or points."
    out = []
    if (k := int(at_top.sum())) > share * n and k >= 2:  # one lead ties with nobody
        out.append(
            f"{percent(k / n)} of leads ({k:,}) score exactly {number_text(hi)}, the top of "
            f"the scale: the score no longer tells them apart. {raise_top}"
        )
    else:
        in_top = totals.category == 0
        n_top, k_top = int(in_top.sum()), int((at_top & in_top).sum())
        if k_top > share * n_top and k_top >= 2:
            out.append(
                f"{percent(k_top / n_top)} of {top_name} leads ({k_top:,} of {n_top:,}) tie at "
                f"exactly {number_text(hi)}, the top of the scale: the score no longer tells "
                f"them apart. {raise_top}"
            )
    if (k := int(at_bottom.sum())) > share * n and k >= 2:
        out.append(
            f"{percent(k / n)} of leads ({k:,}) score exactly {number_text(lo)}, the bottom "
            "of the scale: the score no longer tells them apart. Lower scale.min "
            f"(now {number_text(lo)}) or make negative points smaller."
        )
    return out
