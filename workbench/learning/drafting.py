"""Draft a points model from a CRM export and its outcome, scorecard-style.

The draft is what a statistician would build, written as a points table sales can argue
with: numeric columns cut into bins (quantiles, merged until each bin has enough leads and
conversion rises or falls steadily), categorical columns as groups of values (rare values
pooled, so no group rests on a handful of leads), a missing value as its own level, and a
regularised logistic regression over those levels turned into whole points on the model's
scale (:func:`workbench.learning.points_fit.fit_points`). Thresholds A/B/C are chosen so categories
convert in strict order with enough leads each. Every bin, group and 'missing' criterion
carries its evidence (leads, conversions, rate, 95 % interval) in the model file.

This module holds the draft itself: the model built from the column plans, the fit, the
thresholds, cross-validation and the :class:`Draft` the CLI shows. The levels are planned in
:mod:`workbench.learning.levels`, the fitted points shaped in
:mod:`workbench.learning.draft_points`, the scikit-learn reference it is held to is in
:mod:`workbench.learning.reference`, and its knobs are :class:`DraftOptions`
(:mod:`workbench.learning.draft_options`).

Columns that cannot or must not score are left out, with the reason: likely leaks (filled
in after the sale), ids, contact details, free text and dates. Levels are computed by the
engine itself (the draft's rules through :func:`~workbench.engine.signals.compute_signals`), so
the points are fitted on exactly what ``workbench score`` will see; cross-validation scores
each held-out fold with the real engine too.

>>> data = load_data("data/samples/leads.csv")  # doctest: +SKIP
>>> draft = draft_model(data, outcome="converted")  # doctest: +SKIP
>>> print(draft.summary())  # doctest: +SKIP
>>> save_model(draft.model, "drafted.yaml")  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from workbench.analysis.metrics import auc, wilson_interval
from workbench.data.loading import LeadData
from workbench.data.numbers import read_numbers
from workbench.engine.scoring import score_totals
from workbench.engine.signals import compute_signals
from workbench.errors import DataError, Problem
from workbench.learning.activity_draft import activity_notes, events_before_outcome
from workbench.learning.draft_options import DraftOptions
from workbench.learning.draft_points import (
    evidence_points,
    into_scale,
    monotone_points,
    whole_points,
)
from workbench.learning.interactions import interaction_notes
from workbench.learning.levels import ColumnPlan, crossfit_levels, group_label, plan_columns
from workbench.learning.points_fit import PointsFit, feature_evidence, fit_points
from workbench.learning.profiling import Profile, one_value_bins, outcome_values, profile_leads
from workbench.learning.reference import reference_predictions
from workbench.model.spec import RESERVED_COLUMNS, DataMapping, Model
from workbench.model.yaml_io import model_to_yaml
from workbench.text import shorten, signed_points

BUCKET = "attributes"
CATEGORY_LABELS = ("Sales-ready", "Nurture", "Not yet")


@dataclass(frozen=True, eq=False)
class Draft:
    """A drafted model with everything that justifies it.

    ``evidence`` has one row per scored level (criterion, level, points, leads,
    converted, rate, low, high, coef); ``excluded`` the columns left out and why;
    ``folds`` the cross-validated AUC per fold (the whole draft, with its combinations and
    activity criteria, fitted on the other folds and scored by the engine, and a plain
    one-hot logistic regression over the same columns); ``conversion`` the out-of-fold
    conversion per category. Evidence rows cover combinations and activity criteria too.
    """

    model: Model
    profile: Profile
    used: tuple[str, ...]
    excluded: pd.DataFrame
    evidence: pd.DataFrame
    fit: PointsFit
    folds: pd.DataFrame
    conversion: pd.DataFrame
    source: str = "leads"
    notes: tuple[str, ...] = field(default=())

    @property
    def cv_auc(self) -> float:
        return float(self.folds["auc"].mean()) if len(self.folds) else float("nan")

    @property
    def reference_auc(self) -> float:
        return float(self.folds["reference_auc"].mean()) if len(self.folds) else float("nan")

    @property
    def _reference_columns(self) -> str:
        """What the reference regression reads: lead columns only, never activities."""
        acts = any(c.is_activity for c in self.model.criteria)
        return "lead columns, without activities" if acts else "columns"

    @property
    def cautions(self) -> tuple[str, ...]:
        """Plain warnings when the draft should not be trusted as it is."""
        out = []
        n = self.profile.converted
        if n < 100:
            out.append(
                f"Only {n:,} conversions: the points rest on little evidence (see the intervals "
                "in the file); treat this draft as a starting point, not a model to publish."
            )
        if len(self.folds) and self.cv_auc < 0.6:
            out.append(
                f"Cross-validated AUC {self.cv_auc:.3f} is little or no better than chance (0.5): "
                "this draft does not rank leads. Do not publish it; add more history or columns."
            )
        rates = self.conversion["rate"].to_numpy() if len(self.conversion) else []
        if len(rates) > 1 and not (rates[:-1] > rates[1:]).all():
            order = " · ".join(
                f"{k} {r:.1%}" for k, r in zip(self.conversion.index, rates, strict=True)
            )
            out.append(f"The categories do not convert in order ({order}): review the thresholds.")
        return tuple(out)

    def yaml(self) -> str:
        """The model file: a short header in comments, then the model with its evidence."""
        p = self.profile
        header = [
            f"# Drafted by `workbench draft` from {self.source} on {dt.date.today():%Y-%m-%d}:",
            f"# {p.n_known:,} leads with a known outcome, {p.converted:,} converted "
            f"({p.base_rate:.1%}).",
            (
                f"# Cross-validated AUC {self.cv_auc:.3f} (a one-hot logistic regression over "
                f"the same {self._reference_columns}: {self.reference_auc:.3f})."
                if len(self.folds)
                else "# Not cross-validated (--folds 0)."
            ),
            "# Each bin, group and criterion has `evidence`: the leads it covered, how many",
            "# converted, the rate and its 95 % interval (low–high). Review the points with sales",
            "# before signing off; check the file with `workbench validate`.",
        ]
        if len(self.excluded):
            header.append("# Left out: " + ", ".join(self.excluded["column"]) + ".")
        header += [f"# CAUTION: {c}" for c in self.cautions]
        return "\n".join(header) + "\n" + model_to_yaml(self.model)

    def summary(self) -> str:
        """What the CLI prints: columns used and left out, CV AUC, categories, points."""
        p, m = self.profile, self.model
        lines = [
            f"Drafted '{m.name}' from {p.n_known:,} leads with a known outcome "
            f"({p.converted:,} converted, {p.base_rate:.1%}).",
            f"Scoring {len(self.used)} columns: {', '.join(self.used)}.",
        ]
        if len(self.excluded):
            lines.append("Left out:")
            width = max(len(c) for c in self.excluded["column"])
            lines += [
                f"  {r.column:<{width}}  {r.reason}" for r in self.excluded.itertuples(index=False)
            ]
        k = len(self.folds)
        if not k:
            lines += ["", "No cross-validation (--folds 0): no AUC or conversion to show."]
        else:
            lines += [
                "",
                f"Cross-validated AUC of the whole draft ({k} folds: levels, combinations and "
                "activity criteria re-drafted on each training part, the held-out part scored "
                f"by the engine): "
                f"{self.cv_auc:.3f} ± {self.folds['auc'].std(ddof=0):.3f}",
                f"  a plain one-hot logistic regression over the same {self._reference_columns}: "
                f"{self.reference_auc:.3f}",
                "Conversion per category (out-of-fold, each fold's draft and thresholds):",
            ]
        bands = {t.name: t.min for t in m.categories}
        last = m.categories[-1].name  # the band below the others, whatever its min
        for name, r in self.conversion.iterrows():
            lo = bands.get(name)
            band = f"≥ {lo:g}" if lo is not None and name != last else "rest"
            lines.append(
                f"  {name}  {band:>5}  {int(r['leads']):>7,} leads  {r['rate']:6.1%}  "
                f"[{r['low']:.1%}–{r['high']:.1%}]"
            )
        lines += ["", "Points (evidence in the file):"]
        for c in m.criteria:
            if c.is_level:
                parts = [
                    f"{shorten(i.describe(), 30)} {signed_points(i.points)}" for i in c.rule.levels
                ]
                lines.append(f"  {c.label}: " + " · ".join(parts))
            else:
                lines.append(f"  {c.label}: {signed_points(c.points)}")
        lines.extend(self.notes)
        if self.cautions:
            lines += ["", *(f"Caution: {c}" for c in self.cautions)]
        return "\n".join(lines)


# --- the model ----------------------------------------------------------------------------


def criterion_id(column: str, taken: set[str]) -> str:
    """A model id from a column name: 'Company Size (FTE)' -> 'company_size_fte'."""
    slug = re.sub(r"[^0-9a-z]+", "_", str(column).casefold()).strip("_")[:50] or "column"
    if not slug[0].isalpha():
        slug = "c_" + slug
    if slug in RESERVED_COLUMNS or slug == BUCKET:
        slug += "_field"
    base, i = slug, 2
    while slug in taken or slug + "_missing" in taken:
        slug, i = f"{base}_{i}", i + 1
    taken.update({slug, slug + "_missing"})
    return slug


def criterion_label(column: str) -> str:
    text = str(column).replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text == text.lower() else text


def _number(v: float) -> str:
    return f"{v:,.10g}"


def _bin_items(plan: ColumnPlan) -> list[dict]:
    lows = [None, *plan.edges]
    highs = [*plan.edges, None]
    items = []
    named = plan.labels or (None,) * len(lows)
    for lo, hi, name in zip(lows, highs, named, strict=True):
        if name is not None:
            label = name
        elif lo is None and hi is None:
            label = "any value"
        elif lo is None:
            label = f"under {_number(hi)}"
        elif hi is None:
            label = f"{_number(lo)}+"
        elif plan.integer and float(lo).is_integer() and float(hi).is_integer():
            label = _number(lo) if hi - 1 == lo else f"{_number(lo)}–{_number(hi - 1)}"
        else:
            label = f"{_number(lo)} to under {_number(hi)}"
        item = {"label": label}
        if lo is not None:
            item["min"] = float(lo)
        if hi is not None:
            item["max"] = float(hi)
        items.append(item)
    return items


def _evidence(leads: np.ndarray, converted: np.ndarray) -> list[dict]:
    low, high = wilson_interval(converted, leads)
    out = []
    for n, c, lo, hi in zip(leads, converted, low, high, strict=True):
        ev = {"leads": int(n), "converted": int(c)}
        if n:
            ev.update(rate=round(c / n, 4), low=round(float(lo), 4), high=round(float(hi), 4))
        out.append(ev)
    return out


def build_model(
    plans: Sequence[ColumnPlan],
    mapping: DataMapping,
    *,
    name: str,
    points: dict[str, list[float]] | None = None,
    evidence: dict[str, list[dict]] | None = None,
    thresholds: tuple[float, float] | None = None,
    description: str = "",
    changelog: Sequence[dict] = (),
    ids: Sequence[str] | None = None,
    scale: tuple[float, float] = (0.0, 100.0),
) -> Model:
    """A model from column plans; without ``points`` every level scores 0 (a skeleton
    whose signals give the fit its design matrix).

    ``points`` and ``evidence`` are keyed by criterion id (``ids``, default: from the
    column names); a level criterion takes one entry per level, its 'missing' criterion
    (id + ``_missing``) one entry. ``thresholds`` default to 70 % and 40 % of the ``scale``.
    """
    taken: set[str] = set()
    ids = list(ids) if ids is not None else [criterion_id(p.column, taken) for p in plans]
    criteria = []
    for plan, cid in zip(plans, ids, strict=True):
        label = criterion_label(plan.column)
        if plan.kind == "bins":
            items = _bin_items(plan)
            rule = {"kind": "bins", "field": plan.column, "bins": items}
        else:
            items = [
                {"values": list(values), **({"label": lab} if lab else {})}
                for values, lab in zip(plan.groups, plan.labels, strict=True)
            ]
            rule = {"kind": "lookup", "field": plan.column, "groups": items}
        pts = (points or {}).get(cid, [0.0] * len(items))
        evs = (evidence or {}).get(cid)
        for i, item in enumerate(items):
            item["points"] = float(pts[i])
            if evs:
                item["evidence"] = evs[i]
        criteria.append({"id": cid, "label": label, "bucket": BUCKET, "rule": rule})
        if plan.has_missing:
            mid = cid + "_missing"
            crit = {
                "id": mid,
                "label": f"{label} missing",
                "bucket": BUCKET,
                "rule": {"kind": "missing", "field": plan.column},
                "points": float((points or {}).get(mid, [0.0])[0]),
            }
            if evidence and mid in evidence:
                crit["evidence"] = evidence[mid][0]
            criteria.append(crit)
    lo, hi = float(scale[0]), float(scale[1])
    a, b = thresholds if thresholds is not None else (lo + 0.7 * (hi - lo), lo + 0.4 * (hi - lo))
    return Model.parse(
        {
            "name": name,
            "description": description,
            "changelog": list(changelog),
            "scale": {"min": lo, "max": hi},
            "buckets": [{"id": BUCKET, "label": "Who the lead is (drafted from past conversions)"}],
            "criteria": criteria,
            "categories": [
                {"name": "A", "min": float(a), "label": CATEGORY_LABELS[0]},
                {"name": "B", "min": float(b), "label": CATEGORY_LABELS[1]},
                {"name": "C", "min": lo, "label": CATEGORY_LABELS[2]},
            ],
            "data": mapping.model_dump(mode="python"),
        }
    )


def subset(data: LeadData, rows: np.ndarray) -> LeadData:
    """The same leads file restricted to some rows (positions), with no activities."""
    return data.narrowed(data.leads.iloc[rows], data.activities.iloc[:0])


def events_of(events: pd.DataFrame, rows: np.ndarray, n_leads: int) -> pd.DataFrame:
    """The activities of some leads (positions), renumbered to those leads' order."""
    if not len(events):
        return events
    where = np.full(n_leads, -1, dtype=np.int64)
    where[rows] = np.arange(len(rows))
    new = where[events["lead_idx"].to_numpy()]
    keep = new >= 0
    return events[keep].assign(lead_idx=new[keep].astype(events["lead_idx"].dtype))


