"""What every rule kind knows, and the registry that maps a rule class to its kind.

A kind is the one place that knows how a rule of that kind is evaluated (its evidence) and
put into words (the rule described; what it saw for a lead). The levels of a bins/lookup
rule are the rule's own (``rule.levels``, named by ``Level.describe()`` in the model layer),
so reasons, drafting, the report and the tuning sliders call a bin the same. Callers ask
``kind_of(rule)`` instead of dispatching on ``rule.kind`` themselves, so a new rule kind is
one class here plus its pydantic model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, get_args

import numpy as np
import pandas as pd

from workbench.engine.events import EventArrays
from workbench.engine.fields import ColumnCache
from workbench.engine.kinds.words import label_series, lead_values, listing
from workbench.model import rules as r

if TYPE_CHECKING:
    from workbench.engine.signals import Signals
    from workbench.model.spec import Criterion

Detail = dict[str, np.ndarray]


@dataclass(frozen=True, eq=False)
class Inputs:
    """What evidence is computed from, for one as-of cut-off.

    ``cache`` is None when only activity rules are redone (the tuning app moving a window);
    ``events`` is None when the model reads no activity.
    """

    cutoff: pd.Timestamp
    cache: ColumnCache | None = None
    events: EventArrays | None = None
    created_ns: np.ndarray | None = None  # lead creation instants (int64 ns, NEVER = unknown)


class Kind:
    """One rule kind: its evidence and its words.

    The SQL compilation of a rule (the next step: ``sql(rule, ...)`` per kind) goes here too.
    """

    rule_class: ClassVar[type[r.FieldRule] | type[r.ActivityRule]]
    fires_without_events: ClassVar[bool] = False
    """True when the rule matches every lead if no activity is given (inactivity)."""

    @property
    def name(self) -> str:
        """The ``kind`` a model file writes."""
        return get_args(self.rule_class.model_fields["kind"].annotation)[0]

    def evidence(self, rule, inputs: Inputs) -> tuple[np.ndarray, Detail]:
        """Per lead: evidence (float or bool; int16 level for bins/lookup, -1 = none), and
        arrays the reasons quote (counts, days)."""
        raise NotImplementedError

    def describe(self, rule) -> str:
        """The rule in words, for the report's criteria table (``seniority is VP, Director``)."""
        raise NotImplementedError

    def evidence_words(self, c: Criterion, signals: Signals, rows: np.ndarray) -> pd.Series:
        """What criterion ``c`` saw for each of ``rows``, in words (without the points)."""
        raise NotImplementedError

    def named_values(self, rule) -> tuple[r.Scalar, ...]:
        """Whole values the rule expects in its column (a typo there matches no lead)."""
        return ()


class FieldKind(Kind):
    """A rule on one lead column, evaluated in one vectorised pass over the leads table."""

    def match(self, rule, cache: ColumnCache, cutoff: pd.Timestamp) -> np.ndarray:
        """Boolean evidence per lead (int16 level for bins/lookup, -1 = in none)."""
        raise NotImplementedError

    def hits(self, rule, cache: ColumnCache, cutoff: pd.Timestamp) -> np.ndarray:
        """Whether each lead matches (a bins/lookup rule: is in any level), for inquiries."""
        return self.match(rule, cache, cutoff)

    def evidence(self, rule, inputs: Inputs) -> tuple[np.ndarray, Detail]:
        return self.match(rule, inputs.cache, inputs.cutoff), {}

    def evidence_words(self, c: Criterion, signals: Signals, rows: np.ndarray) -> pd.Series:
        """The lead's value quoted: ``Industry (Software)``; the label alone if it is empty."""
        label = label_series(c, rows)
        value = lead_values(signals, c.rule.field, rows)
        return (label + " (" + value + ")").where(value != "", label)


class LevelKind(FieldKind):
    """A field rule whose bins or groups each score their own points."""

    def hits(self, rule, cache: ColumnCache, cutoff: pd.Timestamp) -> np.ndarray:
        return self.match(rule, cache, cutoff) >= 0

    def level_words(self, c: Criterion, signals: Signals, rows: np.ndarray) -> pd.Series:
        """The name of the level each of ``rows`` fell in ("" for none): ``Level.describe``,
        as the report, calibration and the tuning sliders name it."""
        names = np.array([*(level.describe() for level in c.rule.levels), ""], dtype=object)
        return pd.Series(names[signals.levels[c.id][rows]], dtype="str")


class ActivityKind(Kind):
    """A rule on the events of each lead up to the as-of date."""

    @staticmethod
    def events_words(rule: r.ActivityRule) -> str:
        """``page_view with /pricing``: the events a rule counts (any activity if no type)."""
        types = listing(rule.types) if rule.types else "activity"
        if rule.detail_contains:
            return f"{types} with {listing(rule.detail_contains)}"
        if rule.detail_regex:
            return f"{types} matching {rule.detail_regex}"
        return types


# --- the registry ------------------------------------------------------------------------

REGISTRY: dict[type, Kind] = {}


def home(rule_class: type) -> Callable[[type[Kind]], type[Kind]]:
    """Class decorator: the decorated kind is where ``rule_class`` rules live."""

    def register(kind_class: type[Kind]) -> type[Kind]:
        if rule_class in REGISTRY:
            raise TypeError(f"{rule_class.__name__} already lives in {REGISTRY[rule_class]!r}")
        family = ActivityKind if issubclass(rule_class, r.ActivityRule) else FieldKind
        if not issubclass(kind_class, family):
            raise TypeError(f"{kind_class.__name__} must be a {family.__name__}")
        kind_class.rule_class = rule_class
        REGISTRY[rule_class] = kind_class()
        return kind_class

    return register


def kind_of(rule) -> Kind:
    """The kind that knows ``rule`` (KeyError only if the registry check was bypassed)."""
    return REGISTRY[type(rule)]


def unhomed() -> list[str]:
    """Rule classes the model can parse that no kind knows (must be empty)."""
    union = get_args(get_args(r.Rule)[0])
    classes = dict.fromkeys((*union, *r.FIELD_RULES, *r.ACTIVITY_RULES))
    missing = [cls.__name__ for cls in classes if cls not in REGISTRY]
    names = {k.name for k in REGISTRY.values()}
    missing += [f"kind '{k}'" for k in r.RULE_KINDS if k not in names]
    return missing
