"""Publishing: score once, store the run, make it current.

Everything is computed before the store is touched; the files go into a staging folder,
the manifest last, and :meth:`Store.commit` makes the run visible in two atomic renames.
"""

from __future__ import annotations

import getpass
import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

import workbench
from workbench.analysis.metrics import category_counts, outcome_array
from workbench.analysis.sales import (
    flag_changes,
    known_by,
    last_activity,
    queue_order,
    recent_events,
    rep_fields,
)
from workbench.data.loading import LeadData, load_data
from workbench.data.tables import file_sha256
from workbench.engine.reasons import join_slots, reason_slots
from workbench.engine.scoring import Totals, contributions, score_frame, score_totals
from workbench.engine.signals import Signals, compute_signals, resolve_as_of
from workbench.errors import DataError, ModelError, Problem, UsageError
from workbench.files import PATH_ERRNOS, path_error
from workbench.model import Model, load_model
from workbench.model.signoff import sign_off_lines, stale_sign_off
from workbench.model.yaml_io import model_to_yaml
from workbench.store.manifest import InputFile, Manifest
from workbench.store.queries import SEARCHED
from workbench.store.store import (
    DEFAULT_STORE,
    EVENTS,
    LEADS,
    MANIFEST,
    MODEL,
    REJECTED,
    RUNS,
    Store,
    new_run_id,
)

HEADLINE = ("score", "raw_total", "category", "grade", "engagement_level", "matrix")
RUN_COLUMNS = ("lead_id", "rank", "reasons", "card_reasons", "converted", "previous_score",
               "new_top", "cold", "search", "lead_row")  # fmt: skip
CARD_REASONS = 6  # reasons for, on a lead's card (and up to 4 against)
RECENT_EVENTS = 10  # newest events per lead kept for the card


def approval_problem(model: Model) -> str | None:
    """Why the model may not be published as approved (None: it may)."""
    if stale := stale_sign_off(model):
        return stale
    if not model.approved_by:
        return f"{model.name} v{model.version} is not signed off yet."
    return None


def lead_table(model: Model, signals: Signals, totals: Totals, top: int = 3) -> pd.DataFrame:
    """The per-lead table of a run, in the leads file's order: id, queue rank, headline
    columns, bucket subtotals, top reasons (as :func:`~workbench.engine.scoring.score`
    gives them), the card's reasons, what a rep needs
    (:func:`~workbench.analysis.sales.rep_fields`) and the known outcome."""
    contrib = contributions(model, signals)
    scored = score_frame(model, signals, totals, reasons=False, contrib=contrib)
    order = signals.row_of_lead
    rep = rep_fields(model, signals).iloc[order].reset_index(drop=True)
    reserved = {*HEADLINE, *RUN_COLUMNS, *rep.columns}
    clash = sorted(set(model.bucket_ids) & reserved)
    if clash:
        raise ModelError(
            [Problem("buckets", f"bucket ids {clash} clash with stored columns; rename them")]
        )
    raw = totals.raw if totals.raw is not None else totals.score
    last = last_activity(signals)
    rank = np.empty(signals.n_leads, dtype=np.int64)
    rank[queue_order(totals.score, raw, last, signals.lead_ids.to_numpy())] = np.arange(
        1, signals.n_leads + 1
    )
    out = pd.DataFrame({"lead_id": scored.index.astype("str"), "rank": rank[order]})
    for col in HEADLINE:
        if col == "raw_total":
            out[col] = raw[order]
        elif col in scored.columns:
            out[col] = scored[col].array  # categories keep their model order
    for b in model.bucket_ids:
        out[b] = scored[b].to_numpy().astype(np.float64).round(1)
    # worded once: the list's top reasons are the first of the card's (same order)
    pos, neg = reason_slots(model, signals, contrib, top=max(CARD_REASONS, top), top_negative=4)
    take = pa.array(order)
    if pos or neg:
        listed = join_slots(pos[:top] + neg[:2]).take(take)
    else:
        listed = pa.array([""] * len(order), pa.string())
    out["reasons"] = pd.Series(listed.to_pandas(), dtype="str")
    out["card_reasons"] = pd.arrays.ArrowExtensionArray(slot_lists(pos + neg, order))
    out = pd.concat([out, rep], axis=1)
    searched = [pa.array(out[c].fillna(""), pa.string()) for c in SEARCHED if c in out.columns]
    out["search"] = pd.Series(
        pc.utf8_lower(pc.binary_join_element_wise(*searched, " ")).to_pandas(), dtype="str"
    )  # what free-text search looks in, lower-cased once here rather than on every query
    outcome = outcome_array(signals)
    if outcome is not None:
        out["converted"] = outcome[order]
    return out


