"""The data report: every problem found while loading, with counts and examples.

Problems are collected, never raised one by one, and rows that fail a check are kept in
``rejected_*`` tables with their reason — nothing is dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

ISSUE_COLUMNS = ["file", "row", "column", "code", "value", "action"]

MESSAGES = {
    "blank_row": "empty line",
    "missing_id": "lead id is empty",
    "duplicate_id": "lead id appears more than once (first row kept)",
    "unparseable_date": "not a date",
    "unparseable_outcome": "outcome is not yes/no, true/false or 1/0",
    "unknown_lead": "activity for a lead id that is not in the leads file",
    "future_timestamp": "timestamp is in the future",
    "missing_type": "activity type is empty",
    "placeholder": "placeholder value treated as missing",
    "not_a_number": "not a number; treated as missing",
    "short_row": "row has fewer fields than the header; a line break inside a value? "
    "Put the value in double quotes",
    "long_row": "row has more fields than the header; a delimiter inside a value? "
    "Put the value in double quotes",
}


def issues_frame(
    file: str, rows: np.ndarray, column: str, code: str, values, action: str
) -> pd.DataFrame:
    """A block of issues sharing file, column and code (built without a Python loop)."""
    n = len(rows)
    return pd.DataFrame(
        {
            "file": np.full(n, file, dtype=object),
            "row": np.asarray(rows, dtype=np.int64),
            "column": np.full(n, column, dtype=object),
            "code": np.full(n, code, dtype=object),
            "value": pd.Series(values, dtype="string").to_numpy(dtype=object),
            "action": np.full(n, action, dtype=object),
        }
    )


@dataclass
class DataReport:
    """What loading found. ``row`` numbers are spreadsheet rows (the header is row 1)."""

    issues: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ISSUE_COLUMNS))
    rejected_leads: pd.DataFrame = field(default_factory=pd.DataFrame)
    rejected_activities: pd.DataFrame = field(default_factory=pd.DataFrame)
    placeholders: dict[str, dict[str, int]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, block: pd.DataFrame) -> None:
        if len(block):
            frames = [f for f in (self.issues, block) if len(f)]
            self.issues = pd.concat(frames, ignore_index=True) if len(frames) > 1 else block

    @property
    def ok(self) -> bool:
        return self.issues.empty

    def summary(self, examples: int = 3) -> pd.DataFrame:
        """One row per (file, column, problem): how many, what happens, a few examples."""
        cols = ["file", "column", "code", "problem", "count", "action", "examples"]
        if self.issues.empty:
            return pd.DataFrame(columns=cols)
        rows = []
        for (file, column, code, action), grp in self.issues.groupby(
            ["file", "column", "code", "action"], sort=False
        ):
            ex = ", ".join(
                f"row {r}: {v!r}"
                for r, v in zip(grp["row"][:examples], grp["value"][:examples], strict=True)
            )
            rows.append([file, column, code, MESSAGES.get(code, code), len(grp), action, ex])
        return pd.DataFrame(rows, columns=cols)

    def placeholder_summary(self) -> pd.DataFrame:
        rows = [
            (file, column, n)
            for file, per_col in self.placeholders.items()
            for column, n in per_col.items()
            if n
        ]
        return pd.DataFrame(rows, columns=["file", "column", "placeholders"])

    def __str__(self) -> str:
        c = self.counts
        lines = [
            f"Leads: {c.get('leads_read', 0):,} rows read, {c.get('leads_kept', 0):,} kept, "
            f"{c.get('leads_rejected', 0):,} set aside."
        ]
        if "activities_read" in c:
            lines.append(
                f"Activities: {c['activities_read']:,} rows read, "
                f"{c.get('activities_kept', 0):,} kept, "
                f"{c.get('activities_rejected', 0):,} set aside."
            )
        for r in self.summary().itertuples():
            lines.append(
                f"  {r.file} [{r.column}] {r.problem}: {r.count:,} ({r.action}); e.g. {r.examples}"
            )
        ph = self.placeholder_summary()
        if len(ph):
            parts = ", ".join(f"{r.column} {r.placeholders:,}" for r in ph.itertuples())
            lines.append(f"  Placeholders ('Select', 'N/A', blank) treated as missing: {parts}")
        return "\n".join(lines)
