"""The report of a published run: what sales was given, read from the store, never rescored.

``workbench report --store S [--run R]`` (and ``notebooks/store_report.ipynb``) reports a
run as it was published: the counts, flags, ranks and reasons in its files are the ones the
dashboard showed, and nothing reloads the raw leads. Every figure is a small aggregate that
:class:`~workbench.store.queries.StoredRun` answers with one DuckDB query over the run's
Parquet, so the report over a million leads costs what it costs over five thousand.

The page opens with one screen a manager reads first (who published which model when, any
approval warning, leads per category against the previous run, new top leads, going cold,
conversion per category), then the details: the distribution, the leads themselves, a
table per owner and the rows the data checks set aside.

>>> report = build_stored_report("scoring-store")  # the current run  # doctest: +SKIP
>>> report.counts  # leads per category now and in the previous run  # doctest: +SKIP
>>> show_stored_report(report)  # in a notebook  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd

from workbench.analysis.metrics import wilson_interval
from workbench.errors import DataError, Problem, UsageError, did_you_mean
from workbench.report.build import (
    DEFAULT_TOP_N,
    category_labels,
    conversion_chart,
    segment_categories,
    threshold_frame,
)
from workbench.store.manifest import Manifest
from workbench.store.queries import QueueFilter, StoredRun
from workbench.store.store import REJECTED, RUNS, Store
from workbench.ui.charts import distribution_chart

NO_OWNER = "(no owner)"
ALL_OWNERS = "All owners"
"""The per-owner table's last row: the sums over every owner (equal to the run's counts)."""


def when(iso: str | None) -> str:
    """``2026-10-31 23:57`` from a manifest's ISO instant ('' for None)."""
    return "" if iso is None else f"{pd.Timestamp(iso):%Y-%m-%d %H:%M}"


def stored_title(m: Manifest) -> str:
    """The page title: model, version and the instant the run scored."""
    return f"Scoring report: {m.model} v{m.version}, published run as of {when(m.as_of)}"


@dataclass(frozen=True, eq=False)
class StoredReport:
    """Every table and chart of the report of one stored run (raw numbers; rendering formats).

    ``counts``: per category (index) ``label``, ``leads``, ``share``, ``previous`` (the
    previous run's count, None without one) and ``change``; ``owners``: one row per owner,
    then :data:`ALL_OWNERS`; ``set_aside``: per file and reason, the rows set aside and the
    Parquet file holding them.
    """

    title: str
    manifest: Manifest
    store: Path
    folder: Path  # the run's folder: its Parquet files and model.yaml as published
    about: pd.DataFrame  # item, value: model, as-of, published, sign-off, run, compared with
    warnings: tuple[str, ...]  # unapproved run, stale sign-off
    counts: pd.DataFrame
    previous_label: str | None  # "the run as of 2026-10-24 23:57" (None: first run)
    conversion: pd.DataFrame | None  # per category: label, leads, converted, rate, low, high
    histogram: pd.DataFrame  # bin_start, bin_end, category, leads
    previous_histogram: pd.DataFrame | None
    top: pd.DataFrame
    new_top: pd.DataFrame  # the best of the leads new in the top category
    cold: pd.DataFrame  # the best of the top leads going cold
    owners: pd.DataFrame | None  # None: the run has no owner column
    set_aside: pd.DataFrame  # file, reason, rows, stored in
    files: pd.DataFrame  # role, file, rows read, rows kept, set aside, sha256
    top_n: int
    charts: dict[str, alt.TopLevelMixin] = field(default_factory=dict)

    @property
    def top_category(self) -> str:
        return self.manifest.top_category

    @property
    def as_of(self) -> pd.Timestamp:
        return pd.Timestamp(self.manifest.as_of)

    @property
    def n_leads(self) -> int:
        return self.manifest.leads


# --- the one-screen summary ---------------------------------------------------------------