def level_matrix(model: Model, data: LeadData) -> tuple[np.ndarray, list[str], list[str]]:
    """0/1 level indicators as the engine sees them (rows in data order), with feature
    names ('seniority[2]', 'seniority_missing') and groups (the column)."""
    signals = compute_signals(model, data)
    by_id = {c.id: c for c in model.criteria}
    names, groups = [], []
    for cid, lv in signals.columns:
        names.append(f"{cid}[{lv}]" if lv >= 0 else cid)
        groups.append(by_id[cid].rule.field)
    return signals.matrix[signals.row_of_lead].astype(float), names, groups


def engine_scores(model: Model, data: LeadData) -> tuple[np.ndarray, np.ndarray]:
    """Score and category index of every lead (data order), by the real engine."""
    signals = compute_signals(model, data)
    totals = score_totals(model, signals)
    rows = signals.row_of_lead
    return totals.score[rows].astype(float), totals.category[rows].astype(np.int64)


def choose_thresholds(
    score: np.ndarray,
    y: np.ndarray,
    shares: tuple[float, float] = (0.15, 0.5),
    min_leads: int = 30,
) -> tuple[float, float]:
    """Thresholds for A and B on whole-point scores, chosen from the data.

    Candidates put roughly 10–30 % of leads in A and 35–65 % in A + B. A candidate
    qualifies when A converts better than B, and B better than C, with at least
    ``min_leads`` leads each; candidates whose 95 % intervals do not overlap between
    neighbours are preferred, then those nearest the target ``shares``.
    """
    known = ~np.isnan(y)
    s, yk = score[known], y[known]
    values = np.unique(s)
    if len(values) < 3:
        shown = " and ".join(f"{v:g}" for v in values) or "none"
        raise DataError(
            [
                Problem(
                    "draft",
                    f"the drafted points give {len(values)} distinct score(s) ({shown}), too "
                    "few for categories A, B and C; give the draft more columns to score "
                    "(--type, --keep, or fewer --exclude) or more leads with a known outcome",
                )
            ]
        )
    share_at = np.array([(s >= v).mean() for v in values])  # few distinct scores: cheap

    def threshold(target: float) -> float:
        i = int(np.argmin(np.abs(share_at - target) + (values <= values[0]) * 9))
        return float(values[i])

    best, best_key = None, None
    for a in (0.10, 0.125, 0.15, 0.175, 0.20, 0.25, 0.30):
        for b in (0.35, 0.40, 0.45, 0.50, 0.55, 0.60, 0.65):
            ta, tb = threshold(a), threshold(b)
            if not ta > tb:
                continue
            cat = np.where(s >= ta, 0, np.where(s >= tb, 1, 2))
            n = np.bincount(cat, minlength=3)
            if n.min() < min_leads:
                continue
            conv = np.bincount(cat, weights=yk, minlength=3)
            rate = conv / n
            if not rate[0] > rate[1] > rate[2]:
                continue
            low, high = wilson_interval(conv, n)
            clear = int(low[0] > high[1]) + int(low[1] > high[2])
            distance = abs(n[0] / len(s) - shares[0]) + abs((n[0] + n[1]) / len(s) - shares[1])
            key = (-clear, distance)
            if best_key is None or key < best_key:
                best, best_key = (ta, tb), key
    if best is None:  # no ordered split: fall back to the target shares
        ta, tb = threshold(shares[0]), threshold(shares[1])
        best = (ta, tb if tb < ta else float(values[max(np.searchsorted(values, ta) - 1, 1)]))
    return best


