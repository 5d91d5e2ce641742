"""Load leads and activities, check them, and set bad rows aside with a report.

Activities are kept compact for tens of millions of events: the lead as an int32 position
in the leads table, the timestamp, and type/detail as categoricals.
"""

from __future__ import annotations

import dataclasses
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workbench.data.checks import DataReport, issues_frame
from workbench.data.tables import (
    NO_RAGGED,
    RaggedRows,
    read_arrow,
    read_frame,
    sheet_note,
)
from workbench.errors import DataError, Problem, column_hint
from workbench.model.rules import normalize_activity_type
from workbench.model.spec import ActivityColumns, DataMapping, Model

TRUE_WORDS = {"1", "true", "yes", "y", "t", "won", "converted", "closed won", "1.0"}
FALSE_WORDS = {"0", "false", "no", "n", "f", "lost", "not converted", "closed lost", "0.0"}


NEVER = np.iinfo(np.int64).min
"""An instant as int64 nanoseconds that never happened: a lead with no creation date."""
DAY_NS = 86_400 * 10**9


def created_after(created_ns: np.ndarray, instant: pd.Timestamp | int) -> np.ndarray:
    """Which leads did not exist yet at ``instant``, from creation instants as
    :meth:`LeadData.created_ns` gives them (in any row order).

    The one answer to "a lead with no creation date": it has always existed, so it is never
    created after anything. A queue as of a past date lists it, the as-of warning does not
    count it and a backtest lets it take part.
    """
    return (created_ns != NEVER) & (created_ns > pd.Timestamp(instant).value)


@dataclass(eq=False)
class FileFacts:
    """Facts about lead columns decided once on the whole leads file, shared by its subsets.

    The one thing about loaded data that may change, and why: a fact (the day/month order
    of a column's text dates) is decided the first time a rule needs it — reading it scans
    the column, and most columns never need it — and is then fixed. :meth:`LeadData.narrowed`
    hands the same facts to every subset, so a lead scores the same alone as in the queue.
    """

    day_first: dict[str, bool] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class LeadData:
    """Checked leads (indexed by lead id) and activities, plus what loading found."""

    leads: pd.DataFrame
    activities: pd.DataFrame
    mapping: DataMapping
    report: DataReport
    files: dict[str, str] = field(default_factory=dict)
    root: LeadData | None = field(default=None, repr=False, compare=False)
    """The data this is a subset of: lead-column facts (a date column's day/month order)
    are decided on the whole file, so a lead scores the same alone as in the queue."""
    id_in_file: str | None = field(default=None, kw_only=True)
    """The lead id column as the file spells it ('Lead ID' for a mapping's ``lead_id``)."""
    facts: FileFacts = field(default_factory=FileFacts, repr=False, compare=False, kw_only=True)

    @property
    def n_leads(self) -> int:
        return len(self.leads)

    @property
    def id_column(self) -> str:
        """The lead id column's name as the file spells it (loading forgives case, spaces
        and aliases): what files written back and profiles call it."""
        return self.id_in_file or self.mapping.lead_id

    def created_ns(self) -> np.ndarray:
        """When each lead was created (leads-file order) as int64 ns; :data:`NEVER` where
        unknown, or for every lead when the leads have no created-at column.

        The one reading of the created-at instant: inactivity rules count quiet days from
        it, and a past scoring leaves out the leads created after it.
        """
        col = self.mapping.created_at
        leads = self.leads
        if (
            not col
            or col not in leads.columns
            or not pd.api.types.is_datetime64_any_dtype(leads[col])
        ):
            return np.full(self.n_leads, NEVER, dtype=np.int64)
        stamps = leads[col].to_numpy(dtype="datetime64[ns]")
        return np.where(np.isnat(stamps), NEVER, stamps.view(np.int64))

    def newest_created(self) -> pd.Timestamp | None:
        """When the newest lead was created (None when no lead has a creation date)."""
        born = self.created_ns()
        known = born[born != NEVER]
        return pd.Timestamp(known.max()) if known.size else None

    def day_first(self, column: str) -> bool | None:
        """Whether the text dates of a lead column are day first, decided on the whole file
        (None for a column already parsed)."""
        col = (self.root or self).leads[column]
        if pd.api.types.is_datetime64_any_dtype(col):
            return None
        if column not in self.facts.day_first:
            self.facts.day_first[column] = date_order(col).day_first
        return self.facts.day_first[column]

    def narrowed(self, leads: pd.DataFrame, activities: pd.DataFrame) -> LeadData:
        """Other rows of the same files (a subset, a fold): facts stay those of the whole."""
        return LeadData(
            leads,
            activities,
            self.mapping,
            self.report,
            self.files,
            self.root or self,
            id_in_file=self.id_in_file,
            facts=self.facts,
        )

    @cached_property
    def _events_by_lead(self) -> tuple[np.ndarray, np.ndarray]:
        """Activity positions grouped by lead, and where each lead's group starts.

        Built once (a stable counting sort, ~1 s for 20 M events) so a lead card or a
        lead's history finds its events without scanning every event again.
        """
        idx = self.activities["lead_idx"].to_numpy()
        order = np.argsort(idx, kind="stable")
        starts = np.zeros(self.n_leads + 1, dtype=np.int64)
        np.cumsum(np.bincount(idx, minlength=self.n_leads), out=starts[1:])
        return order, starts

    def event_positions(self, positions: np.ndarray) -> np.ndarray:
        """Row positions in ``activities`` of the events of leads at these positions."""
        order, starts = self._events_by_lead
        positions = np.asarray(positions, dtype=np.int64)
        lo, n = starts[positions], starts[positions + 1] - starts[positions]
        # each lead's run of the grouped order, all runs at once (no loop over leads)
        first = np.repeat(lo - (np.cumsum(n) - n), n)
        return np.sort(order[first + np.arange(int(n.sum()))])

    def _positions(self, lead_ids) -> np.ndarray:
        ids = list(lead_ids)
        pos = self.leads.index.get_indexer(pd.Index(ids, dtype="str"))
        if (pos < 0).any():
            missing = [lid for lid, p in zip(ids, pos, strict=True) if p < 0]
            raise KeyError(f"unknown lead ids: {missing[:5]}")
        return pos

    def activities_of(self, lead_id: str) -> pd.DataFrame:
        """One lead's events, newest first (for timelines and hypothetical checks)."""
        try:
            pos = self._positions([lead_id])
        except KeyError:
            raise KeyError(lead_id) from None
        acts = self.activities.iloc[self.event_positions(pos)]
        return acts.drop(columns="lead_idx").sort_values("timestamp", ascending=False)

    def subset(self, lead_ids) -> LeadData:
        """The same data for a few leads only: cheap what-ifs (a lead's score history).

        Scores computed on a subset equal those of the full data: no rule looks across
        leads. The report is shared, not recomputed.
        """
        pos = self._positions(lead_ids)
        events = self.event_positions(pos)
        new_idx = np.full(self.n_leads, -1, dtype=np.int32)
        new_idx[pos] = np.arange(len(pos), dtype=np.int32)
        acts = self.activities.iloc[events]
        acts = acts.assign(lead_idx=new_idx[acts["lead_idx"].to_numpy()])
        return self.narrowed(self.leads.iloc[pos], acts)