def approval_warnings(m: Manifest) -> tuple[str, ...]:
    """What a reader must know before trusting the run: published unapproved, or approved
    by people who signed off other rules."""
    out = []
    if m.unapproved:
        why = m.sign_off_warning or f"{m.model} v{m.version} had no sign-off."
        out.append(
            f"UNAPPROVED: this run was published with --unapproved. {why} Its scores are "
            "not the ones sales agreed to."
        )
    elif m.sign_off_warning:
        out.append(f"Sign-off out of date: {m.sign_off_warning}")
    return tuple(out)


def about_table(m: Manifest, previous_label: str | None) -> pd.DataFrame:
    """Model, version, as-of, who published it when, sign-off, run id, compared with."""
    rows = [
        ("Model", f"{m.model} v{m.version}"),
        ("Scored as of", when(m.as_of)),
        ("Published", f"{m.published_at:%Y-%m-%d %H:%M} UTC by {m.published_by}"),
        (
            "Signed off by",
            "; ".join(m.signed_off) or "NOT SIGNED OFF: this model has no approval yet",
        ),
        ("Leads", f"{m.leads:,}"),
        ("Compared with", previous_label or "nothing: the first run of this store"),
        ("Run", m.run_id),
    ]
    if m.unapproved:
        rows.insert(4, ("Approval", "UNAPPROVED run"))
    return pd.DataFrame(rows, columns=["item", "value"])


def count_table(m: Manifest, labels: dict[str, str], previous: Manifest | None) -> pd.DataFrame:
    """Leads per category, their share, the previous run's count and the change, from the
    two manifests (categories of either run, this run's order first)."""
    before = previous.counts if previous is not None else {}
    names = list(dict.fromkeys([*m.counts, *before]))
    table = pd.DataFrame(index=pd.Index(names, name="category"))
    table["label"] = [labels.get(n, "") for n in names]
    table["leads"] = np.array([m.counts.get(n, 0) for n in names], dtype=np.int64)
    table["share"] = table["leads"] / max(int(table["leads"].sum()), 1)
    if previous is None:
        table["previous"] = pd.array([None] * len(names), dtype="Int64")
    else:
        table["previous"] = pd.array([before.get(n, 0) for n in names], dtype="Int64")
    table["change"] = table["leads"] - table["previous"]
    return table


def conversion_table(run: StoredRun, labels: dict[str, str]) -> pd.DataFrame | None:
    """Conversion per category of the leads with a known outcome, with 95 % Wilson
    intervals: the shape :func:`workbench.report.build.conversion_table` gives."""
    found = run.conversion()
    if found is None:
        return None
    n, conv = found["known"].to_numpy(), found["converted"].to_numpy()
    low, high = wilson_interval(conv, n)
    table = pd.DataFrame(
        {
            "label": [labels.get(c, "") for c in found.index],
            "leads": n.astype(np.int64),
            "converted": conv.astype(np.int64),
            "rate": np.divide(conv, n, out=np.full(len(n), np.nan), where=n > 0),
            "low": low,
            "high": high,
        },
        index=pd.Index(found.index, name="category"),
    )
    return table


# --- the details --------------------------------------------------------------------------


def _last_activity(frame: pd.DataFrame) -> pd.Series:
    if "last_activity" not in frame.columns:
        return pd.Series(["never"] * len(frame), index=frame.index)
    return pd.to_datetime(frame["last_activity"]).dt.strftime("%Y-%m-%d").fillna("never")


def _columns(frame: pd.DataFrame, wanted: dict[str, str]) -> pd.DataFrame:
    """The wanted columns the run has, renamed for readers."""
    return frame[[c for c in wanted if c in frame.columns]].rename(columns=wanted)


LEAD_NAMES = {"lead_id": "lead id", "previous_score": "score then"}


def top_table(run: StoredRun, n: int) -> pd.DataFrame:
    """The ``n`` best leads of the sales categories with their stored queue rank and reasons."""
    cols = ("rank", "lead_id", "name", "title", "owner", "segment", "score", "category",
            "grade", "reasons")  # fmt: skip
    return _columns(run.best(n), {c: LEAD_NAMES.get(c, c) for c in cols})


