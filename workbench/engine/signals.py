"""Signals: the per-lead, per-criterion evidence, computed once for an as-of date.

Everything the scoring stage needs lives here as arrays: a float32 evidence matrix whose
columns are scored as ``points × evidence`` — one column per simple criterion and one
0/1 column per bin or group of a bins/lookup criterion — grouped by bucket so each bucket
is a contiguous slice; and the segment and inquiry of each lead. Rows are ordered by
segment so that each segment is a contiguous block too. Changing points, weights or
thresholds never touches the evidence; scoring keeps bucket subtotals here (a
:class:`SubtotalCache`), keyed by the exact points used, so a slider move recomputes only
the bucket it changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from workbench.data.loading import LeadData, read_date
from workbench.engine.coverage import coverage_warnings
from workbench.engine.events import EventArrays
from workbench.engine.fields import ColumnCache
from workbench.engine.kinds import Inputs, kind_of
from workbench.engine.segments import segment_codes
from workbench.errors import DataError, Problem, column_hint, format_path
from workbench.model import rules as r
from workbench.model.spec import Model, segment_key


def rules_key(model: Model) -> tuple:
    """What signals depend on: the criteria's rules, inquiry rules and segment set-up."""
    seg = None
    if model.segments is not None:
        seg = (model.segments.field, tuple(segment_key(v.value) for v in model.segments.variants))
    return (
        tuple((c.id, c.rule.signal_key()) for c in model.criteria),
        tuple((q.id, q.rule.signal_key()) for q in model.inquiries),
        seg,
        model.data,
    )


def inverse_order(order: np.ndarray) -> np.ndarray:
    """The inverse permutation of ``order`` (int32): ``inverse[order[i]] == i``.

    Signals rows are the leads in segment order (``order``: row -> position in the leads
    file); its inverse takes a lead's file position to its row, to place events on rows
    or to put results back in file order.
    """
    inverse = np.empty(len(order), dtype=np.int32)
    inverse[order] = np.arange(len(order), dtype=np.int32)
    return inverse


@dataclass(eq=False)
class SubtotalCache:
    """Scoring's bucket subtotals for one :class:`Signals`, keyed by the exact points used.

    The one part of signals that changes, and why that is safe: the evidence never does,
    so a subtotal once computed for some points stays right as long as the signals live.
    Scoring (:func:`workbench.engine.scoring.bucket_subtotals`) fills it as sliders move,
    so a move recomputes only the bucket it changed, and drops the oldest entry beyond its
    limit. It only saves time: scores are the same with it empty.
    """

    entries: dict[tuple, np.ndarray] = field(default_factory=dict)

    def get(self, key: tuple) -> np.ndarray | None:
        return self.entries.get(key)

    def put(self, key: tuple, subtotal: np.ndarray, limit: int) -> np.ndarray:
        """Keep ``subtotal`` (made read-only: every later call shares it)."""
        subtotal.flags.writeable = False
        if len(self.entries) >= limit:
            self.entries.pop(next(iter(self.entries)))
        self.entries[key] = subtotal
        return subtotal


@dataclass(frozen=True, eq=False)
class Signals:
    """Evidence for every lead and criterion; rows in ``lead_ids`` order (segment-grouped).

    Immutable but for ``subtotal_cache`` (see :class:`SubtotalCache`); the cached
    properties below are derived from the fields once, on first use.
    """

    lead_ids: pd.Index
    order: np.ndarray  # row -> position in data.leads
    as_of: pd.Timestamp
    key: tuple
    columns: tuple[tuple[str, int], ...]  # (criterion id, level or -1) of each matrix column
    matrix: np.ndarray  # float32 (n, len(columns)), Fortran order
    col_max: np.ndarray  # max evidence per column (lets scoring skip caps that cannot bite)
    levels: dict[str, np.ndarray]  # criterion id -> int16 bin/group index, -1 = none
    details: dict[str, dict[str, np.ndarray]]  # criterion id -> evidence for explanations
    segment_names: tuple[str | None, ...]  # code -> variant value (None = base model)
    segment_blocks: tuple[tuple[int, int, int], ...]  # (segment code, start row, stop row)
    inquiry_reason: np.ndarray  # int16 index into model.inquiries, -1 = a real lead
    data: LeadData
    warnings: tuple[Problem, ...] = ()
    subtotal_cache: SubtotalCache = field(default_factory=SubtotalCache, repr=False)

    @cached_property
    def _col_index(self) -> dict[str, int]:
        """Matrix column of each simple (not bins/lookup) criterion."""
        return {cid: i for i, (cid, lv) in enumerate(self.columns) if lv < 0}

    @cached_property
    def inquiry_rows(self) -> np.ndarray:
        """Rows of the inquiries (every scoring puts them in the inquiry category)."""
        return np.flatnonzero(self.inquiry_reason >= 0)

    @cached_property
    def row_of_lead(self) -> np.ndarray:
        """Row of each lead by its position in ``data.leads``: ``result[i]`` holds what
        ``data.leads.iloc[i]`` needs (see :func:`inverse_order`)."""
        return inverse_order(self.order)

    @property
    def created_ns(self) -> np.ndarray:
        """When each lead was created, per row (int64 ns; NEVER where unknown)."""
        return self.data.created_ns()[self.order]

    @property
    def n_leads(self) -> int:
        return len(self.lead_ids)

    @property
    def inquiry(self) -> np.ndarray:
        return self.inquiry_reason >= 0

    def column(self, criterion_id: str) -> np.ndarray:
        """Evidence of one simple criterion (a view, not a copy)."""
        return self.matrix[:, self._col_index[criterion_id]]

    def touches(self, criterion_id: str) -> int:
        """How many leads a criterion applies to (non-zero evidence or a level)."""
        if criterion_id in self.levels:
            return int((self.levels[criterion_id] >= 0).sum())
        return int(np.count_nonzero(self.column(criterion_id)))

    def rows_of(self, lead_ids) -> np.ndarray:
        """Row positions of the given lead ids (KeyError naming the unknown ones)."""
        pos = self.lead_ids.get_indexer(pd.Index(lead_ids, dtype="str"))
        if (pos < 0).any():
            missing = [lid for lid, p in zip(lead_ids, pos, strict=True) if p < 0]
            raise KeyError(f"unknown lead ids: {missing[:5]}")
        return pos


