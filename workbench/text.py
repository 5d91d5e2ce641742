"""Small wording helpers shared by every layer: counts that agree with their noun, labels
cut to a column's width, numbers and points as people write them."""

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


def number_text(value: float) -> str:
    """18,822 · 1,234,567.5 · 0.25: separators, no exponent, at most two decimals."""
    if value != value:  # NaN (and pandas' missing values compare unequal too)
        return ""
    text = f"{float(value):,.2f}"
    return text.rstrip("0").rstrip(".")


def signed_points(value: float) -> str:
    """``+15``, ``−5`` (a real minus sign), ``+0``, ``+1,000,000``: points as a reader sees
    them, never in exponent form. The one rule for signed points: the report, the reasons,
    the dashboard and the tuning app all print points with it."""
    sign = MINUS if str(float(value)).startswith("-") else "+"  # −0 keeps its sign
    return sign + number_text(abs(value))


def percent(value: float) -> str:
    """``7.7%``: a rate as every screen and report prints it; ``—`` where there is none."""
    return "—" if value != value else f"{value:.1%}"
