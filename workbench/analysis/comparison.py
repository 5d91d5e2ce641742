"""Comparing scoring models on the same leads: for choosing between them.

Each model has its own signals (its own rules), and signals order their rows by the model's
segments, so two models' rows need not line up. Everything here first puts the totals in
the order of the leads file, then compares: AUC and top-10 % conversion where outcomes
exist, leads per category, and the transition matrix from the first model to each other
(:func:`workbench.analysis.metrics.category_shift`). Pure functions over totals and arrays.

>>> result = compare_models([model_a, model_b], [signals_a, signals_b])  # doctest: +SKIP
>>> result.metrics  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.analysis import metrics
from workbench.engine.scoring import Totals, score_totals
from workbench.engine.signals import Signals
from workbench.errors import WorkbenchError
from workbench.model.spec import Model


def totals_in_data_order(totals: Totals, signals: Signals) -> Totals:
    """The same totals with rows in the order of the leads file (``signals.data.leads``)."""
    inverse = signals.row_of_lead

    def put(a):
        return None if a is None else a[inverse]

    return dataclasses.replace(
        totals,
        score=put(totals.score),
        category=put(totals.category),
        grade=put(totals.grade),
        level=put(totals.level),
        buckets={b: v[inverse] for b, v in totals.buckets.items()},
    )


def outcome_in_data_order(signals: Signals) -> np.ndarray | None:
    """The outcome per lead in leads-file order (NaN where unknown), or None without one."""
    y = metrics.outcome_array(signals)
    if y is None:
        return None
    return y[signals.row_of_lead]


def transition_matrix(before: Totals, after: Totals) -> pd.DataFrame:
    """Leads per (category under ``before``, category under ``after``); rows must align.

    Models with different categories get a rectangular table (see
    :func:`workbench.analysis.metrics.category_shift`).
    """
    if len(before.category) != len(after.category):
        raise WorkbenchError("the two scorings cover different numbers of leads")
    return metrics.category_shift(before, after)


@dataclass(frozen=True)
class Comparison:
    """What ``workbench compare`` prints: one entry per model, first model as the baseline."""

    names: tuple[str, ...]
    metrics: pd.DataFrame  # per model: leads, outcomes known, converted, AUC, top-10 % conversion
    distribution: pd.DataFrame  # leads per category (rows) and model (columns)
    conversion: dict[str, pd.DataFrame]  # per model: conversion_by_category (empty without y)
    transitions: dict[str, pd.DataFrame]  # per other model: first model → that model
    totals: tuple[Totals, ...]  # in leads-file order, so rows line up across models


def model_names(models: Sequence[Model]) -> tuple[str, ...]:
    """Readable, distinct names: ``B2B default v1``; a suffix where two would collide."""
    names: list[str] = []
    for m in models:
        base = f"{m.name} v{m.version}"
        name, k = base, 2
        while name in names:
            name, k = f"{base} ({k})", k + 1
        names.append(name)
    return tuple(names)


def compare_models(
    models: Sequence[Model],
    signals: Sequence[Signals],
    outcome: np.ndarray | None = None,
    names: Sequence[str] | None = None,
    top_share: float = 0.1,
) -> Comparison:
    """Score every model on its own signals and compare them on the same leads.

    ``signals[i]`` must be computed for ``models[i]`` over the same data. ``outcome`` is in
    leads-file order (default: the data's outcome column, if any).
    """
    if len(models) < 2 or len(models) != len(signals):
        raise WorkbenchError("give at least two models, each with its own signals")
    n = signals[0].n_leads
    ids = signals[0].data.leads.index
    if any(s.data.leads.index is not ids and not s.data.leads.index.equals(ids) for s in signals):
        raise WorkbenchError("the models were scored on different leads; use the same data")
    names = tuple(names) if names is not None else model_names(models)
    if outcome is None:
        outcome = outcome_in_data_order(signals[0])
    totals = tuple(
        totals_in_data_order(score_totals(m, s), s) for m, s in zip(models, signals, strict=True)
    )
    has_y = outcome is not None and not np.isnan(outcome).all()
    rows, conversion = [], {}
    for name, t in zip(names, totals, strict=True):
        row = {"leads": n}
        if has_y:
            known = ~np.isnan(outcome)
            row.update(
                outcomes=int(known.sum()),
                converted=int(np.nansum(outcome)),
                auc=metrics.auc(t.score, outcome),
                top_conversion=metrics.top_share_conversion(t.score, outcome, top_share),
            )
            conversion[name] = metrics.conversion_by_category(t, outcome)
        else:
            conversion[name] = pd.DataFrame()
        rows.append(row)
    table = pd.DataFrame(rows, index=pd.Index(names, name="model"))
    dist = pd.concat(
        [metrics.category_counts(t).rename(name) for name, t in zip(names, totals, strict=True)],
        axis=1,
    ).fillna(0)
    dist = dist.astype(np.int64)
    transitions = {
        name: transition_matrix(totals[0], t) for name, t in zip(names[1:], totals[1:], strict=True)
    }
    return Comparison(names, table, dist, conversion, transitions, totals)