# --- fitting ------------------------------------------------------------------------------


def _value_labels(plan: ColumnPlan, x: np.ndarray) -> ColumnPlan:
    """Bins whose leads all have one value (a placeholder: −1, 0, 999) are labelled by it."""
    values = one_value_bins(x, plan.edges)
    if np.isnan(values).all():
        return plan
    labels = tuple(None if v != v else _number(v) for v in values)
    return ColumnPlan(**{**plan.__dict__, "labels": labels})


def _merge_equal(points: list[float], ev: list[tuple[int, int]], plan: ColumnPlan):
    """Neighbouring bins (or any groups) with the same points become one level."""
    if plan.kind == "bins":
        edges, pts, counts = [], [points[0]], [list(ev[0])]
        for i in range(1, len(points)):
            apart = plan.placeholder in (i, i - 1)  # '-1' never reads as part of a range
            if points[i] == pts[-1] and not apart:
                counts[-1][0] += ev[i][0]
                counts[-1][1] += ev[i][1]
            else:
                edges.append(plan.edges[i - 1])
                pts.append(points[i])
                counts.append(list(ev[i]))
        own = None if plan.placeholder is None else (0 if plan.placeholder == 0 else len(edges))
        merged = ColumnPlan(**{**plan.__dict__, "edges": tuple(edges), "placeholder": own})
        return merged, pts, counts
    order: dict[float, list[int]] = {}
    for i, p in enumerate(points):
        order.setdefault(p, []).append(i)
    groups, labels, pts, counts = [], [], [], []
    for p in sorted(order, reverse=True):
        idx = order[p]
        values = tuple(v for i in idx for v in plan.groups[i])
        groups.append(values)
        labels.append(plan.labels[idx[0]] if len(idx) == 1 else group_label(values))
        pts.append(p)
        counts.append([sum(ev[i][0] for i in idx), sum(ev[i][1] for i in idx)])
    plan = ColumnPlan(**{**plan.__dict__, "groups": tuple(groups), "labels": tuple(labels)})
    return plan, pts, counts