MODEL_HINT = "Name the right column in the model's 'data:' section."


def _find_column(
    columns,
    wanted: str,
    what: str,
    file: str,
    aliases=(),
    default: str | None = None,
    hint: str = MODEL_HINT,
) -> str:
    """The column named ``wanted``, forgiving case and spaces.

    Common aliases ('Lead ID', 'id') are tried only while the mapping is at its default:
    a column the user named explicitly must exist, never silently be replaced by another.
    ``hint`` ends the error and says where the name came from (the model's ``data:``
    section by default; a command-line option such as ``--id`` for ``workbench profile``).
    """
    if wanted in columns:
        return wanted

    def key(s: str) -> str:
        return re.sub(r"[\s_\-]+", "", str(s).casefold())

    by_key = {key(c): c for c in columns}
    for candidate in (wanted, *(aliases if wanted == default else ())):
        if key(candidate) in by_key:
            return by_key[key(candidate)]
    raise DataError(
        [
            Problem(
                f"column '{wanted}'",
                f"the {what} column is missing."
                + column_hint(wanted, columns)
                + (f" {hint}" if hint else ""),
            )
        ],
        file,
    )


CLEAN_CELLS = 1 << 20  # cells per Arrow pass: a tall column alone, many short ones together


def _clean_texts(
    frame: pd.DataFrame, placeholders: frozenset[str]
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Every text column stripped, with placeholders ('Select', 'N/A', '') made missing;
    and how many placeholders each column had.

    Arrow string kernels over whole columns (a million rows take milliseconds per
    column), with a wide file's short columns joined into one array per pass, and the
    frame built once: assigning columns one by one costs time in the number of columns
    each, quadratic on a file 100,000 columns wide.
    """
    n = len(frame)
    columns = [col for _, col in frame.items()]
    text = [
        i
        for i, col in enumerate(columns)
        if pd.api.types.is_string_dtype(col) or pd.api.types.is_object_dtype(col)
    ]
    counts = np.zeros(len(columns), dtype=np.int64)
    if not text:
        return frame, dict(zip(map(str, frame.columns), counts.tolist(), strict=True))
    others = sorted(set(range(len(columns))) - set(text))  # numbers, dates: left as they are
    value_set = pa.array(sorted(placeholders), pa.large_string())
    as_text = pd.api.types.pandas_dtype("str")
    as_str = {pa.large_string(): as_text}.get
    per_pass = max(1, CLEAN_CELLS // max(n, 1))
    parts: list[pd.DataFrame | pd.Series] = [columns[i] for i in others]
    for start in range(0, len(text), per_pass):
        group = text[start : start + per_pass]
        arrays = [
            pa.array(
                columns[i] if columns[i].dtype == as_text else columns[i].astype(as_text),
                type=pa.large_string(),
                from_pandas=True,
            )
            for i in group
        ]  # an Array or, for a column held in Arrow chunks, a ChunkedArray
        # one contiguous array: slicing a column back out of many chunks costs their number
        chunks = [c for a in arrays for c in _chunks(a)]
        whole = pa.concat_arrays(chunks) if chunks else pa.array([], pa.large_string())
        trimmed = pc.utf8_trim_whitespace(whole)
        is_ph = pc.or_(
            pc.is_in(pc.utf8_lower(trimmed), value_set=value_set), pc.equal(trimmed, "")
        ).fill_null(False)
        flags = is_ph.to_numpy(zero_copy_only=False).reshape(len(group), n)
        counts[group] = flags.sum(axis=1)
        cleaned = pc.if_else(is_ph, pa.scalar(None, pa.large_string()), trimmed)
        names = [str(i) for i in group]
        table = pa.table([cleaned.slice(j * n, n) for j in range(len(group))], names=names)
        parts.append(table.to_pandas(types_mapper=as_str).set_axis(frame.index))
    out = pd.concat(parts, axis=1, ignore_index=True) if len(parts) > 1 else parts[0]
    if others:  # back in the file's order
        out = out.iloc[:, np.argsort(others + text, kind="stable")]
    out = out.set_axis(frame.columns, axis=1)
    return out, dict(zip(map(str, frame.columns), counts.tolist(), strict=True))


# a date written with numbers, day or month first: 12/05/2026, 12.05.2026 14:30, 5-6-26
NUMERIC_DATE = r"^\s*(?P<first>\d{1,2})[/.\-](?P<second>\d{1,2})[/.\-](?P<year>\d{4}|\d{2})(?:$|\D)"
# what Arrow's fast strptime reads
ARROW_DIRECTIVES = {"%d", "%m", "%Y", "%H", "%M", "%S", "%I", "%p"}
NS_YEARS = (1678, 2261)  # the years a datetime64[ns] can hold


def parse_dates(values: pd.Series, day_first: bool | None = None) -> pd.Series:
    """Dates/timestamps from text: ISO fast path, then common spreadsheet formats.

    Dates written with numbers (``12/05/2026``, ``12.05.2026 14:30``) are read day first
    or month first for the whole column, as its values show: a first number above 12
    (13/05/2026) means day first, a second one above 12 (05/13/2026) month first; a
    column with neither is read month first. Values that contradict the column's order
    are not guessed at: they come back missing, so loading reports them as unreadable.
    ``day_first`` imposes the order (decided on a whole file when ``values`` are a part).

    >>> parse_dates(pd.Series(["12/05/2026", "25/12/2026"])).dt.month.tolist()
    [5, 12]
    """
    if pd.api.types.is_datetime64_any_dtype(values):
        out = values
    else:
        # utc=True: offsets that differ (summer/winter time) all land on one clock; text
        # without an offset is taken as already in that clock and comes back unchanged
        text = values.astype("str")
        probe = text.iloc[:: max(1, len(text) // 1000)].dropna()  # ~1000 spread out
        probe = probe[probe.str.strip() != ""]
        iso = pd.to_datetime(probe, errors="coerce", format="ISO8601", utc=True)
        if len(probe) and iso.isna().all():
            out = _parse_other_dates(text, day_first)  # no ISO at the top: skip a full ISO pass
        else:
            # cache=False: pandas caches when the first values repeat (blank cells at the
            # top), which makes a column of distinct timestamps ten times slower
            iso_all = pd.to_datetime(text, errors="coerce", format="ISO8601", utc=True, cache=False)
            out = _as_ns(iso_all)
            retry = out.isna() & text.notna()
            if retry.any():
                out[retry] = _parse_other_dates(text[retry], day_first)
    if getattr(out.dt, "tz", None) is not None:
        out = out.dt.tz_convert("UTC").dt.tz_localize(None)
    out = _as_ns(out)
    return out if pd.api.types.is_datetime64_any_dtype(values) else _without_dayless(text, out)


# a day in words needs a month's name; English only, as the parser reads English only
MONTH_NAME = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"


def names_a_day(text: pd.Series) -> np.ndarray:
    """Whether each value names a day (year, month and day), as a date must.

    Three numbers (2026-10-03, 3.10.26 14:30), two and a month's name (3 Oct 2026), or
    eight digits together (20261003). 'now', 'today', '2026', 'Oct 2026' and '2026-10'
    name no day: parsers read them as an instant or a month's first day, which would score
    a lead as of a day nobody wrote. Arrow regexes, one pass each.

    >>> names_a_day(pd.Series(["3 Oct 2026", "Oct 2026", "today", "20261003"])).tolist()
    [True, False, False, True]
    """
    arr = pa.array(text.astype("str"), type=pa.large_string(), from_pandas=True)

    def flag(values: pa.Array) -> np.ndarray:
        return values.fill_null(False).to_numpy(zero_copy_only=False)

    numbers = pc.count_substring_regex(arr, r"\d+").fill_null(0).to_numpy(zero_copy_only=False)
    month = flag(pc.match_substring_regex(arr, MONTH_NAME, ignore_case=True))
    compact = flag(pc.match_substring_regex(arr, r"\d{8}"))
    return (numbers >= 3) | ((numbers >= 2) & month) | compact


def _without_dayless(text: pd.Series, stamps: pd.Series) -> pd.Series:
    """``stamps`` with those read from text that names no day made missing (reported as
    unparseable). Only stamps such text can give are checked — the first of a month at
    midnight ('2026', 'Oct 2026') or about now ('now', 'today') — so a column of real
    timestamps costs a few NumPy passes, not a regex over every value."""
    ns = stamps.to_numpy(dtype="datetime64[ns]").view(np.int64)
    known = ns != NEVER  # NaT
    now = pd.Timestamp.now(tz="UTC").value
    suspect = known & ((ns % DAY_NS == 0) | (np.abs(ns - now) < 2 * DAY_NS))
    if suspect.any():  # of midnights, only a month's first day
        pos = np.flatnonzero(suspect)
        near_now = np.abs(ns[pos] - now) < 2 * DAY_NS
        suspect[pos[~near_now & (stamps.iloc[pos].dt.day.to_numpy() != 1)]] = False
    if suspect.any():
        pos = np.flatnonzero(suspect)
        dayless = pos[~names_a_day(text.iloc[pos])]
        if len(dayless):
            stamps = stamps.copy()
            stamps.iloc[dayless] = pd.NaT
    return stamps


def _as_ns(stamps: pd.Series) -> pd.Series:
    """Timestamps in nanoseconds; those a datetime64[ns] cannot hold (0001-01-01, a
    placeholder some CRMs write) become missing instead of failing the whole column."""
    tz = getattr(stamps.dt, "tz", None)
    lo = pd.Timestamp(f"{NS_YEARS[0]}-01-01", tz=tz)
    hi = pd.Timestamp(f"{NS_YEARS[1]}-12-31", tz=tz)
    return stamps.where((stamps >= lo) & (stamps <= hi)).dt.as_unit("ns")


@dataclass(frozen=True)
class DateOrder:
    """Day or month first, as the numeric dates of one column show.

    ``first``/``second``/``year`` are each value's numbers (0 where the value is not
    written d/m/y or m/d/y, year 0 for a 2-digit year); ``wrong`` marks values that
    contradict the column's order.
    """

    day_first: bool
    first: np.ndarray
    second: np.ndarray
    year: np.ndarray
    day_votes: int
    month_votes: int

    @property
    def numeric(self) -> np.ndarray:
        return self.first > 0

    @property
    def wrong(self) -> np.ndarray:
        return self.numeric & ((self.second if self.day_first else self.first) > 12)


def date_order(values: pd.Series) -> DateOrder:
    """Whether the dates written with numbers in ``values`` are day first.

    The order is the one most values show (a first number above 12 means day first, a
    second one month first); with no evidence either way, month first. Vectorised (an
    Arrow regex), so it costs little on tens of millions of events.

    >>> date_order(pd.Series(["01/02/2026", "13/02/2026"])).day_first
    True
    """
    arr = pa.array(values.astype("str"), type=pa.large_string(), from_pandas=True)
    parts = pc.extract_regex(arr, NUMERIC_DATE)

    def number(name: str) -> np.ndarray:
        field = pc.struct_field(parts, name)
        if name == "year":  # a 2-digit year is left to the slow path
            field = pc.if_else(pc.equal(pc.utf8_length(field), 4), field, None)
        return pc.cast(field, pa.int16()).fill_null(0).to_numpy(zero_copy_only=False)

    first, second, year = number("first"), number("second"), number("year")
    day_votes = int(((first > 12) & (second <= 12)).sum())
    month_votes = int(((second > 12) & (first > 0) & (first <= 12)).sum())
    return DateOrder(day_votes > month_votes, first, second, year, day_votes, month_votes)


def _parse_other_dates(text: pd.Series, day_first: bool | None = None) -> pd.Series:
    """Non-ISO text as UTC timestamps; d/m/y vs m/d/y decided per column (see parse_dates)."""
    order = date_order(text)
    if day_first is not None and day_first != order.day_first:
        order = dataclasses.replace(order, day_first=day_first)
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns, UTC]")
    readable = order.numeric & ~order.wrong
    if readable.any():
        out[readable] = _parse_numeric_dates(text[readable], order, readable)
    other = ~order.numeric & text.notna().to_numpy()
    if other.any():
        rest = text[other]
        iso = pd.to_datetime(rest, errors="coerce", format="ISO8601", utc=True, cache=False)
        parsed = _as_ns(iso)
        left = parsed.isna().to_numpy()
        left = left & names_a_day(rest)  # '3 Oct' alone would be this year's, 'Tuesday' this week's
        if left.any():  # month names, year first with slashes...: read one by one
            mixed = pd.to_datetime(rest[left], errors="coerce", format="mixed", utc=True)
            parsed[left] = _as_ns(mixed)
        out[other] = parsed
    return out


def _parse_numeric_dates(text: pd.Series, order: DateOrder, rows: np.ndarray) -> pd.Series:
    """d/m/y (or m/d/y) text: one Arrow pass per layout the column uses; the rest one by one.

    The layouts (with or without a time, seconds, 2-digit years …) are guessed from ~50
    values spread over the column, most common first, and each is applied with Arrow's
    strptime to what is still unread (a million values in ~50 ms). Arrow rolls an
    impossible date over (31/02 -> 3 March), so each result is checked against the
    value's own day, month and year. Only values in none of those layouts are parsed one
    by one.
    """
    from pandas.tseries.api import guess_datetime_format

    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns, UTC]")
    if not len(text):
        return out
    probe = text.iloc[:: max(1, len(text) // 50)].str.strip()
    guesses = pd.Series([guess_datetime_format(v, dayfirst=order.day_first) for v in probe])
    formats = [
        f
        for f in guesses.dropna().value_counts().index
        if (f.find("%d") < f.find("%m")) == order.day_first  # not read the other way round
        and set(re.findall(r"%.", f)) <= ARROW_DIRECTIVES
    ]
    day, month = (order.first, order.second) if order.day_first else (order.second, order.first)
    day, month, year = day[rows], month[rows], order.year[rows]
    arr = pa.array(text, type=pa.large_string(), from_pandas=True)
    todo = np.ones(len(text), dtype=bool)
    for fmt in formats:
        parsed = pc.strptime(arr, format=fmt, unit="s", error_is_null=True)
        years = pc.year(parsed).fill_null(0).to_numpy(zero_copy_only=False)
        ok = (
            todo
            & (pc.day(parsed).fill_null(0).to_numpy(zero_copy_only=False) == day)
            & (pc.month(parsed).fill_null(0).to_numpy(zero_copy_only=False) == month)
            & (years == year)
            & (years >= NS_YEARS[0])
            & (years <= NS_YEARS[1])
        )
        if ok.any():
            stamps = parsed.to_numpy(zero_copy_only=False)
            out[ok] = pd.to_datetime(stamps[ok], utc=True).as_unit("ns")
            todo &= ~ok
        if not todo.any():
            break
    if todo.any():  # another layout still (AM/PM, 2-digit year …): one by one
        out[todo] = _as_ns(
            pd.to_datetime(
                text[todo], errors="coerce", format="mixed", dayfirst=order.day_first, utc=True
            )
        )
    return out


ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$")
YEAR_FIRST_DATE = re.compile(r"^(\d{4})(?:([/.])(\d{1,2})\2(\d{1,2})|(\d{2})(\d{2}))$")
NUMERIC_TYPED_DATE = re.compile(r"^(\d{1,2})([/.\-])(\d{1,2})\2(\d{2}|\d{4})$")


TYPED_DATES = ("1900-01-01", "2200-12-31")
"""The days a person may type as a date: a lead scoring as of 0001-01-01 or 9999-12-31 is
a slip, and nanosecond timestamps (what data is held in) end in 2262."""


def read_date(value, where: str = "as_of") -> pd.Timestamp:
    """One date a person typed (``--as-of``): YYYY-MM-DD or an ISO timestamp, or a day and
    month in either order when only one reading exists (25/12/2026, 12/25/2026), between
    :data:`TYPED_DATES`.

    03/10/2026 is refused: it is 3 October in most of the world and March 10 in the US,
    and a wrong guess scores every lead as of the wrong day without a word.

    >>> read_date("25.12.2026")
    Timestamp('2026-12-25 00:00:00')
    """
    stamp = _read_typed_date(value, where)
    if isinstance(value, str):
        first, last = (pd.Timestamp(d) for d in TYPED_DATES)
        day = stamp.tz_convert(None) if stamp.tzinfo is not None else stamp
        if not first <= day.normalize() <= last:
            raise DataError(
                [
                    Problem(
                        where,
                        f"'{value.strip()}' is out of range; use a date from {TYPED_DATES[0]} "
                        f"to {TYPED_DATES[1]} (YYYY-MM-DD)",
                    )
                ]
            )
    return stamp


def _read_typed_date(value, where: str) -> pd.Timestamp:
    if not isinstance(value, str):
        try:
            stamp = pd.Timestamp(value)
        except (ValueError, TypeError):
            stamp = pd.NaT
        if pd.isna(stamp):
            raise DataError([Problem(where, f"'{value}' is not a date; use YYYY-MM-DD")])
        return stamp
    text = value.strip()
    if not text:
        raise DataError([Problem(where, "no date given; use YYYY-MM-DD")])
    not_a_date = Problem(where, f"'{text}' is not a date; use YYYY-MM-DD, e.g. 2026-09-30")
    not_in_calendar = Problem(where, f"'{text}' is not a calendar date (YYYY-MM-DD)")
    if m := ISO_DATE.match(text):
        if _calendar_date(int(m[1]), int(m[2]), int(m[3])) is None:
            raise DataError([not_in_calendar])
        try:
            return pd.Timestamp(text)
        except ValueError:
            raise DataError([not_a_date]) from None
    if m := YEAR_FIRST_DATE.match(text):  # 2026/06/10, 2026.06.10, 20260610: one reading
        month, day = (int(m[3]), int(m[4])) if m[2] else (int(m[5]), int(m[6]))
        stamp = _calendar_date(int(m[1]), month, day)
        if stamp is None:
            raise DataError([not_in_calendar])
        return stamp
    if m := NUMERIC_TYPED_DATE.match(text):
        first, second, year = int(m[1]), int(m[3]), m[4]
        if len(year) == 2 or (first > 12 and second > 12):
            raise DataError([not_a_date])
        readings = {
            order: stamp
            for day, month, order in ((first, second, "day first"), (second, first, "month first"))
            if (stamp := _calendar_date(int(year), month, day)) is not None
        }
        if not readings:
            raise DataError([not_in_calendar])
        if len(set(readings.values())) > 1:
            dm, md = readings["day first"], readings["month first"]
            raise DataError(
                [
                    Problem(
                        where,
                        f"'{text}' can be read two ways: {dm.day} {dm:%B %Y} (day first) or "
                        f"{md:%B} {md.day}, {md.year} (month first); write it as YYYY-MM-DD: "
                        f"{dm:%Y-%m-%d} or {md:%Y-%m-%d}",
                    )
                ]
            )
        return next(iter(readings.values()))
    # a month name with a year (3 Oct 2026) reads one way only; without a year it would be
    # this year's, silently
    if (
        re.search(r"[A-Za-z]{3}", text)
        and re.search(r"\b\d{4}\b", text)
        and names_a_day(pd.Series([text]))[0]  # 'Oct 2026' names a month, not a day
    ):
        try:
            return pd.Timestamp(text)
        except ValueError:
            pass
    raise DataError([not_a_date])


def _calendar_date(year: int, month: int, day: int) -> pd.Timestamp | None:
    try:
        return pd.Timestamp(year, month, day)
    except ValueError:
        return None


def parse_outcome(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Yes/No, true/false, 1/0 → boolean; returns the positions that could not be read."""
    if pd.api.types.is_bool_dtype(values):
        return values.astype("boolean"), np.array([], dtype=np.int64)
    text = values.astype("str").str.strip().str.casefold()
    out = pd.Series(pd.NA, index=values.index, dtype="boolean")
    out[text.isin(TRUE_WORDS)] = True
    out[text.isin(FALSE_WORDS)] = False
    bad = np.flatnonzero((out.isna() & text.notna()).to_numpy())
    return out, bad


