"""The error family a user can meet: the model file, the data or an option is wrong.

Both carry a list of problems (where, what, how to fix) so callers — the CLI, a notebook —
can show every problem at once instead of one per run.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from workbench.text import shorten

LONGEST = 400
"""Characters of one problem as printed."""
SHOWN = 20
"""Problems printed of one error; the rest are counted."""


def format_path(path: Sequence[str | int]) -> str:
    """``('criteria', 3, 'rule', 'bins', 1)`` -> ``criteria[3].rule.bins[1]``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ' Did you mean …?' suffix, or '' when nothing is close."""
    choices = [str(c) for c in choices]
    lowered = {c.lower(): c for c in choices}
    if word.lower() in lowered and lowered[word.lower()] != word:
        return f" Did you mean '{lowered[word.lower()]}'?"
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if not close:
        close = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
        close = [lowered[c] for c in close]
    return f" Did you mean '{close[0]}'?" if close else ""


def column_hint(name: str, columns: Iterable[object]) -> str:
    """' Did you mean …?' for a column name, else the columns there are (the first 20: a
    file 20,000 columns wide must not fill the screen)."""
    columns = [str(c) for c in columns]
    hint = did_you_mean(name, columns)
    if hint:
        return hint
    if not columns:
        return " The file has no other columns."
    more = f" … ({len(columns) - 20:,} more)" if len(columns) > 20 else ""
    return f" Columns are: {', '.join(columns[:20])}{more}."


@dataclass(frozen=True)
class Problem:
    """One thing wrong: where (key path or column/row), what, and how to fix it."""

    where: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        if self.line and self.where:
            return f"line {self.line}, {self.where}: {self.message}"
        if self.line:
            return f"line {self.line}: {self.message}"
        return f"{self.where}: {self.message}" if self.where else self.message


class WorkbenchError(Exception):
    """Base of the user-facing errors; the CLI prints these without a traceback."""

    def __init__(self, problems: Sequence[Problem] | str, source: str | None = None):
        if isinstance(problems, str):
            problems = [Problem("", problems)]
        self.problems = list(problems)
        self.source = source
        super().__init__(self._render())

    def _render(self) -> str:
        """Every problem on a line of its own, each cut to a few hundred characters and at
        most ``SHOWN`` of them: a hostile file must not echo megabytes back."""
        head = f"{self.source}: " if self.source else ""
        if len(self.problems) == 1:
            p = self.problems[0]
            return shorten(f"{head}{p}" if p.where or p.line else f"{head}{p.message}", LONGEST)
        lines = [f"{head}{len(self.problems):,} problems:"]
        lines += [f"  - {shorten(p, LONGEST)}" for p in self.problems[:SHOWN]]
        if len(self.problems) > SHOWN:
            lines.append(f"  … and {len(self.problems) - SHOWN:,} more")
        return "\n".join(lines)

    def with_source(self, source: str, lines: dict[str, int] | None = None) -> WorkbenchError:
        """The same error naming its file and, where known, the line of each key path."""
        problems = [
            Problem(p.where, p.message, p.line or (lines or {}).get(p.where)) for p in self.problems
        ]
        return type(self)(problems, source=source)


class ModelError(WorkbenchError):
    """The scoring model (YAML file or an edit of it) is invalid."""


class DataError(WorkbenchError):
    """A data file cannot be used: unreadable, missing columns, or not fitting the model."""


class UsageError(WorkbenchError):
    """A command-line option is wrong (missing, out of range, contradicting another)."""


class PathError(DataError):
    """The system refused a file or folder: a link loop, no permission, a full disk.

    A ``DataError`` (a file cannot be used), raised with the path as its source.
    """
