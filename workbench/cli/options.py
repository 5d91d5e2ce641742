"""Option types and checks shared by the command families.

Every command reports a bad option the same way: :class:`~workbench.errors.UsageError`
naming the option (exit 2, one paragraph) whenever the fix is to change that option — its
form, its range, a path or column it names. A file that cannot be used stays
``DataError`` and a model ``ModelError``: the fix is in the file, not on the command line.
"""

from __future__ import annotations

import argparse
import re
import socket
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from workbench.data.dates import date_problem
from workbench.data.export import overwrites_input, unwritable
from workbench.errors import DataError, UsageError

TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".parquet", ".pq", ".xlsx", ".xls", ".json")


def whole_number(minimum: int, maximum: int | None = None):
    """An argparse type: a whole number of at least ``minimum`` and, if given, at most
    ``maximum`` (argparse exits 2 otherwise)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text[:100]}' is not a whole number") from None
        if maximum is not None and not minimum <= value <= maximum:
            raise argparse.ArgumentTypeError(
                f"must be between {minimum:,} and {maximum:,}, not {value:,}"
            )
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, not {value}")
        return value

    parse.__name__ = "whole number"  # argparse names the type in its messages
    return parse


MAX_SEED = 2**32 - 1
seed_number = whole_number(0, MAX_SEED)
"""An argparse type for ``--seed``: NumPy refuses a negative seed; 32 bits is the range
seeds are given in everywhere (scikit-learn's ``random_state``, NumPy's legacy seeding)."""


HOST_NAME = re.compile(r"[a-z0-9]([a-z0-9.-]*[a-z0-9])?|\[[0-9a-f:.]+\]", re.IGNORECASE)


def host_name(text: str) -> str:
    """An argparse type: a host name as a browser sends it in ``Host`` (lower case)."""
    if not HOST_NAME.fullmatch(text):
        raise argparse.ArgumentTypeError(
            f"{text[:100]!r} is not a host name; give the name browsers reach this machine "
            "by, e.g. dashboard.example.com or 192.168.1.20 (no http://, port or path)"
        )
    return text.lower()


host_name.__name__ = "host name"  # argparse names the type in its messages


def port_free(ip: str, port: int) -> bool:
    """Whether a server could listen on ``ip:port`` now (checked before handing over)."""
    try:
        with socket.socket() as sock:
            sock.bind((ip, port))
    except OSError:
        return False
    return True


@contextmanager
def option_check() -> Iterator[None]:
    """Re-raise a ``DataError`` of a check on an option's value as the ``UsageError`` it is.

    For the shared checks of :mod:`workbench.data.export` (an output's suffix, an output
    naming an input), which the notebook API also uses; wrap only checks of options, never
    the reading of a file.
    """
    try:
        yield
    except DataError as exc:
        raise UsageError(exc.problems, exc.source) from None


def check_date(value: str | None, option: str = "--as-of") -> None:
    """A date option reads as ``workbench score`` reads it (None: not given), before any work:
    the rule of :func:`~workbench.data.dates.date_problem`, raised as a ``UsageError``."""
    if value is not None and (problem := date_problem(value, option)) is not None:
        raise UsageError([problem])


def check_out(
    path: str | Path | None,
    inputs: Mapping[str, str | Path | Sequence[str | Path] | None],
    option: str = "--out",
) -> None:
    """An output option can be written and is none of the input files (None: not given)."""
    if path is None:
        return
    if (problem := unwritable(path, option) or overwrites_input(path, inputs, option)) is not None:
        raise UsageError([problem])
