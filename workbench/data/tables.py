"""Read a table from CSV, Parquet or Excel, keeping text as text.

Lead files are read as strings so ids like ``00123`` and placeholders like ``Select``
survive; the engine converts columns to numbers or dates only where a rule needs them.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from workbench.errors import DataError, Problem

SUFFIXES = {".csv": "csv", ".txt": "csv", ".parquet": "parquet", ".pq": "parquet"}
EXCEL = {".xlsx", ".xlsm", ".xls"}


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
    if not path.exists():
        raise DataError(
            [Problem("", f"file not found (looked in {path.resolve().parent})")], str(path)
        )


def read_arrow(path: str | Path, dictionary: tuple[str, ...] = ()) -> pa.Table:
    """Read a file into Arrow; ``dictionary`` columns are dictionary-encoded (cheap repeats)."""
    path = Path(path)
    _check_exists(path)
    fmt = table_format(path)
    try:
        if fmt == "parquet":
            names = pq.read_schema(path).names
            return pq.read_table(path, read_dictionary=[c for c in dictionary if c in names])
        if fmt == "csv":
            names = _csv_header(path)
            return pacsv.read_csv(
                path,
                parse_options=pacsv.ParseOptions(ignore_empty_lines=False),  # keep row numbers
                convert_options=pacsv.ConvertOptions(
                    column_types={c: pa.string() for c in names},
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
        frame = pd.read_excel(path, dtype=str, keep_default_na=False)
        return pa.Table.from_pandas(frame, preserve_index=False)
    except DataError:
        raise
    except Exception as exc:  # any reader failure on a user's file is a data problem
        raise DataError([Problem("", f"cannot read the file: {exc}")], str(path)) from None


def _csv_header(path: Path) -> list[str]:
    import csv

    with open(path, newline="", encoding="utf-8-sig") as fh:
        return next(csv.reader(fh), [])


def read_frame(path: str | Path) -> pd.DataFrame:
    """Read a file into pandas with text kept as text (no NaN guessing)."""
    path = Path(path)
    _check_exists(path)
    fmt = table_format(path)
    try:
        if fmt == "csv":
            return pd.read_csv(
                path, dtype=str, keep_default_na=False, encoding="utf-8-sig", skip_blank_lines=False
            )
        if fmt == "parquet":
            return pd.read_parquet(path)
        return pd.read_excel(path, dtype=str, keep_default_na=False)
    except Exception as exc:  # any reader failure on a user's file is a data problem
        raise DataError([Problem("", f"cannot read the file: {exc}")], str(path)) from None
