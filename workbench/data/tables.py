"""Read a table from CSV, Parquet or Excel, keeping text as text.

Lead files are read as strings so ids like ``00123`` and placeholders like ``Select``
survive; the engine converts columns to numbers or dates only where a rule needs them.

CSV files come as spreadsheets write them: comma-, semicolon- (Excel in most of Europe),
tab- or pipe-separated, in UTF-8, Windows-1252 (Excel's default on Windows) or UTF-16 with
a byte-order mark. The delimiter is sniffed from the first few KB; the encoding is decided
on the whole file (a file mixing UTF-8 and Windows-1252 anywhere is refused).

A CSV row with fewer or more fields than the header (a line break or a delimiter inside an
unquoted value) is not padded or refused with the file: it is returned as a
:class:`RaggedRows` entry with its row number, and loading sets it aside.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import mmap
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from workbench.errors import DataError, Problem, UsageError
from workbench.files import not_a_file, os_error_words

SUFFIXES = {".csv": "csv", ".txt": "csv", ".parquet": "parquet", ".pq": "parquet"}
EXCEL = {".xlsx", ".xlsm", ".xls"}
SNIFF_BYTES = 64 * 1024  # the header and a few hundred rows: enough to tell the dialect
DELIMITERS = ",;\t|"  # comma first: it wins a tie
FALLBACK_ENCODING = "cp1252"  # what Excel on Windows writes when not asked for UTF-8
SCAN_BYTES = 16 << 20  # the whole-file encoding check decodes this much at a time
MAX_COLUMNS_ENV = "WORKBENCH_MAX_COLUMNS"
MAX_COLUMNS = 2000  # a lead export has tens of columns; 100,000 is a broken file, not leads
SHEET_KEY = "workbench.sheet"  # where a workbook's chosen sheet is noted (attrs / metadata)
FIXES = {
    "csv": "Open it in a spreadsheet and save it as 'CSV UTF-8 (comma delimited)' "
    "with one header row.",
    "excel": "Open it in Excel and save it again as an .xlsx workbook, "
    "or save the sheet as 'CSV UTF-8 (comma delimited)'.",
    "parquet": "Write the Parquet file again, or export the table as 'CSV UTF-8'.",
}
HEADER_ROWS = 1  # spreadsheet row numbers: the header is row 1, the first data row 2
KINDS = {"csv": "CSV table", "excel": "Excel workbook", "parquet": "Parquet file"}


def table_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in SUFFIXES:
        return SUFFIXES[suffix]
    if suffix in EXCEL:
        return "excel"
    raise DataError(
        [Problem("", f"unknown file type '{suffix}'; use .csv, .parquet or .xlsx")], str(path)
    )


def _check_exists(path: Path) -> None:
    try:
        why = not_a_file(os.stat(path).st_mode)
    except (FileNotFoundError, NotADirectoryError):
        why = None
    except OSError as exc:  # a link loop, no permission: not "not found"
        raise DataError(
            [Problem("", f"cannot read the file: {os_error_words(exc)}")], str(path)
        ) from None
    if why:
        raise DataError([Problem("", f"cannot read the file: {why}")], str(path))
    if not path.exists():
        # the folder as the user named it (absolute, links not followed), as load_model says
        folder = Path(os.path.abspath(path)).parent
        raise DataError([Problem("", f"file not found (looked in {folder})")], str(path))


# --- CSV dialect ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CsvDialect:
    """How a CSV file is written: its text encoding (a Python codec), delimiter and header."""

    encoding: str
    delimiter: str
    header: tuple[str, ...]


def sniff_csv(path: str | Path) -> CsvDialect:
    """The encoding, delimiter and header of a CSV file.

    The delimiter comes from the first ``SNIFF_BYTES``, the header from the whole first
    line (however wide). UTF-16 is known by its byte-order mark (or, without one, by its
    zero bytes); a file whose first bytes are valid UTF-8 is read as UTF-8 (a later byte
    that is not sends the readers to :func:`_not_utf8`); otherwise :func:`_not_utf8`
    decides on the whole file: Windows-1252, or refused when it mixes both.

    >>> sniff_csv("data/samples/leads.csv").delimiter  # doctest: +SKIP
    ','
    """
    path = Path(path)
    with open(path, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
        first_line = _first_line(fh, head)
    encoding = _encoding_of(head) or _not_utf8(path)
    text = head.decode(encoding, errors="ignore")  # a character cut at the end is dropped
    lines = text.splitlines()
    cut = len(head) == SNIFF_BYTES and len(lines) > 1  # the last line may be cut short
    delimiter = _delimiter_of(lines[:-1] if cut else lines)
    if first_line is not head:  # a header wider than the sniffed bytes
        text = first_line.decode(encoding, errors="ignore")
    header = next(csv.reader(io.StringIO(text, newline=None), delimiter=delimiter), [])
    return CsvDialect(encoding, delimiter, tuple(header))


def _first_line(fh, head: bytes) -> bytes:
    """``head``, or when its first line goes on past it (a very wide header) that line."""
    if len(head) < SNIFF_BYTES or b"\n" in head or b"\r" in head:
        return head
    parts = [head]
    while block := fh.read(1 << 20):
        end = min((i for i in (block.find(b"\n"), block.find(b"\r")) if i >= 0), default=-1)
        parts.append(block if end < 0 else block[:end])
        if end >= 0:
            break
    return b"".join(parts)


def _encoding_of(head: bytes) -> str | None:
    """The encoding the first bytes show; None when they are not UTF-8 (see _not_utf8)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head:  # UTF-16 without a mark: every other byte of plain text is zero
        if head[1::2].count(0) > len(head) // 4:
            return "utf-16-le"
        if head[0::2].count(0) > len(head) // 4:
            return "utf-16-be"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return None
    return "utf-8"