def slot_lists(slots: list[pa.Array], order: np.ndarray) -> pa.ListArray:
    """Each row's non-empty slots as one list, rows taken in ``order``: built from the
    slots' values and offsets directly (no joining into text and splitting again)."""
    n = len(order)
    if not slots:
        return pa.ListArray.from_arrays(
            pa.array(np.zeros(n + 1, np.int32)), pa.array([], pa.string())
        )
    valid = np.column_stack([s.is_valid().to_numpy(zero_copy_only=False) for s in slots])[order]
    k = valid.shape[1]
    row, slot = np.divmod(np.flatnonzero(valid.ravel()), k)  # row-major: a row's slots in turn
    values = pa.concat_arrays(slots).take(pa.array(slot * n + order[row]))
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(valid.sum(axis=1), out=offsets[1:])
    return pa.ListArray.from_arrays(pa.array(offsets), values)


def _with_changes(table: pd.DataFrame, manifest, before: pd.DataFrame | None) -> pd.DataFrame:
    """Add previous_score, new_top and cold: this run against the previous one."""
    n = len(table)
    if before is None:
        table["previous_score"] = np.full(n, np.nan)
        table["new_top"] = np.zeros(n, bool)
        table["cold"] = np.zeros(n, bool)
        return table
    at = pd.Index(before["lead_id"]).get_indexer(table["lead_id"])
    there = at >= 0
    prev = np.where(there, before["score"].to_numpy()[at], np.nan)
    top_then_name = next(iter(manifest.counts))
    top_then = there & (before["category"].astype("str").to_numpy()[at] == top_then_name)
    top_now = (table["category"].astype("str") == table["category"].cat.categories[0]).to_numpy()
    last = table["last_activity"].to_numpy(dtype="datetime64[ns]").view(np.int64)
    new_top, cold, _ = flag_changes(
        table["score"].to_numpy(), top_now, last, prev, top_then, pd.Timestamp(manifest.as_of)
    )
    table["previous_score"] = prev
    table["new_top"] = new_top
    table["cold"] = cold
    return table