def _with_sheet(hint: str, table) -> str:
    """The hint, after which sheet of a workbook was read (a column missing there may be
    on another sheet)."""
    note = sheet_note(table)
    return f"{note} {hint}" if note else hint


def _row_id_column(columns, name: str, file: str, hint: str) -> str:
    """The column the row numbers go in (``row_ids``): never one of the file's, whose
    values the numbers would hide (or which holds the ids the numbers stand in for)."""
    try:
        found = _find_column(columns, name, "lead id", file, hint="")
    except DataError:
        return name
    raise DataError(
        [
            Problem(
                f"column '{found}'",
                f"the file has a column '{found}', and its lead ids are row numbers (row ids) "
                f"put in a column '{name}', which would hide it. If '{found}' holds the lead "
                "ids, name it as the lead id column instead of numbering the rows; if not, "
                "rename it in the file." + (f" {hint}" if hint else ""),
            )
        ],
        file,
    )


def _load_leads(
    source, mapping: DataMapping, report: DataReport, hint: str = MODEL_HINT
) -> tuple[pd.DataFrame, str]:
    """The checked leads, and the id column as the file spells it."""
    file = str(source) if not isinstance(source, pd.DataFrame) else "leads"
    raw, ragged = (
        (source.copy(), NO_RAGGED) if isinstance(source, pd.DataFrame) else read_frame(source)
    )
    hint = _with_sheet(hint, raw)
    raw = raw.reset_index(drop=True)
    if mapping.row_ids:
        id_col = _row_id_column(raw.columns, mapping.lead_id, file, hint)
    else:
        id_col = _find_column(
            raw.columns,
            mapping.lead_id,
            "lead id",
            file,
            aliases=("lead id", "id", "prospect id"),
            default=DataMapping().lead_id,
            hint=hint,
        )
    rows = ragged.rows_of(np.arange(len(raw)))
    placeholders = frozenset(p.casefold() for p in mapping.placeholders)
    raw, report.placeholders[file] = _clean_texts(raw, placeholders)

    # row numbers as ids: counted as records (ragged rows too), so each is the row a
    # spreadsheet shows; kept beside the file's columns, never among them
    ids = id_text(pd.Series(rows, index=raw.index) if mapping.row_ids else raw[id_col])
    reason = pd.Series(pd.NA, index=raw.index, dtype="str")
    blank = raw.isna().all(axis=1).to_numpy()  # an empty line: reported, not a lead
    where = ROW if mapping.row_ids else id_col
    report.add(issues_frame(file, rows[blank], where, "blank_row", ids[blank], "ignored"))
    missing = ids.isna().to_numpy() & ~blank
    report.add(issues_frame(file, rows[missing], id_col, "missing_id", ids[missing], "set aside"))
    reason[missing] = "missing_id"
    dup = (ids.duplicated(keep="first") & ~ids.isna()).to_numpy()
    report.add(issues_frame(file, rows[dup], id_col, "duplicate_id", ids[dup], "set aside"))
    reason[dup] = "duplicate_id"

    bad = missing | dup | blank
    rejected = set_aside(raw[missing | dup], rows[missing | dup], reason[missing | dup])
    report.rejected_leads = _with_ragged(rejected, ragged, file, report)

    leads = raw[~bad].copy()
    leads_rows = rows[~bad]
    leads.index = pd.Index(ids[~bad].to_numpy(), name="lead_id", dtype="str")
    if not mapping.row_ids:
        leads = leads.drop(columns=[id_col])

    for col in (mapping.created_at, mapping.outcome_date):
        if col and col in leads.columns:
            parsed = parse_dates(leads[col])
            bad_dates = (parsed.isna() & leads[col].notna()).to_numpy()
            report.add(
                issues_frame(
                    file,
                    leads_rows[bad_dates],
                    col,
                    "unparseable_date",
                    leads[col][bad_dates],
                    "treated as missing",
                )
            )
            leads[col] = parsed
    if mapping.outcome and mapping.outcome in leads.columns:
        parsed, bad_pos = parse_outcome(leads[mapping.outcome])
        report.add(
            issues_frame(
                file,
                leads_rows[bad_pos],
                mapping.outcome,
                "unparseable_outcome",
                leads[mapping.outcome].iloc[bad_pos],
                "treated as unknown",
            )
        )
        leads[mapping.outcome] = parsed
    report.counts.update(
        leads_read=len(raw) + len(ragged),
        leads_kept=len(leads),
        leads_rejected=int(bad.sum()) + len(ragged),
    )
    return leads, str(id_col)


