"""Writing scores for spreadsheets and CRMs: CSV that cannot run as a formula, or Parquet."""

from __future__ import annotations

import csv
import os
import stat
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from workbench.errors import DataError, Problem
from workbench.files import atomic_output, os_error_words, resolved

FORMULA_START = r"^[=+\-@\t\r]"
PHONE = r"^\+[\d ().\-]+$"
"""An international phone number (``+1 731 888 8080``): digits a call list must keep as
they are; with nothing but digits and punctuation it cannot call a function."""
NEGATIVE_NUMBER = r"^-[0-9]+(?:\.[0-9]+)?$"
"""A negative number written as text (``-1``, a profile's placeholder level): a spreadsheet
reads it as the number it is; a quote would make it text."""
EXPORT_FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}


def neutralize_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells a spreadsheet would run as a formula (=, +, -, @) with a quote.

    The OWASP advice for CSV injection: Excel and Sheets show the quote-prefixed cell as
    plain text. Numbers are left alone: ``-5`` in a numeric column is data, not a formula;
    so are phone numbers (:data:`PHONE`), which a quote would break for the CRM, and negative
    numbers written as text (:data:`NEGATIVE_NUMBER`).
    """
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            s = s.astype("str")
        if pd.api.types.is_string_dtype(s) or pd.api.types.is_object_dtype(s):
            text = s.astype("str")
            safe = text.str.contains(PHONE, regex=True, na=False) | text.str.contains(
                NEGATIVE_NUMBER, regex=True, na=False
            )
            risky = text.str.contains(FORMULA_START, regex=True, na=False) & ~safe
            out[col] = text.where(~risky, "'" + text)
    return out


def export_format(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in EXPORT_FORMATS:
        raise DataError(
            [
                Problem(
                    "--out",
                    f"cannot write '{suffix or path}' files ({path}); "
                    "use a .csv or .parquet file name",
                )
            ]
        )
    return EXPORT_FORMATS[suffix]


def csv_text(frame: pd.DataFrame, path: Path | None = None) -> str | None:
    """CSV for spreadsheets and CRMs (to ``path``, or returned): formula-safe, UTF-8.

    A file starts with a byte-order mark, so Excel reads "−10", "3×" and names right (it
    takes UTF-8 without one for the local code page); pandas and CRMs accept it. Returned
    text has none: the caller adds it to the bytes it sends (as the dashboard's export does).
    Every text cell is quoted: pandas leaves a lone "\\r" unquoted, which splits a row.
    """
    return neutralize_formulas(frame).to_csv(
        path,
        index=False,
        encoding="utf-8-sig" if path is not None else "utf-8",
        quoting=csv.QUOTE_NONNUMERIC,
    )


def unwritable(path: str | Path, option: str = "--out") -> Problem | None:
    """Why ``path`` cannot be written (its folder cannot be made or written), or None.

    Checked before long work starts, so a typo in a folder fails at once, not after it.
    Nothing is created: the nearest existing folder on the way is tried with a temporary
    file (permissions alone do not tell: read-only mounts, /proc).
    """
    path = Path(path).expanduser()
    try:
        if stat.S_ISDIR(os.stat(path).st_mode):
            return Problem(option, f"cannot write {path}: it is a folder; name a file in it")
    except (FileNotFoundError, NotADirectoryError):
        pass  # a new file, or a file on the way: said below
    except OSError as exc:
        return Problem(option, f"cannot write {path}: {os_error_words(exc)}")
    try:
        folder = resolved(path).parent
    except OSError as exc:
        return Problem(option, f"cannot write {path}: {os_error_words(exc)}")
    existing = next(p for p in (folder, *folder.parents) if p.exists())
    if not existing.is_dir():
        return Problem(option, f"cannot write {path}: {existing} is a file, not a folder")
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as exc:
        return Problem(option, f"cannot write into {existing}: {exc.strerror}; choose another")
    return None


def same_file(a: str | Path, b: str | Path) -> bool:
    """Whether two paths name one file (links and ``..`` included; ``b`` need not exist)."""
    a, b = Path(a).expanduser(), Path(b).expanduser()
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
        return resolved(a) == resolved(b)
    except OSError:
        return False


def overwrites_input(
    path: str | Path | None,
    inputs: Mapping[str, str | Path | Sequence[str | Path] | None],
    option: str = "--out",
) -> Problem | None:
    """A Problem when the output ``path`` is one of the ``inputs`` ({option: path(s)}), or None.

    Checked before any data is read, so a slip such as ``--out leads.csv`` cannot replace
    the file being scored.
    """
    if not path:
        return None
    for name, given in inputs.items():
        paths = [given] if isinstance(given, str | Path) else list(given or [])
        for p in paths:
            if p and same_file(path, p):
                what = "compare-to model" if name == "--compare-to" else name.lstrip("-")
                return Problem(
                    option,
                    f"must not overwrite the {what} file {p} (given as {name}); "
                    f"name a new file for {option}",
                )
    return None


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write CSV (formula-safe, UTF-8 with a byte-order mark) or Parquet, by the extension.

    Whole or not at all (:func:`~workbench.files.atomic_output`): an interrupted or failed
    write leaves the previous file as it was.
    """
    path = Path(path)
    fmt = export_format(path)
    with atomic_output(path) as tmp:
        if fmt == "csv":
            csv_text(frame, tmp)
        else:
            frame.to_parquet(tmp, index=False)
    return path


def refuse_overwrite(
    path: str | Path | None,
    inputs: Mapping[str, str | Path | Sequence[str | Path] | None],
    option: str = "--out",
) -> None:
    """Raise :class:`DataError` when ``path`` is one of the input files (``overwrites_input``)."""
    if (problem := overwrites_input(path, inputs, option)) is not None:
        raise DataError([problem])
