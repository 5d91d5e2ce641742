"""Profile a CRM export against its outcome: what each column is, and how it converts.

Before drafting a model an analyst wants to know, per column: what kind of data it holds
(numeric, categorical, date, free text, id-like, yes/no), how much is missing (placeholders
such as ``Select`` and ``N/A`` count as missing — loading turned them into missing values),
how many distinct values it has, and how leads convert per value or numeric bin, with
95 % Wilson intervals. Columns that look filled in *after* the sale — a sales status, a
closing date, a value that only converters (or only lost leads) have — are flagged as
likely leaks: a model trained on them looks brilliant and is useless on new leads.

Everything here is a pure function of a loaded :class:`~workbench.data.LeadData`; work is
done on each column's distinct values and gathered back by code, never per row.

>>> data = load_data("data/samples/leads.csv")  # doctest: +SKIP
>>> profile = profile_leads(data, outcome="converted")  # doctest: +SKIP
>>> print(profile.summary())  # doctest: +SKIP
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.analysis.metrics import auc, wilson_interval
from workbench.data.loading import FALSE_WORDS, TRUE_WORDS, LeadData, parse_dates
from workbench.data.numbers import parse_numbers, read_numbers
from workbench.errors import DataError, Problem, column_hint
from workbench.text import shorten

COLUMN_TYPES = ("numeric", "categorical", "date", "free text", "id-like", "yes/no")
MISSING_LEVEL = "(missing)"
FILLED_LEVEL = "(filled in)"
NOT_A_NUMBER = "(not a number)"

LEAK_WORDS = frozenset(
    {
        "status",
        "stage",
        "closed",
        "close",
        "won",
        "lost",
        "win",
        "loss",
        "opportunity",
        "opportunities",
        "opp",
        "outcome",
        "result",
        "deal",
        "disposition",
        "pipeline",
        "converted",
        "conversion",
        "churn",
        "churned",
        "booked",
        "signed",
        "contract",
        "sql",
        "disqualified",
    }
)
"""Name tokens of fields a sales team fills in as a lead progresses (status, stage, …)."""

PERSONAL_WORDS = frozenset(
    {"email", "mail", "phone", "mobile", "tel", "fax", "address", "street", "firstname"}
)
ASSIGNMENT_WORDS = frozenset({"owner", "rep", "assigned", "assignee", "sdr", "bdr", "agent"})
"""Name tokens of fields that say who works a lead (its owner), not who the lead is."""
ID_WORDS = frozenset({"id", "uuid", "guid", "key", "number", "no", "ref", "reference", "url"})


def name_tokens(name: str) -> list[str]:
    """'Lead Status', 'leadStatus' and 'lead_status' all give ['lead', 'status']."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", str(name))
    return [t for t in re.split(r"[^0-9a-z]+", spaced.casefold()) if t]