ROW = "(whole row)"  # the column of a problem with a row as a whole
SET_ASIDE_KEYS = ("row", "reason")
"""The two leading columns of a table of rows set aside; the file's own columns follow."""


def set_aside(values: pd.DataFrame, rows, reasons) -> pd.DataFrame:
    """Rows set aside: their row number and reason, then the file's columns as read.

    A file column named ``row`` or ``reason`` keeps its values under ``row (in file)``:
    the table's own two keys come first, and a data steward still sees every field.
    """
    taken = set(SET_ASIDE_KEYS)
    names = []
    for c in values.columns:
        name = c
        while name in taken:
            name = f"{name} (in file)"
        taken.add(name)
        names.append(name)
    out = values.set_axis(names, axis=1)
    out.insert(0, "row", np.asarray(rows))
    out.insert(
        1, "reason", pd.Series(np.asarray(reasons, dtype=object), index=out.index, dtype="str")
    )
    return out


def _with_ragged(
    rejected: pd.DataFrame, ragged: RaggedRows, file: str, report: DataReport
) -> pd.DataFrame:
    """The rows set aside plus those whose fields did not fit the header, in file order.

    A ragged row is reported once (column "(whole row)") and kept with the fields it had,
    so a data steward sees what to fix; its values may be in the wrong columns.
    """
    if not len(ragged):
        return rejected.reset_index(drop=True)
    short = ragged.fields < ragged.expected
    for mask, code in ((short, "short_row"), (~short, "long_row")):
        shown = [
            f"{n} of {ragged.expected} fields: " + ", ".join(v)[:60]
            for n, v, m in zip(ragged.fields, ragged.values, mask, strict=True)
            if m
        ]
        report.add(issues_frame(file, ragged.rows[mask], ROW, code, shown, "set aside"))
    columns = list(rejected.columns[len(SET_ASIDE_KEYS) :])  # the file's, named by set_aside
    fields = [list(v[: len(columns)]) + [None] * (len(columns) - len(v)) for v in ragged.values]
    aside = set_aside(
        pd.DataFrame(fields, columns=columns, dtype="str"),
        ragged.rows,
        np.where(short, "short_row", "long_row"),
    )
    both = pd.concat([f for f in (rejected, aside) if len(f)], ignore_index=True)
    return both.sort_values("row", kind="stable").reset_index(drop=True)


