"""Calibration: suggested points for an existing model, learned from past conversions.

The model's own evidence is the feature matrix — one column per simple criterion (its
evidence, capped where the criterion's ``max_points`` caps it) and one 0/1 column per bin
or group of a bins/lookup criterion — and the outcome is whether the lead converted. A
regularised logistic regression (:func:`~workbench.learning.points_fit.fit_points`) gives
log-odds per unit of evidence; one factor turns them into points on the model's own scale,
chosen so the suggested raw scores spread as widely as the current ones (the category
thresholds keep their meaning), and they are rounded to whole points (stars for star
criteria). A level criterion gets points per level; "in no level" stays at 0, as in the
model.

Every suggested value comes with its evidence: leads where the criterion applies, how many
converted, the rate with a 95 % Wilson interval, and the lift over the overall rate.

Metrics computed on the leads the points were fitted on flatter the suggestion; the
:func:`backtest` fits on one random half of the leads known at a cut-off date and reports
every metric on the other half only. Pure functions over signals, totals and arrays: the
work per lead is vectorised, so this scales to a million leads.

>>> cal = calibrate(model, signals)  # doctest: +SKIP
>>> cal.metrics  # AUC and top-10 % conversion, current vs suggested  # doctest: +SKIP
>>> cal.suggestion.table  # every suggested value with its evidence  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from workbench.analysis import metrics
from workbench.data.loading import LeadData, created_after
from workbench.engine.scoring import Totals, score_totals
from workbench.engine.segments import rules_by_code
from workbench.engine.signals import Signals, compute_signals
from workbench.errors import DataError, Problem, did_you_mean
from workbench.learning.points_fit import PointsFit, fit_points
from workbench.model.points import points_table
from workbench.model.rules import Missing
from workbench.model.spec import Criterion, Model

MIN_CLASS = 5  # fewer converted (or unconverted) leads than this: nothing to learn from
FEW_CONVERSIONS = 100
"""Fewer conversions than this among the judged leads: an AUC difference is mostly noise."""


# --- features ---------------------------------------------------------------------------------


def _applies(model: Model, signals: Signals) -> dict[str, np.ndarray]:
    """Per criterion, whether it applies in each segment (code): exclusions, restrictions."""
    per_code = rules_by_code(model)
    return {c.id: np.array([rules.applies[c.id] for rules in per_code]) for c in model.criteria}


def _evidence_cap(model: Model, c: Criterion) -> float | None:
    """The evidence at which a criterion's ``max_points`` bites under the current points."""
    if c.is_level or c.max_points is None:
        return None
    p = model.criterion_points(c)
    return c.max_points / abs(p) if p else None


def evidence_features(model: Model, signals: Signals) -> np.ndarray:
    """The feature matrix: ``signals.matrix`` as the current model sees it (float32).

    Columns follow ``signals.columns``. Evidence past a criterion's cap is cut at the cap
    and a criterion that does not apply to a segment is 0 there, so ``X @ points`` is the
    current raw score (before bucket caps) wherever no segment overrides points.
    """
    X = np.array(signals.matrix, dtype=np.float32, order="F", copy=True)
    crit = {c.id: c for c in model.criteria}
    applies = _applies(model, signals)
    for j, (cid, _) in enumerate(signals.columns):
        cap = _evidence_cap(model, crit[cid])
        if cap is not None:
            np.minimum(X[:, j], np.float32(cap), out=X[:, j])
        for code, lo, hi in signals.segment_blocks:
            if not applies[cid][code]:
                X[lo:hi, j] = 0
    return X


def _column_labels(model: Model, signals: Signals) -> pd.DataFrame:
    """Criterion, level, label, unit and current points of each evidence column."""
    by_column = {(row.criterion, row.level): row for row in points_table(model)}
    rows = [by_column[col] for col in signals.columns]  # the matrix's column order
    return pd.DataFrame(
        {
            "criterion": [row.criterion for row in rows],
            "level": [row.level_label for row in rows],
            "label": [row.label for row in rows],
            "unit": [row.unit for row in rows],
            "current": [row.points for row in rows],
        },
        index=pd.Index([row.feature for row in rows], name="feature"),
    )


