"""Two-condition criteria a draft proposes: "page views 5+ and lead source Website".

A points model adds up its criteria, so it cannot say that two things together convert
better than each does alone; gradient boosting can, and that is most of the gap between
them on real exports. This module finds the few combinations worth a criterion of their
own (an ``all_of`` rule over two of the draft's levels) and keeps only those that raise
cross-validated AUC beyond noise, on the same folds, each with its evidence.

Screening is one pass of matrix products over every pair of conditions: the fitted
model's residual (outcome minus fitted probability) summed in each pair's cell, against
its binomial variance. A pair whose leads convert as the parts predict has a residual
near zero, whatever its size. Only the best-screened few are cross-validated.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd

from workbench.analysis.metrics import auc
from workbench.data.loading import LeadData
from workbench.engine.signals import Signals, compute_signals
from workbench.learning.evidence import cell_evidence, unique_id
from workbench.learning.points_fit import points_on_top
from workbench.model.bounds import NAME_CHARS
from workbench.model.spec import Model
from workbench.text import shorten


@dataclass(frozen=True)
class InteractionOptions:
    """``max_new`` criteria at most; each must cover ``min_support`` of the leads (and
    ``min_leads``), convert above what its parts predict beyond chance among all the pairs
    looked at (one-sided ``alpha``, Bonferroni over the pairs), and raise mean
    cross-validated AUC by ``min_gain`` and by more than ``min_se`` standard errors of the
    per-fold gains; ``screen`` pairs are cross-validated.

    Hundreds of pairs are looked at, so a pair that beats its parts by chance is expected:
    without the correction the shipped sample (no combination planted) got three
    combinations of 60–600 leads, one of them on 7 conversions."""

    max_new: int = 5
    alpha: float = 0.05
    min_se: float = 1.0
    min_gain: float = 0.002
    min_support: float = 0.01
    min_leads: int = 30
    screen: int = 12
    C: float = 1.0


@dataclass(frozen=True, eq=False)
class Condition:
    """One level of a drafted criterion as a rule of its own (a bin as ``range``, a
    group as ``in``), with the leads it holds."""

    criterion: str
    label: str
    rule: dict
    hit: np.ndarray  # bool per lead, data order


def conditions(model: Model, signals: Signals) -> list[Condition]:
    """Every bin, upper tail of bins ("5+") and group of the model's level criteria."""
    out = []
    for c in model.criteria:
        if not c.is_level:
            continue
        level = signals.levels[c.id][signals.row_of_lead]
        field = c.rule.field
        if c.rule.kind == "bins":
            bins = c.rule.levels
            for i, b in enumerate(bins):
                if b.min is None and b.max is None:
                    continue
                bounds = {k: v for k, v in (("min", b.min), ("max", b.max)) if v is not None}
                rule = {"kind": "range", "field": field, **bounds}
                out.append(Condition(c.id, f"{c.label} {b.describe()}", rule, level == i))
                if 0 < i < len(bins) - 1:  # "5+": this bin and every one above it
                    rule = {"kind": "range", "field": field, "min": b.min}
                    out.append(Condition(c.id, f"{c.label} {b.min:,g}+", rule, level >= i))
        else:
            for i, g in enumerate(c.rule.levels):
                rule = {"kind": "in", "field": field, "values": list(g.values)}
                label = f"{c.label} {shorten(g.describe(), 40)}"
                out.append(Condition(c.id, label, rule, level == i))
    return out


def screen_pairs(
    conds: list[Condition],
    y: np.ndarray,
    p: np.ndarray,
    options: InteractionOptions = InteractionOptions(),
) -> pd.DataFrame:
    """Pairs of conditions on different criteria ranked by how far their cell's
    conversion is above what the fitted model expects (a score test, vectorised).

    ``y`` (0/1) and ``p`` (fitted probability) are over the leads with a known outcome;
    one pair per two criteria is kept (the strongest), nested cells are left out.
    """
    known = ~np.isnan(y)
    H = np.column_stack([c.hit[known] for c in conds]).astype(np.float32)
    yk, pk = y[known], p[known]
    resid = (yk - pk).astype(np.float32)
    var = (pk * (1 - pk)).astype(np.float32)
    n_pair = H.T @ H
    s_pair = H.T @ (H * resid[:, None])
    v_pair = H.T @ (H * var[:, None])
    single = np.diag(n_pair)
    owner = pd.factorize(pd.Series([c.criterion for c in conds]))[0]
    need = max(options.min_leads, options.min_support * len(yk))
    a, b = np.triu_indices(len(conds), k=1)
    n_ab = n_pair[a, b]
    ok = (
        (owner[a] != owner[b])
        & (n_ab >= need)
        & (n_ab <= 0.95 * np.minimum(single[a], single[b]))  # not one part all over again
        & (v_pair[a, b] > 0)
    )
    a, b = a[ok], b[ok]
    z = s_pair[a, b] / np.sqrt(v_pair[a, b])
    beyond_chance = z > NormalDist().inv_cdf(1 - options.alpha / max(len(z), 1))
    table = pd.DataFrame(
        {
            "a": a,
            "b": b,
            "pair": [f"{min(i, j)}-{max(i, j)}" for i, j in zip(owner[a], owner[b], strict=True)],
            "leads": n_ab[ok].astype(np.int64),
            "z": z,
        }
    )
    # a bonus for both together reads well ("5+ visits and came through the website");
    # a cell below expectation is the same fact said through its complement's parts
    table = table[beyond_chance].sort_values("z", ascending=False)
    return table.drop_duplicates("pair").head(options.screen).reset_index(drop=True)