def new_top_table(run: StoredRun, n: int) -> pd.DataFrame:
    """The best ``n`` leads new in the top category since the previous run."""
    rows = run.page(QueueFilter(only="new"), limit=n)
    cols = ("rank", "lead_id", "name", "owner", "previous_score", "score", "category", "reasons")
    out = _columns(rows, {c: LEAD_NAMES.get(c, c) for c in cols})
    return out.rename(columns={"score": "score now"})


def cold_table(run: StoredRun, n: int) -> pd.DataFrame:
    """The best ``n`` top leads of the previous run gone quiet and losing points, as the
    scoring report lists them (score then and now, last activity, reasons)."""
    rows = run.page(QueueFilter(only="cold"), limit=n)
    cols = ("lead_id", "name", "owner", "previous_score", "score", "category")
    out = _columns(rows, {c: LEAD_NAMES.get(c, c) for c in cols})
    out = out.rename(columns={"score": "score now"})
    out["last activity"] = _last_activity(rows).to_numpy()
    out["reasons"] = rows["reasons"].to_numpy() if "reasons" in rows else ""
    return out


def owner_table(run: StoredRun, with_outcomes: bool) -> pd.DataFrame | None:
    """One row per owner: leads, leads per category, new top, going cold and (``with_outcomes``)
    conversion; then the sums over all owners. Owners by name, leads with none last."""
    long = run.by_owner()
    if long.empty and "owner" not in run.columns:
        return None
    top = run.manifest.top_category
    owner = long["owner"].fillna(NO_OWNER)
    per = pd.pivot_table(
        long.assign(owner=owner), index="owner", columns="category", values="leads",
        aggfunc="sum", fill_value=0,
    ).reindex(columns=run.categories, fill_value=0)  # fmt: skip
    sums = long.assign(owner=owner).groupby("owner")[["new_top", "cold", "known", "converted"]]
    sums = sums.sum()
    table = pd.DataFrame(index=per.index)
    table["leads"] = per.sum(axis=1)
    for name in run.categories:
        table[name] = per[name]
    table[f"new {top}"] = sums["new_top"]
    table[f"{top} going cold"] = sums["cold"]
    if with_outcomes:
        table["known outcome"] = sums["known"]
        table["converted"] = sums["converted"]
    names = sorted((o for o in table.index if o != NO_OWNER), key=str.casefold)
    table = table.reindex(names + ([NO_OWNER] if NO_OWNER in table.index else []))
    table.loc[ALL_OWNERS] = table.sum()
    table = table.astype(np.int64)
    if with_outcomes:
        known = table["known outcome"].to_numpy()
        table["conversion"] = np.divide(
            table["converted"].to_numpy(), known, out=np.full(len(table), np.nan), where=known > 0
        )
    table.index.name = "owner"
    return table


def set_aside_table(run: StoredRun) -> pd.DataFrame:
    """Rows the data checks set aside, per file and reason, and the run's Parquet file a
    data steward downloads them from."""
    rows = []
    for kind in REJECTED:
        path = run.rejected_file(kind)
        reasons = run.rejected_reasons(kind)
        for r in reasons.itertuples(index=False):
            rows.append((kind, str(r.reason), int(r.rows), str(path)))
        if reasons.empty and run.manifest.set_aside.get(kind):
            # counted at publishing but the file is gone: say so instead of showing nothing
            rows.append((kind, "(file missing)", run.manifest.set_aside[kind], str(path)))
    return pd.DataFrame(rows, columns=["file", "reason", "rows", "stored in"]).astype(
        {"rows": "int64"}
    )