# --- suggestion -------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Suggestion:
    """Suggested points per criterion and the evidence behind each value.

    ``table`` has one row per evidence column (a criterion, or one level of a bins/lookup
    criterion): ``criterion``, ``level``, ``label``, ``unit``, ``current`` and
    ``suggested`` points, ``coef`` (log-odds per unit of evidence), ``leads`` (fitted
    leads where it applies), ``converted``, ``rate``, ``low``/``high`` (95 % Wilson
    interval), ``lift`` (rate ÷ overall rate) and ``note``.
    """

    points: dict[str, float | tuple[float, ...]]  # what Model.with_points takes
    stars: dict[str, int]  # star criteria that stay star criteria
    caps: dict[str, float]  # new max_points where the cap followed the points
    table: pd.DataFrame
    factor: float  # points per unit of log-odds
    fit: PointsFit
    rows: np.ndarray  # signals rows the points were fitted on
    base_rate: float


def _check_outcome(y: np.ndarray, where: str) -> None:
    known = y[~np.isnan(y)]
    pos = int((known > 0.5).sum())
    if pos < MIN_CLASS or len(known) - pos < MIN_CLASS:
        raise DataError(
            [
                Problem(
                    where,
                    f"{len(known):,} leads with a known outcome, {pos:,} converted: at least "
                    f"{MIN_CLASS} converted and {MIN_CLASS} not converted are needed to fit points",
                )
            ]
        )


def _keep_level_means(
    model: Model,
    suggested: np.ndarray,
    current: np.ndarray,
    X: np.ndarray,
    known: np.ndarray,
    columns: tuple[tuple[str, int], ...],
) -> None:
    """Shift each bins/lookup criterion's suggested points so its average stays put.

    The regression's level coefficients are centred on zero, so a model made only of bins
    and groups (a drafted one) would drop to the bottom of the scale. Where every lead
    falls in some level of a criterion, or in a ``missing`` criterion on the same field,
    adding the same number to all of those changes no ranking: shift them so they give the
    average lead what they give now.
    """
    fields = {c.id: getattr(c.rule, "field", None) for c in model.criteria}
    missing_of = {
        c.rule.field: c.id for c in model.criteria if isinstance(c.rule, Missing) and not c.is_level
    }
    by_criterion: dict[str, list[int]] = {}
    for j, (cid, level) in enumerate(columns):
        if level >= 0:
            by_criterion.setdefault(cid, []).append(j)
    index = {cid: j for j, (cid, level) in enumerate(columns) if level < 0}
    rows = np.flatnonzero(known)
    if not len(rows):
        return
    for cid, cols in by_criterion.items():
        companion = missing_of.get(fields[cid])
        if companion in index:
            cols = [*cols, index[companion]]
        inside = np.minimum(X[np.ix_(rows, cols)], 1.0)
        if (inside.sum(axis=1) < 0.5).any():
            continue  # some leads are in no level: a shift would move them relative to others
        counts = inside.sum(axis=0, dtype=np.float64)
        shift = counts @ (current[cols] - suggested[cols]) / counts.sum()
        suggested[cols] += np.round(shift)