def id_text(values: pd.Series) -> pd.Series:
    """Lead ids as text, the way Arrow writes them: integer ids stay 1, 2 (never 1.0),
    as the activities' ids are matched (:func:`_positions_in`)."""
    if pd.api.types.is_string_dtype(values) or pd.api.types.is_object_dtype(values):
        return values.astype("str")
    text = pa.array(values, from_pandas=True).cast(pa.string())
    return pd.Series(text.to_pandas(), index=values.index, dtype="str")


def _chunks(arr: pa.ChunkedArray | pa.Array) -> list[pa.Array]:
    return list(arr.chunks) if isinstance(arr, pa.ChunkedArray) else [arr]


def _dict_codes(arr: pa.ChunkedArray) -> tuple[np.ndarray, pd.Index]:
    """Integer codes and unique values of an Arrow column (nulls get code -1).

    For low-cardinality columns (activity type, page URL): one dictionary for all chunks.
    """
    if not pa.types.is_dictionary(arr.type):
        arr = pc.dictionary_encode(
            arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
        )
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.unify_dictionaries()
    chunks = _chunks(arr)
    if not chunks:
        return np.zeros(0, dtype=np.int32), pd.Index([], dtype="str")
    codes = np.concatenate(
        [c.indices.fill_null(-1).to_numpy(zero_copy_only=False) for c in chunks]
    ).astype(np.int32, copy=False)
    return codes, pd.Index(chunks[0].dictionary.to_pandas(), dtype="str")