def _rejected(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows set aside as text (the file's own spelling), an empty table with its two
    leading columns when nothing was set aside."""
    if frame.empty and not len(frame.columns):
        return pd.DataFrame(
            {"row": pd.Series([], dtype="int64"), "reason": pd.Series([], dtype="str")}
        )
    out = frame.copy()
    for c in out.columns:
        if c != "row":
            out[c] = out[c].astype("str")
    return out


def _write(frame: pd.DataFrame, path: Path, **options) -> None:
    """Plain Parquet: no pandas metadata, so any reader (DuckDB, Spark, an older pandas)
    gets the same columns and types."""
    table = pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)
    pq.write_table(table, path, **options)


def _input_files(data: LeadData, paths: dict[str, str | Path | None]) -> tuple[InputFile, ...]:
    c = data.report.counts
    out = []
    for role, path in paths.items():
        if path is None:
            continue
        p = Path(path)
        kind = role if role in ("leads", "activities") else None
        out.append(
            InputFile(
                role=role,
                name=p.name,
                path=str(p.absolute()),
                sha256=file_sha256(p),
                rows_read=c.get(f"{kind}_read") if kind else None,
                rows_kept=c.get(f"{kind}_kept") if kind else None,
                rows_set_aside=c.get(f"{kind}_rejected") if kind else None,
            )
        )
    return tuple(out)


def _previous(store: Store, as_of: pd.Timestamp) -> tuple[Manifest, pd.DataFrame] | None:
    """The run this one is compared with: the newest stored run scored before ``as_of``."""
    earlier = [m for m in store.runs() if pd.Timestamp(m.as_of) < as_of]
    if not earlier:
        return None
    m = max(earlier, key=lambda r: (pd.Timestamp(r.as_of), r.published_at))
    path = store.path / RUNS / m.run_id / LEADS
    try:
        before = pq.read_table(path, columns=["lead_id", "score", "category"]).to_pandas()
    except FileNotFoundError:  # pruned meanwhile: compare with nothing rather than fail
        return None
    return m, before


def _publish_one(
    target: Store,
    spec: Model,
    data: LeadData,
    as_of: pd.Timestamp,
    *,
    files: tuple[InputFile, ...],
    problem: str | None,
    by: str | None,
    history: bool,
    top: int,
    model_text: str,
    later: int = 0,
) -> Manifest:
    """Score ``data`` as of ``as_of``, compare with the previous run, stage and commit."""
    signals = compute_signals(spec, data, as_of=as_of)
    totals = score_totals(spec, signals)
    # the events' sort (NumPy, off the GIL) runs on the second core while reasons are worded
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(recent_events, spec, signals, RECENT_EVENTS)
        table = lead_table(spec, signals, totals, top=top)
        events = pending.result()
    previous = _previous(target, signals.as_of)
    table = _with_changes(table, *(previous or (None, None)))
    now = pd.Timestamp.now(tz="UTC")
    run_id = new_run_id(now)
    top_now = table["category"] == table["category"].cat.categories[0]
    manifest = Manifest(
        run_id=run_id,
        model=spec.name,
        version=spec.version,
        fingerprint=spec.scoring_fingerprint(),
        signed_off=sign_off_lines(spec),
        sign_off_warning=stale_sign_off(spec),
        unapproved=problem is not None,
        as_of=signals.as_of.isoformat(),
        leads=len(table),
        counts={str(k): int(v) for k, v in category_counts(totals).items()},
        set_aside={kind: int(data.report.counts.get(f"{kind}_rejected", 0)) for kind in REJECTED},
        files=files,
        buckets=spec.bucket_ids,
        published_by=by or getpass.getuser(),
        published_at=now.to_pydatetime(),
        tool_version=workbench.__version__,
        previous_run=previous[0].run_id if previous else None,
        previous_as_of=previous[0].as_of if previous else None,
        new_top=int(table["new_top"].sum()),
        cold=int(table["cold"].sum()),
        fell=int((table["cold"] & ~top_now).sum()),
        events=len(events),
        history=history,
        created_later=later,
    )
    staged = target.staging(run_id)
    try:
        # best first, in row groups of ~64k leads: a page of the queue, or the top of a
        # category, reads a row group or two instead of every lead's text
        table["lead_row"] = np.arange(len(table), dtype=np.int64)  # its place in the file
        _write(table.sort_values("rank", kind="stable"), staged / LEADS, row_group_size=65536)
        (staged / MODEL).write_text(model_text, encoding="utf-8")
        # row groups of ~64k events: a card's lookup by lead_row reads one of them
        _write(events, staged / EVENTS, row_group_size=65536)
        _write(_rejected(data.report.rejected_leads), staged / REJECTED["leads"])
        _write(_rejected(data.report.rejected_activities), staged / REJECTED["activities"])
        (staged / MANIFEST).write_text(manifest.model_dump_json(indent=2) + "\n", encoding="utf-8")
    except BaseException as exc:  # a full disk, Ctrl-C: no half run left in tmp/
        shutil.rmtree(staged, ignore_errors=True)
        if isinstance(exc, OSError) and exc.errno in PATH_ERRNOS:
            raise path_error(exc, target.path, "cannot write the run into the store") from None
        raise
    target.commit(staged, current=not history)
    return manifest


def publish(
    model: str | Path | Model,
    leads: str | Path,
    activities: str | Path | None = None,
    *,
    as_of=None,
    store: str | Path = DEFAULT_STORE,
    by: str | None = None,
    unapproved: bool = False,
    history_weeks: int = 0,
    top: int = 3,
    on_run: Callable[[Manifest], None] | None = None,
) -> Manifest:
    """Score ``leads`` once and store the run as the store's current one (its manifest).

    With ``history_weeks``, runs as of each of that many past weeks are stored first
    (oldest first, with only the leads known then), so trends and "new since last week"
    exist from the first day; a week already stored with the same rules is not redone.
    ``on_run`` hears of each run as it is stored (a progress line per week).
    A model without a current sign-off is refused (``UsageError`` saying what is missing)
    unless ``unapproved``; such runs are marked ``unapproved`` in their manifests.
    """
    model_path = None if isinstance(model, Model) else Path(model)
    spec = load_model(model_path) if model_path is not None else model
    problem = approval_problem(spec)
    if problem and not unapproved:
        raise UsageError(
            f"{problem} Sign it off first: workbench sign-off {model_path or 'MODEL'} "
            "--name 'Your Name' (or publish it anyway, marked unapproved, with --unapproved)"
        )
    target = Store(store)
    target.create()  # a bad store path is refused before the expensive work
    target.clean_staging()  # what publishes killed hours ago left behind
    data = load_data(leads, activities, model=spec)
    if not data.n_leads:
        raise DataError(f"{leads}: no leads to publish (the data report says why)")
    files = _input_files(data, {"model": model_path, "leads": leads, "activities": activities})
    end = resolve_as_of(data, as_of)
    # the file as it was written (comments and all), or the model as built in Python
    model_text = model_path.read_text(encoding="utf-8") if model_path else model_to_yaml(spec)
    fingerprint = spec.scoring_fingerprint()
    stored = {(m.fingerprint, pd.Timestamp(m.as_of)) for m in target.runs() if m.history}
    for k in range(history_weeks, -1, -1):
        cutoff = end - pd.Timedelta(days=7 * k)
        if k and (fingerprint, cutoff) in stored:
            continue
        known = known_by(data, cutoff)
        if k and not known.n_leads:
            continue  # before the first lead: nothing to show
        manifest = _publish_one(
            target,
            spec,
            known,
            cutoff,
            files=files,
            problem=problem,
            by=by,
            history=k > 0,
            top=top,
            model_text=model_text,
            later=data.n_leads - known.n_leads,
        )
        if on_run is not None:
            on_run(manifest)
    return manifest