def suggest_points(
    model: Model,
    signals: Signals,
    outcome: np.ndarray,
    rows: np.ndarray | None = None,
    *,
    C: float = 1.0,
    keep_star_signs: bool = False,
) -> Suggestion:
    """Fit points for ``model``'s criteria on ``rows`` of ``signals`` (default: all rows).

    ``outcome`` is in signals' row order (NaN = unknown, left out). ``keep_star_signs``
    keeps each star criterion within 1–5 stars on its current side (what the tuning app's
    star toggles can show); otherwise a star criterion the data value at 0 becomes a
    0-points criterion.
    """
    X = evidence_features(model, signals)
    rows = np.arange(signals.n_leads) if rows is None else np.asarray(rows, dtype=np.intp)
    if len(rows) != signals.n_leads:
        X = X[rows]
    y = np.asarray(outcome, dtype=float)[rows]
    _check_outcome(y, "outcome")
    labels = _column_labels(model, signals)
    groups = [cid if lv >= 0 else None for cid, lv in signals.columns]
    fit = fit_points(X, y, list(labels.index), groups=groups, baseline="zero", whole=False, C=C)
    coef = fit.table["coef"].to_numpy()
    known = ~np.isnan(y)
    current = labels["current"].to_numpy(dtype=float)
    # one factor for the whole model: the suggested raw scores spread like the current ones
    raw_sd = float(np.std(X[known] @ current.astype(np.float32)))
    lin_sd = float(np.std(X[known] @ coef.astype(np.float32)))
    factor = raw_sd / lin_sd if lin_sd > 0 and raw_sd > 0 else 0.0
    suggested = np.round(coef * factor) + 0.0
    _keep_level_means(model, suggested, current, X, known, signals.columns)

    crit = {c.id: c for c in model.criteria}
    notes = [""] * len(labels)
    points: dict[str, float | list[float]] = {}
    stars: dict[str, int] = {}
    caps: dict[str, float] = {}
    for j, (cid, lv) in enumerate(signals.columns):
        c = crit[cid]
        if lv >= 0:
            points.setdefault(cid, []).append(float(suggested[j]))
            continue
        if c.stars is not None:
            pps = model.points_per_star
            s = int(np.clip(np.round(coef[j] * factor / pps), -5, 5))
            if keep_star_signs and (s == 0 or (s > 0) != (c.stars > 0)):
                kept = 1 if c.stars > 0 else -1
                notes[j] = f"data suggest {coef[j] * factor:.0f} points; kept at {kept} star"
                s = kept
            if s:
                stars[cid] = s
                suggested[j] = s * pps
            else:
                points[cid] = 0.0
                suggested[j] = 0.0
                notes[j] = f"data suggest {coef[j] * factor:.0f} point(s), under half a star: 0"
        else:
            points[cid] = float(suggested[j])
        cap = _evidence_cap(model, c)
        if cap is not None and suggested[j] != 0 and suggested[j] != current[j]:
            # the cap keeps meaning the same number of events: it follows the points
            caps[cid] = float(max(1.0, np.round(cap * abs(suggested[j]))))
    table = labels.copy()
    table["suggested"] = suggested
    table["coef"] = coef
    evidence = fit.table[["leads", "converted", "rate", "low", "high"]]
    table = table.join(evidence)
    base = float(np.nanmean(y))
    table["lift"] = table["rate"] / base if base > 0 else np.nan
    # a criterion whose suggested sign runs against its own conversion rate is not a bug:
    # other criteria already count the same leads. Say so, or the marketer will not trust it
    for j, (_, lv) in enumerate(signals.columns):
        r, lo, hi = table["rate"].iloc[j], table["low"].iloc[j], table["high"].iloc[j]
        if lv >= 0 or notes[j] or np.isnan(r) or not base > 0:
            continue
        if (suggested[j] > 0 and hi < base) or (suggested[j] < 0 and lo > base):
            side = "below" if hi < base else "above"
            notes[j] = (
                f"on its own converts {side} average (lift {r / base:.2f}); "
                "other criteria already count these leads"
            )
    table["note"] = notes
    return Suggestion(
        points={k: tuple(v) if isinstance(v, list) else v for k, v in points.items()},
        stars=stars,
        caps=caps,
        table=table,
        factor=factor,
        fit=fit,
        rows=rows,
        base_rate=base,
    )


def suggested_model(model: Model, suggestion: Suggestion) -> Model:
    """``model`` with the suggested points (and stars, and caps that follow the points).

    Segment variants' point overrides are left as they are.
    """
    new = model.with_points(suggestion.points) if suggestion.points else model
    if suggestion.stars:
        new = new.with_stars(suggestion.stars)
    if suggestion.caps:
        data = new.model_dump(mode="python", exclude_defaults=True)
        for d in data["criteria"]:
            if d["id"] in suggestion.caps:
                d["max_points"] = suggestion.caps[d["id"]]
        new = Model.parse(data)
    return new