def _positions_in(arr: pa.ChunkedArray, targets: pa.Array) -> np.ndarray:
    """Position of each value of ``arr`` in ``targets`` (-1 where absent).

    Arrow hashes ``targets`` once per call, so the column is looked up in as few calls as
    possible: once per distinct value when every chunk shares one dictionary (files written
    from pandas categoricals), else in two halves on two threads (Arrow releases the GIL).
    """
    chunks = _chunks(arr)
    if not chunks:
        return np.zeros(0, dtype=np.int32)
    if pa.types.is_dictionary(arr.type):
        first = chunks[0].dictionary
        if all(c.dictionary is first or c.dictionary.equals(first) for c in chunks):
            mapped = _lookup(pc.cast(first, pa.string()), targets)
            idx = np.concatenate(
                [c.indices.fill_null(-1).to_numpy(zero_copy_only=False) for c in chunks]
            )
            return np.where(idx >= 0, mapped[np.maximum(idx, 0)] if len(mapped) else -1, -1)
        arr = pc.cast(arr, arr.type.value_type)
        chunks = _chunks(arr)
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        arr = pc.cast(arr, pa.string())
        chunks = _chunks(arr)
    targets = targets.cast(arr.type)
    half = len(chunks) // 2
    parts = [chunks[:half], chunks[half:]] if half else [chunks]
    with ThreadPoolExecutor(max_workers=len(parts)) as pool:
        found = list(
            pool.map(lambda part: _lookup(pa.chunked_array(part, type=arr.type), targets), parts)
        )
    return np.concatenate(found).astype(np.int32, copy=False)


