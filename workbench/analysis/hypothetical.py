"""Hypothetical testing: score a made-up lead before any real lead meets the rule.

The domain reading's "Lead Scoring Model Designer" lets sales and marketing check a model
against invented prospects ("a VP at a 500-person software firm who viewed pricing three
times this week"). Here that lead goes through the same loading, signals and scoring as
real data, so what it shows is exactly what a real lead would get.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from workbench.data.loading import load_data, read_date
from workbench.engine.scoring import score
from workbench.engine.signals import compute_signals
from workbench.model import rules as r
from workbench.model.spec import Model

HYPOTHETICAL_ID = "hypothetical"


def model_fields(model: Model) -> list[str]:
    """Lead columns the model reads (criteria, inquiry rules, segments, creation date)."""
    names = [leaf.field for c in model.criteria for _, leaf in r.field_leaves(c.rule)]
    names += [q.rule.field for q in model.inquiries]
    if model.segments is not None:
        names.append(model.segments.field)
    if model.data.created_at:
        names.append(model.data.created_at)
    return list(dict.fromkeys(names))


def score_hypothetical(
    model: Model,
    fields: Mapping[str, Any],
    activities: Sequence[Mapping[str, Any]] = (),
    as_of: str | pd.Timestamp | None = None,
) -> pd.Series:
    """Score one made-up lead; returns its row of :func:`workbench.score` (with reasons).

    ``activities`` are mappings with ``type``, optional ``detail`` and either ``days_ago``
    or ``timestamp``. ``as_of`` defaults to now.

    >>> visit = {"type": "page_view", "detail": "/pricing", "days_ago": 2}
    >>> score_hypothetical(model, {"seniority": "VP"}, [visit])  # doctest: +SKIP
    """
    cutoff = pd.Timestamp.now().floor("s") if as_of is None else read_date(as_of, "as_of")
    row = {name: None for name in model_fields(model)}
    row.update({k: (None if v is None else str(v)) for k, v in fields.items()})
    row[model.data.lead_id] = HYPOTHETICAL_ID
    leads = pd.DataFrame([row], dtype="str")
    cols = model.data.activities
    events = []
    for a in activities:
        when = a.get("timestamp")
        if when is None:
            when = cutoff - pd.Timedelta(days=float(a.get("days_ago", 0)))
        events.append(
            {
                cols.lead_id: HYPOTHETICAL_ID,
                cols.timestamp: pd.Timestamp(when),
                cols.type: a["type"],
                **({cols.detail: a.get("detail", "")} if cols.detail else {}),
            }
        )
    frame = pd.DataFrame(events, columns=[c for c in (cols.lead_id, cols.timestamp, cols.type,
                                                       cols.detail) if c])  # fmt: skip
    # the made-up lead carries its own id, even for a model whose leads are row numbers
    mapping = model.data.model_copy(update={"row_ids": False})
    now = max(cutoff, pd.Timestamp.now())
    data = load_data(leads, frame, model=model, mapping=mapping, now=now)
    signals = compute_signals(model, data, as_of=cutoff)
    return score(model, signals).iloc[0]