def _delimiter_of(lines: list[str]) -> str:
    """The candidate used most on the header line (outside quotes); the next lines break ties."""

    def unquoted(line: str) -> str:
        return re.sub(r'"[^"]*"', "", line)

    if not lines:
        return ","
    header = unquoted(lines[0])
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(counts.values())
    tied = [d for d in DELIMITERS if counts[d] == best]
    if best == 0:
        return ","
    if len(tied) > 1:
        rows = [unquoted(line) for line in lines[1:21] if line]
        for d in tied:
            if rows and all(row.count(d) == best for row in rows):
                return d
    return tied[0]


def _not_utf8(path: Path) -> str:
    """The encoding of a file that is not UTF-8 somewhere, decided on the whole file.

    Windows-1252 throughout is an Excel export: read it so. A file that also holds real
    UTF-8 characters anywhere (rows pasted from elsewhere) mixes two encodings; reading it
    either way would garble some names without a word, so it is refused with the lines to
    fix. Two passes over a memory map in blocks (a UTF-8 decode, a NumPy look for UTF-8
    characters), on this rare path only: ~0.3 s of CPU for 200 MB.
    """
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        bad = _first_non_utf8(data)
        if bad is None:
            return "utf-8"
        good = _first_utf8_character(data)
        if good is None:
            return FALLBACK_ENCODING

        def line(offset: int) -> tuple[int, str]:
            start = data.rfind(b"\n", 0, offset) + 1
            text = data[start : offset + 20].decode("utf-8", "replace").splitlines()[0]
            return data[:offset].count(b"\n") + 1, text[:60]

        (bad_line, bad_text), (good_line, good_text) = line(bad), line(good)
    raise DataError(
        [
            Problem(
                f"line {bad_line} (byte {bad:,})",
                f"this line is not UTF-8 ('{bad_text}') but line {good_line} is "
                f"('{good_text}'): the file mixes two text encodings, and reading it either "
                "way would garble names. Open it in a spreadsheet and save it as "
                "'CSV UTF-8 (comma delimited)', or fix the line.",
            )
        ],
        str(path),
    )