def _lookup(values, targets: pa.Array) -> np.ndarray:
    return pc.index_in(values, value_set=targets).fill_null(-1).to_numpy(zero_copy_only=False)


def _load_activities(
    source,
    mapping: DataMapping,
    leads: pd.DataFrame,
    report: DataReport,
    now: pd.Timestamp,
    hint: str = MODEL_HINT,
) -> pd.DataFrame:
    cols = mapping.activities
    file = str(source) if not isinstance(source, pd.DataFrame) else "activities"
    if isinstance(source, pd.DataFrame):
        table = pa.Table.from_pandas(source.reset_index(drop=True), preserve_index=False)
        ragged = NO_RAGGED
    else:
        dict_cols = tuple(c for c in (cols.type, cols.detail) if c)  # few distinct values
        table, ragged = read_arrow(source, dictionary=dict_cols)
    hint = _with_sheet(hint, table)
    names = table.column_names
    defaults = ActivityColumns()
    id_col = _find_column(
        names,
        cols.lead_id,
        "activity lead id",
        file,
        aliases=(mapping.lead_id, "lead id", "id"),
        default=defaults.lead_id,
        hint=hint,
    )
    ts_col = _find_column(
        names,
        cols.timestamp,
        "activity timestamp",
        file,
        aliases=("date", "time", "activity date"),
        default=defaults.timestamp,
        hint=hint,
    )
    type_col = _find_column(
        names,
        cols.type,
        "activity type",
        file,
        aliases=("type", "activity", "event"),
        default=defaults.type,
        hint=hint,
    )
    detail_col = None
    if cols.detail:
        try:
            detail_col = _find_column(names, cols.detail, "detail", file)
        except DataError:
            detail_col = None  # detail is optional
    n = table.num_rows

    # lead id -> position in leads; ids not found are re-checked with spaces stripped
    id_arr = table.column(id_col)
    lead_idx = _positions_in(id_arr, pa.array(leads.index.to_numpy(dtype=object), pa.string()))
    not_found = np.flatnonzero(lead_idx < 0)
    if len(not_found):
        raw_ids = pd.Series(id_arr.take(pa.array(not_found)).to_pandas(), dtype="str").str.strip()
        retry = leads.index.get_indexer(raw_ids.fillna("").to_numpy(dtype=object))
        blank = (raw_ids.isna() | (raw_ids == "")).to_numpy()
        lead_idx[not_found] = np.where(blank, -2, retry)

    ts_arr = table.column(ts_col)
    if pa.types.is_timestamp(ts_arr.type) or pa.types.is_date(ts_arr.type):
        ts = pd.Series(ts_arr.to_pandas(), dtype=None)
        ts = parse_dates(ts)
    else:
        ts = parse_dates(pd.Series(pc.cast(ts_arr, pa.string()).to_pandas(), dtype="str"))
    ts_values = ts.to_numpy(dtype="datetime64[ns]")

    type_arr = table.column(type_col)
    if not pa.types.is_dictionary(type_arr.type):
        type_arr = pc.cast(type_arr, pa.string())
    type_codes, type_values = _dict_codes(type_arr)
    # one call per distinct type spelling, not per event
    norm_types = [
        normalize_activity_type(t) if isinstance(t, str) and t.strip() else None
        for t in type_values
    ]
    # several raw spellings may normalise to one type: re-code onto the normalised values
    type_cats = pd.Index(sorted({t for t in norm_types if t is not None}), dtype="str")
    remap = np.array(
        [type_cats.get_loc(t) if t is not None else -1 for t in norm_types], dtype=np.int64
    )
    type_codes = np.where(type_codes >= 0, remap[type_codes] if len(remap) else -1, -1)

    if detail_col:
        detail_codes, detail_values = _dict_codes(table.column(detail_col))
    else:
        detail_codes, detail_values = np.full(n, -1, np.int32), pd.Index([], dtype="str")

    def raw_text(col: str, mask: np.ndarray) -> pd.Series:
        taken = table.column(col).take(pa.array(np.flatnonzero(mask)))
        return pd.Series(taken.to_pandas()).astype("str")

    missing_id = lead_idx == -2
    unknown = lead_idx == -1
    bad_ts = np.isnat(ts_values)
    future = ~bad_ts & (ts_values > now.to_datetime64())
    no_type = type_codes < 0
    blank = missing_id & bad_ts & no_type  # an empty line in the file
    checks = [
        (blank, id_col, "blank_row"),
        (missing_id, id_col, "missing_id"),
        (unknown, id_col, "unknown_lead"),
        (bad_ts & ~missing_id & ~unknown, ts_col, "unparseable_date"),
        (future & ~missing_id & ~unknown, ts_col, "future_timestamp"),
        (no_type & ~missing_id & ~unknown & ~bad_ts & ~future, type_col, "missing_type"),
    ]
    bad = np.zeros(n, dtype=bool)
    reasons: dict[str, np.ndarray] = {}  # code -> positions (few): no per-event arrays
    for mask, col, code in checks:
        mask = mask & ~bad
        if mask.any():
            pos = np.flatnonzero(mask)
            rows = ragged.rows_of(pos)
            action = "ignored" if code == "blank_row" else "set aside"
            report.add(issues_frame(file, rows, col, code, raw_text(col, mask), action))
            if code != "blank_row":
                reasons[code] = pos
            bad |= mask
    rejected = set_aside(pd.DataFrame(columns=table.column_names), [], [])
    if reasons:
        pos = np.concatenate(list(reasons.values()))
        codes = np.concatenate([np.full(len(v), k, dtype=object) for k, v in reasons.items()])
        order = np.argsort(pos, kind="stable")
        pos, codes = pos[order], codes[order]
        values = table.take(pa.array(pos)).to_pandas()
        for c in values.columns:
            values[c] = values[c].astype("str")
        rejected = set_aside(values, ragged.rows_of(pos), codes)
    if reasons or len(ragged):
        report.rejected_activities = _with_ragged(rejected, ragged, file, report)
    keep = ~bad
    activities = pd.DataFrame(
        {
            "lead_idx": lead_idx[keep],
            "timestamp": ts_values[keep],
            "type": pd.Categorical.from_codes(type_codes[keep], categories=type_cats),
            "detail": pd.Categorical.from_codes(detail_codes[keep], categories=detail_values),
        }
    )
    n_blank = int(blank.sum())
    report.counts.update(
        activities_read=n - n_blank + len(ragged),
        activities_kept=int(keep.sum()),
        activities_rejected=int(bad.sum()) - n_blank + len(ragged),
    )
    return activities