@dataclass(frozen=True, eq=False)
class Profile:
    """Per-column facts (``columns``) and conversion per value or bin (``levels``).

    ``columns`` is indexed by column name: ``type``, ``missing`` (count, placeholders
    included), ``missing_share``, ``placeholders`` (how many were placeholders such as
    'Select'), ``distinct``, ``auc`` (how well the column's levels alone rank converters,
    in-sample), ``leak`` (bool), ``leak_reason`` and ``note``.

    ``levels`` has one row per (column, level): ``column``, ``level``, ``kind`` (value,
    other, bin, missing, filled, not_a_number), ``lo``/``hi`` for bins, ``leads``,
    ``share``, ``converted``, ``rate``, ``low``, ``high``.
    """

    columns: pd.DataFrame
    levels: pd.DataFrame
    id_column: str
    outcome: str
    n_leads: int
    n_known: int
    converted: int

    @property
    def base_rate(self) -> float:
        return self.converted / self.n_known if self.n_known else float("nan")

    @property
    def leaks(self) -> list[str]:
        return self.columns.index[self.columns["leak"]].tolist()

    def of_type(self, *types: str) -> list[str]:
        return self.columns.index[self.columns["type"].isin(types)].tolist()

    def table(self) -> pd.DataFrame:
        """Levels with their column's facts: one tidy table for a CSV or a notebook."""
        facts = self.columns[["type", "missing_share", "distinct", "leak", "leak_reason"]]
        return self.levels.join(facts, on="column")

    def summary(self, width: int = 100) -> str:
        """A readable overview: one line per column, the likely leaks, and why."""
        lines = [
            f"{self.n_leads:,} leads (id column '{self.id_column}'); outcome '{self.outcome}' "
            f"known for {self.n_known:,}: {self.converted:,} converted "
            f"({self.base_rate:.1%}).",
            "",
            f"{'column':<24}{'type':<12}{'missing':>8}{'distinct':>10}  conversion by level",
        ]
        for name, row in self.columns.iterrows():
            lv = self.levels[(self.levels["column"] == name) & (self.levels["leads"] > 0)]
            spread = ""
            ranked = lv[lv["kind"] != "missing"].dropna(subset=["rate"])
            flag = "LEAK? " if row["leak"] else ""
            head = (
                f"{shorten(name, 23):<24}{row['type']:<12}{row['missing_share']:>8.0%}"
                f"{row['distinct']:>10,}  {flag}"
            )
            if len(ranked) > 1:
                # lowest and highest rate; on a tie the first level is the worst and the
                # last the best, so two levels are named, never one twice
                order = ranked.sort_values("rate", kind="stable")
                worst, best = order.iloc[0], order.iloc[-1]
                for n in range(22, 7, -1):  # shorter labels, not a rate cut off at the edge
                    spread = (
                        f"{shorten(worst['level'], n)} {worst['rate']:.1%} … "
                        f"{shorten(best['level'], n)} {best['rate']:.1%}"
                    )
                    if len(head) + len(spread) <= width + 8:
                        break
            lines.append(head + spread)
        if self.leaks:
            lines += ["", "Likely leaks (filled in after the sale?) — left out of drafts:"]
            lines += [f"  {c}: {self.columns.loc[c, 'leak_reason']}" for c in self.leaks]
        notes = self.columns[self.columns["note"] != ""]
        if len(notes):
            lines += ["", "Notes:"]
            lines += [f"  {c}: {n}" for c, n in notes["note"].items()]
        return "\n".join(lines)


def outcome_values(data: LeadData, outcome: str) -> np.ndarray:
    """The outcome as 1.0/0.0 (NaN where unknown), checked: a readable error if unusable.

    The column must exist (did-you-mean otherwise) and be yes/no: most of its filled-in
    values must read as yes/no, true/false, 1/0, won/lost, and both outcomes must occur.
    """
    source = data.files.get("leads", "leads")
    leads = data.leads
    if outcome not in leads.columns:
        columns = [str(c) for c in leads.columns]
        raise DataError(
            [
                Problem(
                    f"column '{outcome}'",
                    "the outcome column is missing."
                    + column_hint(outcome, columns)
                    + " Name the right column with --outcome.",
                )
            ],
            source,
        )
    col = leads[outcome]
    values = col.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    bad = data.report.issues
    unread = 0
    if len(bad):
        unread = int(((bad["code"] == "unparseable_outcome") & (bad["column"] == outcome)).sum())
    known = int((~np.isnan(values)).sum())
    if unread and unread > 0.05 * (unread + known):
        examples = bad.loc[bad["code"] == "unparseable_outcome", "value"].drop_duplicates()
        shown = ", ".join(repr(str(v)) for v in examples.head(4))
        raise DataError(
            [
                Problem(
                    f"column '{outcome}'",
                    f"the outcome must be yes/no (Yes/No, 1/0, true/false, won/lost); "
                    f"{unread:,} of {unread + known:,} filled-in values are not (e.g. {shown}). "
                    "Name a yes/no column with --outcome.",
                )
            ],
            source,
        )
    if known == 0 or np.nanmin(values) == np.nanmax(values):
        what = "no known outcomes" if known == 0 else "only one outcome"
        raise DataError(
            [
                Problem(
                    f"column '{outcome}'",
                    f"{what} in {known:,} leads; profiling and drafting need leads that "
                    "converted and leads that did not.",
                )
            ],
            source,
        )
    return values


# --- column types ------------------------------------------------------------------------


