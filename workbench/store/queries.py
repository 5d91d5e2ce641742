"""Questions a page asks of one stored run, answered by DuckDB over its Parquet files.

Nothing is loaded up front: a queue page, a count, a lead's card or a chart's bins is one
SQL query that reads only the columns and row groups it needs, so a page over a million
leads opens in a second and costs a kernel tens of megabytes, not gigabytes. Filter
values travel as query parameters, never pasted into SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from workbench.errors import UsageError, WorkbenchError
from workbench.files import path_error
from workbench.model import Model, load_model
from workbench.store.manifest import Manifest
from workbench.store.store import EVENTS, LEADS, MODEL, REJECTED, RUNS, Store, damaged

SEARCHED = ("lead_id", "name", "email", "title", "company")
"""Columns free-text search looks in (those the run has)."""

QUEUE_COLUMNS = (
    "lead_id", "rank", "score", "category", "grade", "name", "title", "company", "email",
    "phone", "owner", "segment", "last_activity", "reasons", "previous_score", "new_top",
    "cold",
)  # fmt: skip
"""What a queue row shows (those the run has)."""

CALL_LIST = ("name", "company", "email", "phone", "owner", "score", "category", "reasons")
"""The export sales asked for: who to call, how to reach them, and why."""


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@dataclass(frozen=True)
class QueueFilter:
    """What a viewer narrowed the queue to (empty: everything)."""

    category: str | None = None
    owner: str | None = None
    segment: str | None = None
    text: str = ""
    only: str | None = None  # "new" (new in the top category) or "cold" (top, going cold)
    lead_id: str | None = None  # one lead: is it among the matches?

    def where(self, columns: frozenset[str]) -> tuple[str, list]:
        """A SQL condition and its parameters."""
        parts, params = ["TRUE"], []
        for col in ("category", "owner", "segment"):
            value = getattr(self, col)
            if value and col in columns:
                parts.append(f"CAST({col} AS VARCHAR) = ?")
                params.append(value)
            elif value:
                parts.append("FALSE")  # a filter on a column this run lacks matches nothing
        if self.only in ("new", "cold"):
            parts.append("new_top" if self.only == "new" else "cold")
        elif self.only:
            raise UsageError(f"only must be 'new' or 'cold', not {self.only!r}")
        if self.lead_id is not None:
            parts.append("lead_id = ?")
            params.append(self.lead_id)
        text = self.text.strip().lower()
        if text and "search" in columns:  # lower-cased once at publishing
            parts.append("contains(search, ?)")
            params.append(text)
        elif text:
            cols = [f"coalesce(CAST({c} AS VARCHAR), '')" for c in SEARCHED if c in columns]
            parts.append(f"contains(lower(concat_ws(' ', {', '.join(cols)})), ?)")
            params.append(text)
        return " AND ".join(parts), params


class StoredRun:
    """One run of a store, read in place. Cheap to open; every method is one query."""

    def __init__(self, store: Store | str | Path, run_id: str | None = None):
        self.store = store if isinstance(store, Store) else Store(store)
        self.run_id = self.store._run(run_id)
        self.manifest: Manifest = self.store.manifest(self.run_id)
        folder = self.store.path / RUNS / self.run_id
        self._folder = folder
        # one thread per page: ten pages share two cores, and each thread's buffers cost
        # a kernel memory; a query over a million leads still answers in tens of ms
        self._con = duckdb.connect(config={"threads": 1, "memory_limit": "128MB"})
        try:
            self._con.execute(
                "CREATE VIEW leads AS SELECT * FROM "
                f"read_parquet({_sql_text(str(folder / LEADS))}, file_row_number = true)"
            )
            self.columns = frozenset(r[0] for r in self._con.execute("DESCRIBE leads").fetchall())
            # the footer's row count: a file cut short or swapped for another shows here
            rows = int(self._con.execute("SELECT count(*) FROM leads").fetchone()[0])
        except duckdb.Error as exc:
            self._con.close()
            raise self._unreadable(folder / LEADS, exc) from None
        if rows != self.manifest.leads:
            self._con.close()
            why = f"{rows:,} leads where the manifest says {self.manifest.leads:,}"
            raise damaged(folder / LEADS, "leads file", why)

    def _unreadable(self, path: Path, exc: duckdb.Error) -> WorkbenchError:
        """Why DuckDB could not open a run's file: pruned meanwhile, refused by the system,
        or damaged (DuckDB's own words, which name no errno)."""
        try:
            with open(path, "rb"):
                pass
        except FileNotFoundError:
            return UsageError(f"{self.store.path}: no run '{self.run_id}'")
        except OSError as os_exc:
            return path_error(os_exc, path, "cannot read the run's file")
        return damaged(path, "leads file", exc)

    def close(self) -> None:
        self._con.close()

    def _df(self, sql: str, params: list | None = None) -> pd.DataFrame:
        return self._con.execute(sql, params or []).df()

    def _cols(self, wanted) -> str:
        return ", ".join(c for c in wanted if c in self.columns)

    @cached_property
    def model(self) -> Model:
        """The model exactly as published (stored with the run)."""
        return load_model(self._folder / MODEL)

    @property
    def categories(self) -> list[str]:
        return list(self.manifest.counts)

    # --- the queue -------------------------------------------------------------------------

    def count(self, f: QueueFilter = QueueFilter()) -> int:
        cond, params = f.where(self.columns)
        return int(
            self._con.execute(f"SELECT count(*) FROM leads WHERE {cond}", params).fetchone()[0]
        )

    def page(
        self,
        f: QueueFilter = QueueFilter(),
        offset: int = 0,
        limit: int = 25,
        total: int | None = None,
    ):
        """Queue rows best first (by the rank stored at publishing).

        With ``total`` (the filter's count), a page in the second half is read from the
        end (worst first, then turned round): the last page of a million leads is then a
        top-25 query, not a sort of everything before it.
        """
        cond, params = f.where(self.columns)
        cols = self._cols(QUEUE_COLUMNS)
        if total is not None and offset > total // 2:
            offset, limit = max(total - offset - limit, 0), max(min(limit, total - offset), 0)
            found = self._df(
                f"SELECT {cols} FROM leads WHERE {cond} ORDER BY rank DESC LIMIT ? OFFSET ?",
                [*params, int(limit), int(offset)],
            )
            return found.iloc[::-1].reset_index(drop=True)
        return self._df(
            f"SELECT {cols} FROM leads WHERE {cond} ORDER BY rank LIMIT ? OFFSET ?",
            [*params, int(limit), int(offset)],
        )

    def call_list(self, f: QueueFilter = QueueFilter()) -> pd.DataFrame:
        """Every matching lead, best first, as a call list (lead id first)."""
        cond, params = f.where(self.columns)
        return self._df(
            f"SELECT {self._cols(('lead_id', *CALL_LIST))} FROM leads WHERE {cond} ORDER BY rank",
            params,
        )

    def values(self, column: str) -> list[str]:
        """Distinct non-empty values of a text column (owners, segments), sorted."""
        if column not in self.columns:
            return []
        rows = self._con.execute(
            f"SELECT DISTINCT CAST({column} AS VARCHAR) AS v FROM leads "
            "WHERE v IS NOT NULL AND v <> '' ORDER BY v"
        ).fetchall()
        return [r[0] for r in rows]

    # --- one lead --------------------------------------------------------------------------

    def lead(self, lead_id: str) -> dict | None:
        """Every stored column of one lead, and ``lead_row`` (its place in the leads
        file) to find its events by; None when the run does not have it."""
        frame = self._df("SELECT * FROM leads WHERE lead_id = ? LIMIT 1", [lead_id])
        if frame.empty:
            return None
        row = frame.iloc[0].to_dict()
        place = row.pop("file_row_number")  # a run stored in the leads file's order
        row["lead_row"] = int(row.get("lead_row", place))
        return row

    def events(self, lead_row: int, limit: int = 10) -> pd.DataFrame:
        """A lead's newest stored events (timestamp, type, activity in words, detail)."""
        path = self._folder / EVENTS
        if not path.exists():
            return pd.DataFrame(columns=["timestamp", "type", "activity", "detail"])
        return self._df(
            "SELECT timestamp, type, activity, detail FROM read_parquet(?) "
            "WHERE lead_row = ? ORDER BY timestamp DESC LIMIT ?",
            [str(path), int(lead_row), int(limit)],
        )

    def trend(self, lead_id: str, runs: int = 12) -> pd.DataFrame:
        """The lead's score and category in the stored runs up to this one (oldest first):
        what sales was shown each time, not a re-computation."""
        mine = pd.Timestamp(self.manifest.as_of)
        past = [m for m in self.store.runs() if pd.Timestamp(m.as_of) <= mine]
        past = sorted(past, key=lambda m: (pd.Timestamp(m.as_of), m.published_at))[-runs:]
        by_path = {str(self.store.path / RUNS / m.run_id / LEADS): m for m in past}
        paths = [p for p in by_path if Path(p).exists()]
        if not paths:
            return pd.DataFrame(columns=["as_of", "score", "category", "run_id"])
        sql = (
            "SELECT filename, score, CAST(category AS VARCHAR) AS category "
            "FROM read_parquet(?, filename = true) WHERE lead_id = ?"
        )
        try:
            found = self._df(sql, [paths, lead_id])
        except duckdb.IOException:  # a run pruned between listing and reading: once more
            paths = [p for p in paths if Path(p).exists()]
            try:
                found = self._df(sql, [paths, lead_id]) if paths else None
            except duckdb.IOException:
                found = None
            if found is None:
                return pd.DataFrame(columns=["as_of", "score", "category", "run_id"])
        found["run_id"] = [by_path[f].run_id for f in found["filename"]]
        found["as_of"] = [pd.Timestamp(by_path[f].as_of) for f in found["filename"]]
        return (
            found.drop(columns="filename")
            .sort_values("as_of", kind="stable")
            .reset_index(drop=True)[["as_of", "score", "category", "run_id"]]
        )

    # --- aggregates for charts -------------------------------------------------------------

    def histogram(self, lo: float, hi: float, bins: int = 50, column: str = "score"):
        """Leads per bin of ``column`` and category (``bin_start``, ``bin_end``, ``category``,
        ``leads``; every bin and category listed): a chart's data, never lead rows."""
        width = (hi - lo) / bins
        found = self._con.execute(
            f"SELECT least(greatest(floor(({column} - ?) / ?), 0), ?)::INT AS b, "
            f"CAST(category AS VARCHAR) AS c, count(*) FROM leads "
            f"WHERE {column} IS NOT NULL AND NOT isnan({column}) GROUP BY ALL",
            [lo, width, bins - 1],
        ).fetchall()
        cats = self.categories
        grid = np.zeros((bins, len(cats)), dtype=np.int64)
        where = {c: i for i, c in enumerate(cats)}
        for b, c, n in found:
            grid[int(b), where[c]] = int(n)
        edges = lo + width * np.arange(bins + 1)
        frame = pd.DataFrame(grid, columns=cats)
        frame.insert(0, "bin_start", edges[:-1])
        frame.insert(1, "bin_end", edges[1:])
        return frame.melt(["bin_start", "bin_end"], var_name="category", value_name="leads")

    def matrix(self) -> pd.DataFrame:
        """Leads per fit grade × engagement level (inquiries left out); empty without them."""
        if not {"grade", "engagement_level"} <= self.columns:
            return pd.DataFrame({"grade": [], "level": [], "leads": []})
        inquiry = self.categories[-1]
        found = self._df(
            "SELECT CAST(grade AS VARCHAR) AS grade, CAST(engagement_level AS VARCHAR) AS level,"
            " count(*) AS leads FROM leads WHERE CAST(category AS VARCHAR) <> ? "
            "AND grade IS NOT NULL AND engagement_level IS NOT NULL GROUP BY ALL",
            [inquiry],
        )
        model = self.model
        grades = [b.name for b in model.fit_grade.levels] if model.fit_grade else []
        levels = [b.name for b in model.engagement_levels.levels] if model.engagement_levels else []
        full = pd.MultiIndex.from_product([grades, levels], names=["grade", "level"])
        counts = found.set_index(["grade", "level"])["leads"].reindex(full, fill_value=0)
        return counts.reset_index()

    def conversion(self) -> pd.DataFrame | None:
        """Leads, known outcomes and conversions per category (None without outcomes)."""
        if "converted" not in self.columns:
            return None
        found = self._df(
            "SELECT CAST(category AS VARCHAR) AS category, count(*) AS leads, "
            "count(converted) FILTER (WHERE NOT isnan(converted)) AS known, "
            "sum(converted) FILTER (WHERE NOT isnan(converted)) AS converted "
            "FROM leads GROUP BY ALL"
        )
        out = found.set_index("category").reindex(self.categories)
        if not out["known"].fillna(0).sum():
            return None
        return out.fillna(0).astype({"leads": int, "known": int, "converted": int})

    # --- the stored report (``workbench report --store``) ------------------------------------
    # Aggregates the report needs, each one query: a report over a million leads reads a few
    # columns and returns small tables, never the leads themselves.

    def best(self, n: int) -> pd.DataFrame:
        """The ``n`` best leads of the sales categories (inquiries left out), by stored rank."""
        return self._df(
            f"SELECT {self._cols(QUEUE_COLUMNS)} FROM leads "
            "WHERE CAST(category AS VARCHAR) <> ? ORDER BY rank LIMIT ?",
            [self.categories[-1], int(n)],
        )

    def by_owner(self) -> pd.DataFrame:
        """Per owner and category: ``leads``, ``new_top``, ``cold`` and, with outcomes,
        ``known`` and ``converted`` (long form; owner None where a lead has none). Empty
        when the run has no owner column."""
        cols = ["owner", "category", "leads", "new_top", "cold", "known", "converted"]
        if "owner" not in self.columns:
            return pd.DataFrame(columns=cols)
        flag = {f: f if f in self.columns else "FALSE" for f in ("new_top", "cold")}
        outcome = (
            "count(converted) FILTER (WHERE NOT isnan(converted)) AS known, "
            "coalesce(sum(converted) FILTER (WHERE NOT isnan(converted)), 0) AS converted"
            if "converted" in self.columns
            else "0 AS known, 0 AS converted"
        )
        found = self._df(
            "SELECT nullif(trim(CAST(owner AS VARCHAR)), '') AS owner, "
            "CAST(category AS VARCHAR) AS category, count(*) AS leads, "
            f"count(*) FILTER (WHERE {flag['new_top']}) AS new_top, "
            f"count(*) FILTER (WHERE {flag['cold']}) AS cold, {outcome} "
            "FROM leads GROUP BY ALL"
        )
        return found.astype({c: "int64" for c in cols[2:]})[cols]

    def rejected_file(self, kind: str) -> Path:
        """Where the rows the data checks set aside are stored (``kind``: leads or
        activities): the file a data steward downloads."""
        if kind not in REJECTED:
            raise UsageError(f"kind must be one of {', '.join(REJECTED)}, not {kind!r}")
        return self._folder / REJECTED[kind]

    def rejected_reasons(self, kind: str) -> pd.DataFrame:
        """Rows set aside per reason (``reason``, ``rows``), most first."""
        path = self.rejected_file(kind)
        if not path.exists():
            return pd.DataFrame({"reason": pd.Series([], dtype="str"), "rows": []})
        return self._df(
            "SELECT CAST(reason AS VARCHAR) AS reason, count(*) AS rows FROM read_parquet(?) "
            "GROUP BY ALL ORDER BY rows DESC, reason",
            [str(path)],
        )

    def previous(self) -> StoredRun | None:
        """The run this one was compared with when it was published (None: there was none,
        or it has been pruned since)."""
        run_id = self.manifest.previous_run
        if run_id is None or not (self.store.path / RUNS / run_id / LEADS).exists():
            return None
        try:
            return StoredRun(self.store, run_id)
        except (UsageError, duckdb.IOException):  # pruned between the check and the open
            return None