def load_data(
    leads: str | Path | pd.DataFrame,
    activities: str | Path | pd.DataFrame | None = None,
    *,
    model: Model | None = None,
    mapping: DataMapping | None = None,
    now: pd.Timestamp | str | None = None,
    column_hint: str = MODEL_HINT,
) -> LeadData:
    """Load leads (and optionally activities) from CSV, Parquet, Excel or DataFrames.

    Column names come from ``model.data`` (or ``mapping``), so a CRM export loads unchanged.
    Bad rows are set aside and listed in ``data.report``; nothing is dropped silently.
    A mapping with ``row_ids`` numbers the leads by their row in the file (no id column).
    ``column_hint`` ends the error for a missing column: it says where the user names
    the column (by default the model's ``data:`` section; ``workbench profile`` passes
    its ``--id`` option).

    >>> data = load_data("data/samples/leads.csv", "data/samples/activities.csv")  # doctest: +SKIP
    >>> print(data.report)  # doctest: +SKIP
    """
    if mapping is None:
        mapping = model.data if model is not None else DataMapping()
    now_ts = pd.Timestamp.now() if now is None else pd.Timestamp(now)
    if now is not None and now_ts == now_ts.normalize():
        now_ts += pd.Timedelta(days=1) - pd.Timedelta(1, "ns")  # a date means its whole day
    if mapping.row_ids and activities is not None:
        raise DataError(
            [
                Problem(
                    "data.row_ids",
                    "activities are linked to leads by their lead id, and these leads have "
                    "none: their ids are row numbers (row ids), which no activities file "
                    "knows. Add a lead id column to the leads file (the id the activities "
                    "use), name it as the lead id instead of numbering the rows, or load "
                    "the leads without activities." + (f" {column_hint}" if column_hint else ""),
                )
            ],
            str(activities) if not isinstance(activities, pd.DataFrame) else "activities",
        )
    report = DataReport()
    lead_frame, id_in_file = _load_leads(leads, mapping, report, column_hint)
    if activities is None:
        acts = pd.DataFrame(
            {
                "lead_idx": np.zeros(0, np.int32),
                "timestamp": np.zeros(0, "datetime64[ns]"),
                "type": pd.Categorical([]),
                "detail": pd.Categorical([]),
            }
        )
    else:
        acts = _load_activities(activities, mapping, lead_frame, report, now_ts, column_hint)
    files = {"leads": str(leads) if not isinstance(leads, pd.DataFrame) else "<DataFrame>"}
    if activities is not None:
        files["activities"] = (
            str(activities) if not isinstance(activities, pd.DataFrame) else "<DataFrame>"
        )
    return LeadData(lead_frame, acts, mapping, report, files, id_in_file=id_in_file)
