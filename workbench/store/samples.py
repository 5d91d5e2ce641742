"""A store of the shipped sample, so the dashboard and reports work before anyone publishes.

Published once per sample content and workbench version into the temp folder (eight past
weeks included, so trends and "new since last week" show), then reused by every page.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

import workbench
from workbench.resources import SAMPLE_FILES, samples_dir

SAMPLE_HISTORY_WEEKS = 8


def _key(files: list[Path]) -> str:
    h = hashlib.sha256(workbench.__version__.encode())
    for f in files:
        h.update(f.read_bytes())
    return h.hexdigest()[:12]


@contextlib.contextmanager
def _exclusive(path: Path) -> Iterator[None]:
    """Two pages opening at once publish the sample once, not twice."""
    with open(path, "a") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def stored_inputs(
    model: Path, leads: Path, activities: Path | None, *, as_of=None, history_weeks: int = 4
) -> Path:
    """A temporary store of these files, published once (unapproved if not signed off) and
    reused while the files are unchanged: what ``workbench dashboard --leads …`` serves."""
    from workbench.store.publishing import publish
    from workbench.store.store import Store

    files = [p for p in (model, leads, activities) if p is not None]
    tag = _key(files) + (f"-{as_of}" if as_of else "") + f"-{history_weeks}w"
    folder = Path(tempfile.gettempdir()) / f"workbench-store-{tag}"
    with _exclusive(Path(tempfile.gettempdir()) / f"workbench-store-{tag}.lock"):
        if folder.exists() and Store(folder).current_id():
            return folder
        publish(
            model, leads, activities, as_of=as_of, store=folder, unapproved=True,
            history_weeks=history_weeks, by="workbench (preview of files)",
        )  # fmt: skip
    return folder


def sample_store() -> Path:
    """The shipped sample's store (published on first use)."""
    model, leads, activities = (samples_dir() / name for name in SAMPLE_FILES)
    return stored_inputs(model, leads, activities, history_weeks=SAMPLE_HISTORY_WEEKS)
