"""Does the data give the model's criteria anything to match?

A typo in an activity type or a lookup value, or a forgotten activities file, does not make
a model invalid: it makes criteria silently score 0 for everyone. These checks turn that
into warnings that name the criterion, what never occurs and what probably was meant.
Everything here works on distinct values (a handful per column), never per lead.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.data.loading import NEVER, created_after
from workbench.engine.fields import ColumnCache
from workbench.engine.kinds import kind_of
from workbench.errors import Problem, did_you_mean
from workbench.model import rules as r
from workbench.model.spec import Model


def _missing_activities(model: Model, activities: pd.DataFrame, given: bool) -> list[Problem]:
    reading = [c for c in model.criteria if c.is_activity]
    if not reading or len(activities):
        return []
    quiet = [c.id for c in reading if kind_of(c.rule).fires_without_events]
    return [
        Problem(
            "activities",
            f"{len(reading)} of {len(model.criteria)} criteria read activities "
            f"({', '.join(c.id for c in reading[:6])}{', …' if len(reading) > 6 else ''}), "
            + (
                "but no activity row was kept from the activities file"
                if given
                else "but no activities were given"
            )
            + ": they score 0 for every lead"
            + (
                f", and {', '.join(quiet)} {'fires' if len(quiet) == 1 else 'fire'} for every lead"
                if quiet
                else ""
            )
            + ". Pass the activities file (--activities FILE) to score engagement.",
        )
    ]


def _unknown_types(model: Model, activities: pd.DataFrame) -> list[Problem]:
    """A likely typo gets its own warning; types merely absent from this file share one."""
    if not len(activities):
        return []
    seen = activities["type"].cat.categories
    known = set(seen)
    out, absent = [], {}
    for c in model.criteria:
        if not c.is_activity:
            continue
        for t in c.rule.types:
            if t in known:
                continue
            hint = did_you_mean(t, seen)
            if hint:
                out.append(
                    Problem(
                        f"criteria.{c.id}.rule.types",
                        f"activity type '{t}' never occurs in the activities, so it adds "
                        "nothing." + hint,
                    )
                )
            else:
                absent.setdefault(t, []).append(c.id)
    if absent:
        names = ", ".join(f"{t} ({', '.join(ids)})" for t, ids in absent.items())
        out.append(
            Problem(
                "activities",
                f"these activity types never occur in the activities, so the criteria named "
                f"after them add nothing: {names}. Types in the file: {', '.join(seen[:12])}"
                + (", …" if len(seen) > 12 else "")
                + ".",
            )
        )
    return out


HINT_TRIES = 200
"""Unknown values looked up for a likely typo: a model naming thousands of values no lead
has is not a typo, and each look-up is a fuzzy match over the column's vocabulary."""


def _seen_values(rule, drafted: bool) -> set:
    """Values of a field rule that a draft saw in its data: every value of a criterion with
    ``evidence`` (``drafted``), and those of a group with ``evidence``. Such a value is a
    real one (a rare country, a landing page) that this file happens to lack, not a typo of
    a similar value it has ('China' is not 'Ghana')."""
    if drafted:
        return set(kind_of(rule).named_values(rule))
    levels = getattr(rule, "levels", ())
    return {v for level in levels if level.evidence for v in getattr(level, "values", ())}


def _unknown_values(model: Model, cache: ColumnCache) -> list[Problem]:
    """Values named in rules (equals/in/not_in/lookup) that no lead has, when one close does.

    Only likely typos are reported: a model may well list a value this file lacks
    ('CEO' in a small export), and a warning for each would bury the real ones. Values a
    drafted criterion or group carries evidence for (:func:`_seen_values`) are never typos.
    """
    out = []
    present: dict[tuple[str, bool], set] = {}
    tries = HINT_TRIES
    rules = [(f"criteria.{c.id}.rule", c.rule, c.evidence is not None) for c in model.criteria]
    rules += [(f"inquiries.{q.id}.rule", q.rule, False) for q in model.inquiries]
    leaves = [
        (".".join([where, *map(str, path)]), leaf, _seen_values(leaf, drafted))
        for where, rule, drafted in rules
        for path, leaf in r.field_leaves(rule)
    ]
    for where, rule, seen in leaves:
        values = [v for v in kind_of(rule).named_values(rule) if v not in seen]
        if not values or rule.field not in cache.leads.columns or not len(cache.leads):
            continue
        cs = getattr(rule, "case_sensitive", False)
        _, text = cache.factorized(rule.field)
        if (rule.field, cs) not in present:
            present[rule.field, cs] = set(cache.keys(rule.field, cs).dropna())
        for v, key in zip(values, cache.rule_keys(values, cs), strict=True):
            if key in present[rule.field, cs] or tries <= 0:
                continue
            tries -= 1
            hint = did_you_mean(str(v), text.dropna().unique()[:5000])
            if hint:
                out.append(
                    Problem(
                        where,
                        f"'{v}' never occurs in column '{rule.field}', so it matches no lead."
                        + hint,
                    )
                )
    return out


def _created_after(created_ns: np.ndarray, cutoff: pd.Timestamp) -> list[Problem]:
    """Leads created after the cut-off (:func:`~workbench.data.loading.created_after` decides
    which: a lead with no creation date is not one of them)."""
    late = int(created_after(created_ns, cutoff).sum())
    if not late:
        return []
    first = pd.Timestamp(created_ns[created_ns != NEVER].min())
    return [
        Problem(
            "as_of",
            (
                f"every lead was created after {cutoff:%Y-%m-%d} (the first on {first:%Y-%m-%d})"
                if late == len(created_ns)
                else f"{late:,} leads were created after {cutoff:%Y-%m-%d}"
            )
            + ": they are scored with their fields as they are in the file and no activity. "
            "Pick a later as-of date, or score only leads known by then.",
        )
    ]


def coverage_warnings(
    model: Model,
    leads: pd.DataFrame,
    activities: pd.DataFrame,
    *,
    activities_given: bool,
    created_ns: np.ndarray,
    cache: ColumnCache,
    cutoff: pd.Timestamp,
) -> list[Problem]:
    """Warnings for criteria the data cannot feed (see the module docstring), and for leads
    created after the cut-off (``created_ns``: per lead, as ``LeadData.created_ns`` gives)."""
    if not len(leads):
        return [Problem("leads", "the leads file has no rows: there is nothing to score.")]
    return [
        *_missing_activities(model, activities, activities_given),
        *_unknown_types(model, activities),
        *_unknown_values(model, cache),
        *_created_after(created_ns, cutoff),
    ]
