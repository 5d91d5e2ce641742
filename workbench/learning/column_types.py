"""What kind of data a CRM column holds, read from its values; the name only breaks ties.

A column's type decides whether and how a draft scores it, so a wrong type silently costs
a model a signal: a yes/no opt-out named 'Do Not Email' is a yes/no column, not a contact
detail; renamed counts ('email_opens') are numbers; a landing-page id with 500 values that
each recur is a category with many values (grouped into levels by the draft), not an
identifier. The name decides only where the values cannot: text values in a column named
'first_name' are a personal detail, unique numbers in a column named 'account_id' an id.

Users can override any type (``--type COL=yesno``); :data:`TYPE_OPTIONS` are those words.

>>> infer_type(pd.Series(["Yes", "No"] * 50), "Do Not Email")[0]
'yes/no'
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from workbench.data.loading import FALSE_WORDS, TRUE_WORDS, parse_dates
from workbench.data.numbers import parse_numbers

COLUMN_TYPES = ("numeric", "categorical", "date", "free text", "id-like", "yes/no")
SCORED_TYPES = ("numeric", "categorical", "yes/no")
"""Types a draft can turn into levels; a column of another type is left out unless kept."""

TYPE_OPTIONS = {
    "numeric": "numeric",
    "categorical": "categorical",
    "yesno": "yes/no",
    "date": "date",
    "id": "id-like",
    "text": "free text",
}
"""The words of ``--type COL=WORD`` and the column type each one means."""

HIGH_CARDINALITY = 50
"""A categorical column with more distinct values than this is flagged high-cardinality:
a draft groups its values by conversion instead of one level per frequent value."""

PERSONAL_WORDS = frozenset(
    {"email", "mail", "phone", "mobile", "tel", "fax", "address", "street", "firstname"}
)
PERSONAL_NAMES = frozenset({"firstname", "lastname", "fullname", "name", "surname"})
ID_WORDS = frozenset({"id", "uuid", "guid", "key", "number", "no", "ref", "reference", "url"})
CODE_WORDS = frozenset({"id", "uuid", "guid", "key", "code"})
"""Name tokens that make whole numbers codes (a page id), not quantities."""


def name_tokens(name: str) -> list[str]:
    """'Lead Status', 'leadStatus' and 'lead_status' all give ['lead', 'status']."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", str(name))
    return [t for t in re.split(r"[^0-9a-z]+", spaced.casefold()) if t]


def type_option(word: str) -> str | None:
    """The column type a ``--type`` word names (None if it names none)."""
    return TYPE_OPTIONS.get(word.strip().casefold().replace("/", "").replace("-", ""))


def infer_type(col: pd.Series, name: str = "") -> tuple[str, str]:
    """The column's type (one of :data:`COLUMN_TYPES`) and a note on why, if not obvious.

    Values first: yes/no words, numbers, dates, e-mail addresses and dialled numbers are
    recognised whatever the column is called. The name decides between readings the values
    leave open (whole numbers that are codes, text that is a person's name).
    """
    tokens = set(name_tokens(name))
    joined = "".join(name_tokens(name))
    filled = col.dropna()
    if pd.api.types.is_bool_dtype(col):
        return "yes/no", ""
    if pd.api.types.is_datetime64_any_dtype(col):
        return "date", ""
    if not len(filled):
        return "categorical", "always missing"
    counts = filled.astype("str").str.strip().value_counts()
    distinct = len(counts)
    words = pd.Series(counts.index, dtype="str")
    weights = counts.to_numpy(dtype=float)
    total = weights.sum()
    ratio = distinct / len(filled)
    if distinct <= 2 and set(words.str.casefold()) <= TRUE_WORDS | FALSE_WORDS:
        return "yes/no", ""
    numbers = parse_numbers(words)
    is_number = ~np.isnan(numbers)
    if weights[is_number].sum() >= 0.95 * total:
        formatted = words.str.match(r"^\s*(\+|0\d)").to_numpy()
        looks_id = bool(tokens & ID_WORDS) or weights[formatted].sum() > 0.5 * total
        if ratio > 0.9 and looks_id:
            return "id-like", "unique numbers (an identifier)"
        whole = bool(np.all(numbers[is_number] == np.round(numbers[is_number])))
        if tokens & CODE_WORDS and whole and ratio <= 0.5 and distinct > 2:
            return "categorical", f"whole numbers named as codes ({distinct:,} values)"
        return "numeric", ""
    if words.str.contains(r"\d").mean() > 0.9 and words.str.contains(r"[-/:]").mean() > 0.9:
        dates = parse_dates(words)
        if weights[dates.notna().to_numpy()].sum() >= 0.95 * total:
            return "date", ""
    mailed = words.str.contains(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", regex=True).to_numpy(dtype=bool)
    if weights[mailed].sum() > 0.5 * total:
        return "id-like", "e-mail addresses: a contact detail, not a scoring signal"
    # phone numbers and codes dialled in groups ('+1 555 0100'): digits, yet not a number
    dialled = words.str.fullmatch(r"(\+|0\d)[\d\s().\-]*").to_numpy(dtype=bool, na_value=False)
    if weights[dialled].sum() > 0.5 * total and (ratio > 0.5 or tokens & PERSONAL_WORDS):
        return "id-like", "phone numbers: a contact detail, not a scoring signal"
    if tokens & PERSONAL_WORDS or joined in PERSONAL_NAMES or tokens & {"firstname", "lastname"}:
        return "id-like", "a personal or contact detail: not a scoring signal"
    if distinct <= HIGH_CARDINALITY or ratio < 0.05:
        return "categorical", ""
    if ratio <= 0.5:  # values recur: a category with many values (a page, a campaign)
        return "categorical", f"{distinct:,} values that recur (about {1 / ratio:.0f} leads each)"
    if words.str.count(r"\s+").mean() >= 2 or words.str.len().mean() > 30:
        return "free text", f"{distinct:,} distinct texts"
    return "id-like", f"{distinct:,} distinct values ({ratio:.0%} of filled-in rows)"


def best_scored_type(col: pd.Series) -> str:
    """The scored type a column kept with ``--keep`` can best take (numbers, else values)."""
    filled = col.dropna()
    if pd.api.types.is_bool_dtype(col):
        return "yes/no"
    if len(filled) and not pd.api.types.is_datetime64_any_dtype(col):
        numbers = parse_numbers(filled.astype("str"))
        if (~np.isnan(numbers)).mean() >= 0.95:
            return "numeric"
    return "categorical"
