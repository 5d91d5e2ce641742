"""The check of a date someone typed as an option (``--as-of``), for every command and the
report's own parameter check.

One rule, so the same bad date gets the same message from ``score``, ``report`` and the
rest: the date reads as :func:`~workbench.data.loading.read_date` reads it. The report,
which is as of a day, also refuses a time. The CLI raises the problem as a ``UsageError``
(:func:`workbench.cli.options.check_date`); the report gathers it with its other problems.
"""

from __future__ import annotations

from workbench.data.loading import read_date
from workbench.errors import DataError, Problem


def date_problem(value: object, option: str = "--as-of", *, day: bool = False) -> Problem | None:
    """What is wrong with ``value`` as a date option, or None; ``day``: it must also be one
    calendar day without a time (a report's ``--as-of``)."""
    try:
        stamp = read_date(str(value), option)
    except DataError as exc:
        return exc.problems[0]
    if day and stamp != stamp.normalize():
        return Problem(option, f"'{value}' has a time; a report is as of a day: YYYY-MM-DD")
    return None
