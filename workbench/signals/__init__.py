"""The signals layer: per-lead, per-criterion evidence, computed once per as-of date."""

from workbench.signals.core import (
    Signals,
    compute_signals,
    refresh_signals,
    resolve_as_of,
    rules_key,
)

__all__ = ["Signals", "compute_signals", "refresh_signals", "resolve_as_of", "rules_key"]
