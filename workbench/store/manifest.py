"""The manifest of a published run: what was scored, with what, by whom, and what came out.

Written last into a run's folder, as JSON a person can read; pydantic checks it on read.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict


class _Frozen(BaseModel):
    # extra="ignore": a newer workbench may add fields an older one still lists runs by
    model_config = ConfigDict(frozen=True, extra="ignore")


class InputFile(_Frozen):
    """One input file: rows read, kept and set aside, and its SHA-256 (same file or not)."""

    role: str  # leads, activities or model
    name: str
    path: str
    sha256: str
    rows_read: int | None = None
    rows_kept: int | None = None
    rows_set_aside: int | None = None


class Manifest(_Frozen):
    """One immutable scoring run (``runs/<run_id>/manifest.json``)."""

    run_id: str
    model: str
    version: int
    fingerprint: str
    signed_off: tuple[str, ...]
    sign_off_warning: str | None = None
    unapproved: bool
    as_of: str  # ISO, to the nanosecond: pd.Timestamp(manifest.as_of) is the instant scored
    leads: int
    counts: dict[str, int]  # leads per category, in the model's order
    set_aside: dict[str, int]  # rows set aside by the data checks: leads, activities
    files: tuple[InputFile, ...]
    buckets: tuple[str, ...]
    published_by: str
    published_at: dt.datetime  # UTC
    tool_version: str
    previous_run: str | None = None  # the run "new" and "going cold" compare with
    previous_as_of: str | None = None
    new_top: int = 0  # leads new in the top category since the previous run
    cold: int = 0  # top leads then, quiet since, losing points
    fell: int = 0  # of those, already out of the top category
    events: int = 0  # recent events stored for the lead cards
    history: bool = False  # stored by `publish --history` as of a past week
    created_later: int = 0  # leads in the file created after the as-of instant: left out

    @property
    def top_category(self) -> str:
        return next(iter(self.counts))
