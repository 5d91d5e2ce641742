"""Small wording helpers shared by every view: counts that agree with their noun, labels
cut to a column's width, the minus sign they print."""

from __future__ import annotations

MINUS = "\u2212"
"""The typographic minus every view prints for negative points (``−5``, not ``-5``)."""


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 lead``, ``2 leads``, ``1,234 leads`` (``many`` for irregular plurals)."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


def shorten(text, n: int) -> str:
    """``text`` in at most ``n`` characters, an ellipsis where it was cut."""
    text = str(text)
    return text if len(text) <= n else text[: n - 1] + "…"