def share_keeping_thresholds(
    model: Model, suggested: Model, signals: Signals, rows: np.ndarray
) -> dict[str, float]:
    """Base thresholds for ``suggested`` that keep each category's share of ``rows``.

    New points move the whole score distribution, so the old thresholds would hand sales
    a very different number of A leads; keeping the shares keeps sales' workload and makes
    the per-category conversion of the two models comparable. Whole numbers, strictly
    decreasing. Leads of segments with their own thresholds keep those and take no part.
    """
    names = [c.name for c in model.categories]
    if len(names) < 2:
        return {}
    before, after = score_totals(model, signals), score_totals(suggested, signals)
    per_code = rules_by_code(model)
    base = np.zeros(signals.n_leads, dtype=bool)
    for code, start, stop in signals.segment_blocks:
        base[start:stop] = not per_code[code].own_categories
    inquiry = len(before.category_names) - 1
    take = np.zeros(signals.n_leads, dtype=bool)
    take[rows] = True
    take &= base & (before.category < inquiry) & (after.category < inquiry)
    if not take.any():
        return {}
    old = before.category[take]
    scores = np.sort(after.score[take])[::-1]
    hi = model.scale.max
    last = model.categories[-1].min  # the last category takes the rest: stay above it
    floor = model.scale.min if last is None else max(last, model.scale.min)
    out, ceiling = {}, hi + 1
    for k, name in enumerate(names[:-1]):
        n_top = int((old <= k).sum())  # leads in this category or a better one
        cut = scores[n_top - 1] if n_top else hi
        value = float(min(max(round(cut), floor + len(names) - 1 - k), ceiling - 1))
        out[name] = value
        ceiling = value
    return out


# --- evaluation -------------------------------------------------------------------------------


def gains_table(score: np.ndarray, outcome: np.ndarray, bins: int = 10) -> pd.DataFrame:
    """Leads ranked by score, cut into ``bins`` equal slices (best first): the gains chart.

    Per slice: ``top_share`` (cumulative share of leads), ``leads``, ``converted``,
    ``rate``, ``gain`` (cumulative share of all conversions captured) and ``lift`` (slice
    rate ÷ overall rate). Leads tied at a cut count by the share of them each side takes
    (their average conversion, as :func:`~workbench.analysis.metrics.top_share_conversion`
    does), so a file sorted differently gives the same table; ``converted`` can then be
    fractional.
    """
    known = ~np.isnan(outcome)
    s, y = score[known], outcome[known] > 0.5
    n = len(s)
    neg = np.sort(-s, kind="stable")
    y_sorted = y[np.argsort(-s, kind="stable")]
    edges = np.round(np.linspace(0, n, bins + 1)).astype(np.int64)
    cum = np.concatenate([[0], np.cumsum(y_sorted)]).astype(float)
    # the tie group of the last lead each cut takes: [lo, hi) in rank order
    last = neg[np.maximum(edges - 1, 0)] if n else np.zeros(len(edges))
    lo = np.searchsorted(neg, last, side="left")
    hi = np.searchsorted(neg, last, side="right")
    mean = np.divide(cum[hi] - cum[lo], hi - lo, out=np.zeros(len(edges)), where=hi > lo)
    taken = np.where(edges > 0, cum[lo] + (edges - lo) * mean, 0.0) if n else np.zeros(len(edges))
    conv = np.diff(taken)
    leads = np.diff(edges)
    total = max(int(y.sum()), 1)
    rate = np.divide(conv, leads, out=np.full(bins, np.nan), where=leads > 0)
    base = y.mean() if n else np.nan
    return pd.DataFrame(
        {
            "top_share": edges[1:] / max(n, 1),
            "leads": leads,
            "converted": conv,
            "rate": rate,
            "gain": taken[1:] / total,
            "lift": rate / base if base else np.nan,
        },
        index=pd.RangeIndex(1, bins + 1, name="slice"),
    )


def conversion_with_lift(totals: Totals, outcome: np.ndarray) -> pd.DataFrame:
    """Conversion per category (95 % interval) with each category's share and lift."""
    table = metrics.conversion_by_category(totals, outcome)
    n = table["leads"].sum()
    base = table["converted"].sum() / n if n else np.nan
    table.insert(1, "share", table["leads"] / n if n else np.nan)
    table["lift"] = table["rate"] / base if base else np.nan
    return table