def _fold_aucs(X: np.ndarray, y: np.ndarray, splits, C: float) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression

    out = []
    for tr, te in splits:
        lr = LogisticRegression(C=C, max_iter=2000).fit(X[tr], y[tr] > 0.5)
        out.append(auc(lr.decision_function(X[te]), y[te]))
    return np.asarray(out)


def propose_interactions(
    model: Model,
    data: LeadData,
    y: np.ndarray,
    *,
    folds: int = 5,
    seed: int = 0,
    options: InteractionOptions = InteractionOptions(),
) -> tuple[Model, pd.DataFrame]:
    """``model`` with up to ``options.max_new`` all_of criteria added, and a table of them.

    A combination's points are what it adds to the model's score as the model is
    (:func:`~workbench.learning.points_fit.points_on_top`). The model's own levels,
    as the engine computes them, are the design matrix; each candidate is judged by the
    cross-validated AUC of a logistic regression over those levels with and without it,
    fold by fold. Returns the model unchanged (and an empty table) when none earns a place.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    columns = ["criterion", "label", "leads", "converted", "rate", "expected", "gain", "points"]
    empty = pd.DataFrame(columns=columns)
    known = ~np.isnan(y)
    yk = y[known]
    if folds < 2 or not model.criteria or yk.sum() < folds or (yk == 0).sum() < folds:
        return model, empty
    signals = compute_signals(model, data)
    conds = conditions(model, signals)
    if len(conds) < 2:
        return model, empty
    X = signals.matrix[signals.row_of_lead].astype(float)[known]
    base_fit = LogisticRegression(C=options.C, max_iter=2000).fit(X, yk > 0.5)
    p = np.full(len(y), np.nan)
    p[known] = base_fit.predict_proba(X)[:, 1]
    candidates = screen_pairs(conds, y, p, options)
    splits = list(StratifiedKFold(folds, shuffle=True, random_state=seed).split(X, yk))
    current = _fold_aucs(X, yk, splits, options.C)
    chosen: list[tuple[int, int, float]] = []
    extra = np.empty((len(yk), 0))
    for cand in candidates.itertuples(index=False):
        if len(chosen) >= options.max_new:
            break
        cell = (conds[cand.a].hit & conds[cand.b].hit)[known].astype(float)
        trial = _fold_aucs(np.column_stack([X, extra, cell]), yk, splits, options.C)
        gain = trial - current
        se = gain.std(ddof=1) / np.sqrt(folds)
        if gain.mean() >= options.min_gain and gain.mean() > options.min_se * se:
            chosen.append((cand.a, cand.b, float(gain.mean())))
            extra = np.column_stack([extra, cell])
            current = trial
    if not chosen:
        return model, empty
    score = model_score(model, signals)[known]
    worth = points_on_top(
        score, extra, yk, limit=model.scale.max - model.scale.min
    )  # on top of the parts' points, as the model has them
    rows, criteria = [], []
    taken = set(model.criterion_ids)
    for (ia, ib, gain), value in zip(chosen, worth, strict=True):
        points = float(np.round(value)) + 0.0
        if points == 0:
            continue
        ca, cb = conds[ia], conds[ib]
        cell = ca.hit & cb.hit & known
        leads, converted = int(cell.sum()), int(y[cell].sum())
        rate, expected = converted / leads, float(p[cell].mean())
        cid = unique_id(f"{ca.criterion}_and_{cb.criterion}", taken)
        label = shorten(f"{ca.label} and {cb.label}", NAME_CHARS)
        criteria.append(
            {
                "id": cid,
                "label": label,
                "bucket": model.criteria[0].bucket,
                "rule": {
                    "kind": "all_of",
                    "rules": [ca.rule, cb.rule],
                    "labels": [shorten(ca.label, NAME_CHARS), shorten(cb.label, NAME_CHARS)],
                },
                "points": points,
                "evidence": cell_evidence(leads, converted),
                "description": (
                    f"Drafted interaction: these {leads:,} leads converted at {rate:.1%}, "
                    f"where their two parts alone predict {expected:.1%}; cross-validated "
                    f"AUC +{gain:.3f} with it."
                ),
            }
        )
        rows.append([cid, label, leads, converted, rate, expected, gain, points])
    if not criteria:
        return model, empty
    return model.with_criteria(criteria), pd.DataFrame(rows, columns=columns)


def interaction_notes(table: pd.DataFrame) -> tuple[str, ...]:
    """What the draft's summary says about the combinations it added (or nothing)."""
    if not len(table):
        return ()
    lines = ["", "Combinations added (each raised cross-validated AUC; evidence in the file):"]
    lines += [
        f"  {r.label}: {r.leads:,} leads, {r.rate:.1%} converted vs {r.expected:.1%} "
        f"expected from the parts; AUC +{r.gain:.3f}; {r.points:+g} points"
        for r in table.itertuples(index=False)
    ]
    return tuple(lines)


def model_score(model: Model, signals: Signals) -> np.ndarray:
    """Each lead's total before clipping to the scale (data order): the footing new
    criteria's points are fitted on."""
    from workbench.engine.scoring import score_totals

    totals = score_totals(model, signals)
    total = totals.raw if totals.raw is not None else totals.score
    return np.asarray(total, dtype=float)[signals.row_of_lead]
