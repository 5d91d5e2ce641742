"""One home per rule kind: its evidence and its words (see ``base``).

``kind_of(rule)`` is how the engine, reasons, report, tuning app and learning reach a rule's
behaviour. The registry is closed: importing this package fails if a rule the model can
parse has no home, so a new kind cannot be half-added.
"""

from __future__ import annotations

from workbench.engine.kinds import activity, combined, dates, numbers, presence, values, words
from workbench.engine.kinds.base import (
    REGISTRY,
    ActivityKind,
    FieldKind,
    Inputs,
    Kind,
    LevelKind,
    kind_of,
    unhomed,
)

__all__ = [
    "REGISTRY",
    "ActivityKind",
    "FieldKind",
    "Inputs",
    "Kind",
    "LevelKind",
    "activity",
    "combined",
    "dates",
    "kind_of",
    "numbers",
    "presence",
    "unhomed",
    "values",
    "words",
]

if _missing := unhomed():
    raise ImportError("rule kinds without a home in workbench.engine.kinds: " + ", ".join(_missing))
