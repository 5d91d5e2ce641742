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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.analysis.metrics import auc, wilson_interval
from workbench.data.loading import LeadData, parse_dates
from workbench.data.numbers import read_numbers
from workbench.errors import DataError, Problem, column_hint
from workbench.learning.column_types import (
    COLUMN_TYPES,
    HIGH_CARDINALITY,
    SCORED_TYPES,
    best_scored_type,
    infer_type,
    name_tokens,
)
from workbench.learning.leaks import leak_evidence, name_caution
from workbench.text import shorten

__all__ = [
    "COLUMN_TYPES",
    "Profile",
    "check_ids",
    "column_levels",
    "infer_type",
    "name_tokens",
    "outcome_values",
    "profile_leads",
    "quantile_edges",
]

MISSING_LEVEL = "(missing)"
FILLED_LEVEL = "(filled in)"
NOT_A_NUMBER = "(not a number)"

ASSIGNMENT_WORDS = frozenset({"owner", "rep", "assigned", "assignee", "sdr", "bdr", "agent"})
"""Name tokens of fields that say who works a lead (its owner), not who the lead is."""

SPECIAL_SHARE = 0.2
"""A single number held by this share of the filled-in leads (-1, 0, 999 as 'never') is a
level of its own; quantile bins are cut over the other values."""

MOSTLY_SET_ASIDE = 0.5
"""If the id column sets aside more than this share of the rows (duplicate or empty ids),
profiling and drafting refuse: the id is probably the wrong column."""

WHY_LEFT_OUT = {
    "id-like": "id-like (an identifier or a contact detail)",
    "free text": "free text",
    "date": "a date (a lead's age changes every day; not scored)",
}