def auc_difference(
    current: np.ndarray, suggested: np.ndarray, outcome: np.ndarray
) -> tuple[float, float]:
    """Suggested minus current AUC on the same leads, and its standard error (DeLong).

    The two scores rank the same leads, so their AUCs move together: DeLong's paired
    variance counts that, where two separate intervals would call a real gain noise. Ties
    count half, as in :func:`~workbench.analysis.metrics.auc`. Deterministic (no
    resampling) and a few sorts per score: fine for a million leads.
    """
    known = ~np.isnan(outcome)
    y = outcome[known] > 0.5
    m, n = int(y.sum()), int((~y).sum())
    if m < 2 or n < 2:
        return float("nan"), float("nan")
    v10, v01 = [], []
    for s in (current[known], suggested[known]):
        every = pd.Series(s).rank(method="average").to_numpy()
        pos = pd.Series(s[y]).rank(method="average").to_numpy()
        neg = pd.Series(s[~y]).rank(method="average").to_numpy()
        v10.append((every[y] - pos) / n)  # per converter: share of non-converters below it
        v01.append(1.0 - (every[~y] - neg) / m)  # per non-converter: share of converters above
    a10, a01 = np.vstack(v10), np.vstack(v01)
    s10, s01 = np.cov(a10), np.cov(a01)
    contrast = np.array([-1.0, 1.0])
    var = contrast @ s10 @ contrast / m + contrast @ s01 @ contrast / n
    diff = float(a10[1].mean() - a10[0].mean())
    return diff, float(np.sqrt(max(var, 0.0)))


Decision = Literal["adopt", "do not adopt", "not enough conversions to tell"]


@dataclass(frozen=True)
class Verdict:
    """Whether to adopt the suggested points, from AUC on leads they were not fitted on.

    ``difference`` is suggested minus current AUC with its 95 % interval (DeLong, paired);
    adopt when the whole interval is above 0, do not adopt when it is below, otherwise
    the judged leads cannot tell the two apart. ``warning`` says when few conversions
    make any verdict shaky.
    """

    decision: Decision
    current_auc: float
    suggested_auc: float
    difference: float
    low: float
    high: float
    converted: int
    judged_on: str  # "the held-out half", "the later window" …

    @property
    def adopt(self) -> bool:
        return self.decision == "adopt"

    @property
    def warning(self) -> str:
        if self.converted >= FEW_CONVERSIONS:
            return ""
        return (
            f"Only {self.converted:,} conversions among the judged leads (fewer than "
            f"{FEW_CONVERSIONS}): an AUC difference this size can be chance."
        )

    def text(self) -> str:
        """One paragraph: the verdict, the figures it rests on, and the warning."""
        head = {
            "adopt": "Verdict: adopt the suggested points",
            "do not adopt": "Verdict: do not adopt the suggested points",
            "not enough conversions to tell": "Verdict: not enough conversions to tell",
        }[self.decision]
        if np.isnan(self.difference):
            figures = "the judged leads give no AUC to compare"
        else:
            figures = (
                f"AUC {self.current_auc:.3f} now, {self.suggested_auc:.3f} suggested on "
                f"{self.judged_on} ({self.converted:,} conversions): difference "
                f"{self.difference:+.3f}, 95 % interval {self.low:+.3f} to {self.high:+.3f}"
            )
        why = {
            "adopt": "the suggestion ranks these leads better",
            "do not adopt": "the suggestion ranks these leads worse",
            "not enough conversions to tell": "the interval includes no difference",
        }[self.decision]
        out = f"{head} ({why}). {figures[:1].upper() + figures[1:]}."
        return out + (f" {self.warning}" if self.warning else "")


def verdict(
    current: np.ndarray, suggested: np.ndarray, outcome: np.ndarray, judged_on: str
) -> Verdict:
    """The :class:`Verdict` from two scores of the same leads and their outcome (NaN rows
    are not judged): both scores must come from points not fitted on these leads."""
    diff, se = auc_difference(current, suggested, outcome)
    low, high = diff - 1.96 * se, diff + 1.96 * se
    decision: Decision = "not enough conversions to tell"
    if not np.isnan(diff) and low > 0:
        decision = "adopt"
    elif not np.isnan(diff) and high < 0:
        decision = "do not adopt"
    return Verdict(
        decision=decision,
        current_auc=metrics.auc(current, outcome),
        suggested_auc=metrics.auc(suggested, outcome),
        difference=diff,
        low=float(low),
        high=float(high),
        converted=int(np.nansum(outcome > 0.5)),
        judged_on=judged_on,
    )