def _first_non_utf8(data) -> int | None:
    """The offset of the first byte that is not UTF-8 (None: all of it is)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    for start in range(0, len(data), SCAN_BYTES):
        pending = len(decoder.getstate()[0])  # a character cut by the previous block
        block = data[start : start + SCAN_BYTES]
        try:
            decoder.decode(block, final=start + SCAN_BYTES >= len(data))
        except UnicodeDecodeError as exc:
            return start - pending + exc.start
    return None


def _first_utf8_character(data) -> int | None:
    """The offset of the first UTF-8 character beyond ASCII (a lead byte followed by
    exactly its continuation bytes), None when there is none."""
    size = len(data)
    for start in range(0, size, SCAN_BYTES):
        # 3 bytes more: a character cut by the end of the block is seen whole
        block = np.frombuffer(data, np.uint8, min(SCAN_BYTES + 3, size - start), start)
        lead = np.flatnonzero((block >= 0xC2) & (block <= 0xF4))
        lead = lead[lead < SCAN_BYTES]
        if not len(lead):
            continue
        length = 1 + (block[lead] >= 0xE0) + (block[lead] >= 0xF0)  # continuation bytes
        whole = np.ones(len(lead), dtype=bool)
        for k in (1, 2, 3):
            at = np.minimum(lead + k, len(block) - 1)
            follows = ((block[at] & 0xC0) == 0x80) & (lead + k < len(block))
            whole &= (length < k) | follows
        if whole.any():
            return start + int(lead[whole][0])
    return None


def _is_encoding_error(exc: Exception) -> bool:
    return isinstance(exc, UnicodeDecodeError) or "invalid utf8" in str(exc).casefold()


# --- how wide a table may be ---------------------------------------------------------------


def max_columns() -> int:
    """The most columns a file may have: ``WORKBENCH_MAX_COLUMNS``, else ``MAX_COLUMNS``."""
    text = os.environ.get(MAX_COLUMNS_ENV, "").strip()
    if not text:
        return MAX_COLUMNS
    try:
        value = int(text.replace(",", "").replace("_", ""))
    except ValueError:
        value = 0
    if value < 1:
        raise UsageError(
            [Problem(MAX_COLUMNS_ENV, f"'{text}' is not a whole number of columns (at least 1)")]
        )
    return value


def check_width(n_columns: int, path: Path) -> None:
    """Refuse a file wider than :func:`max_columns` before it is read (not after minutes)."""
    limit = max_columns()
    if n_columns > limit:
        raise DataError(
            [
                Problem(
                    "",
                    f"it has {n_columns:,} columns; the limit is {limit:,} (set "
                    f"{MAX_COLUMNS_ENV} to raise it, or keep the columns the model uses).",
                )
            ],
            str(path),
        )


# --- rows that do not fit the header -------------------------------------------------------


@dataclass(frozen=True)
class RaggedRows:
    """CSV rows with fewer or more fields than the header, left out of the table read.

    A short row is usually a line break inside an unquoted value (or a bare carriage
    return), a long one a delimiter inside an unquoted value: their fields do not line up
    with the columns, so loading sets them aside with their row number instead of
    padding them with missing values.
    """

    rows: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    """Spreadsheet row numbers (records, the header is row 1), ascending."""
    fields: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    values: tuple[tuple[str, ...], ...] = ()
    """Each row's fields as read (what a data steward sees in the rejected rows)."""
    expected: int = 0

    def __len__(self) -> int:
        return len(self.rows)

    def rows_of(self, positions: np.ndarray) -> np.ndarray:
        """The row numbers of the table's rows at ``positions`` (the ragged rows skipped)."""
        positions = np.asarray(positions, dtype=np.int64)
        rows = positions + HEADER_ROWS + 1
        if len(self.rows):
            # kept position p is record p + (how many ragged records come at or before it)
            shift = self.rows - (HEADER_ROWS + 1) - np.arange(len(self.rows))
            rows += np.searchsorted(shift, positions, side="right")
        return rows


NO_RAGGED = RaggedRows()


def _ragged(found: list, expected: int, delimiter: str) -> RaggedRows:
    if not found:
        return NO_RAGGED
    found.sort(key=lambda r: r[0])
    values = tuple(tuple(next(csv.reader([text], delimiter=delimiter), [])) for _, _, text in found)
    return RaggedRows(
        np.array([r[0] for r in found], dtype=np.int64),
        np.array([r[1] for r in found], dtype=np.int64),
        values,
        expected,
    )


# --- readers -------------------------------------------------------------------------------


def read_arrow(path: str | Path, dictionary: tuple[str, ...] = ()) -> tuple[pa.Table, RaggedRows]:
    """Read a file into Arrow; ``dictionary`` columns are dictionary-encoded (cheap repeats).

    Also returns the CSV rows that do not fit the header (left out of the table).
    """
    path = Path(path)
    _check_exists(path)
    fmt = table_format(path)
    dialect = None
    try:
        if fmt == "parquet":
            names = pq.read_schema(path).names
            check_width(len(names), path)
            dicts = [c for c in dictionary if c in names]
            if len(set(names)) < len(names):  # a name twice: read_table looks columns up by
                # name and fails; the file reader does not (read_frame renames them after)
                return pq.ParquetFile(path).read(), NO_RAGGED
            return pq.read_table(path, read_dictionary=dicts), NO_RAGGED
        if fmt == "csv":
            dialect = sniff_csv(path)
            check_width(len(dialect.header), path)
            return _read_csv(path, dialect)
        frame = _read_excel(path)
        table = pa.Table.from_pandas(frame, preserve_index=False)
        meta = {
            **(table.schema.metadata or {}),
            SHEET_KEY.encode(): frame.attrs[SHEET_KEY].encode(),
        }
        return table.replace_schema_metadata(meta), NO_RAGGED
    except (DataError, UsageError):
        raise
    except Exception as exc:  # any reader failure on a user's file is a data problem
        raise _unreadable(path, fmt, exc, dialect) from None