def infer_type(col: pd.Series, name: str = "") -> tuple[str, str]:
    """The column's type (one of :data:`COLUMN_TYPES`) and a note on why, if not obvious."""
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
    if tokens & PERSONAL_WORDS or joined in {"firstname", "lastname", "fullname", "name"}:
        return "id-like", "a personal or contact detail: not a scoring signal"
    words = pd.Series(counts.index, dtype="str")
    if distinct <= 2 and set(words.str.casefold()) <= TRUE_WORDS | FALSE_WORDS:
        return "yes/no", ""
    numbers = parse_numbers(words)
    weights = counts.to_numpy(dtype=float)
    num_share = weights[~np.isnan(numbers)].sum() / weights.sum()
    ratio = distinct / len(filled)
    if num_share >= 0.95:
        formatted = words.str.match(r"^\s*(\+|0\d)").to_numpy()
        looks_id = (tokens & ID_WORDS) or weights[formatted].sum() > 0.5 * weights.sum()
        if ratio > 0.9 and looks_id:
            return "id-like", "unique numbers (an identifier)"
        return "numeric", ""
    if words.str.contains(r"\d").mean() > 0.9 and words.str.contains(r"[-/:]").mean() > 0.9:
        dates = parse_dates(words)
        if weights[dates.notna().to_numpy()].sum() >= 0.95 * weights.sum():
            return "date", ""
    # phone numbers and codes dialled in groups ('+1 555 0100'): digits, yet not a number
    dialled = words.str.fullmatch(r"(\+|0\d)[\d\s().\-]*").to_numpy(dtype=bool, na_value=False)
    if ratio > 0.9 and weights[dialled].sum() > 0.5 * weights.sum():
        return "id-like", "unique numbers (an identifier)"
    if tokens & ID_WORDS and ratio > 0.5:
        return "id-like", ""
    if distinct <= 50 or ratio < 0.05:
        return "categorical", ""
    if words.str.count(r"\s+").mean() >= 2 or words.str.len().mean() > 30:
        return "free text", f"{distinct:,} distinct texts"
    return "id-like", f"{distinct:,} distinct values ({ratio:.0%} of filled-in rows)"


# --- levels ------------------------------------------------------------------------------


def _value_levels(col: pd.Series, top: int, min_share: float, min_leads: int):
    """Codes per row for the most frequent values; rare ones pooled as '(other …)'."""
    text = col.astype("str").str.strip()
    key = text.str.casefold()
    codes, uniques = pd.factorize(key, use_na_sentinel=True)
    n = len(col)
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    # the spelling people use most for each value (a lookup rule matches case-insensitively)
    spelled = (
        pd.DataFrame({"code": codes, "text": text}).loc[codes >= 0].value_counts(sort=True)
    ).reset_index()
    display = spelled.drop_duplicates("code").set_index("code")["text"]
    order = np.argsort(-counts, kind="stable")
    keep = [i for i in order[:top] if counts[i] >= max(min_leads, min_share * n)]
    level_of = np.full(len(uniques), len(keep), dtype=np.int64)  # pooled 'other' level
    level_of[keep] = np.arange(len(keep))
    names = [str(display[i]) for i in keep]
    kinds = ["value"] * len(keep)
    rest = len(uniques) - len(keep)
    if rest:
        names.append(f"(other: {rest} value{'s' if rest > 1 else ''})")
        kinds.append("other")
    row_level = np.where(codes >= 0, level_of[np.maximum(codes, 0)] if len(uniques) else -1, -1)
    return row_level, names, kinds


def quantile_edges(x: np.ndarray, bins: int) -> np.ndarray:
    """Inner cut points at quantiles of the filled-in values, distinct and 'nice'."""
    finite = x[~np.isnan(x)]
    if len(finite) == 0:
        return np.array([])
    qs = np.quantile(finite, np.linspace(0, 1, bins + 1)[1:-1], method="lower")
    edges = np.unique(_nice(qs))
    return edges[(edges > finite.min()) & (edges <= finite.max())]


def _nice(values: np.ndarray) -> np.ndarray:
    """Round cut points to two significant digits so bins read '200–1,900', not '213.7…'."""
    out = np.asarray(values, dtype=float).copy()
    nz = out != 0
    mag = 10.0 ** (np.floor(np.log10(np.abs(out[nz]))) - 1)
    out[nz] = np.round(out[nz] / mag) * mag
    return out


def bin_label(lo: float | None, hi: float | None, fmt=None) -> str:
    fmt = fmt or (lambda v: f"{v:,.10g}")
    if lo is None and hi is None:
        return "any"
    if lo is None:
        return f"under {fmt(hi)}"
    if hi is None:
        return f"{fmt(lo)}+"
    return f"{fmt(lo)} to under {fmt(hi)}"


