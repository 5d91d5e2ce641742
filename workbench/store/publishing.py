"""Publishing: score once, store the run, make it current.

Everything is computed before the store is touched; the files go into a staging folder,
the manifest last, and :meth:`Store.commit` makes the run visible in two atomic renames.
"""

from __future__ import annotations

import getpass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

import workbench
from workbench.analysis.metrics import category_counts
from workbench.analysis.sales import rep_fields
from workbench.data.loading import LeadData, load_data
from workbench.data.tables import file_sha256
from workbench.engine.scoring import Totals, score_frame, score_totals
from workbench.engine.signals import Signals, compute_signals
from workbench.errors import DataError, ModelError, Problem, UsageError
from workbench.model import Model, load_model
from workbench.model.signoff import sign_off_lines, stale_sign_off
from workbench.store.manifest import InputFile, Manifest
from workbench.store.store import DEFAULT_STORE, LEADS, MANIFEST, REJECTED, Store, new_run_id

HEADLINE = ("score", "raw_total", "category", "grade", "engagement_level", "matrix")


def approval_problem(model: Model) -> str | None:
    """Why the model may not be published as approved (None: it may)."""
    if stale := stale_sign_off(model):
        return stale
    if not model.approved_by:
        return f"{model.name} v{model.version} is not signed off yet."
    return None


def lead_table(model: Model, signals: Signals, totals: Totals, top: int = 3) -> pd.DataFrame:
    """The per-lead table of a run, in the leads file's order: id, headline columns,
    bucket subtotals, top reasons (as :func:`~workbench.engine.scoring.score` gives them)
    and what a rep needs (:func:`~workbench.analysis.sales.rep_fields`)."""
    scored = score_frame(model, signals, totals, top=top)
    order = signals.row_of_lead
    rep = rep_fields(model, signals).iloc[order].reset_index(drop=True)
    clash = sorted(set(model.bucket_ids) & ({*HEADLINE, "lead_id", "reasons"} | set(rep.columns)))
    if clash:
        raise ModelError(
            [Problem("buckets", f"bucket ids {clash} clash with stored columns; rename them")]
        )
    out = pd.DataFrame({"lead_id": scored.index.astype("str")})
    for col in HEADLINE:
        if col == "raw_total":
            out[col] = totals.raw[order]
        elif col in scored.columns:
            out[col] = scored[col].array  # categories keep their model order
    for b in model.bucket_ids:
        out[b] = scored[b].to_numpy().astype(np.float64).round(1)
    out["reasons"] = scored["reasons"].to_numpy()
    return pd.concat([out, rep], axis=1)


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


def _write(frame: pd.DataFrame, path: Path) -> None:
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)


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


def publish(
    model: str | Path | Model,
    leads: str | Path,
    activities: str | Path | None = None,
    *,
    as_of=None,
    store: str | Path = DEFAULT_STORE,
    by: str | None = None,
    unapproved: bool = False,
    top: int = 3,
) -> Manifest:
    """Score ``leads`` once and store the run as the store's current one.

    A model without a current sign-off is refused (``UsageError`` saying what is missing)
    unless ``unapproved``; such a run is marked ``unapproved`` in its manifest.
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
    data = load_data(leads, activities, model=spec)
    if not data.n_leads:
        raise DataError(f"{leads}: no leads to publish (the data report says why)")
    signals = compute_signals(spec, data, as_of=as_of)
    totals = score_totals(spec, signals)
    table = lead_table(spec, signals, totals, top=top)
    now = pd.Timestamp.now(tz="UTC")
    run_id = new_run_id(now)
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
        files=_input_files(data, {"model": model_path, "leads": leads, "activities": activities}),
        buckets=spec.bucket_ids,
        published_by=by or getpass.getuser(),
        published_at=now.to_pydatetime(),
        tool_version=workbench.__version__,
    )
    staged = target.staging(run_id)
    _write(table, staged / LEADS)
    _write(_rejected(data.report.rejected_leads), staged / REJECTED["leads"])
    _write(_rejected(data.report.rejected_activities), staged / REJECTED["activities"])
    (staged / MANIFEST).write_text(manifest.model_dump_json(indent=2) + "\n", encoding="utf-8")
    target.commit(staged)
    return manifest