def _read_csv(path: Path, dialect: CsvDialect) -> tuple[pa.Table, RaggedRows]:
    try:
        return _arrow_csv(path, dialect, dialect.encoding)
    except pa.ArrowInvalid as exc:
        if dialect.encoding != "utf-8" or not _is_encoding_error(exc):
            raise
        # valid UTF-8 at the start, not further down: decided on the whole file
        return _arrow_csv(path, dialect, _not_utf8(path))


def _arrow_csv(path: Path, dialect: CsvDialect, encoding: str) -> tuple[pa.Table, RaggedRows]:
    """The table, and its rows with another number of fields than the header (left out).

    Arrow numbers such rows only when reading on one thread; they are rare, so the file
    is read on all threads first and again on one only when some turn up.
    """
    found: list[tuple[int, int, str]] = []

    def set_aside(row) -> str:
        found.append((row.number, row.actual_columns, row.text))
        return "skip"

    block = 1 << 20  # Arrow's default

    def read(threads: bool) -> pa.Table:
        return pacsv.read_csv(
            path,
            # pyarrow skips a UTF-8 byte-order mark itself and transcodes anything else
            read_options=pacsv.ReadOptions(
                encoding="utf8" if encoding.startswith("utf-8") else encoding,
                use_threads=threads,
                block_size=block,
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=dialect.delimiter,
                ignore_empty_lines=False,  # keep row numbers
                newlines_in_values=True,  # a quoted line break is part of its value
                invalid_row_handler=set_aside,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in dialect.header},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )

    try:
        table = read(threads=True)
    except pa.ArrowInvalid as exc:
        if "straddl" not in str(exc):
            raise
        # a value longer than Arrow's 1 MB block (a pasted e-mail thread): blocks as big
        # as the file, up to 1 GB
        block = int(min(max(path.stat().st_size + 1, block), 1 << 30))
        found.clear()
        table = read(threads=True)
    if found:
        found.clear()
        table = read(threads=False)
        if table.num_rows == 0:  # no row fits: the header or the delimiter is wrong
            number, got, _ = found[0]
            raise ValueError(f"Expected {len(dialect.header)} fields in line {number}, saw {got}")
    return table, _ragged(found, len(dialect.header), dialect.delimiter)


NULLABLE_INTS = {
    pa.int8(): pd.Int8Dtype(),
    pa.int16(): pd.Int16Dtype(),
    pa.int32(): pd.Int32Dtype(),
    pa.int64(): pd.Int64Dtype(),
    pa.uint8(): pd.UInt8Dtype(),
    pa.uint16(): pd.UInt16Dtype(),
    pa.uint32(): pd.UInt32Dtype(),
    pa.uint64(): pd.UInt64Dtype(),
}


def _binary_as_text(table: pa.Table, path: Path) -> pa.Table:
    """Binary columns (Parquet written without a string type) as text when they are
    UTF-8, a refusal naming the column when not: bytes are no value a rule can compare."""
    for i, (name, col) in enumerate(zip(table.column_names, table.columns, strict=True)):
        if pa.types.is_binary(col.type) or pa.types.is_large_binary(col.type):
            try:
                table = table.set_column(i, name, pc.cast(col, pa.large_string()))
            except pa.ArrowInvalid:
                raise DataError(
                    [
                        Problem(
                            f"column '{name}'",
                            "holds binary data that is not UTF-8 text; export the column "
                            "as text (or leave it out of the file)",
                        )
                    ],
                    str(path),
                ) from None
    return table


