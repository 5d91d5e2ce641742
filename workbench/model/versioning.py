"""The next version of a model: what every edit (tuning app, calibration) saves.

A changed model is a new version: version + 1, a changelog entry saying who changed what,
and the sign-off cleared, because sales and marketing agreed to the old rules, not these.
"""

from __future__ import annotations

import datetime as dt

from workbench.model.diff import model_changes
from workbench.model.spec import Model


def next_version(
    saved: Model, current: Model, author: str = "", note: str = "", date: dt.date | None = None
) -> Model:
    """``current`` as the version after ``saved``: changelog entry added, sign-off cleared.

    The note defaults to the list of changes (``model_changes``).

    >>> edited = model.with_points({"pricing_page": 20})  # doctest: +SKIP
    >>> new = next_version(model, edited, author="Priya")  # doctest: +SKIP
    >>> new.version, new.approved_by  # doctest: +SKIP
    (2, ())
    """
    changes = model_changes(saved, current)
    version = saved.version + 1
    entry = {
        "version": version,
        "date": date or dt.date.today(),
        "author": author,
        "note": note or "; ".join(changes) or "no changes",
    }
    return current.with_metadata(
        version=version,
        approved_by=[],  # the rules changed: sales and marketing sign off again
        changelog=[*(c.model_dump() for c in current.changelog), entry],
    )