def fit_draft(
    data: LeadData,
    y: np.ndarray,
    columns: Sequence[str],
    types: dict[str, str],
    *,
    name: str,
    options: DraftOptions = DraftOptions(),
    description: str = "",
    changelog: Sequence[dict] = (),
    extra: Sequence[tuple[dict, np.ndarray]] = (),
    buckets: Sequence[dict] = (),
) -> tuple[Model, PointsFit, pd.DataFrame]:
    """Plan levels, fit points and choose thresholds on these leads; returns the model,
    the fit (per engine level) and the evidence table of the model's levels.

    ``extra`` are criteria found over a first draft (combinations, activity criteria),
    each with its feature per lead (0/1, or an activity's effective count): their points
    are fitted in the same regression as the levels', so a combination's parts give up
    the share of its jump they had carried alone, and all points are rounded together.
    ``buckets`` are the ones they are in besides the draft's own.
    """
    plans = plan_columns(data.leads, y, columns, types, options)
    skeleton = build_model(plans, data.mapping, name=name, scale=options.scale)
    X, names, groups = level_matrix(skeleton, data)
    if extra:
        X = np.column_stack([X, *[feature for _, feature in extra]])
        names = [*names, *[c["id"] for c, _ in extra]]
        groups = [*groups, *[None] * len(extra)]
    in_sample = X
    if options.crossfit > 1:
        X = X.copy()
        for plan, crit in zip(plans, _level_criteria(skeleton), strict=True):
            if not plan.high_cardinality or len(plan.groups) < 2:
                continue
            feats = [names.index(f"{crit.id}[{i}]") for i in range(_n_levels(crit))]
            code = crossfit_levels(data.leads[plan.column], y, plan, options.crossfit)
            X[:, feats] = code[:, None] == np.arange(len(feats))[None, :]
    fit = fit_points(
        X, y, names, groups=groups, scale=options.scale, C=options.C, whole=False
    )  # fmt: skip
    seen = feature_evidence(in_sample, y, names)  # evidence as the engine sees these leads
    table = fit.table
    exact: dict[str, list[float]] = {}  # per criterion: its levels' points, then 'missing'
    level_cols: dict[str, list[int]] = {}  # ... and their columns of the level matrix
    for plan, crit in zip(plans, _level_criteria(skeleton), strict=True):
        feats = [f"{crit.id}[{i}]" for i in range(_n_levels(crit))]
        pts = table.loc[feats, "points"].tolist()
        ev = list(zip(seen.loc[feats, "leads"], seen.loc[feats, "converted"], strict=True))
        if plan.kind == "bins" and options.monotone and plan.monotone:
            trend = [i for i in range(len(pts)) if i != plan.placeholder]
            ordered = monotone_points([pts[i] for i in trend], [ev[i] for i in trend])
            for i, p in zip(trend, ordered, strict=True):
                pts[i] = p
        if plan.has_missing and crit.id + "_missing" in table.index:
            miss = table.loc[crit.id + "_missing"]  # 'missing' is one more level of the column
            ev.append((miss["leads"], miss["converted"]))
            pts = [*pts, float(miss["points"])]
            feats.append(crit.id + "_missing")
        exact[crit.id] = evidence_points(pts, ev, options)
        level_cols[crit.id] = [names.index(f) for f in feats]
    for crit, _ in extra:
        exact[crit["id"]] = [float(table.loc[crit["id"], "points"])]
        level_cols[crit["id"]] = [names.index(crit["id"])]
    order = [j for cid in exact for j in level_cols[cid]]
    rounded, factor = whole_points(
        exact,
        options.scale[1] - options.scale[0],
        leads={cid: seen["leads"].iloc[idx].tolist() for cid, idx in level_cols.items()},
        totals=lambda p: in_sample[:, order] @ np.concatenate([p[c] for c in exact]),
    )
    kinds = {
        crit.id: plan.kind for plan, crit in zip(plans, _level_criteria(skeleton), strict=True)
    }
    covering = sorted(
        (cid for cid, kind in kinds.items() if len(set(rounded[cid])) > 1
         and np.all(in_sample[:, level_cols[cid]].sum(axis=1) == 1)),
        key=lambda cid: kinds[cid] != "bins",  # every number falls in a bin, on new data too
    )  # fmt: skip
    totals = in_sample[:, order] @ np.concatenate([rounded[c] for c in exact])
    rounded = into_scale(rounded, options.scale[0], totals, covering)
    fit = replace(fit, factor=fit.factor * factor)  # points per log-odds as written
    points: dict[str, list[float]] = {}
    evidence: dict[str, list[dict]] = {}
    final_plans, final_ids = [], []
    for plan, crit in zip(plans, _level_criteria(skeleton), strict=True):
        feats = [f"{crit.id}[{i}]" for i in range(_n_levels(crit))]
        ev = list(zip(seen.loc[feats, "leads"], seen.loc[feats, "converted"], strict=True))
        has_missing = plan.has_missing and crit.id + "_missing" in table.index
        pts = rounded[crit.id]
        if has_missing:
            miss = table.loc[crit.id + "_missing"]
            *pts, miss_points = pts
        merged, pts, counts = _merge_equal(pts, ev, plan)
        if merged.kind == "bins":
            merged = _value_labels(merged, read_numbers(data.leads[merged.column]))
        if has_missing:
            if all(p == 0 for p in pts) and miss_points == 0:
                continue  # no difference between levels: the column adds nothing
            points[crit.id + "_missing"] = [miss_points]
            evidence[crit.id + "_missing"] = _evidence(
                np.array([miss["leads"]]), np.array([miss["converted"]])
            )
        elif len(set(pts)) <= 1:
            continue
        final_plans.append(merged)
        final_ids.append(crit.id)
        points[crit.id] = pts
        arr = np.array(counts, dtype=float)
        evidence[crit.id] = _evidence(arr[:, 0], arr[:, 1])
    if not final_plans:
        known = ~np.isnan(y)
        why = (
            f"no column's levels differ in conversion on these {int(known.sum()):,} leads "
            f"({int(np.nansum(y)):,} converted): every level got 0 points, so there is nothing "
            "to score; give the draft more leads with a known outcome, or more columns "
            "(--type, --keep, or fewer --exclude)"
        )
        raise DataError([Problem("draft", why)])
    draft = build_model(
        final_plans,
        data.mapping,
        ids=final_ids,
        name=name,
        points=points,
        evidence=evidence,
        description=description,
        changelog=changelog,
        scale=options.scale,
    )
    added = [_refitted(c, rounded[c["id"]][0]) for c, _ in extra if rounded[c["id"]][0] != 0]
    if added:
        draft = draft.with_criteria(added, buckets)
    score, _ = engine_scores(draft, data)
    ta, tb = choose_thresholds(score, y, options.shares, options.min_leads)
    draft = draft.with_thresholds({"A": ta, "B": tb})
    return draft, fit, evidence_table(draft)


