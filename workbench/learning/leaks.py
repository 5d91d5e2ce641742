"""The leak screen: columns that look filled in after contact or after the sale.

A model trained on a field sales fills in later (a deal stage, a call's duration, a 'lead
quality' set after the call, a field filled only for leads that were won) looks brilliant in
a backtest and is useless on new leads, which do not have it yet. Three kinds of evidence,
each said in words a user can check against the profile:

- **fill pattern**: the column is filled for few leads and nearly all of them converted (or
  none did) — "filled for 66 leads, 66 converted (100 %) vs 9.1 % overall";
- **strength alone**: the column alone ranks converters with AUC ≥ :data:`LEAK_AUC`
  (no honest single field of a lead form does that);
- **name**: outcome words (status, stage, won, closed …) or post-contact words (duration,
  tags, quality, notes, last activity …). A name alone is a weak reason — 'Employment Status'
  is filled in on the form — so a name flags a column only with evidence that it separates
  converters (AUC ≥ :data:`NAME_EVIDENCE_AUC`), and that evidence is said; a leak-like name
  on a column without it gets a note instead (:func:`name_caution`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.learning.column_types import name_tokens
from workbench.text import percent

LEAK_AUC = 0.80
"""A single column ranking converters this well on its own is flagged."""
NAME_EVIDENCE_AUC = 0.60
"""A leak-like name flags a column that separates converters at least this well."""

OUTCOME_WORDS = frozenset(
    {
        "status", "stage", "closed", "close", "won", "lost", "win", "loss", "opportunity",
        "opportunities", "opp", "outcome", "result", "deal", "disposition", "pipeline",
        "converted", "conversion", "churn", "churned", "booked", "signed", "contract", "sql",
        "disqualified",
    }
)  # fmt: skip
"""Name tokens of fields a sales team fills in as a lead progresses (status, stage, …)."""

POST_CONTACT_WORDS = frozenset(
    {
        "duration", "tags", "tag", "quality", "notes", "note", "comment", "comments",
        "reason", "feedback", "callback", "followup", "proposal", "qualified",
        "qualification", "revert",
    }
)  # fmt: skip
"""Name tokens of fields typically filled in during or after a sales contact."""

POST_CONTACT_PHRASES = (
    frozenset({"last", "activity"}),
    frozenset({"last", "contact"}),
    frozenset({"last", "contacted"}),
    frozenset({"follow", "up"}),
    frozenset({"next", "step"}),
    frozenset({"next", "steps"}),
)
"""Word pairs that together name a post-contact field ('Last Notable Activity')."""

LEAK_COLUMNS = ["leak", "leak_reason", "leak_evidence"]


def name_hits(name: str, outcome: str = "") -> tuple[list[str], list[str]]:
    """The outcome-like and the post-contact-like words of a column name."""
    tokens = set(name_tokens(name))
    outcome_tokens = set(name_tokens(outcome)) - {"is", "has", "lead", "flag"}
    outcome_like = sorted(tokens & (OUTCOME_WORDS | outcome_tokens))
    contact = sorted(tokens & POST_CONTACT_WORDS)
    contact += [" ".join(sorted(p)) for p in POST_CONTACT_PHRASES if p <= tokens]
    return outcome_like, contact


def fill_pattern(filled: np.ndarray, y: np.ndarray, base_rate: float) -> str:
    """Evidence that a column is filled almost only for converters (or non-converters).

    ``filled`` says per lead whether the column has a value, ``y`` is 1/0/NaN. A column
    filled for fewer than half the leads, whose filled leads convert at 95 % or more (or
    at most a tenth of the overall rate where 10+ conversions were expected), is flagged.
    """
    known = ~np.isnan(y)
    n_filled = int((filled & known).sum())
    n_known = int(known.sum())
    if n_filled < 10 or n_filled > 0.5 * n_known or not 0 < base_rate < 1:
        return ""
    conv = int(np.nansum(y[filled & known]))
    rate = conv / n_filled
    if rate >= 0.95 and base_rate < 0.75:
        return (
            f"filled for {n_filled:,} leads, {conv:,} converted ({percent(rate)}) "
            f"vs {percent(base_rate)} overall"
        )
    if rate <= 0.1 * base_rate and n_filled * base_rate >= 10:
        return (
            f"filled for {n_filled:,} leads, {conv:,} converted ({percent(rate)}) "
            f"vs {percent(base_rate)} overall"
        )
    return ""


def level_pattern(levels: pd.DataFrame, base_rate: float, total_converted: int) -> str:
    """Evidence that one value marks converters (or lost leads) almost perfectly."""
    lv = levels[~levels["kind"].isin(["other", "missing"])]
    pure = lv[(lv["known"] >= 20) & (lv["rate"] >= 0.95)]
    pure = pure[pure["converted"] >= 0.1 * max(total_converted, 1)]
    if len(pure):
        top = pure.iloc[0]
        return (
            f"{top['converted']:,} leads with '{top['level']}' all but all converted "
            f"({percent(top['rate'])} vs {percent(base_rate)} overall)"
        )
    dead = lv[(lv["share"] >= 0.25) & (lv["converted"] == 0)]
    dead = dead[dead["known"] * base_rate >= 20]
    if len(dead):
        top = dead.iloc[0]
        return (
            f"none of the {top['known']:,} leads with '{top['level']}' converted "
            f"(overall {percent(base_rate)})"
        )
    return ""


def leak_evidence(
    name: str,
    outcome: str,
    levels: pd.DataFrame,
    column_auc: float,
    filled: np.ndarray,
    y: np.ndarray,
) -> list[str]:
    """Why a column looks filled in after contact or the sale: [] if it does not."""
    known = ~np.isnan(y)
    total_converted = int(np.nansum(y))
    base = total_converted / max(int(known.sum()), 1)
    strength = column_auc if column_auc == column_auc else 0.5
    evidence = []
    if fill := fill_pattern(filled, y, base):
        evidence.append(fill)
    if strength >= LEAK_AUC:
        evidence.append(f"alone ranks converters with AUC {strength:.2f}")
    if not evidence and (level := level_pattern(levels, base, total_converted)):
        evidence.append(level)
    outcome_like, contact = name_hits(name, outcome)
    if (outcome_like or contact) and (evidence or strength >= NAME_EVIDENCE_AUC):
        said = "" if evidence else f", and it separates converters (AUC {strength:.2f})"
        what = (
            f"a sales-status or outcome field ({', '.join(outcome_like)})"
            if outcome_like
            else f"a field filled after contact ({', '.join(contact)})"
        )
        evidence.append(f"name suggests {what}{said}")
    return evidence


def name_caution(name: str, outcome: str, column_auc: float) -> str:
    """A note for a leak-like name on a column with no evidence of a leak."""
    outcome_like, contact = name_hits(name, outcome)
    if outcome_like or contact:
        strength = column_auc if column_auc == column_auc else 0.5
        return (
            f"name suggests a field filled after contact ({', '.join(outcome_like + contact)}),"
            " but it "
            f"barely separates converters (AUC {strength:.2f}): not flagged; check when "
            "it is filled in"
        )
    return ""
