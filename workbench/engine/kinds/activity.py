"""Kinds that read each lead's events: activity, inactivity and trend.

Every rule is a selection of ``EventArrays`` (shared by the rules that name the same types
and detail), a weight per event and a ``np.bincount`` per lead (see
:mod:`workbench.engine.events`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.data.loading import NEVER
from workbench.engine.events import DAY_NS
from workbench.engine.kinds.base import ActivityKind, Detail, Inputs, home
from workbench.engine.kinds.words import worded
from workbench.model import rules as r


@home(r.Activity)
class ActivityCountKind(ActivityKind):
    def evidence(self, rule: r.Activity, inputs: Inputs) -> tuple[np.ndarray, Detail]:
        """Effective count per lead, plus the raw count in the window for explanations."""
        ev = inputs.events
        sel = ev.select(rule)
        lead, ts, start = sel.lead, sel.ts, None
        if rule.within_days is not None:
            start = ev.cutoff_ns - rule.within_days * DAY_NS
            window = ts > start
            lead, ts = lead[window], ts[window]
        count = ev.count(lead).astype(np.int32)
        weights = None
        if rule.half_life_days is not None:
            weights = np.exp2(-ev.age_days(ts) / rule.half_life_days)
        if rule.diminishing is not None:
            rank = sel.ranks(start)
            w = np.power(rule.diminishing.factor, rank, dtype=np.float64)
            if rule.diminishing.max_count is not None:
                w[rank >= rule.diminishing.max_count] = 0.0
            weights = w if weights is None else weights * w
        evidence = ev.count(lead, weights) if weights is not None else count.astype(np.float64)
        if rule.min_count > 1:
            evidence[count < rule.min_count] = 0.0
        return evidence, {"count": count}

    def describe(self, rule: r.Activity) -> str:
        parts = [self.events_words(rule)]
        if rule.within_days:
            parts.append(f"last {rule.within_days} days")
        if rule.min_count > 1:
            parts.append(f"at least {rule.min_count}×")
        if rule.diminishing:
            d = rule.diminishing
            parts.append(
                f"each repeat ×{d.factor:g}" + (f" (up to {d.max_count})" if d.max_count else "")
            )
        if rule.half_life_days:
            parts.append(f"half-life {rule.half_life_days:g} days")
        return ", ".join(parts)

    def evidence_words(self, c, signals, rows) -> pd.Series:
        """``Pricing page 3× in 30 days``: the raw count in the window."""
        count = signals.details[c.id]["count"][rows]
        window = f" in {c.rule.within_days} days" if c.rule.within_days else ""
        return worded(count, lambda n: f"{c.label} {n}×{window}")


@home(r.Inactivity)
class InactivityKind(ActivityKind):
    fires_without_events = True

    def evidence(self, rule: r.Inactivity, inputs: Inputs) -> tuple[np.ndarray, Detail]:
        """1 where the last matching event (or creation) is at least ``days`` old."""
        ev = inputs.events
        last = ev.select(rule).last
        created_ns = inputs.created_ns
        if created_ns is not None:
            last = np.maximum(last, np.where(created_ns <= ev.cutoff_ns, created_ns, last))
        known = last != NEVER
        days = np.where(known, (ev.cutoff_ns - last) / DAY_NS, np.nan)
        inactive = ~known | (days >= rule.days)
        return inactive.astype(np.float64), {"days": np.floor(days).astype(np.float32)}

    def describe(self, rule: r.Inactivity) -> str:
        return f"no {self.events_words(rule)} in {rule.days} days"

    def evidence_words(self, c, signals, rows) -> pd.Series:
        """``Gone quiet (45 days quiet)``, or ``(no activity yet)`` for a lead never seen."""
        days = np.floor(signals.details[c.id]["days"][rows])  # NaN: never seen
        return worded(
            days, lambda d: f"{c.label} ({int(d)} days quiet)", f"{c.label} (no activity yet)"
        )


@home(r.Trend)
class TrendKind(ActivityKind):
    def evidence(self, rule: r.Trend, inputs: Inputs) -> tuple[np.ndarray, Detail]:
        """1 where the last ``days`` hold more matching events than the ``days`` before."""
        ev = inputs.events
        sel = ev.select(rule)
        span = rule.days * DAY_NS
        recent_m = sel.ts > ev.cutoff_ns - span
        before_m = (sel.ts > ev.cutoff_ns - 2 * span) & ~recent_m
        recent = ev.count(sel.lead[recent_m]).astype(np.int32)
        before = ev.count(sel.lead[before_m]).astype(np.int32)
        rising = (recent > before) & (recent >= rule.min_count)
        return rising.astype(np.float64), {"recent": recent, "before": before}

    def describe(self, rule: r.Trend) -> str:
        return (
            f"more {self.events_words(rule)} in the last {rule.days} days "
            f"than the {rule.days} before"
        )

    def evidence_words(self, c, signals, rows) -> pd.Series:
        """``Rising visits (3 in last 7 days vs 0 before)``."""
        detail = signals.details[c.id]
        # the two counts (int32, never negative) as one int64, so each pair is worded once
        pair = detail["recent"][rows].astype(np.int64) << 32 | detail["before"][rows]
        return worded(
            pair,
            lambda p: (
                f"{c.label} ({p >> 32} in last {c.rule.days} days vs {p & 0xFFFFFFFF} before)"
            ),
        )