def events_cap(criterion: dict) -> float | None:
    """How many of its events (or matches) a criterion's ``max_points`` lets count; the cap
    is in points, so it moves with them."""
    cap, points = criterion.get("max_points"), criterion.get("points")
    return None if cap is None or not points else abs(cap) / abs(points)


def _refitted(criterion: dict, points: float) -> dict:
    """A criterion found over a first draft with its points from the refit: its cap still
    counts as many events as before (3 demo requests, not 87 points' worth of them)."""
    out = {**criterion, "points": points}
    events = events_cap(criterion)
    if events is not None:
        out["max_points"] = float(np.round(abs(points) * events, 6))
    return out


def evidence_table(model: Model) -> pd.DataFrame:
    """One row per scored level or criterion with drafted evidence, points as the model
    gives them: bins and groups, 'missing', combinations (all_of) and activity criteria."""
    from workbench.model import rules as r

    rows = []
    for c in model.criteria:
        items = c.rule.levels if c.is_level else [c]
        for i, item in enumerate(items):
            ev = item.evidence
            if ev is None:
                continue
            fields = [leaf.field for _, leaf in r.field_leaves(c.rule)]
            if c.is_level:
                level = item.describe()
            elif c.rule.kind == "missing":
                level = "missing"
            else:
                level = c.label
            rows.append(
                {
                    "criterion": c.id,
                    "column": " & ".join(fields) if fields else "(activities)",
                    "level": level,
                    "points": item.points,
                    "leads": ev.leads,
                    "converted": ev.converted,
                    "rate": ev.rate,
                    "low": ev.low,
                    "high": ev.high,
                    "level_index": i if c.is_level else -1,
                }
            )
    return pd.DataFrame(rows)