def check_columns(model: Model, data: LeadData) -> None:
    """Every column the model names must exist in the leads (did-you-mean otherwise)."""
    columns = [str(c) for c in data.leads.columns]
    problems = []

    def need(name: str, path: tuple) -> None:
        if name not in data.leads.columns:
            problems.append(
                Problem(
                    format_path(path),
                    f"column '{name}' is not in the leads file." + column_hint(name, columns),
                )
            )

    for i, c in enumerate(model.criteria):
        for path, leaf in r.field_leaves(c.rule):
            need(leaf.field, ("criteria", i, "rule", *path, "field"))
    for i, q in enumerate(model.inquiries):
        need(q.rule.field, ("inquiries", i, "rule", "field"))
    if model.segments is not None:
        need(model.segments.field, ("segments", "field"))
    if problems:
        raise DataError(problems, data.files.get("leads", "leads"))


def resolve_as_of(data: LeadData, as_of) -> pd.Timestamp:
    """The cut-off instant. A date means the end of that day; None means the newest event
    (without events, the newest creation date; without those, now).

    Text must be YYYY-MM-DD (or an ISO timestamp), or a day/month order with one reading
    only (25/12/2026); '03/10/2026' and '' raise :class:`DataError` (see ``read_date``).
    """
    if as_of is None:
        ts = data.activities["timestamp"]
        if len(ts):
            return pd.Timestamp(ts.max())
        newest = data.newest_created()
        as_of = newest if newest is not None else pd.Timestamp.now()
    # '' is a mistake (an empty --as-of), not "no date": read_date says so
    stamp = read_date(as_of, "as_of")
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    if stamp == stamp.normalize():
        stamp = stamp + pd.Timedelta(days=1) - pd.Timedelta(1, "ns")
    return stamp


def _segment_codes(model: Model, data: LeadData) -> tuple[np.ndarray, tuple[str | None, ...]]:
    n = data.n_leads
    if model.segments is None or not model.segments.variants:
        return np.zeros(n, dtype=np.int16), (None,)
    names = tuple(v.value for v in model.segments.variants)
    return segment_codes(data.leads[model.segments.field], names), (None, *names)


