"""Read a table from CSV, Parquet or Excel, keeping text as text.

Lead files are read as strings so ids like ``00123`` and placeholders like ``Select``
survive; the engine converts columns to numbers or dates only where a rule needs them.

CSV files come as spreadsheets write them: comma-, semicolon- (Excel in most of Europe),
tab- or pipe-separated, in UTF-8, Windows-1252 (Excel's default on Windows) or UTF-16 with
a byte-order mark. The dialect is sniffed from the first few KB, never from the whole file.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from workbench.errors import DataError, Problem
from workbench.files import os_error_words

SUFFIXES = {".csv": "csv", ".txt": "csv", ".parquet": "parquet", ".pq": "parquet"}
EXCEL = {".xlsx", ".xlsm", ".xls"}
SNIFF_BYTES = 64 * 1024  # the header and a few hundred rows: enough to tell the dialect
DELIMITERS = ",;\t|"  # comma first: it wins a tie
FALLBACK_ENCODING = "cp1252"  # what Excel on Windows writes when not asked for UTF-8
SHEET_KEY = "workbench.sheet"  # where a workbook's chosen sheet is noted (attrs / metadata)
FIXES = {
    "csv": "Open it in a spreadsheet and save it as 'CSV UTF-8 (comma delimited)' "
    "with one header row.",
    "excel": "Open it in Excel and save it again as an .xlsx workbook, "
    "or save the sheet as 'CSV UTF-8 (comma delimited)'.",
    "parquet": "Write the Parquet file again, or export the table as 'CSV UTF-8'.",
}
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
        os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        pass
    except OSError as exc:  # a link loop, no permission: not "not found"
        raise DataError(
            [Problem("", f"cannot read the file: {os_error_words(exc)}")], str(path)
        ) from None
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
    """The encoding, delimiter and header of a CSV file, from its first ``SNIFF_BYTES``.

    UTF-16 is known by its byte-order mark (or, without one, by its zero bytes); other
    files are UTF-8 unless their first bytes are not valid UTF-8, then Windows-1252. A
    file that turns out not to be UTF-8 further down is re-read as Windows-1252 by the
    readers below.

    >>> sniff_csv("data/samples/leads.csv").delimiter  # doctest: +SKIP
    ','
    """
    with open(path, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
    encoding = _encoding_of(head)
    text = head.decode(encoding, errors="ignore")  # a character cut at the end is dropped
    lines = text.splitlines()
    delimiter = _delimiter_of(lines[:-1] if len(head) == SNIFF_BYTES else lines)
    header = next(csv.reader(io.StringIO(text), delimiter=delimiter), [])
    return CsvDialect(encoding, delimiter, tuple(header))


def _encoding_of(head: bytes) -> str:
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
        return FALLBACK_ENCODING
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


def _late_encoding(path: Path) -> str:
    """The encoding of a file whose first ``SNIFF_BYTES`` are UTF-8 but a later byte is not.

    Plain ASCII at the top and Windows-1252 further down is an Excel export: read it as
    Windows-1252. But a file that holds real UTF-8 characters as well mixes two encodings
    (rows pasted from elsewhere); reading it either way would garble some names without a
    word, so it is refused with the line to fix. Runs only on this rare path (one pass).
    """
    data = path.read_bytes()
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        bad = exc.start
    if re.search(rb"[\xc2-\xf4][\x80-\xbf]", data):
        line = data.count(b"\n", 0, bad) + 1
        text = data[data.rfind(b"\n", 0, bad) + 1 : bad + 20].decode("utf-8", "replace")
        raise DataError(
            [
                Problem(
                    f"line {line}",
                    f"the file is UTF-8, but this line has a byte that is not ({text!r}): it "
                    "mixes two text encodings, and reading it either way would garble some "
                    "names. Fix that line, or open the file in a spreadsheet and save it as "
                    "'CSV UTF-8 (comma delimited)'.",
                )
            ],
            str(path),
        )
    return FALLBACK_ENCODING


def _is_encoding_error(exc: Exception) -> bool:
    return isinstance(exc, UnicodeDecodeError) or "invalid utf8" in str(exc).casefold()


# --- readers -------------------------------------------------------------------------------


def read_arrow(path: str | Path, dictionary: tuple[str, ...] = ()) -> pa.Table:
    """Read a file into Arrow; ``dictionary`` columns are dictionary-encoded (cheap repeats)."""
    path = Path(path)
    _check_exists(path)
    fmt = table_format(path)
    dialect = None
    try:
        if fmt == "parquet":
            names = pq.read_schema(path).names
            return pq.read_table(path, read_dictionary=[c for c in dictionary if c in names])
        if fmt == "csv":
            dialect = sniff_csv(path)
            try:
                return _arrow_csv(path, dialect, dialect.encoding)
            except pa.ArrowInvalid as exc:
                if dialect.encoding != "utf-8" or not _is_encoding_error(exc):
                    raise
                # valid UTF-8 at the start, not further down: an Excel export after all
                return _arrow_csv(path, dialect, _late_encoding(path))
        frame = _read_excel(path)
        table = pa.Table.from_pandas(frame, preserve_index=False)
        return table.replace_schema_metadata(
            {**(table.schema.metadata or {}), SHEET_KEY.encode(): frame.attrs[SHEET_KEY].encode()}
        )
    except DataError:
        raise
    except Exception as exc:  # any reader failure on a user's file is a data problem
        raise _unreadable(path, fmt, exc, dialect) from None


def _arrow_csv(path: Path, dialect: CsvDialect, encoding: str) -> pa.Table:
    return pacsv.read_csv(
        path,
        # pyarrow skips a UTF-8 byte-order mark itself and transcodes anything else
        read_options=pacsv.ReadOptions(
            encoding="utf8" if encoding.startswith("utf-8") else encoding
        ),
        parse_options=pacsv.ParseOptions(
            delimiter=dialect.delimiter,
            ignore_empty_lines=False,  # keep row numbers
        ),
        convert_options=pacsv.ConvertOptions(
            column_types={c: pa.string() for c in dialect.header},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )


def read_frame(path: str | Path) -> pd.DataFrame:
    """Read a file into pandas with text kept as text (no NaN guessing).

    From a workbook with several sheets, the sheet with the most rows is read; which one
    is in ``frame.attrs[SHEET_KEY]`` (see :func:`sheet_note`).
    """
    path = Path(path)
    _check_exists(path)
    fmt = table_format(path)
    dialect = None
    try:
        if fmt == "csv":
            dialect = sniff_csv(path)
            try:
                return _pandas_csv(path, dialect, dialect.encoding)
            except UnicodeDecodeError:
                if dialect.encoding != "utf-8":
                    raise
                return _pandas_csv(path, dialect, _late_encoding(path))
        if fmt == "parquet":
            return pd.read_parquet(path)
        return _read_excel(path)
    except DataError:
        raise
    except Exception as exc:  # any reader failure on a user's file is a data problem
        raise _unreadable(path, fmt, exc, dialect) from None


def _pandas_csv(path: Path, dialect: CsvDialect, encoding: str) -> pd.DataFrame:
    return pd.read_csv(
        path,
        sep=dialect.delimiter,
        dtype=str,
        keep_default_na=False,
        encoding=encoding,
        skip_blank_lines=False,
    )


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
