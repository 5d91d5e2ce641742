"""The store folder: immutable runs, one ``CURRENT`` pointer, switched atomically.

Layout (default ``./scoring-store``)::

    runs/<run_id>/manifest.json          what was scored, by whom, counts (written last)
    runs/<run_id>/leads.parquet          one row per scored lead
    runs/<run_id>/recent_activities.parquet    each lead's newest events, for its card
    runs/<run_id>/model.yaml             the model exactly as published
    runs/<run_id>/rejected_leads.parquet       rows the data checks set aside, as a data
    runs/<run_id>/rejected_activities.parquet  steward fixes them (row, reason, columns)
    CURRENT                              the current run's id
    tmp/                                 runs being written, runs being deleted
    .lock                                publishers and pruning take it; readers never

Why: a run is plain Parquet files that pandas, DuckDB, Spark or a warehouse read as they
are, and never change once written, so a reader needs no lock and no database server. A
run is written into ``tmp/`` and appears under ``runs/`` by one ``os.replace`` rename;
``CURRENT`` is replaced by renaming a temp file over it. Both renames are atomic on one
file system, so a publish killed at any point leaves the previous run complete and current,
and a reader sees the old run or the new one, never half of one. Two publishers take turns
only for the switch (an exclusive ``flock``), not for the scoring. Run ids start with the
UTC time so they sort by time.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import ValidationError

from workbench.errors import DataError, Problem, UsageError
from workbench.files import fsync_path, path_error
from workbench.store.manifest import Manifest
from workbench.text import shorten

DEFAULT_STORE = "scoring-store"
STALE_STAGING_SECONDS = 6 * 3600  # a publish of a million leads takes about a minute
RUNS, TMP, CURRENT, LOCK = "runs", "tmp", "CURRENT", ".lock"
MANIFEST = "manifest.json"
LEADS = "leads.parquet"
EVENTS = "recent_activities.parquet"
MODEL = "model.yaml"
REJECTED = {"leads": "rejected_leads.parquet", "activities": "rejected_activities.parquet"}


def damaged(path: Path, what: str, reason: str | Exception) -> DataError:
    """A run's file that does not read as it was written (cut short, edited by hand): runs
    are never rewritten, so the way out is to remove the run or publish a new one.

    ``reason``: a few words, or the reader's exception (Arrow's, DuckDB's), cut to its gist.
    """
    why = reason
    if isinstance(reason, Exception):  # "Invalid Input Error: No magic bytes … 'path'\n…"
        why = str(reason).split("\n", 1)[0].replace(f" '{path}'", "").replace(str(path), "it")
        why = why.rsplit(": ", 1)[-1].split(". ", 1)[0].strip().rstrip(".")
    return DataError(
        [
            Problem(
                "",
                f"the run's {what} is damaged ({shorten(why, 120)}); remove the run folder or "
                "publish again",
            )
        ],
        str(path),
    )


def _first_error(exc: ValidationError) -> str:
    """Where and what of pydantic's first complaint (never the input it was given)."""
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    more = f" and {exc.error_count() - 1} more" if exc.error_count() > 1 else ""
    return f"{where + ': ' if where else ''}{first['msg']}{more}"


def new_run_id(now: pd.Timestamp) -> str:
    """``20261202T051500.123456Z-1a2b3c4d``: sorts by time (to the microsecond, so two
    publishes within a second still list in order); the random tail keeps them apart."""
    return f"{now:%Y%m%dT%H%M%S.%fZ}-{secrets.token_hex(4)}"