def compute_signals(model: Model, data: LeadData, as_of=None) -> Signals:
    """Evidence for every lead and criterion of ``model`` as of ``as_of``.

    Only events up to ``as_of`` count (a date means the end of that day; ``None`` means
    the newest event in the data). This is the expensive step; score with
    :func:`workbench.score` as often as you like afterwards.
    """
    check_columns(model, data)
    cutoff = resolve_as_of(data, as_of)
    seg, seg_names = _segment_codes(model, data)
    order = np.argsort(seg, kind="stable")
    leads = data.leads.iloc[order]
    seg = seg[order]
    n = len(leads)
    blocks = []
    for code in range(len(seg_names)):
        lo, hi = np.searchsorted(seg, [code, code + 1])
        if hi > lo:
            blocks.append((code, int(lo), int(hi)))

    cache = ColumnCache(leads, source=data.files.get("leads", "leads"), day_first=data.day_first)
    needs_events = any(c.is_activity for c in model.criteria)
    events = None
    if needs_events:
        events = EventArrays.build(data.activities, inverse_order(order), n, cutoff)
    created_ns = data.created_ns()[order]

    bucket_pos = {b: i for i, b in enumerate(model.bucket_ids)}
    # by bucket; within a bucket, capped criteria last so their columns form one block
    position = {c.id: i for i, c in enumerate(model.criteria)}
    ordered = sorted(
        model.criteria,
        key=lambda c: (
            bucket_pos[c.bucket],
            c.max_points is not None and not c.is_level,
            position[c.id],
        ),
    )
    columns: list[tuple[str, int]] = []
    for c in ordered:
        if c.is_level:
            columns += [(c.id, lv) for lv in range(len(c.rule.levels))]
        else:
            columns.append((c.id, -1))
    matrix = np.zeros((n, len(columns)), dtype=np.float32, order="F")
    details: dict[str, dict[str, np.ndarray]] = {}
    levels: dict[str, np.ndarray] = {}
    inputs = Inputs(cutoff=cutoff, cache=cache, events=events, created_ns=created_ns)
    for cs in (False, True):  # every value the rules name, keyed in one pass per case rule
        cache.rule_keys(
            [
                v
                for top in [c.rule for c in model.criteria] + [q.rule for q in model.inquiries]
                for _, rule in r.field_leaves(top)
                if getattr(rule, "case_sensitive", None) is cs
                for v in kind_of(rule).named_values(rule)
            ],
            cs,
        )
    j = 0
    for c in ordered:
        kind = kind_of(c.rule)
        evidence, detail = kind.evidence(c.rule, inputs)
        if c.is_level:
            levels[c.id] = evidence
            for lv in range(len(c.rule.levels)):
                matrix[:, j] = evidence == lv
                j += 1
        else:
            matrix[:, j] = evidence
            details[c.id] = detail
            j += 1
    inquiry = np.full(n, -1, dtype=np.int16)
    for i, q in enumerate(model.inquiries):
        hit = kind_of(q.rule).hits(q.rule, cache, cutoff)
        inquiry[(inquiry < 0) & hit] = i
    col_max = matrix.max(axis=0) if n else np.zeros(len(columns), dtype=np.float32)
    return Signals(
        lead_ids=leads.index,
        order=order,
        as_of=cutoff,
        key=rules_key(model),
        columns=tuple(columns),
        matrix=matrix,
        col_max=np.asarray(col_max, dtype=np.float32),
        levels=levels,
        details=details,
        segment_names=seg_names,
        segment_blocks=tuple(blocks),
        inquiry_reason=inquiry,
        data=data,
        warnings=(
            *cache.warnings,
            # about the files, so said once over the whole data, not for each subset (a lead
            # card re-scores one lead eight times)
            *(
                ()
                if data.root is not None
                else coverage_warnings(
                    model,
                    data.leads,
                    data.activities,
                    activities_given="activities" in data.files,
                    created_ns=created_ns,
                    cache=cache,
                    cutoff=cutoff,
                )
            ),
        ),
    )


def refresh_signals(model: Model, signals: Signals) -> Signals:
    """Signals for ``model`` reusing ``signals``: only criteria whose rule changed are redone.

    A decay half-life or a time window moved in the tuning app changes one activity rule;
    recomputing that column is a fraction of :func:`compute_signals`. Anything else that
    changes the evidence layout (criteria added or removed, field rules, segments) falls
    back to a full computation for the same as-of instant.
    """
    new_key = rules_key(model)
    if new_key == signals.key:
        return signals
    old_rules = dict(signals.key[0])
    same_layout = (
        new_key[1:] == signals.key[1:]
        and [cid for cid, _ in new_key[0]] == list(old_rules)
        and all(c.id in signals._col_index for c in model.criteria if not c.is_level)
    )
    changed = [c for c in model.criteria if c.rule.signal_key() != old_rules.get(c.id)]
    if not same_layout or not all(c.is_activity for c in changed):
        return compute_signals(model, signals.data, as_of=signals.as_of)
    n = signals.n_leads
    events = EventArrays.build(signals.data.activities, signals.row_of_lead, n, signals.as_of)
    created_ns = signals.created_ns
    matrix = signals.matrix.copy(order="F")
    details = dict(signals.details)
    col_max = signals.col_max.copy()
    inputs = Inputs(cutoff=signals.as_of, events=events, created_ns=created_ns)
    for c in changed:
        evidence, detail = kind_of(c.rule).evidence(c.rule, inputs)
        j = signals._col_index[c.id]
        matrix[:, j] = evidence
        col_max[j] = evidence.max() if n else 0.0
        details[c.id] = detail
    return Signals(
        lead_ids=signals.lead_ids,
        order=signals.order,
        as_of=signals.as_of,
        key=new_key,
        columns=signals.columns,
        matrix=matrix,
        col_max=col_max,
        levels=signals.levels,
        details=details,
        segment_names=signals.segment_names,
        segment_blocks=signals.segment_blocks,
        inquiry_reason=signals.inquiry_reason,
        data=signals.data,
        warnings=signals.warnings,
    )