def files_table(m: Manifest) -> pd.DataFrame:
    """The input files as published: rows read, kept and set aside, SHA-256."""
    frame = pd.DataFrame(
        [(f.role, f.name, f.rows_read, f.rows_kept, f.rows_set_aside, f.sha256) for f in m.files],
        columns=["role", "file", "rows read", "rows kept", "set aside", "sha256"],
    )
    return frame.astype({"rows read": "Int64", "rows kept": "Int64", "set aside": "Int64"})


def _empty_histogram() -> pd.DataFrame:
    return pd.DataFrame({"bin_start": [], "bin_end": [], "leads": []})


# --- the report ---------------------------------------------------------------------------


def open_run(store: str | Path, run: str | None = None) -> StoredRun:
    """The run to report (``run`` None: the current one); a missing store, a store with no
    run yet or an unknown run id is a :class:`~workbench.errors.UsageError` saying so."""
    s = Store(store)
    ids = s.run_ids()  # refuses a missing folder or one that is not a store
    if run is not None and run not in ids:
        hint = did_you_mean(run, ids)
        raise UsageError(
            [
                Problem(
                    "--run",
                    f"no run '{run}' in {s.path}.{hint} `workbench runs --store {s.path}` lists "
                    "the runs",
                )
            ]
        )
    if run is None and s.current_id() is None:
        raise UsageError(
            [
                Problem(
                    "--store",
                    f"{s.path} has no published run yet; `workbench publish --store {s.path} "
                    "--model M --leads L` publishes one",
                )
            ]
        )
    return StoredRun(s, run)


def build_stored_report(
    store: str | Path | None = None, run: str | None = None, top_n: int = DEFAULT_TOP_N
) -> StoredReport:
    """Read one stored run (default: the current one) into a :class:`StoredReport`.

    Only aggregates and the ``top_n`` leads of each list leave DuckDB; the previous run is
    read for its counts (manifest) and its score histogram (the chart's outline).
    ``store=None``: the shipped sample's store (published once, reused), as every
    notebook's ``None`` means the sample.
    """
    if int(top_n) < 1:
        raise DataError([Problem("top_n", f"must be at least 1, not {top_n}")])
    if store is None:
        if run is not None:
            raise UsageError([Problem("run", "a run id needs its store; give store too")])
        from workbench.store.samples import sample_store

        return build_stored_report(sample_store(), None, top_n)
    r = open_run(store, run)
    try:
        m = r.manifest
        model = r.model
        labels = category_labels(model)
        prev = r.previous()
        previous_manifest = prev.manifest if prev is not None else None
        previous_label = None
        if m.previous_as_of is not None:
            previous_label = f"the run as of {when(m.previous_as_of)}"
            if prev is None:
                previous_label += " (pruned since: its counts are not shown)"
        lo, hi = model.scale.min, model.scale.max
        hist = r.histogram(lo, hi)
        prev_hist = None
        if prev is not None:
            prev_hist = prev.histogram(lo, hi)
            prev.close()
        conversion = conversion_table(r, labels)
        outline = previous_label or "no previous run"
        charts = {
            "distribution": distribution_chart(
                hist,
                prev_hist if prev_hist is not None else _empty_histogram(),
                threshold_frame(segment_categories(model, None)),
                names=r.categories,
                outline=outline,
            )
        }
        if conversion is not None:
            charts["conversion"] = conversion_chart(conversion)
        return StoredReport(
            title=stored_title(m),
            manifest=m,
            store=r.store.path.absolute(),
            folder=(r.store.path / RUNS / m.run_id).absolute(),
            about=about_table(m, previous_label),
            warnings=approval_warnings(m),
            counts=count_table(m, labels, previous_manifest),
            previous_label=previous_label,
            conversion=conversion,
            histogram=hist,
            previous_histogram=prev_hist,
            top=top_table(r, int(top_n)),
            new_top=new_top_table(r, int(top_n)),
            cold=cold_table(r, int(top_n)),
            owners=owner_table(r, with_outcomes=conversion is not None),
            set_aside=set_aside_table(r),
            files=files_table(m),
            top_n=int(top_n),
            charts=charts,
        )
    finally:
        r.close()