def _bin_levels(x: np.ndarray, edges: np.ndarray, fmt=None):
    level = np.searchsorted(edges, x, side="right").astype(np.int64)
    level[np.isnan(x)] = -1
    bounds = [None, *edges.tolist()], [*edges.tolist(), None]
    names = [bin_label(lo, hi, fmt) for lo, hi in zip(*bounds, strict=True)]
    return level, names, ["bin"] * len(names), bounds


def _level_stats(codes: np.ndarray, k: int, y: np.ndarray) -> tuple[np.ndarray, ...]:
    """Leads (all), known outcomes, conversions per level code 0..k-1."""
    valid = codes >= 0
    leads = np.bincount(codes[valid], minlength=k)
    known = valid & ~np.isnan(y)
    n_known = np.bincount(codes[known], minlength=k)
    conv = np.bincount(codes[known], weights=y[known], minlength=k)
    return leads, n_known, conv


def column_levels(
    col: pd.Series,
    col_type: str,
    y: np.ndarray,
    *,
    top: int = 10,
    min_share: float = 0.01,
    min_leads: int = 20,
    bins: int = 5,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Conversion per level of one column, and each row's level code (for the AUC)."""
    n = len(col)
    lo_hi: tuple[list, list] | None = None
    if col_type in ("categorical", "yes/no"):
        codes, names, kinds = _value_levels(col, top, min_share, min_leads)
    elif col_type == "numeric":
        x = read_numbers(col)
        codes, names, kinds, lo_hi = _bin_levels(x, quantile_edges(x, bins))
        garbage = np.isnan(x) & col.notna().to_numpy()
        if garbage.any():
            codes[garbage] = len(names)
            names, kinds = [*names, NOT_A_NUMBER], [*kinds, "not_a_number"]
            lo_hi = ([*lo_hi[0], None], [*lo_hi[1], None])
    elif col_type == "date":
        stamps = col if pd.api.types.is_datetime64_any_dtype(col) else parse_dates(col)
        x = stamps.to_numpy(dtype="datetime64[ns]").astype("int64").astype(float)
        x[np.isnat(stamps.to_numpy(dtype="datetime64[ns]"))] = np.nan
        finite = x[~np.isnan(x)]
        qs = np.quantile(finite, np.linspace(0, 1, bins + 1)[1:-1]) if len(finite) else []
        day = 86_400e9
        edges = np.unique(np.floor(np.asarray(qs) / day) * day)
        edges = edges[(edges > finite.min()) & (edges <= finite.max())] if len(finite) else edges

        def fmt(v: float) -> str:
            return f"{pd.Timestamp(int(v)):%Y-%m-%d}"

        codes, names, kinds, lo_hi = _bin_levels(x, edges, fmt)
        lo_hi = None  # date bounds are not numbers a rule could use
    else:
        codes = np.where(col.notna().to_numpy(), 0, -1)
        names, kinds = [FILLED_LEVEL], ["filled"]
    missing = col.isna().to_numpy()
    k = len(names)
    codes = np.where(missing, k, codes)
    names, kinds = [*names, MISSING_LEVEL], [*kinds, "missing"]
    leads, n_known, conv = _level_stats(codes, k + 1, y)
    low, high = wilson_interval(conv, n_known)
    rate = np.divide(conv, n_known, out=np.full(k + 1, np.nan), where=n_known > 0)
    low, high = np.fmin(low, rate), np.fmax(high, rate)  # 1e-19 above a 0 % rate is noise
    frame = pd.DataFrame(
        {
            "code": np.arange(k + 1),
            "level": names,
            "kind": kinds,
            "lo": (lo_hi[0] + [None]) if lo_hi else [None] * (k + 1),
            "hi": (lo_hi[1] + [None]) if lo_hi else [None] * (k + 1),
            "leads": leads,
            "share": leads / max(n, 1),
            "known": n_known,
            "converted": conv.astype(np.int64),
            "rate": rate,
            "low": low,
            "high": high,
        }
    )
    frame = frame[(frame["leads"] > 0) | (frame["kind"] != "missing")]
    return frame.reset_index(drop=True), codes


def leak_reason(
    name: str,
    levels: pd.DataFrame,
    column_auc: float,
    outcome: str,
    base_rate: float,
    total_converted: int,
) -> str:
    """Why a column looks filled in after the sale ('' if it does not)."""
    tokens = name_tokens(name)
    outcome_tokens = set(name_tokens(outcome)) - {"is", "has", "lead", "flag"}
    reasons = []
    hits = sorted(set(tokens) & (LEAK_WORDS | outcome_tokens))
    if hits:
        reasons.append(f"its name ({', '.join(hits)}) looks like a sales-status or outcome field")
    if column_auc >= 0.9:
        reasons.append(f"it alone separates converters almost perfectly (AUC {column_auc:.2f})")
    lv = levels[levels["kind"] != "other"]
    pure = lv[(lv["known"] >= 20) & (lv["rate"] >= 0.95)]
    pure = pure[pure["converted"] >= 0.1 * max(total_converted, 1)]
    if len(pure):
        top = pure.iloc[0]
        reasons.append(
            f"{top['converted']:,} leads with '{top['level']}' all but all converted "
            f"({top['rate']:.0%})"
        )
    dead = lv[(lv["share"] >= 0.25) & (lv["converted"] == 0)]
    dead = dead[dead["known"] * base_rate >= 20]
    if len(dead) and not len(pure):
        top = dead.iloc[0]
        reasons.append(
            f"none of the {top['known']:,} leads with '{top['level']}' converted "
            f"(overall {base_rate:.1%})"
        )
    return "; ".join(reasons)


def profile_leads(
    data: LeadData,
    outcome: str | None = None,
    *,
    top: int = 10,
    min_share: float = 0.01,
    min_leads: int = 20,
    bins: int = 5,
) -> Profile:
    """Profile every column of the leads against the outcome (default: the data mapping's).

    Parameters
    ----------
    data : loaded leads (placeholders already turned into missing values).
    outcome : the yes/no outcome column.
    top : most frequent values shown per categorical column; the rest are pooled.
    min_share, min_leads : a value needs this share of leads and this many leads to be
        shown on its own, else it joins '(other …)'.
    bins : quantile bins per numeric or date column.
    """
    outcome = outcome or data.mapping.outcome
    if not outcome:
        raise DataError([Problem("outcome", "name the outcome column (e.g. --outcome converted)")])
    y = outcome_values(data, outcome)
    leads = data.leads
    if all(name == outcome for name in leads.columns):  # the id is the index, not a column
        raise DataError(
            [
                Problem(
                    "columns",
                    f"no column to profile besides the id '{data.id_column}' and the outcome "
                    f"'{outcome}'; export the lead's fields (title, industry, activity, …) too",
                )
            ],
            data.files.get("leads", "leads"),
        )
    n = len(leads)
    known = ~np.isnan(y)
    total_conv = int(np.nansum(y))
    base = total_conv / max(int(known.sum()), 1)
    placeholders = next(iter(data.report.placeholders.values()), {})
    rows, frames = [], []
    for name in leads.columns:
        if name == outcome:
            continue
        col = leads[name]
        col_type, note = infer_type(col, str(name))
        levels, codes = column_levels(
            col, col_type, y, top=top, min_share=min_share, min_leads=min_leads, bins=bins
        )
        col_auc = float("nan")
        if len(levels) > 1:
            # each row's level rate as its score: how well this column alone ranks converters
            rate_of = np.full(int(levels["code"].max()) + 1, base)
            rate_of[levels["code"].to_numpy()] = levels["rate"].fillna(base).to_numpy()
            col_auc = auc(rate_of[codes], y)
            col_auc = max(col_auc, 1 - col_auc)
        reason = leak_reason(str(name), levels, col_auc, outcome, base, total_conv)
        missing = int(col.isna().sum())
        rows.append(
            {
                "column": str(name),
                "type": col_type,
                "missing": missing,
                "missing_share": missing / max(n, 1),
                "placeholders": int(placeholders.get(str(name), 0)),
                "distinct": int(col.dropna().astype("str").str.strip().str.casefold().nunique()),
                "auc": col_auc,
                "leak": bool(reason),
                "leak_reason": reason,
                "note": note,
            }
        )
        frames.append(levels.assign(column=str(name)))
    id_name = data.id_column
    rows.insert(
        0,
        {
            "column": id_name,
            "type": "id-like",
            "missing": 0,
            "missing_share": 0.0,
            "placeholders": 0,
            "distinct": n,
            "auc": float("nan"),
            "leak": False,
            "leak_reason": "",
            "note": "the lead id",
        },
    )
    columns = pd.DataFrame(rows).set_index("column")
    level_frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    order = ["column", *[c for c in level_frame.columns if c != "column"]]
    return Profile(
        columns=columns,
        levels=level_frame[order],
        id_column=id_name,
        outcome=outcome,
        n_leads=n,
        n_known=int(known.sum()),
        converted=total_conv,
    )