@dataclass(frozen=True, eq=False)
class Profile:
    """Per-column facts (``columns``) and conversion per value or bin (``levels``).

    ``columns`` is indexed by column name: ``type``, ``missing`` (count, placeholders
    included), ``missing_share``, ``placeholders`` (how many were placeholders such as
    'Select'), ``distinct``, ``levels`` (how many levels it shows), ``high_cardinality``
    (a categorical column with many values: a draft groups them), ``auc`` (how well the
    column's levels alone rank converters, in-sample), ``iv`` (information value),
    ``leak`` (bool), ``leak_reason`` (the evidence, in words), ``kept`` (named with
    ``keep``), ``note``, ``warning`` and ``left_out`` (why a draft leaves it out, or '').
    Together they are the column plan a draft follows (:meth:`select`).

    ``levels`` has one row per (column, level): ``column``, ``level``, ``kind`` (value,
    other, bin, missing, filled, not_a_number), ``lo``/``hi`` for bins, ``leads``,
    ``share``, ``converted``, ``rate``, ``low``, ``high``.

    ``set_aside`` counts the rows loading set aside for their id (``duplicate_id``,
    ``missing_id``): the profile describes the other rows.
    """

    columns: pd.DataFrame
    levels: pd.DataFrame
    id_column: str
    outcome: str
    n_leads: int
    n_known: int
    converted: int
    set_aside: dict[str, int] = field(default_factory=dict)

    @property
    def base_rate(self) -> float:
        return self.converted / self.n_known if self.n_known else float("nan")

    @property
    def leaks(self) -> list[str]:
        return self.columns.index[self.columns["leak"]].tolist()

    def of_type(self, *types: str) -> list[str]:
        return self.columns.index[self.columns["type"].isin(types)].tolist()

    def select(self, exclude: Sequence[str] = ()) -> tuple[list[str], pd.DataFrame]:
        """Columns a draft scores, and the others with the reason they are left out."""
        reasons = self.columns["left_out"].copy()
        excluded = reasons.index.isin([str(c) for c in exclude]) & (reasons == "")
        reasons[excluded] = "excluded (--exclude)"
        used = reasons.index[reasons == ""].tolist()
        out = reasons[reasons != ""].rename("reason").rename_axis("column").reset_index()
        return used, out

    def ranking(self) -> pd.DataFrame:
        """Every column ranked by how well it alone ranks converters (AUC, then IV)."""
        cols = self.columns.drop(index=self.id_column)
        table = pd.DataFrame(
            {
                "auc": cols["auc"],
                "iv": cols["iv"],
                "type": cols["type"] + np.where(cols["high_cardinality"], " (many values)", ""),
                "filled": 1 - cols["missing_share"],
                "levels": cols["levels"],
                "flag": np.where(cols["leak"], np.where(cols["kept"], "leak? kept", "leak?"), ""),
                "scored": np.where(cols["left_out"] == "", "yes", "no"),
            }
        )
        return table.sort_values(["auc", "iv"], ascending=False, na_position="last", kind="stable")

    def table(self) -> pd.DataFrame:
        """Levels with their column's facts: one tidy table for a CSV or a notebook."""
        facts = self.columns[
            ["type", "missing_share", "distinct", "auc", "iv", "leak", "leak_reason", "left_out"]
        ]
        return self.levels.join(facts, on="column")

    def summary(self, width: int = 100) -> str:
        """A readable overview: one line per column, the ranking, the likely leaks and why,
        and every column a draft leaves out with its reason."""
        lines = [
            f"{self.n_leads:,} leads (id column '{self.id_column}'); outcome '{self.outcome}' "
            f"known for {self.n_known:,}: {self.converted:,} converted "
            f"({self.base_rate:.1%}).",
        ]
        if self.set_aside:
            said = {"duplicate_id": "a repeated id", "missing_id": "no id"}
            parts = [f"{n:,} with {said[c]}" for c, n in self.set_aside.items()]
            lines.append(f"Rows set aside (not profiled): {', '.join(parts)}.")
        lines += [
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
        lines += ["", "Columns ranked by how well each alone ranks converters (in-sample):"]
        lines.append(
            f"  {'column':<24}{'AUC':>6}{'IV':>7}  {'type':<26}{'filled':>7}{'levels':>7}  flag"
        )
        for name, r in self.ranking().iterrows():
            auc_s = "" if r["auc"] != r["auc"] else f"{r['auc']:.2f}"
            iv_s = "" if r["iv"] != r["iv"] else f"{r['iv']:.2f}"
            lines.append(
                f"  {shorten(str(name), 23):<24}{auc_s:>6}{iv_s:>7}  {r['type']:<26}"
                f"{r['filled']:>7.0%}{r['levels']:>7}  {r['flag']}".rstrip()
            )
        if self.leaks:
            lines += ["", "Likely leaks (filled in after contact or the sale?):"]
            for c in self.leaks:
                kept = " [kept with --keep]" if self.columns.loc[c, "kept"] else ""
                lines.append(f"  {c}{kept}: {self.columns.loc[c, 'leak_reason']}")
        _, out = self.select()
        if len(out):
            lines += ["", "Left out of drafts:"]
            lines += [f"  {r.column}: {r.reason}" for r in out.itertuples(index=False)]
        warnings = self.columns[self.columns["warning"] != ""]
        if len(warnings):
            lines += ["", "Warnings:"]
            lines += [f"  {c}: {w}" for c, w in warnings["warning"].items()]
        notes = self.columns[(self.columns["note"] != "") & (self.columns["left_out"] == "")]
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


def special_value(x: np.ndarray) -> float | None:
    """A number that stands for 'none' or 'never' (-1, 0, 999) held by many leads, if any.

    A value held by :data:`SPECIAL_SHARE` of the filled-in leads, with other values beside
    it, would swallow the quantile bins around it; it gets a level of its own instead.
    """
    finite = x[~np.isnan(x)]
    if len(finite) < 2:
        return None
    values, counts = np.unique(finite, return_counts=True)
    top = int(np.argmax(counts))
    if len(values) > 2 and counts[top] >= SPECIAL_SHARE * len(finite):
        return float(values[top])
    return None


def quantile_edges(x: np.ndarray, bins: int) -> np.ndarray:
    """Inner cut points at quantiles of the filled-in values, distinct and 'nice'.

    A special value (:func:`special_value`) gets a bin of its own: cut at it and at the
    next value above it, and the quantile bins are cut over the other values.
    """
    finite = x[~np.isnan(x)]
    if len(finite) == 0:
        return np.array([])
    special = special_value(finite)
    rest = finite if special is None else finite[finite != special]
    qs = np.quantile(rest, np.linspace(0, 1, bins + 1)[1:-1], method="lower")
    edges = _nice(qs)
    if special is not None:
        above = rest[rest > special]
        own = [special, *([above.min()] if len(above) else [])]
        # a nice edge between the special value and its neighbours would mix them again
        below = rest[rest < special]
        lo = below.max() if len(below) else -np.inf
        hi = above.min() if len(above) else np.inf
        edges = edges[(edges <= lo) | (edges >= hi)]
        edges = np.concatenate([edges, own])
    edges = np.unique(edges)
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
    for i, value in enumerate(one_value_bins(x, edges)):
        if value == value:  # a bin holding one value (a special value) is named by it
            names[i] = (fmt or (lambda v: f"{v:,.10g}"))(value)
    return level, names, ["bin"] * len(names), bounds


def one_value_bins(x: np.ndarray, edges: Sequence[float]) -> np.ndarray:
    """Per bin of ``edges`` (inner edges, as :func:`quantile_edges` gives), the one value
    its leads have, or NaN: a placeholder bin (−1, 0, 999) reads '-1', not 'under 1'.

    >>> one_value_bins(np.array([-1, -1, 3, 7.0]), [1.0, 5.0]).tolist()
    [-1.0, 3.0, 7.0]
    """
    x = np.asarray(x, dtype=float)
    edges = np.asarray(edges, dtype=float)
    k = len(edges) + 1
    filled = ~np.isnan(x)
    level = np.searchsorted(edges, x[filled], side="right")
    lowest = np.full(k, np.inf)
    highest = np.full(k, -np.inf)
    np.minimum.at(lowest, level, x[filled])
    np.maximum.at(highest, level, x[filled])
    return np.where(lowest == highest, lowest, np.nan)


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


def information_value(levels: pd.DataFrame) -> float:
    """The column's information value (IV) over its levels, a scorecard's usual ranking.

    Sum over levels of (share of converters − share of non-converters) × their log ratio;
    half a lead is added to every count so a level without converters stays finite.
    """
    conv = levels["converted"].to_numpy(dtype=float)
    lost = levels["known"].to_numpy(dtype=float) - conv
    if conv.sum() == 0 or lost.sum() == 0 or len(levels) < 2:
        return float("nan")
    good = (conv + 0.5) / (conv.sum() + 0.5 * len(conv))
    bad = (lost + 0.5) / (lost.sum() + 0.5 * len(lost))
    return float(np.sum((good - bad) * np.log(good / bad)))


def column_auc(levels: pd.DataFrame, codes: np.ndarray, y: np.ndarray, base: float) -> float:
    """How well the column's levels alone rank converters (in-sample, either direction)."""
    if len(levels) < 2:
        return float("nan")
    rate_of = np.full(int(levels["code"].max()) + 1, base)
    rate_of[levels["code"].to_numpy()] = levels["rate"].fillna(base).to_numpy()
    value = auc(rate_of[codes], y)
    return max(value, 1 - value)


def out_of_fold_rates(
    col: pd.Series, y: np.ndarray, folds: int = 5, prior: float = 20.0
) -> np.ndarray:
    """Each lead's value's conversion rate, learnt without the lead's own fold.

    For a column with hundreds of values, rates measured on the same leads would rank
    converters well by chance alone (a value seen twice, once won, 'converts' at 50 %);
    rates from the other folds, shrunk toward the overall rate by ``prior`` leads, measure
    what the column would really add. Counts by bincount: no per-row Python.
    """
    codes, uniques = pd.factorize(col.astype("str").str.strip().str.casefold())
    k = len(uniques) + 1
    codes = np.where(codes < 0, k - 1, codes)  # missing is a value of its own
    known = ~np.isnan(y)
    fold = np.arange(len(y)) % folds
    total_n = np.bincount(codes[known], minlength=k).astype(float)
    total_c = np.bincount(codes[known], weights=y[known], minlength=k)
    out = np.full(len(y), np.nan)
    for f in range(folds):  # a handful of folds, each vectorised
        inside = known & (fold == f)
        n_in = np.bincount(codes[inside], minlength=k)
        c_in = np.bincount(codes[inside], weights=y[inside], minlength=k)
        n_out, c_out = total_n - n_in, total_c - c_in
        base = c_out.sum() / max(n_out.sum(), 1)
        rate = (c_out + prior * base) / (n_out + prior)
        here = fold == f
        out[here] = rate[codes[here]]
    return out


def strength_of_values(col: pd.Series, y: np.ndarray) -> tuple[float, float]:
    """AUC and IV of a column with many values, from out-of-fold value rates."""
    score = out_of_fold_rates(col, y)
    known = ~np.isnan(y)
    value = auc(score[known], y[known])
    cuts = np.unique(np.quantile(score[known], [0.2, 0.4, 0.6, 0.8]))
    group = np.searchsorted(cuts, score, side="right")
    k = len(cuts) + 1
    n = np.bincount(group[known], minlength=k)
    c = np.bincount(group[known], weights=y[known], minlength=k)
    frame = pd.DataFrame({"known": n, "converted": c})
    return max(value, 1 - value), information_value(frame)


def check_ids(data: LeadData, what: str = "profiling") -> None:
    """Refuse when the id column set most rows aside: it is probably not the lead id.

    Loading sets rows with an empty or repeated id aside (and reports them); a column with
    few distinct values named as the id would leave a handful of leads, and every number
    after that would describe them, not the file.
    """
    counts = data.report.counts
    read = int(counts.get("leads_read", data.n_leads))
    kept = data.n_leads
    if read == 0 or kept >= (1 - MOSTLY_SET_ASIDE) * read:
        return
    issues = data.report.issues
    codes = issues["code"] if len(issues) else pd.Series([], dtype="str")
    dup, empty = int((codes == "duplicate_id").sum()), int((codes == "missing_id").sum())
    name = data.id_in_file or data.id_column
    raise DataError(
        [
            Problem(
                f"column '{name}'",
                f"{dup:,} of {read:,} rows repeat an id seen above and {empty:,} have none, so "
                f"{what} would work on {kept:,} leads only. If '{name}' is not the lead id, "
                "name the right column with --id; if the file has no id column, use --row-id "
                "(row numbers as ids).",
            )
        ],
        data.files.get("leads", "leads"),
    )


def _set_aside(data: LeadData) -> dict[str, int]:
    issues = data.report.issues
    if not len(issues):
        return {}
    found = issues["code"].value_counts()
    return {c: int(found[c]) for c in ("duplicate_id", "missing_id") if c in found.index}


def _check_names(data: LeadData, names: Sequence[str], option: str) -> None:
    known = [str(c) for c in data.leads.columns]
    known_set = set(known) | {data.id_column}
    unknown = [c for c in dict.fromkeys(str(n) for n in names) if c not in known_set]
    if unknown:
        raise DataError(
            [
                Problem(
                    f"{option} '{c}'",
                    "is not a column of the leads file." + column_hint(c, known),
                )
                for c in unknown
            ],
            data.files.get("leads", "leads"),
        )


def profile_leads(
    data: LeadData,
    outcome: str | None = None,
    *,
    types: Mapping[str, str] | None = None,
    keep: Sequence[str] = (),
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
    types : column -> type (one of :data:`COLUMN_TYPES`) where the user knows better than
        the values; ``keep`` columns a draft scores whatever the screen says (a flagged one
        with a warning, one of a type a draft leaves out with the type it can best take).
    top : most frequent values shown per categorical column; the rest are pooled.
    min_share, min_leads : a value needs this share of leads and this many leads to be
        shown on its own, else it joins '(other …)'.
    bins : quantile bins per numeric or date column.
    """
    outcome = outcome or data.mapping.outcome
    if not outcome:
        raise DataError([Problem("outcome", "name the outcome column (e.g. --outcome converted)")])
    y = outcome_values(data, outcome)
    types = dict(types or {})
    bad = {c: t for c, t in types.items() if t not in COLUMN_TYPES}
    if bad:
        raise DataError(
            [
                Problem(
                    f"type of '{c}'", f"'{t}' is not a type; use one of {', '.join(COLUMN_TYPES)}"
                )
                for c, t in bad.items()
            ]
        )
    _check_names(data, list(types), "--type")
    _check_names(data, keep, "--keep")
    check_ids(data)
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
    kept = {str(c) for c in keep}
    rows, frames = [], []
    for name in leads.columns:
        if name == outcome:
            continue
        col = leads[name]
        col_type, note = infer_type(col, str(name))
        if str(name) in types:
            col_type, note = types[str(name)], f"typed {types[str(name)]} (--type)"
        warning = ""
        if str(name) in kept and col_type not in SCORED_TYPES:
            was = col_type
            col_type = best_scored_type(col)
            note = f"kept (--keep) as {col_type}; its values read as {was}"
        levels, codes = column_levels(
            col, col_type, y, top=top, min_share=min_share, min_leads=min_leads, bins=bins
        )
        distinct = int(col.dropna().astype("str").str.strip().str.casefold().nunique())
        many = col_type == "categorical" and distinct > HIGH_CARDINALITY
        if many:  # shown levels pool most values: measure the values themselves, honestly
            strength, iv = strength_of_values(col, y)
        else:
            strength, iv = column_auc(levels, codes, y, base), information_value(levels)
        evidence = leak_evidence(str(name), outcome, levels, strength, col.notna().to_numpy(), y)
        if not evidence and not note:
            note = name_caution(str(name), outcome, strength)
        if evidence and str(name) in kept:
            warning = "flagged as a likely leak but kept (--keep): check it is known before contact"
        missing = int(col.isna().sum())
        rows.append(
            {
                "column": str(name),
                "type": col_type,
                "missing": missing,
                "missing_share": missing / max(n, 1),
                "placeholders": int(placeholders.get(str(name), 0)),
                "distinct": distinct,
                "levels": int((levels["leads"] > 0).sum()),
                "high_cardinality": many,
                "auc": strength,
                "iv": iv,
                "leak": bool(evidence),
                "leak_reason": "; ".join(evidence),
                "kept": str(name) in kept,
                "note": note,
                "warning": warning,
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
            "levels": 0,
            "high_cardinality": False,
            "auc": float("nan"),
            "iv": float("nan"),
            "leak": False,
            "leak_reason": "",
            "kept": False,
            "note": "the lead id",
            "warning": "",
        },
    )
    columns = pd.DataFrame(rows).set_index("column")
    columns["left_out"] = _left_out(columns, id_name)
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
        set_aside=_set_aside(data),
    )


def _left_out(columns: pd.DataFrame, id_name: str) -> list[str]:
    """Why each column is not scored by a draft ('' for a column a draft scores)."""
    reasons = []
    for name, row in columns.iterrows():  # one step per column, not per lead
        assigned = set(name_tokens(str(name))) & ASSIGNMENT_WORDS
        if name == id_name:
            why = "the lead id"
        elif row["leak"] and not row["kept"]:
            why = f"likely leak: {row['leak_reason']} (--keep to score it)"
        elif assigned and not row["kept"]:
            # a rep's past results would score leads by who was handed them
            why = "who works the lead, not who the lead is (--keep to score it)"
        elif row["type"] not in SCORED_TYPES:
            why = f"{row['type']}: {row['note']}" if row["note"] else WHY_LEFT_OUT[row["type"]]
            why += " (--keep or --type to score it)"
        elif row["missing_share"] >= 1.0 or (row["distinct"] <= 1 and row["missing"] == 0):
            why = "one value only"
        else:
            why = ""
        reasons.append(why)
    return reasons