@dataclass(frozen=True, eq=False)
class Calibration:
    """A suggestion and how the current and suggested models rank the evaluated leads."""

    model: Model
    suggested: Model
    suggestion: Suggestion
    metrics: pd.DataFrame  # index current/suggested: leads, converted, auc, top10
    conversion: dict[str, pd.DataFrame]  # current/suggested: conversion_with_lift
    gains: dict[str, pd.DataFrame]  # current/suggested: gains_table
    evaluated_rows: np.ndarray  # signals rows every metric was computed on
    in_sample: bool  # True when the metrics are on the leads the points were fitted on
    verdict: Verdict | None = None  # adopt or not, judged on leads the points never saw


def evaluate(
    models: dict[str, Model], signals: Signals, outcome: np.ndarray, rows: np.ndarray
) -> tuple[pd.DataFrame, dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """AUC, top-10 % conversion, conversion per category and gains on ``rows`` only."""
    y = np.full(signals.n_leads, np.nan)
    y[rows] = np.asarray(outcome, dtype=float)[rows]
    figures, conversion, gains = {}, {}, {}
    for name, m in models.items():
        t = score_totals(m, signals)
        figures[name] = {
            "leads": int((~np.isnan(y)).sum()),
            "converted": int(np.nansum(y)),
            "auc": metrics.auc(t.score, y),
            "top10": metrics.top_share_conversion(t.score, y, 0.1),
        }
        conversion[name] = conversion_with_lift(t, y)
        gains[name] = gains_table(t.score, y)
    return pd.DataFrame.from_dict(figures, orient="index"), conversion, gains


def holdout_verdict(
    model: Model,
    signals: Signals,
    outcome: np.ndarray,
    *,
    seed: int = 0,
    C: float = 1.0,
    keep_star_signs: bool = False,
) -> Verdict:
    """The verdict on suggested points fitted on a random half of the leads with an
    outcome and judged on the other half: honest where in-sample figures flatter, and
    needs no conversion dates (what the tuning app's Suggest can afford)."""
    known = np.flatnonzero(~np.isnan(outcome))
    u = np.random.default_rng(seed).random(len(known))
    fit_rows, judged = known[u < 0.5], known[u >= 0.5]
    y = np.full(signals.n_leads, np.nan)
    y[judged] = np.asarray(outcome, dtype=float)[judged]
    try:
        _only(np.asarray(outcome, dtype=float), fit_rows, "fitting half")
        s = suggest_points(model, signals, outcome, fit_rows, C=C, keep_star_signs=keep_star_signs)
    except DataError:
        return verdict(np.zeros(signals.n_leads), np.zeros(signals.n_leads), y, "a held-out half")
    new = suggested_model(model, s)
    current = score_totals(model, signals).score
    return verdict(current, score_totals(new, signals).score, y, "a held-out half")


def calibrate(
    model: Model,
    signals: Signals,
    outcome: np.ndarray | None = None,
    *,
    C: float = 1.0,
    keep_star_signs: bool = False,
    keep_shares: bool = True,
    holdout: bool = True,
    seed: int = 0,
) -> Calibration:
    """Suggest points from every lead with a known outcome; metrics on the same leads.

    In-sample: the figures flatter the suggestion. :func:`backtest` gives honest ones;
    with ``holdout`` the result carries a :class:`Verdict` from a random half-split
    (:func:`holdout_verdict`, ``seed``). With ``keep_shares`` the thresholds move too, so
    each category keeps its share of leads (:func:`share_keeping_thresholds`); without,
    they stay as they are.
    """
    if outcome is None:
        outcome = metrics.outcome_array(signals)
    if outcome is None:
        raise DataError([Problem("outcome", "the leads have no outcome column")])
    suggestion = suggest_points(model, signals, outcome, C=C, keep_star_signs=keep_star_signs)
    suggested = suggested_model(model, suggestion)
    rows = np.flatnonzero(~np.isnan(outcome))
    if keep_shares:
        kept = share_keeping_thresholds(model, suggested, signals, rows)
        suggested = suggested.with_thresholds(kept) if kept else suggested
    figures, conversion, gains = evaluate(
        {"current": model, "suggested": suggested}, signals, outcome, rows
    )
    judged = (
        holdout_verdict(model, signals, outcome, seed=seed, C=C, keep_star_signs=keep_star_signs)
        if holdout
        else None
    )
    return Calibration(model, suggested, suggestion, figures, conversion, gains, rows, True, judged)


# --- backtest ---------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Backtest:
    """Points fitted on what was known before, judged on what happened after.

    ``split="random"``: one cut-off, the leads split at random (fit on one half, judge the
    other). ``split="time"``: out of time, fitted as of ``fit_cutoff`` on conversions in
    the window that ends at ``cutoff``, judged as of ``cutoff`` on the window after it.
    """

    cutoff: pd.Timestamp  # signals as of this instant (end of the cut-off day)
    days: int  # outcome window: converted in (cutoff, cutoff + days]
    fit_leads: pd.Index
    eval_leads: pd.Index
    excluded: dict[str, int]  # why leads took no part (created after T, converted by T …)
    calibration: Calibration  # metrics on eval_leads only
    split: str = "random"
    fit_cutoff: pd.Timestamp | None = None  # split="time": the earlier cut-off fitted on


def _dates(data: LeadData, col: str | None, what: str, required: bool) -> pd.Series | None:
    leads = data.leads
    if col and col in leads.columns and pd.api.types.is_datetime64_any_dtype(leads[col]):
        return leads[col]
    if not required:
        return None
    dated = [str(c) for c in leads.columns if pd.api.types.is_datetime64_any_dtype(leads[c])]
    raise DataError(
        [
            Problem(
                what,
                (
                    f"a backtest needs the date of each conversion; no date column '{col}'."
                    if col
                    else "a backtest needs the date of each conversion and the model names no "
                    "conversion-date column."
                )
                + (did_you_mean(str(col), dated) if col else "")
                + " Name it with --outcome-date COL, or skip the backtest with --no-backtest."
                + (f" Date columns: {', '.join(dated)}." if dated else ""),
            )
        ]
    )


def default_cutoff(data: LeadData, days: int) -> pd.Timestamp:
    """The day ``days`` before the newest date in the data (events, conversions, creation)."""
    stamps = [data.activities["timestamp"].max()] if len(data.activities) else []
    converted = _dates(data, data.mapping.outcome_date, "", required=False)
    if converted is not None and converted.notna().any():
        stamps.append(converted.max())
    if (created := data.newest_created()) is not None:
        stamps.append(created)
    stamps = [s for s in stamps if pd.notna(s)]
    if not stamps:
        raise DataError([Problem("as_of", "no dates in the data to place a cut-off")])
    return (pd.Timestamp(max(stamps)) - pd.Timedelta(days=days)).normalize()


def _window(
    signals: Signals, conv_at: pd.Series, days: int
) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    """Outcome "converted within ``days`` after the signals' cut-off T", and which leads
    can take part: known at T (not created after it, as a queue as of T would list them)
    and not converted by T."""
    T = signals.as_of
    end = T + pd.Timedelta(days=days)
    order = signals.order
    converted = metrics.outcome_array(signals)
    when = conv_at.to_numpy(dtype="datetime64[ns]")[order]
    y = np.where(converted > 0.5, 0.0, converted)  # unknown stays NaN
    won = converted > 0.5
    in_window = won & (when > np.datetime64(T)) & (when <= np.datetime64(end))
    y[in_window] = 1.0
    y[won & np.isnat(when)] = np.nan  # converted, but when is unknown
    excluded = {"outcome unknown": int(np.isnan(y).sum())}
    take = ~np.isnan(y)
    late = created_after(signals.created_ns, T)
    excluded["created after the cut-off"] = int((late & take).sum())
    take &= ~late
    before = won & (when <= np.datetime64(T))
    excluded["converted by the cut-off"] = int((before & take).sum())
    take &= ~before
    return y, take, excluded


def _only(y: np.ndarray, rows: np.ndarray, where: str) -> None:
    part = np.full(len(y), np.nan)
    part[rows] = y[rows]
    _check_outcome(part, where)


def backtest(
    model: Model,
    data: LeadData,
    *,
    days: int = 90,
    cutoff=None,
    seed: int = 0,
    C: float = 1.0,
    keep_shares: bool = True,
    split: str = "random",
) -> Backtest:
    """Score as of a cut-off T with only what was known then; judge on what came after.

    T defaults to ``days`` before the newest date in the data. Leads created after T and
    leads that converted by T take no part; the outcome is "converted within ``days``
    after T" (``converted_at`` in (T, T + days]).

    ``split="random"``: the leads left are split at random (``seed``); the points are
    fitted on one half and every metric is computed on the other. It needs one window of
    conversions only, which is what most exports hold.

    ``split="time"`` (out of time, what a statistician would ask for): the points are
    fitted as of T − ``days`` on conversions in (T − days, T], then judged as of T on
    conversions in (T, T + days]; no outcome used for fitting lies in the judged window.
    It needs conversion dates in both windows.

    Lead fields are read as they are in the file: fields filled in after T (a sales
    status) still show their later value.
    """
    if days < 1:
        raise DataError([Problem("days", f"the outcome window must be at least 1 day; got {days}")])
    if split not in ("random", "time"):
        raise DataError([Problem("split", f"'{split}' is not a split; use 'random' or 'time'")])
    if not data.mapping.outcome or data.mapping.outcome not in data.leads.columns:
        raise DataError([Problem("outcome", "the leads have no outcome column")])
    conv_at = _dates(data, data.mapping.outcome_date, "outcome_date", required=True)
    if cutoff is None:
        cutoff = default_cutoff(data, days)
    signals = compute_signals(model, data, as_of=cutoff)
    T = signals.as_of
    y, take, excluded = _window(signals, conv_at, days)
    where = f"backtest as of {T:%Y-%m-%d}, outcome within {days} days"
    fit_cutoff = None
    if split == "random":
        u = np.random.default_rng(seed).random(data.n_leads)[signals.order]  # file order
        fit_signals, y_fit = signals, y
        fit_rows = np.flatnonzero(take & (u < 0.5))
        eval_rows = np.flatnonzero(take & (u >= 0.5))
        _only(y, fit_rows, where + " (fitting half)")
        _only(y, eval_rows, where + " (evaluation half)")
    else:
        fit_signals = compute_signals(model, data, as_of=T - pd.Timedelta(days=days))
        fit_cutoff = fit_signals.as_of
        y_fit, take_fit, _ = _window(fit_signals, conv_at, days)
        fit_rows = np.flatnonzero(take_fit)
        eval_rows = np.flatnonzero(take)
        _only(
            y_fit,
            fit_rows,
            f"backtest fitted as of {fit_cutoff:%Y-%m-%d}, outcome within {days} days "
            "(the earlier window; try a shorter --backtest-days or --backtest-split random)",
        )
        _only(y, eval_rows, where + " (the window judged)")
    suggestion = suggest_points(model, fit_signals, y_fit, fit_rows, C=C)
    suggested = suggested_model(model, suggestion)
    if keep_shares:  # chosen on the fitting leads only, like the points
        kept = share_keeping_thresholds(model, suggested, fit_signals, fit_rows)
        suggested = suggested.with_thresholds(kept) if kept else suggested
    figures, conversion, gains = evaluate(
        {"current": model, "suggested": suggested}, signals, y, eval_rows
    )
    y_judged = np.full(signals.n_leads, np.nan)
    y_judged[eval_rows] = y[eval_rows]
    judged = verdict(
        score_totals(model, signals).score,
        score_totals(suggested, signals).score,
        y_judged,
        "the held-out half" if split == "random" else "the later window",
    )
    cal = Calibration(
        model, suggested, suggestion, figures, conversion, gains, eval_rows, False, judged
    )
    return Backtest(
        cutoff=T,
        days=days,
        fit_leads=fit_signals.lead_ids[fit_rows],
        eval_leads=signals.lead_ids[eval_rows],
        excluded=excluded,
        calibration=cal,
        split=split,
        fit_cutoff=fit_cutoff,
    )