@dataclass(frozen=True)
class Store:
    """A store folder. Reading takes no lock; runs are never rewritten once listed."""

    path: Path

    def __init__(self, path: str | Path = DEFAULT_STORE):
        object.__setattr__(self, "path", Path(path))

    # --- checks ----------------------------------------------------------------------------

    def _check_readable(self) -> None:
        p = self.path
        if not p.exists():
            raise UsageError(f"{p}: no store here yet; `workbench publish --store {p}` makes one")
        self._check_is_store()

    def _check_is_store(self) -> None:
        p = self.path
        if not p.is_dir():
            raise UsageError(f"{p} is a file, not a store folder; give a folder")
        if not (p / RUNS).is_dir() and any(p.iterdir()):
            raise UsageError(
                f"{p} is a folder but not a scoring store (it has no '{RUNS}' folder and is not "
                "empty); give a new or empty folder, or an existing store"
            )

    def create(self) -> None:
        """Make the store's folders (a new or empty folder only); refuse a file, a folder
        of other things or one this user cannot write."""
        p = self.path
        try:
            os.stat(p)
        except (FileNotFoundError, NotADirectoryError):
            pass  # made below, or refused below
        except OSError as exc:  # a link loop, a folder without permission
            raise path_error(exc, p, "cannot use the store folder") from None
        if p.exists():
            self._check_is_store()
        else:
            parent = next((a for a in p.absolute().parents if a.exists()), None)
            if parent is None or not parent.is_dir():
                raise UsageError(f"{p}: cannot make a store folder there")
            try:
                p.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise UsageError(f"{p}: cannot make the store folder ({exc.strerror})") from None
        try:
            (p / RUNS).mkdir(exist_ok=True)
            (p / TMP).mkdir(exist_ok=True)
            (p / LOCK).touch(exist_ok=True)
        except OSError as exc:
            raise UsageError(f"{p}: cannot write to the store ({exc.strerror})") from None
        if not os.access(p, os.W_OK) or not os.access(p / RUNS, os.W_OK):
            raise UsageError(f"{p}: cannot write to the store (permission denied)")

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Exclusive lock on the store for switching ``CURRENT`` or deleting runs."""
        with open(self.path / LOCK, "a") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    # --- reading ---------------------------------------------------------------------------

    def run_ids(self) -> list[str]:
        """Ids of the complete runs, newest first."""
        self._check_readable()
        if not (self.path / RUNS).is_dir():
            return []  # an empty folder: a store with no run yet
        names = [d.name for d in (self.path / RUNS).iterdir() if not d.name.startswith(".")]
        return sorted(names, reverse=True)

    def manifest(self, run_id: str) -> Manifest:
        path = self.path / RUNS / run_id / MANIFEST
        try:
            return Manifest.model_validate_json(path.read_bytes())
        except FileNotFoundError:
            raise UsageError(f"{self.path}: no run '{run_id}'") from None
        except ValidationError as exc:  # invalid JSON too
            raise damaged(path, "manifest", _first_error(exc)) from None

    def runs(self) -> list[Manifest]:
        """The manifests of every run, newest first (a run pruned meanwhile is left out)."""
        out = []
        for run_id in self.run_ids():
            with contextlib.suppress(UsageError):
                out.append(self.manifest(run_id))
        return out

    def current_id(self) -> str | None:
        self._check_readable()
        try:
            text = (self.path / CURRENT).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return text or None

    def current(self) -> Manifest | None:
        """The current run's manifest (None in a store with no run yet)."""
        run_id = self.current_id()
        return self.manifest(run_id) if run_id else None

    def _run(self, run_id: str | None) -> str:
        run_id = run_id or self.current_id()
        if run_id is None:
            raise UsageError(f"{self.path}: no run published yet")
        if not (self.path / RUNS / run_id).is_dir():
            raise UsageError(f"{self.path}: no run '{run_id}'")
        return run_id

    def read_leads(self, run_id: str | None = None) -> pd.DataFrame:
        """The per-lead table of a run (default: the current one), in the leads file's order."""
        run_id = self._run(run_id)
        path = self.path / RUNS / run_id / LEADS
        try:
            table = pq.read_table(path).to_pandas()
        except pa.ArrowInvalid as exc:  # cut short, or not Parquet at all
            raise damaged(path, "leads file", exc) from None
        except OSError as exc:
            if exc.errno is not None:  # refused by the system: said by the CLI as such
                raise
            raise damaged(path, "leads file", exc) from None  # e.g. corrupt compressed pages
        if "lead_row" in table.columns:  # stored best first: back to the file's order
            table = table.sort_values("lead_row", ignore_index=True).drop(columns="lead_row")
        return table

    def read_rejected(self, kind: str = "leads", run_id: str | None = None) -> pd.DataFrame:
        """Rows the data checks set aside (``kind``: leads or activities): the spreadsheet
        row, the reason and the file's own columns, as a data steward fixes them."""
        if kind not in REJECTED:
            raise UsageError(f"kind must be one of {', '.join(REJECTED)}, not {kind!r}")
        run_id = self._run(run_id)
        return pq.read_table(self.path / RUNS / run_id / REJECTED[kind]).to_pandas()

    # --- writing ---------------------------------------------------------------------------

    def staging(self, run_id: str) -> Path:
        """A fresh folder under ``tmp/`` to write a run into before it is made visible."""
        folder = self.path / TMP / run_id
        folder.mkdir()
        return folder

    def commit(self, staged: Path, *, current: bool = True) -> None:
        """Make a staged run visible (one rename) and current (one rename), under the lock.

        ``current=False`` for a run of a past week: listed and compared with, not served.
        """
        for file in staged.iterdir():  # on disk before the rename makes them visible
            fsync_path(file)
        fsync_path(staged)
        with self._locked():
            os.replace(staged, self.path / RUNS / staged.name)
            fsync_path(self.path / RUNS)
            if not current:
                return
            tmp = self.path / TMP / f"{CURRENT}.{staged.name}"
            with open(tmp, "w", encoding="utf-8") as fh:
                fh.write(staged.name + "\n")
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path / CURRENT)
            fsync_path(self.path)

    def clean_staging(self, older_than: float = STALE_STAGING_SECONDS) -> list[str]:
        """Remove what killed publishes left in ``tmp/`` (older than ``older_than`` seconds,
        so a publish still writing is never touched); returns the names removed."""
        folder = self.path / TMP
        if not folder.is_dir():
            return []
        cutoff = time.time() - older_than
        removed = []
        for entry in folder.iterdir():
            try:
                if entry.lstat().st_mtime >= cutoff:
                    continue
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry)
                else:
                    entry.unlink()
            except OSError:
                continue  # gone meanwhile, or not ours to remove: leave it
            removed.append(entry.name)
        return removed

    def prune(self, keep: int) -> list[str]:
        """Delete all but the newest ``keep`` runs, never the current one; returns the ids
        deleted. Each run leaves ``runs/`` by one rename before its files are removed."""
        self._check_readable()
        if keep < 0:
            raise UsageError(f"keep must be at least 0, not {keep}")
        deleted = []
        with self._locked():
            current = self.current_id()
            for run_id in self.run_ids()[keep:]:
                if run_id == current:
                    continue
                trash = self.path / TMP / f"trash-{run_id}-{secrets.token_hex(4)}"
                os.replace(self.path / RUNS / run_id, trash)
                shutil.rmtree(trash, ignore_errors=True)
                deleted.append(run_id)
        return deleted