def _level_criteria(model: Model):
    return [c for c in model.criteria if c.is_level]


def _n_levels(c) -> int:
    return len(c.rule.levels)


# --- the whole draft ----------------------------------------------------------------------


def select_columns(profile: Profile, exclude: Sequence[str] = ()) -> tuple[list[str], pd.DataFrame]:
    """Columns a draft scores, and the others with the reason (the profile's column plan)."""
    return profile.select(exclude)


def draft_model(
    data: LeadData,
    outcome: str | None = None,
    *,
    exclude: Sequence[str] = (),
    keep: Sequence[str] = (),
    types: dict[str, str] | None = None,
    name: str | None = None,
    folds: int = 5,
    seed: int = 0,
    options: DraftOptions = DraftOptions(),
    profile: Profile | None = None,
) -> Draft:
    """Draft a points model from leads with a known outcome.

    Parameters
    ----------
    data : leads loaded with the export's id column (``load_data(..., mapping=...)``).
    outcome : the yes/no outcome column (default: the data mapping's).
    exclude : columns to leave out; ``keep`` and ``types`` as in
        :func:`~workbench.learning.profiling.profile_leads` (keep any column; set its type).
    folds : cross-validation folds (0 or 1 skips cross-validation).
    """
    outcome = outcome or data.mapping.outcome
    profile = profile or profile_leads(data, outcome, types=types, keep=keep)
    y = outcome_values(data, outcome)
    unknown = sorted({str(c) for c in exclude} - set(profile.columns.index))
    if unknown:
        from workbench.errors import DataError, Problem, column_hint

        raise DataError(
            [
                Problem(
                    f"--exclude '{c}'",
                    "is not a column of the leads file."
                    + column_hint(c, list(profile.columns.index)),
                )
                for c in unknown
            ],
            data.files.get("leads", "leads"),
        )
    used, excluded = select_columns(profile, exclude)
    if not used:
        from workbench.errors import DataError, Problem

        raise DataError(
            [Problem("columns", "no column is left to score; see the profile for why")],
            data.files.get("leads", "leads"),
        )
    types = profile.columns["type"].to_dict()
    mapping = DataMapping(
        **{
            **data.mapping.model_dump(mode="python"),
            "lead_id": data.id_column,
            "outcome": outcome,
            "outcome_date": None,
        }
    )
    # for the activity criteria, drafted last: only events before each lead's conversion
    events, events_note = events_before_outcome(data, y, data.mapping.outcome_date)
    data = LeadData(data.leads, data.activities.iloc[:0], mapping, data.report, data.files)
    source = str(data.files.get("leads", "leads")).rsplit("/", 1)[-1]
    name = name or f"Drafted from {source}"

    fold_rows, oof = [], np.full(len(y), np.nan)
    oof_cat = np.zeros(len(y), dtype=np.int64)  # each fold's category, by its own thresholds
    known_rows = np.flatnonzero(~np.isnan(y))
    if folds and folds > 1:
        from sklearn.model_selection import StratifiedKFold

        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
        for k, (tr, te) in enumerate(splitter.split(known_rows, y[known_rows])):
            tr, te = known_rows[tr], known_rows[te]
            train_k = subset(data, tr)
            model_k, _, _ = fit_draft(train_k, y[tr], used, types, name=name, options=options)
            model_k, _ = draft_interactions(model_k, train_k, y[tr], folds=folds, seed=seed)
            events_k = events_of(events, tr, len(y))
            model_k, _ = draft_activity_criteria(model_k, train_k, events_k, y[tr], options)
            model_k, _ = refit_together(
                model_k, train_k.narrowed(train_k.leads, events_k), y[tr], used, types,
                name=name, options=options,
            )  # fmt: skip
            test_k = subset(data, te)
            score_k, cat_k = engine_scores(
                model_k, test_k.narrowed(test_k.leads, events_of(events, te, len(y)))
            )
            oof[te], oof_cat[te] = score_k, cat_k
            ref = reference_predictions(
                data.leads.iloc[tr], y[tr], data.leads.iloc[te], used, types, options.C
            )
            fold_rows.append(
                {
                    "fold": k + 1,
                    "leads": len(te),
                    "auc": auc(score_k, y[te]),
                    "reference_auc": auc(ref, y[te]),
                }
            )
    folds_frame = pd.DataFrame(fold_rows, columns=["fold", "leads", "auc", "reference_auc"])
    n_known, conv = len(known_rows), int(np.nansum(y))
    description = (
        f"Drafted from {source}: {n_known:,} leads with a known outcome, {conv:,} converted. "
        "Points from a regularised logistic regression over binned and grouped columns; "
        "evidence per level is what the data showed."
    )
    if len(folds_frame):
        description += (
            f" Cross-validated AUC {folds_frame['auc'].mean():.3f} "
            f"({len(folds_frame)} folds, scored by the engine)."
        )
    changelog = [
        {
            "version": 1,
            "date": dt.date.today(),
            "author": "workbench draft",
            "note": f"Drafted from {source}; review with sales before sign-off.",
        }
    ]
    model, fit, evidence = fit_draft(
        data, y, used, types, name=name, options=options, description=description,
        changelog=changelog,
    )  # fmt: skip
    model, combos = draft_interactions(model, data, y, folds=folds, seed=seed)
    model, acts = draft_activity_criteria(model, data, events, y, options)
    model, fit = refit_together(
        model, data.narrowed(data.leads, events), y, used, types, name=name, options=options,
        description=description, changelog=changelog, fit=fit,
    )  # fmt: skip
    combos = combos[combos["criterion"].isin(model.criterion_ids)] if len(combos) else combos
    acts = acts[acts["criterion"].isin(model.criterion_ids)] if len(acts) else acts
    for table in (combos, acts):  # points as the final model gives them (after any shrink)
        if len(table):
            table["points"] = [model.criterion(c).points for c in table["criterion"]]
    evidence = evidence_table(model)
    bands = model.categories
    if len(folds_frame):
        cat, known = oof_cat, ~np.isnan(oof)
    else:
        cat, known = engine_scores(model, data.narrowed(data.leads, events))[1], ~np.isnan(y)
    k = len(bands)
    cats, yy = cat[known & ~np.isnan(y)], y[known & ~np.isnan(y)]
    n = np.bincount(cats, minlength=k)
    c = np.bincount(cats, weights=yy, minlength=k)
    low, high = wilson_interval(c, n)
    conversion = pd.DataFrame(
        {
            "leads": n,
            "converted": c.astype(np.int64),
            "rate": np.divide(c, n, out=np.full(k, np.nan), where=n > 0),
            "low": low,
            "high": high,
        },
        index=pd.Index([t.name for t in bands], name="category"),
    )
    dropped = sorted(set(used) - {cc.rule.field for cc in model.criteria if cc.is_level})
    if dropped:
        extra = pd.DataFrame(
            {"column": dropped, "reason": "no conversion difference between its levels"}
        )
        excluded = pd.concat([excluded, extra], ignore_index=True)
        used = [u for u in used if u not in dropped]
    return Draft(
        model=model,
        profile=profile,
        used=tuple(used),
        excluded=excluded,
        evidence=evidence,
        fit=fit,
        folds=folds_frame,
        conversion=conversion,
        source=source,
        notes=(
            *interaction_notes(combos),
            *activity_notes(acts),
            *((events_note,) if events_note and len(events) else ()),
        ),
    )