def read_frame(path: str | Path) -> tuple[pd.DataFrame, RaggedRows]:
    """Read a file into pandas with text kept as text (no NaN guessing), and the CSV rows
    that do not fit the header (left out).

    Integer columns with empty cells stay integers (pandas would make ids 1, 2 into
    1.0, 2.0). From a workbook with several sheets, the sheet with the most rows is read;
    which one is in ``frame.attrs[SHEET_KEY]`` (see :func:`sheet_note`).
    """
    path = Path(path)
    if table_format(path) == "excel":
        _check_exists(path)
        try:
            frame = _read_excel(path)
        except Exception as exc:  # any reader failure on a user's file is a data problem
            raise _unreadable(path, "excel", exc, None) from None
        check_width(frame.shape[1], path)
        return frame, NO_RAGGED
    table, ragged = read_arrow(path)
    table = _binary_as_text(table.rename_columns(_unique_names(table.column_names)), path)
    ints = [
        name
        for name, col in zip(table.column_names, table.columns, strict=True)
        if pa.types.is_integer(col.type) and col.null_count
    ]
    frame = table.to_pandas()
    if ints:
        frame = frame.assign(
            **{n: table.column(n).to_pandas(types_mapper=NULLABLE_INTS.get) for n in ints}
        )
    return frame, ragged


def _unique_names(names: list[str]) -> list[str]:
    """Column names as pandas makes them: a blank one 'Unnamed: 3', a repeat 'name.1'."""
    out: list[str] = []
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        name = name or f"Unnamed: {i}"
        base, n = name, seen.get(name, 0)
        while name in seen:
            n += 1
            name = f"{base}.{n}"
        seen[base] = n
        seen[name] = 0
        out.append(name)
    return out


def _read_excel(path: Path) -> pd.DataFrame:
    """The sheet with the most data rows (the first sheet when all are empty).

    A workbook often opens on an 'About' or 'Notes' sheet; the table is the big one.
    """
    sheets = pd.read_excel(path, sheet_name=None, dtype=str, keep_default_na=False)
    names = list(sheets)
    filled = [n for n in names if len(sheets[n])]
    chosen = max(filled, key=lambda n: len(sheets[n])) if filled else names[0]
    frame = sheets[chosen]
    others = [n for n in names if n != chosen]
    if others:
        listed = ", ".join(f"'{n}'" for n in others)
        frame.attrs[SHEET_KEY] = (
            f"Read sheet '{chosen}', the one with the most rows; the workbook also has {listed}."
        )
    else:
        frame.attrs[SHEET_KEY] = ""
    return frame


def sheet_note(table: pd.DataFrame | pa.Table) -> str:
    """Which sheet of a workbook was read, when it had several ('' otherwise)."""
    if isinstance(table, pa.Table):
        meta = table.schema.metadata or {}
        return meta.get(SHEET_KEY.encode(), b"").decode()
    return str(table.attrs.get(SHEET_KEY, ""))


# --- errors --------------------------------------------------------------------------------


def _unreadable(path: Path, fmt: str, exc: Exception, dialect: CsvDialect | None) -> DataError:
    """A reader's failure in plain words: the file, what is wrong, and how to fix it."""
    message = str(exc).strip()
    first = message.splitlines()[0] if message else type(exc).__name__
    reason = f"it is not a readable {KINDS[fmt]} ({first[:160].rstrip('.')})"
    if fmt == "excel" and re.search(r"not a zip file|cannot be determined", message):
        reason = "it is not an Excel workbook (a CSV or another file renamed to .xlsx?)"
    if fmt == "csv":
        delim = {"\t": "tab"}.get(dialect.delimiter, f"'{dialect.delimiter}'") if dialect else ""
        if path.stat().st_size == 0 or "No columns to parse" in message or "Empty CSV" in message:
            reason = "it is empty"
        elif _is_encoding_error(exc):
            reason = "its text is neither UTF-8 nor Windows-1252"
        elif m := re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", message):
            want, line, got = m.groups()
            reason = (
                f"line {line} has {got} values where the header has {want}; a value "
                f"containing the delimiter {delim} must be in double quotes"
            )
        elif m := re.search(r"Expected (\d+) columns, got (\d+): (.{0,60})", message):
            want, got, row = m.groups()
            reason = (
                f"a row has {got} values where the header has {want} (it starts {row!r}); "
                f"a value containing the delimiter {delim} must be in double quotes"
            )
    return DataError([Problem("", f"cannot read the file: {reason}. {FIXES[fmt]}")], str(path))


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file, read in 1 MB blocks (a reader can check they have the same file)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
