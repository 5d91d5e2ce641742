"""Levels of a draft: how a column becomes bins (numbers) or groups of values (categories).

Numeric columns are cut into quantile bins merged until each has enough leads and conversion
rises or falls steadily (unless the data clearly reject any trend); a stand-in number ('never',
999) keeps a level of its own. Categorical columns become groups of values, rare values pooled
by their shrunken conversion rate, many-valued ones cut by rate into a few groups (and
cross-fitted, so their points are not fitted on luck). Everything here works on per-bin or
per-value counts, never per lead; :mod:`workbench.learning.drafting` turns the plans into a
model and fits its points.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from workbench.analysis.metrics import wilson_interval
from workbench.data.numbers import read_numbers
from workbench.learning.draft_options import DraftOptions
from workbench.learning.profiling import one_value_bins, quantile_edges, special_value

HIGH_CARDINALITY = 30
"""A categorical column with more distinct values than this is grouped by its values'
shrunken conversion rate into a few levels (:func:`value_groups`), not one level a value."""


@dataclass(frozen=True)
class ColumnPlan:
    """How one column becomes levels: numeric bins (inner edges) or groups of values.

    ``high_cardinality``: a categorical with many values (landing-page ids): its values are
    grouped by conversion into a few levels; set by the column typing, or by
    :func:`plan_columns` for any categorical with more than :data:`HIGH_CARDINALITY` values.
    """

    column: str
    kind: Literal["bins", "lookup"]
    edges: tuple[float, ...] = ()
    groups: tuple[tuple[str, ...], ...] = ()
    labels: tuple[str | None, ...] = ()
    has_missing: bool = False
    integer: bool = False
    high_cardinality: bool = False
    monotone: bool = True
    placeholder: int | None = None  # the bin of a stand-in number (−1): outside the trend


def _merge(n: np.ndarray, c: np.ndarray, i: int) -> tuple[np.ndarray, np.ndarray]:
    """Bins i and i+1 as one."""
    n = np.concatenate([n[:i], [n[i] + n[i + 1]], n[i + 2 :]])
    c = np.concatenate([c[:i], [c[i] + c[i + 1]], c[i + 2 :]])
    return n, c


def numeric_edges(
    x: np.ndarray, y: np.ndarray, options: DraftOptions = DraftOptions()
) -> np.ndarray:
    """Inner bin edges: quantile bins merged until each has enough leads and, if
    ``options.monotone``, conversion rises (or falls) from bin to bin, unless the data
    clearly reject any steady trend (:func:`clearly_not_a_trend`): then the shape is
    kept, neighbours the data cannot tell apart joined (an age that converts in a U).

    Works on per-bin counts (a handful of numbers), never per lead.
    """
    ok = ~np.isnan(x) & ~np.isnan(y)
    stand_in = placeholder_number(x[ok])
    if stand_in is not None:  # its own level, outside the trend; the others binned as usual
        others = np.where(x == stand_in, np.nan, x)
        inner = numeric_edges(others, y, options)
        # a negative one's level ends at 0, where the real (never negative) values start: a
        # new lead 5 days ago is not read as '-1' because the file's first was 24 days ago
        cut = 0.0 if stand_in < 0 else stand_in
        return np.unique(np.concatenate([inner, [cut]]))
    edges = quantile_edges(x[ok], options.max_bins)
    if not len(edges):
        return edges
    code = np.searchsorted(edges, x[ok], side="right")
    k = len(edges) + 1
    n = np.bincount(code, minlength=k).astype(float)
    c = np.bincount(code, weights=y[ok], minlength=k)
    edges = list(edges)
    need = max(options.min_leads, options.min_share * len(y))
    while len(n) > 1 and n.min() < need:  # too few leads: join the closer-rate neighbour
        i = int(np.argmin(n))
        rate = c / np.maximum(n, 1)
        if i == 0:
            j = 0
        elif i == len(n) - 1:
            j = i - 1
        else:
            j = i - 1 if abs(rate[i] - rate[i - 1]) <= abs(rate[i] - rate[i + 1]) else i
        n, c = _merge(n, c, j)
        del edges[j]
    if options.monotone and len(n) > 1:
        fits = [_pool_to_trend(n, c, edges, d) for d in (1.0, -1.0)]
        best = max(fits, key=lambda f: _log_likelihood(f[0], f[1]))
        if not clearly_not_a_trend(n, c, best[0], best[1]):
            n, c, edges = best
        else:  # a U (ages: students and the retired) is kept; alike neighbours join
            n, c, edges = _join_alike(n, c, edges)
    return np.asarray(edges, dtype=float)


TREND_EVIDENCE = 1e-4
"""A numeric column's bins are forced to rise (or fall) steadily unless the data reject
every steady trend this clearly (likelihood-ratio p-value): a chance wiggle never breaks
a trend, while conversion in a U over age (students and the retired) is kept."""


def _log_likelihood(n: np.ndarray, c: np.ndarray) -> float:
    """Binomial log-likelihood of bins at their own rates (per-bin counts)."""
    r = c / np.maximum(n, 1.0)
    won = np.where(c > 0, c * np.log(np.where(c > 0, r, 1.0)), 0.0)
    lost = np.where(n - c > 0, (n - c) * np.log(np.where(n - c > 0, 1 - r, 1.0)), 0.0)
    return float((won + lost).sum())


def _pool_to_trend(n: np.ndarray, c: np.ndarray, edges: list, direction: float):
    """Adjacent bins pooled until conversion steps the one way (pool adjacent violators)."""
    edges = list(edges)
    while len(n) > 1:
        steps = np.diff(c / n) * direction
        if (steps > 0).all():
            break
        j = int(np.argmin(steps))
        n, c = _merge(n, c, j)
        del edges[j]
    return n, c, edges


def clearly_not_a_trend(n: np.ndarray, c: np.ndarray, n_trend: np.ndarray, c_trend) -> bool:
    """Whether bins (n, c) convert in a shape their best steady trend clearly cannot
    follow (likelihood-ratio test at :data:`TREND_EVIDENCE`)."""
    from scipy.stats import chi2

    df = len(n) - len(n_trend)
    if df <= 0:
        return False
    stat = 2 * (_log_likelihood(n, c) - _log_likelihood(n_trend, c_trend))
    return bool(chi2.sf(stat, df) < TREND_EVIDENCE)


def _join_alike(n: np.ndarray, c: np.ndarray, edges: list):
    """Neighbouring bins whose 95 % intervals overlap joined, the most alike first: the
    shape the data show, in as few bins as they support."""
    edges = list(edges)
    while len(n) > 1:
        low, high = wilson_interval(c, n)
        rate = c / n
        overlap = np.where(rate[:-1] <= rate[1:], high[:-1] - low[1:], high[1:] - low[:-1])
        if (overlap <= 0).all():
            break
        j = int(np.argmax(overlap))
        n, c = _merge(n, c, j)
        del edges[j]
    return n, c, edges


def placeholder_number(x: np.ndarray) -> float | None:
    """A number that stands for 'never' or 'none', held by many leads (:func:`special_value`):
    a negative one below values that are never negative (pdays −1), or 99, 999, 9999 above
    all the others. It is not a step on the number line, so it is a level of its own and
    no trend over the other bins pulls it in. A common real value (1 call, 0 visits) is not.

    >>> placeholder_number(np.array([-1, -1, -1, 3, 9, 20.0]))
    -1.0
    >>> placeholder_number(np.array([999, 999, 999, 3, 9, 20.0]))
    999.0
    >>> placeholder_number(np.array([1, 1, 1, 3, 9, 20.0])) is None  # common, but a count
    True
    """
    finite = x[~np.isnan(x)]
    value = special_value(finite)
    if value is None:
        return None
    others = finite[finite != value]
    below = value < 0 <= others.min()
    nines = value >= 99 and str(int(value)) == "9" * len(str(int(value)))
    return value if below or (nines and value > others.max()) else None


def placeholder_bin(x: np.ndarray, edges: np.ndarray) -> int | None:
    """The bin of ``edges`` that holds only :func:`placeholder_number`, if there is one."""
    value = placeholder_number(x)
    if value is None:
        return None
    values = one_value_bins(x, edges)
    hit = np.flatnonzero(values == value)
    return int(hit[0]) if len(hit) and hit[0] in (0, len(edges)) else None


def follows_a_trend(x: np.ndarray, y: np.ndarray, edges: np.ndarray) -> bool:
    """Whether conversion over these bins rises or falls steadily (then its points do too)."""
    ok = ~np.isnan(x) & ~np.isnan(y)
    code = np.searchsorted(edges, x[ok], side="right")
    n = np.bincount(code, minlength=len(edges) + 1)
    c = np.bincount(code, weights=y[ok], minlength=len(edges) + 1)
    steps = np.diff(c[n > 0] / n[n > 0])
    return bool((steps >= 0).all() or (steps <= 0).all())


def shrunken_rates(leads: np.ndarray, converted: np.ndarray) -> np.ndarray:
    """Each value's conversion pulled toward the column's rate by a beta prior fitted to
    the values themselves (empirical Bayes, method of moments): a page seen by 4 leads who
    all converted is not ranked above one at 20 % over 900 leads.
    """
    leads = np.asarray(leads, dtype=float)
    converted = np.asarray(converted, dtype=float)
    p = converted.sum() / max(leads.sum(), 1.0)
    if not 0 < p < 1:
        return np.full(len(leads), p)
    rate = converted / np.maximum(leads, 1.0)
    spread = np.average((rate - p) ** 2, weights=leads)  # seen variance between values
    noise = np.average(p * (1 - p) / np.maximum(leads, 1.0), weights=leads)
    between = max(spread - noise, 1e-6 * p * (1 - p))
    strength = float(np.clip(p * (1 - p) / between - 1, 1.0, 1e5))  # prior leads
    return (converted + strength * p) / (leads + strength)


def differs(leads: np.ndarray, converted: np.ndarray, alpha: float = 0.01) -> bool:
    """Whether the values convert differently beyond chance (chi-square test of one rate
    for all): grouping hundreds of values that do not would fit noise."""
    from scipy.stats import chi2

    p = converted.sum() / max(leads.sum(), 1.0)
    if not 0 < p < 1 or len(leads) < 2:
        return False
    stat = float((((converted - leads * p) ** 2) / (leads * p * (1 - p))).sum())
    return bool(chi2.sf(stat, len(leads) - 1) < alpha)


def group_label(values: Sequence[str]) -> str | None:
    """A group of a few values is shown by its values; a big one by count and examples."""
    if len(values) <= 5:
        return None
    return f"{len(values)} values: {', '.join(values[:3])}, …"


def _cut_by_rate(order: np.ndarray, n: np.ndarray, need: float, parts: int) -> list[list[int]]:
    """Values (indices, in rising shrunken rate) cut into up to ``parts`` runs of about
    equal leads, each with at least ``need`` leads."""
    parts = int(max(1, min(parts, n[order].sum() // max(need, 1.0))))
    cum = np.cumsum(n[order])
    cut = np.searchsorted(cum, cum[-1] * np.arange(1, parts) / parts, side="left")
    runs = [r.tolist() for r in np.split(order, np.unique(cut + 1)) if len(r)]
    merged: list[list[int]] = []
    for run in runs:  # a run short of leads joins its neighbour
        if merged and n[merged[-1]].sum() < need:
            merged[-1] += run
        else:
            merged.append(run)
    if len(merged) > 1 and n[merged[-1]].sum() < need:
        last = merged.pop()
        merged[-1] = merged[-1] + last
    return merged


def value_groups(
    col: pd.Series,
    y: np.ndarray | None = None,
    options: DraftOptions = DraftOptions(),
    *,
    high_cardinality: bool | None = None,
) -> tuple[tuple[tuple[str, ...], ...], tuple[str | None, ...]]:
    """Groups of values, each shown by its values' real names.

    A value with enough leads (``min_leads``, and ``min_share`` of the column up to
    ``rare_leads``: 576 leads are never rare) is a group of its own. Rare values are pooled
    by their shrunken conversion rate (:func:`shrunken_rates`) into pools with enough leads;
    too few to make a pool, each joins the group converting most like it. A column with
    many values (``high_cardinality``, default: more than :data:`HIGH_CARDINALITY`) is cut
    by shrunken rate into up to ``max_groups`` groups of about equal leads, neighbours
    whose 95 % intervals overlap merged down to three. Without ``y`` rare values pool as
    one. Values are compared as the engine compares them (trimmed, case-insensitive), and
    each is written the way most leads spell it.
    """
    filled = col.notna().to_numpy()
    text = col[filled].astype("str").str.strip()
    key = text.str.casefold()
    won = np.zeros(len(text)) if y is None else np.nan_to_num(np.asarray(y, float)[filled])
    counts = (
        pd.DataFrame({"key": key, "text": text})
        .value_counts()
        .reset_index(name="n")
        .sort_values("n", ascending=False, kind="stable")
    )
    spelled = counts.drop_duplicates("key").set_index("key")["text"]
    per = pd.DataFrame({"key": key.to_numpy(), "won": won}).groupby("key", sort=False)["won"]
    table = pd.DataFrame({"n": per.size(), "c": per.sum()}).sort_values(
        "n", ascending=False, kind="stable"
    )
    if not len(table):
        return (), ()
    names = [str(spelled[k]) for k in table.index]
    n, c = table["n"].to_numpy(float), table["c"].to_numpy(float)
    shrunk = shrunken_rates(n, c) if y is not None else np.zeros(len(n))
    need = max(options.min_leads, min(options.min_share * len(col), options.rare_leads))
    many = len(n) > HIGH_CARDINALITY if high_cardinality is None else high_cardinality
    if many and y is not None and not differs(n, c):
        members = [list(range(len(n)))]  # one rate for all: nothing to group by
    elif many and y is not None:
        order = np.argsort(shrunk, kind="stable")
        runs = _cut_by_rate(order, n, need, options.max_groups)
        while len(runs) > 3:  # neighbours the data cannot tell apart become one
            nn = np.array([n[r].sum() for r in runs])
            cc = np.array([c[r].sum() for r in runs])
            low, high = wilson_interval(cc, nn)
            overlap = high[:-1] - low[1:]
            if (overlap <= 0).all():
                break
            j = int(np.argmax(overlap))
            runs[j : j + 2] = [runs[j] + runs[j + 1]]
        members = [sorted(r) for r in reversed(runs)]  # best first; values by leads
    else:
        frequent = np.flatnonzero(n >= need)
        rare = np.flatnonzero(n < need)
        members = [[int(i)] for i in frequent]
        if len(rare) and (n[rare].sum() >= need or not len(frequent)):
            order = rare[np.argsort(shrunk[rare], kind="stable")]
            members += [sorted(r) for r in _cut_by_rate(order, n, need, len(rare))]
        elif len(rare):
            rate = np.array([c[m].sum() / n[m].sum() for m in members])
            for i in rare:  # joins the group converting most like its shrunken rate
                members[int(np.argmin(np.abs(rate - shrunk[i])))].append(int(i))
    groups = tuple(tuple(names[i] for i in m) for m in members)
    return groups, tuple(group_label(g) for g in groups)


def crossfit_levels(
    col: pd.Series, y: np.ndarray, plan: ColumnPlan, folds: int = 5, seed: int = 0
) -> np.ndarray:
    """Each lead's level of a many-valued column as if its value had been grouped without
    that lead's own outcome (−1 for a missing value).

    The written model maps every value by its group from all leads (``plan.groups``), but a
    value's rate measured on the leads its points are then fitted on is partly luck: a page
    whose 20 leads happened to convert lands in the top group, and that group's points fit
    the luck. Here the leads are split into ``folds``; each fold's values are ranked by
    their shrunken rate (:func:`shrunken_rates`) on the other folds and placed in the group
    whose all-leads rate range holds that rate, so the points fitted on these levels are
    only as far apart as the grouping holds on new leads (a value seen in no other fold
    gets the column's rate)."""
    from sklearn.model_selection import StratifiedKFold

    y = np.asarray(y, dtype=float)
    filled = col.notna().to_numpy()
    key = col.astype("str").str.strip().str.casefold().to_numpy(dtype=object)
    codes, uniques = pd.factorize(pd.Series(key[filled]), sort=False)
    known = ~np.isnan(y[filled])
    won = np.nan_to_num(y[filled]) > 0.5
    k, g = len(uniques), len(plan.groups)
    group_of = {str(v).strip().casefold(): i for i, vs in enumerate(plan.groups) for v in vs}
    level = np.array([group_of.get(str(u), -1) for u in uniques], dtype=np.int64)
    inner = np.where(codes >= 0, level[codes], -1)
    ok = known & (inner >= 0)
    if g >= 2 and won[ok].sum() >= folds and (~won[ok]).sum() >= folds:
        n = np.bincount(codes[ok], minlength=k).astype(float)
        shrunk = shrunken_rates(n, np.bincount(codes[ok], weights=won[ok], minlength=k))
        low, high = np.full(g, np.inf), np.full(g, -np.inf)
        np.minimum.at(low, level[level >= 0], shrunk[level >= 0])
        np.maximum.at(high, level[level >= 0], shrunk[level >= 0])
        rank = np.argsort((low + high) / 2, kind="stable")  # groups from worst to best
        cuts = (high[rank][:-1] + low[rank][1:]) / 2  # halfway between neighbours' ranges
        rows = np.flatnonzero(ok)
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
        for rest, fold in splitter.split(rows, won[rows]):
            rest, fold = rows[rest], rows[fold]
            n_k = np.bincount(codes[rest], minlength=k).astype(float)
            rate = shrunken_rates(n_k, np.bincount(codes[rest], weights=won[rest], minlength=k))
            inner[fold] = rank[np.searchsorted(cuts, rate[codes[fold]], side="right")]
    out = np.full(len(col), -1, dtype=np.int64)
    out[filled] = inner
    return out


def plan_columns(
    leads: pd.DataFrame,
    y: np.ndarray,
    columns: Sequence[str],
    types: dict[str, str],
    options: DraftOptions = DraftOptions(),
) -> list[ColumnPlan]:
    """The levels of each column, learnt from these leads (rows with a known outcome)."""
    known = ~np.isnan(y)
    plans = []
    for name in columns:
        col = leads[name][known]
        has_missing = bool(leads[name].isna().any())
        if types[name] == "numeric":
            x = read_numbers(col)
            edges = numeric_edges(x, y[known], options)
            filled = x[~np.isnan(x)]
            integer = bool(len(filled)) and bool(np.all(filled == np.round(filled)))
            own = placeholder_bin(x, edges)
            others = x if own is None else np.where(x == placeholder_number(x), np.nan, x)
            trend = follows_a_trend(others, y[known], edges)
            plans.append(
                ColumnPlan(
                    name,
                    "bins",
                    tuple(edges.tolist()),
                    has_missing=has_missing,
                    integer=integer,
                    monotone=trend,
                    placeholder=own,
                )
            )
        else:
            many = col.dropna().astype("str").str.strip().str.casefold().nunique()
            high = many > HIGH_CARDINALITY
            groups, labels = value_groups(col, y[known], options, high_cardinality=high)
            if groups:
                plans.append(
                    ColumnPlan(
                        name, "lookup", (), groups, labels, has_missing, high_cardinality=high
                    )
                )
    return plans