def refit_together(
    model: Model,
    data: LeadData,
    y: np.ndarray,
    used: Sequence[str],
    types: dict[str, str],
    *,
    name: str,
    options: DraftOptions,
    description: str = "",
    changelog: Sequence[dict] = (),
    fit: PointsFit | None = None,
) -> tuple[Model, PointsFit | None]:
    """The draft fitted again with the combinations and activity criteria found over its
    levels (:func:`fit_draft` with ``extra``): one regression, one rounding, for all.

    Points added on top of levels fitted without them would count twice what the levels
    had carried alone (a combination's parts are its proxies until it exists).
    """
    levels = {c.id for c in model.criteria if c.is_level or c.rule.kind == "missing"}
    added = [c for c in model.criteria if c.id not in levels]
    if not added:
        return model, fit
    signals = compute_signals(model, data)
    where = {cid: j for j, (cid, lv) in enumerate(signals.columns) if lv < 0}
    matrix = signals.matrix[signals.row_of_lead]
    as_dicts = {c["id"]: c for c in model.to_dict()["criteria"]}
    extra = []
    for c in added:  # each feature as the engine counts it: no more events than the cap lets
        feature = matrix[:, where[c.id]].astype(float)
        events = events_cap(as_dicts[c.id])
        extra.append(
            (as_dicts[c.id], feature if events is None else np.clip(feature, -events, events))
        )
    refit, refit_points, _ = fit_draft(
        data, y, used, types, name=name, options=options, description=description,
        changelog=changelog, extra=extra, buckets=model.to_dict()["buckets"],
    )  # fmt: skip
    return refit, refit_points


def draft_activity_criteria(
    model: Model, data: LeadData, events: pd.DataFrame, y: np.ndarray, options
) -> tuple[Model, pd.DataFrame]:
    """The draft with activity criteria (:mod:`workbench.learning.activity_draft`) when the
    leads came with activities; their points are provisional until :func:`refit_together`."""
    from workbench.learning.activity_draft import propose_activities

    if not len(events):
        return model, pd.DataFrame()
    with_events = LeadData(data.leads, events, data.mapping, data.report, data.files)
    return propose_activities(model, with_events, y)


def draft_interactions(
    model: Model, data: LeadData, y: np.ndarray, *, folds, seed
) -> tuple[Model, pd.DataFrame]:
    """The draft with its combinations (:mod:`workbench.learning.interactions`) added; their
    points are provisional until :func:`refit_together`."""
    from workbench.learning.interactions import propose_interactions

    return propose_interactions(model, data, y, folds=folds, seed=seed)
