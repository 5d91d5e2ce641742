"""Activity criteria a draft proposes from the events of past leads.

Which activity types, and which sections of the site (``/pricing``, ``/careers``), tell
converters apart; over which window; and whether old events should fade (a half-life).
Each (type, section) is tried with every window and half-life, evaluated by the engine's
own activity kind, and the variant that ranks past leads best (its AUC over the leads
with a known outcome) is kept if it ranks them at all. Points are then fitted jointly
with the drafted lead criteria, per event on the draft's scale, capped at a few events.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.analysis.metrics import auc
from workbench.data.loading import LeadData
from workbench.engine.signals import compute_signals
from workbench.learning.evidence import cell_evidence, unique_id
from workbench.learning.interactions import model_score
from workbench.learning.points_fit import points_on_top
from workbench.model.spec import Model
from workbench.text import shorten

BUCKET = "activity"


@dataclass(frozen=True)
class ActivityOptions:
    """Windows (days; None = all history) and half-lives tried for each (type, section);
    a candidate needs ``min_leads`` leads with an event and an AUC at least ``min_lift``
    away from 0.5; ``max_events`` events count at most (the criterion's cap)."""

    windows: tuple[int | None, ...] = (7, 30, 90, None)
    half_lives: tuple[float | None, ...] = (None, 14.0, 45.0)
    min_leads: int = 30
    min_lift: float = 0.01
    max_events: int = 3
    max_sections: int = 12
    C: float = 1.0


def events_before_outcome(
    data: LeadData, y: np.ndarray, outcome_date: str | None
) -> tuple[pd.DataFrame, str]:
    """The activities a draft may learn from, and a note on what was set aside.

    An event after a lead converted is a consequence of converting (onboarding e-mails, the
    customer's logins), not evidence for it: a new lead cannot have it yet. Such events are
    dropped, per lead, by the conversion date (``outcome_date``). Without dates for the
    converted leads the events cannot be placed, and the note says so.

    A converted lead's remaining events are then moved in time so its conversion falls on
    the newest event's instant (the draft's as-of): "in the last 7 days" means the 7 days
    before it converted, what sales saw then. Read as of today instead, a lead that
    converted in spring has no recent events while open leads do, and recent activity
    would look like a reason *not* to buy.
    """
    events = data.activities
    if not len(events):
        return events, ""
    lead = events["lead_idx"].to_numpy()
    won = (np.nan_to_num(y) > 0.5)[lead]
    col = data.leads[outcome_date] if outcome_date in data.leads.columns else None
    if col is None or not pd.api.types.is_datetime64_any_dtype(col):
        where = f"no date column '{outcome_date}'" if outcome_date else "no conversion-date column"
        return events, (
            f"Activity criteria may include events after conversion ({where}): "
            "check them with sales, or give the conversion dates."
        )
    when = col.to_numpy(dtype="datetime64[ns]")[lead]
    after = won & (events["timestamp"].to_numpy(dtype="datetime64[ns]") > when)
    undated = won & np.isnat(when)
    note = (
        f"{int(after.sum()):,} activities after the lead's conversion were left out of the "
        "activity criteria (a consequence of converting, not evidence for it)."
        if after.any()
        else ""
    )
    if undated.any():
        note += (
            f" {int(undated.sum()):,} activities of converted leads with no conversion date "
            "could not be placed and were kept."
        )
    kept = events[~after]
    stamps = kept["timestamp"].to_numpy(dtype="datetime64[ns]")
    as_of = stamps.max() if len(stamps) else None
    lead_kept = kept["lead_idx"].to_numpy()
    conv = when[~after]
    move = won[~after] & ~np.isnat(conv)
    if as_of is not None and move.any():
        shifted = stamps.copy()
        shifted[move] = stamps[move] + (as_of - conv[move])
        kept = kept.assign(timestamp=shifted)
        note += (
            f" Converted leads' activity windows end at their conversion "
            f"({len(np.unique(lead_kept[move])):,} leads), as sales saw them then."
        )
    return kept, note.strip()


def candidate_events(activities: pd.DataFrame, options: ActivityOptions) -> list[dict]:
    """(type, section) pairs worth trying: every type, and for a type whose details are
    paths, its most frequent first path segments ('/pricing' of '/pricing/enterprise')."""
    types = activities["type"].astype("str")  # normalised by the loader
    detail = activities["detail"].astype("str").fillna("")
    out = [{"types": [t]} for t in sorted(types.dropna().unique())]
    paths = detail.str.startswith("/")
    section = "/" + detail[paths].str.split("/").str[1].str.casefold()
    counts = pd.DataFrame({"type": types[paths], "section": section}).value_counts()
    for (t, s), _ in counts.head(options.max_sections).items():
        if s != "/":
            out.append({"types": [t], "detail_contains": [s]})
    return out


def _label(events: dict) -> str:
    words = events["types"][0].replace("_", " ")
    if "detail_contains" in events:
        return shorten(f"{words.capitalize()} {events['detail_contains'][0]}", 80)
    return words.capitalize()


def propose_activities(
    model: Model,
    data: LeadData,
    y: np.ndarray,
    options: ActivityOptions = ActivityOptions(),
) -> tuple[Model, pd.DataFrame]:
    """``model`` with activity criteria added, and a table of them (one row each).

    ``data`` holds the leads (in the order of ``y``) and their activities. An event's
    points are what it adds to the model's score as the model is
    (:func:`~workbench.learning.points_fit.points_on_top`).
    """
    columns = ["criterion", "label", "rule", "leads", "converted", "rate", "auc", "points"]
    empty = pd.DataFrame(columns=columns)
    known = ~np.isnan(y)
    if not len(data.activities) or not known.any():
        return model, empty
    variants = []
    for events in candidate_events(data.activities, options):
        for w in options.windows:
            for h in options.half_lives:
                rule = {"kind": "activity", **events}
                if w is not None:
                    rule["within_days"] = w
                if h is not None:
                    if w is not None and h >= w:
                        continue  # a half-life as long as the window changes little
                    rule["half_life_days"] = h
                variants.append((events, rule))
    base = model.to_dict()
    probe = {
        **base,
        "buckets": [*base["buckets"], {"id": BUCKET, "label": "What the lead did"}],
        "criteria": [
            {"id": f"v{i}", "label": f"v{i}", "bucket": BUCKET, "rule": rule, "points": 0}
            for i, (_, rule) in enumerate(variants)
        ],
    }
    signals = compute_signals(Model.parse(probe), data)
    evidence = signals.matrix[signals.row_of_lead][known]
    yk = y[known]
    # per (type, section): the variant that ranks past leads best
    best: dict[str, tuple[float, int]] = {}
    for i, (events, _) in enumerate(variants):
        x = evidence[:, i]
        if np.count_nonzero(x) < options.min_leads:
            continue
        a = auc(x, yk)
        key = repr(events)
        if abs(a - 0.5) >= options.min_lift and abs(a - 0.5) > best.get(key, (0.0, -1))[0]:
            best[key] = (abs(a - 0.5), i)
    if not best:
        return model, empty
    chosen = [i for _, i in best.values()]
    score = model_score(model, compute_signals(model, data))[known]
    A = np.minimum(evidence[:, chosen].astype(float), options.max_events)
    worth = points_on_top(
        score, A, yk, limit=model.scale.max - model.scale.min
    )  # per event, on top of the levels' points
    criteria, rows = [], []
    taken = set(model.criterion_ids)
    for i, value in zip(chosen, worth, strict=True):
        points = float(np.round(value)) + 0.0
        if points == 0:
            continue
        events, rule = variants[i]
        hit = evidence[:, i] > 0
        leads, converted = int(hit.sum()), int(yk[hit].sum())
        rate = converted / leads
        label = _label(events)
        cid = unique_id(label, taken)
        criteria.append(
            {
                "id": cid,
                "label": label,
                "bucket": BUCKET,
                "rule": rule,
                "points": points,
                "max_points": abs(points) * options.max_events,
                "evidence": cell_evidence(leads, converted),
                "description": (
                    f"Drafted from activities: {leads:,} leads had it, {rate:.1%} converted; "
                    f"window and half-life chosen by backtest (AUC {auc(evidence[:, i], yk):.3f})."
                ),
            }
        )
        rows.append([cid, label, rule, leads, converted, rate, auc(evidence[:, i], yk), points])
    if not criteria:
        return model, empty
    bucket = {"id": BUCKET, "label": "What the lead did"}
    return model.with_criteria(criteria, [bucket]), pd.DataFrame(rows, columns=columns)


def activity_notes(table: pd.DataFrame) -> tuple[str, ...]:
    """What the draft's summary says about the activity criteria it added."""
    if not len(table):
        return ()
    lines = ["", "Activity criteria (window and half-life chosen by backtest):"]
    for r in table.itertuples(index=False):
        window = f"last {r.rule['within_days']} days" if "within_days" in r.rule else "all time"
        fade = (
            f", half-life {r.rule['half_life_days']:g} days" if "half_life_days" in r.rule else ""
        )
        lines.append(
            f"  {r.label} ({window}{fade}): {r.leads:,} leads, {r.rate:.1%} converted; "
            f"{r.points:+g} points per event"
        )
    return tuple(lines)
