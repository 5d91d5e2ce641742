"""What sales needs from a published model: the call queue, what changed since the previous
scoring, one lead's card and score history, and the export for the CRM.

Pure functions over signals and totals, shared by the dashboard, reports and tests. The
queue is one frame sorted once by score; a filter is a few vectorised masks over it and a
page is a slice, so a million leads stay interactive. Reasons are worded only for the rows
shown or exported.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.data.loading import NEVER, LeadData, created_after
from workbench.engine.reasons import reason_texts
from workbench.engine.scoring import Totals, contributions, score_totals
from workbench.engine.signals import Signals, compute_signals, resolve_as_of
from workbench.model.spec import DataMapping, Model

PREVIOUS_DAYS = 7
"""The previous scoring is the same model run as of a week earlier (a weekly sales rhythm)."""


@dataclass(frozen=True, eq=False)
class Scoring:
    """One model scored over one data set at one instant."""

    model: Model
    signals: Signals
    totals: Totals

    @classmethod
    def run(cls, model: Model, data: LeadData, as_of=None) -> Scoring:
        signals = compute_signals(model, data, as_of=as_of)
        return cls(model, signals, score_totals(model, signals))

    @property
    def as_of(self) -> pd.Timestamp:
        return self.signals.as_of

    @property
    def top_category(self) -> str:
        return self.totals.category_names[0]


def known_by(data: LeadData, as_of=None) -> LeadData:
    """The leads that existed at ``as_of`` (created by then, or with no creation date).

    Scoring as of a past date must not list leads that arrived later: a queue, a report
    or an export as of 1 June holds the leads sales could have called on 1 June.
    """
    born = data.created_ns()
    if not (born != NEVER).any():
        return data
    later = created_after(born, resolve_as_of(data, as_of))
    return data.subset(data.leads.index[~later]) if later.any() else data


def last_activity(signals: Signals) -> np.ndarray:
    """Newest event up to the as-of instant per signals row, int64 ns (NEVER if none)."""
    acts = signals.data.activities
    ts = acts["timestamp"].to_numpy(dtype="datetime64[ns]").view(np.int64)
    keep = ts <= signals.as_of.value
    last = np.full(signals.data.n_leads, NEVER, dtype=np.int64)
    np.maximum.at(last, acts["lead_idx"].to_numpy()[keep], ts[keep])
    return last[signals.order]


def recent_events(model: Model, signals: Signals, limit: int = 10) -> pd.DataFrame:
    """Each lead's ``limit`` newest events up to the as-of instant, types in words.

    Columns: lead_row (the lead's position in the leads file), timestamp, type, activity
    (the model's label), detail; sorted by lead_row, newest first, so a stored copy is
    looked up by one lead without scanning the rest.
    """
    acts = signals.data.activities
    ts = acts["timestamp"].to_numpy(dtype="datetime64[ns]").view(np.int64)
    kept = np.flatnonzero(ts <= signals.as_of.value)
    lead = acts["lead_idx"].to_numpy()[kept].astype(np.int64)
    # one int64 key sorts by lead, newest first: the lead in the high bits, the seconds
    # before the as-of instant in the low 40 (35,000 years); one sort of twenty million
    # keys instead of a two-key lexsort
    ago = (signals.as_of.value - ts[kept]) // 1_000_000_000
    order = np.argsort((lead << 40) | np.minimum(ago, (1 << 40) - 1))
    lead = lead[order]
    starts = np.flatnonzero(np.r_[True, lead[1:] != lead[:-1]])
    first = np.repeat(starts, np.diff(np.r_[starts, len(lead)]))
    pick = kept[order[np.arange(len(lead)) - first < limit]]
    types = acts["type"].astype("category")
    codes = types.cat.codes.to_numpy()[pick]
    labels = [model.activity_label(str(t)) for t in types.cat.categories]
    if len(set(labels)) == len(labels):
        activity = pd.Categorical.from_codes(codes, categories=labels)
    else:  # two types with one label: plain text
        activity = pd.array(np.asarray(labels, dtype=object)[codes], dtype="str")
    detail = acts["detail"]
    return pd.DataFrame(
        {
            "lead_row": acts["lead_idx"].to_numpy(dtype=np.int64)[pick],
            "timestamp": ts[pick].view("datetime64[ns]"),
            "type": pd.Categorical.from_codes(codes, categories=types.cat.categories),
            "activity": activity,
            "detail": pd.Categorical.from_codes(
                detail.cat.codes.to_numpy()[pick], categories=detail.cat.categories
            )
            if isinstance(detail.dtype, pd.CategoricalDtype)
            else detail.to_numpy()[pick],
        }
    )


@dataclass(frozen=True)
class Changes:
    """Per signals row: new in the top category, or a top lead going cold."""

    previous_as_of: pd.Timestamp
    previous_score: np.ndarray  # NaN where the lead did not exist yet
    new_top: np.ndarray  # bool: top category now, not at the previous scoring
    cold: np.ndarray  # bool: top category then, losing points, no activity since
    fell: np.ndarray  # bool: cold and already out of the top category


def queue_order(
    score: np.ndarray, raw_total: np.ndarray, last_ns: np.ndarray, lead_ids: np.ndarray
) -> np.ndarray:
    """Positions best first: by score, then the raw total before clipping (two leads at
    100.0 are not equal), then the latest activity, then the lead id (stable across visits).
    """
    quiet = np.where(last_ns == NEVER, np.iinfo(np.int64).max, -last_ns)  # never: last
    id_rank = np.argsort(np.argsort(np.asarray(lead_ids, dtype="str"), kind="stable"))
    return np.lexsort((id_rank, quiet, -raw_total, -score))


def flag_changes(
    score: np.ndarray,
    top_now: np.ndarray,
    last_ns: np.ndarray,
    previous_score: np.ndarray,
    top_then: np.ndarray,
    previous_as_of: pd.Timestamp,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(new_top, cold, fell)`` from two scorings of the same leads (NaN previous score:
    the lead was not there yet). *New top*: in the top category now, not then. *Going
    cold*: top then, nothing done since, and points lost (decay, inactivity); ``fell``:
    cold and already out of the top category."""
    top_then = top_then & ~np.isnan(previous_score)
    quiet = last_ns <= previous_as_of.value
    cold = top_then & quiet & (score < previous_score)
    return top_now & ~top_then, cold, cold & ~top_now


def changes_since(current: Scoring, previous: Scoring) -> Changes:
    """Compare two scorings of the same leads (e.g. today and a week ago).

    *New top leads* are in the top category now but were not then (or did not exist).
    *Going cold* are leads that were in the top category then, have done nothing since,
    and lost points to decay or inactivity rules; ``fell`` marks those already out of it.
    """
    if not np.array_equal(current.signals.order, previous.signals.order):
        raise ValueError("the two scorings must cover the same leads in the same order")
    existed = ~created_after(current.signals.created_ns, previous.as_of)
    prev_score = np.where(existed, previous.totals.score, np.nan)
    new_top, cold, fell = flag_changes(
        current.totals.score,
        current.totals.category == 0,
        last_activity(current.signals),
        prev_score,
        previous.totals.category == 0,
        previous.as_of,
    )
    return Changes(previous.as_of, prev_score, new_top, cold, fell)


def _text(leads: pd.DataFrame, col: str | None, n: int) -> pd.Series:
    if col and col in leads.columns:
        return leads[col].astype("str").fillna("").reset_index(drop=True)
    return pd.Series("", index=range(n), dtype="str")


def _full_name(leads: pd.DataFrame, columns: tuple[str, ...], n: int) -> pd.Series:
    """First and last name (the mapping's name columns present), joined by a space."""
    name = pd.Series("", index=range(n), dtype="str")
    for c in (c for c in columns if c in leads.columns):
        name = (name + " " + _text(leads, c, n)).str.strip()
    return name


def lead_names(signals: Signals, rows: np.ndarray) -> pd.DataFrame:
    """``name`` and ``company`` of some signals ``rows`` (each column only if the leads file
    has it; '' for a lead without), so a view shows who a lead is beside its id. Only the
    rows asked for are read: the tuning app names its ten movers, not a million leads."""
    leads = signals.data.leads.iloc[signals.order[np.asarray(rows, dtype=np.intp)]]
    n, names, company = len(leads), signals.data.mapping.name, CONTACT_COLUMNS["company"]
    out = {}
    if any(c in leads.columns for c in names):
        out["name"] = _full_name(leads, names, n)
    if company in leads.columns:
        out["company"] = _text(leads, company, n)
    return pd.DataFrame(out, index=range(n))


def _segment_column(model: Model, mapping: DataMapping, leads: pd.DataFrame) -> str | None:
    """The leads column naming a lead's segment: the data mapping's, else the model's."""
    mapped = mapping.segment
    if mapped in leads.columns:
        return mapped
    return model.segments.field if model.segments is not None else None


CONTACT_COLUMNS = {
    "company": "company",
    "title": "job_title",
    "email": "email",
    "phone": "phone",
    "source": "source",
}
"""Rep-facing column -> the leads column it comes from (text, shown as the file has it)."""


def rep_fields(model: Model, signals: Signals) -> pd.DataFrame:
    """What a rep needs to reach each lead, in signals' row order (a published run stores it).

    Columns, where the leads file has them: name, company, title, email, phone, owner,
    segment, source, created; always last_activity (NaT when none up to the as-of instant).
    """
    leads = signals.data.leads.iloc[signals.order]
    mapping = signals.data.mapping
    n = signals.n_leads
    out: dict[str, pd.Series | np.ndarray] = {}
    if any(c in leads.columns for c in mapping.name):
        out["name"] = _full_name(leads, mapping.name, n)
    picks = {
        **{k: v for k, v in CONTACT_COLUMNS.items() if k != "source"},
        "owner": mapping.owner,
        "segment": _segment_column(model, mapping, leads),
        "source": CONTACT_COLUMNS["source"],
    }
    for key, col in picks.items():
        if col and col in leads.columns:
            out[key] = _text(leads, col, n)
    created = mapping.created_at
    if created and created in leads.columns:
        out["created"] = signals.data.created_ns()[signals.order].view("datetime64[ns]")
    out["last_activity"] = last_activity(signals).view("datetime64[ns]")
    return pd.DataFrame(out)


@dataclass(frozen=True, eq=False)
class CallQueue:
    """Every lead, best first, with what the queue shows and filters on.

    ``frame`` columns: row (signals row), lead_id, name, title, owner, segment, score,
    category, grade, previous_score, new_top, cold, last_activity; ``search`` is the
    lower-cased text that free-text search looks in (id, name, email, title, company).
    """

    scoring: Scoring
    changes: Changes | None
    frame: pd.DataFrame
    search: pd.Series

    @property
    def owners(self) -> list[str]:
        return sorted(o for o in self.frame["owner"].cat.categories if o)

    @property
    def segments(self) -> list[str]:
        return sorted(s for s in self.frame["segment"].cat.categories if s)

    def filter(
        self,
        category: str | None = None,
        owner: str | None = None,
        segment: str | None = None,
        text: str = "",
        only: str | None = None,
    ) -> pd.DataFrame:
        """The queue rows matching every given filter, best first.

        ``only``: ``"new"`` (new top leads) or ``"cold"`` (top leads going cold).
        """
        f = self.frame
        mask = np.ones(len(f), dtype=bool)
        if category:
            mask &= (f["category"] == category).to_numpy()
        if owner:
            mask &= (f["owner"] == owner).to_numpy()
        if segment:
            mask &= (f["segment"] == segment).to_numpy()
        if only in ("new", "cold"):
            mask &= f["new_top" if only == "new" else "cold"].to_numpy()
        elif only:
            raise ValueError(f"only must be 'new' or 'cold', not {only!r}")
        text = text.strip().casefold()
        if text:
            candidates = np.flatnonzero(mask)  # search only what the other filters left
            hit = self.search.iloc[candidates].str.contains(text, regex=False).to_numpy()
            mask[candidates[~hit]] = False
        return f[mask]

    def reasons(self, rows: pd.DataFrame, top: int = 3) -> pd.Series:
        """Reasons in words for some queue rows (only those: wording is the costly part)."""
        s = self.scoring
        contrib = contributions(s.model, s.signals, rows["row"].to_numpy())
        return reason_texts(s.model, s.signals, contrib, top=top).set_axis(rows.index)


def build_queue(current: Scoring, previous: Scoring | None = None) -> CallQueue:
    """The call queue of ``current``; with ``previous``, new and cold leads are flagged."""
    sig, t = current.signals, current.totals
    mapping = sig.data.mapping
    leads = sig.data.leads.iloc[sig.order]
    n = sig.n_leads
    changes = changes_since(current, previous) if previous is not None else None
    name = _full_name(leads, mapping.name, n)
    seg_col = _segment_column(current.model, mapping, leads)
    last = last_activity(sig)
    frame = pd.DataFrame(
        {
            "row": np.arange(n),
            "lead_id": sig.lead_ids.astype("str"),
            "name": name,
            "title": _text(leads, "job_title", n),
            "owner": _text(leads, mapping.owner, n).astype("category"),
            "segment": _text(leads, seg_col, n).astype("category"),
            "score": t.score,
            "category": pd.Categorical.from_codes(
                t.category, categories=list(t.category_names), ordered=True
            ),
            "grade": (
                pd.Categorical.from_codes(t.grade, categories=list(t.grade_names), ordered=True)
                if t.grade is not None
                else pd.Categorical.from_codes(np.full(n, -1), categories=[])
            ),
            "previous_score": changes.previous_score if changes else np.full(n, np.nan),
            "new_top": changes.new_top if changes else np.zeros(n, bool),
            "cold": changes.cold if changes else np.zeros(n, bool),
            "last_activity": last.view("datetime64[ns]"),  # NEVER is NaT's bit pattern
        }
    )
    search = frame["lead_id"] + " " + frame["name"] + " " + frame["title"]
    for col in ("email", "company"):
        if col in leads.columns:
            search = search + " " + _text(leads, col, n)
    raw = t.raw if t.raw is not None else t.score
    order = queue_order(t.score, raw, last, frame["lead_id"].to_numpy())
    frame = frame.iloc[order].reset_index(drop=True)
    search = search.str.casefold().iloc[order].reset_index(drop=True)
    return CallQueue(current, changes, frame, search)
