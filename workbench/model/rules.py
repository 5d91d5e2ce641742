"""Rule kinds: the declarative vocabulary a criterion can use.

Each kind is a frozen pydantic model tagged by ``kind``; the tagged union below is the
registry. A model file can only name these kinds, so nothing in it is ever run as code.
What a kind does (its evidence, words and levels) lives in :mod:`workbench.engine.kinds`,
which refuses to import while a rule class here has no home there.
Lead-field rules look at one column of the leads table; activity rules look at the
events of each lead up to the as-of date.
"""

from __future__ import annotations

import re
from typing import Annotated, ClassVar, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from workbench.model.bounds import Count, Days, Edge, Factor, HalfLife, Label, Points, Stars
from workbench.model.patterns import check_pattern

Scalar = str | int | float | bool


class Frozen(BaseModel):
    """Immutable, strict about unknown keys: a typo in the YAML is an error, not ignored."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


def normalize_activity_type(value: str) -> str:
    """'Page View' and 'page-view' mean 'page_view': CRM exports spell types loosely."""
    return re.sub(r"[\s\-]+", "_", str(value).strip().lower())


# --- lead-field rules -------------------------------------------------------------------


class FieldRule(Frozen):
    field: str = Field(min_length=1)

    def signal_key(self) -> tuple:
        """What the evidence depends on (points excluded, so re-scoring keeps the signals)."""
        return (self.kind, self.field, tuple(self.model_dump(exclude={"kind", "field"}).items()))


class Equals(FieldRule):
    """Field equals one value."""

    kind: Literal["equals"]
    value: Scalar
    case_sensitive: bool = False


class In(FieldRule):
    """Field is one of a list of values."""

    kind: Literal["in"]
    values: tuple[Scalar, ...] = Field(min_length=1)
    case_sensitive: bool = False


class NotIn(FieldRule):
    """Field is filled in and not one of the values (missing values do not match)."""

    kind: Literal["not_in"]
    values: tuple[Scalar, ...] = Field(min_length=1)
    case_sensitive: bool = False


class Range(FieldRule):
    """Numeric field in [min, max): one of min or max may be left open."""

    kind: Literal["range"]
    min: Edge | None = None
    max: Edge | None = None

    @model_validator(mode="after")
    def _bounds(self) -> Range:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        if self.min is not None and self.max is not None and self.min >= self.max:
            raise ValueError(f"min must be below max; got min {self.min}, max {self.max}")
        return self


class Evidence(Frozen):
    """What past leads showed when points were suggested: traceable, never scored.

    Written by ``workbench draft`` (and calibration) next to each bin, group or criterion:
    how many leads it covered, how many converted, the rate and its 95 % interval.
    """

    leads: int = Field(ge=0)
    converted: int = Field(ge=0)
    rate: float | None = Field(default=None, ge=0, le=1)
    low: float | None = Field(default=None, ge=0, le=1)
    high: float | None = Field(default=None, ge=0, le=1)


class Level(Frozen):
    """A bin or group: it scores its own points, or stars (× the model's points per star)."""

    points: Points | None = None
    stars: Stars | None = None
    label: Label | None = None
    evidence: Evidence | None = None

    @model_validator(mode="after")
    def _one_value(self) -> Level:
        if (self.points is None) == (self.stars is None):
            raise ValueError(f"give either points or stars for each {type(self).__name__.lower()}")
        if self.stars == 0:
            raise ValueError("stars must be 1–5 (or −1 to −5 to subtract)")
        return self


class Bin(Level):
    """One numeric bin [min, max) with its own points (or stars)."""

    min: Edge | None = None
    max: Edge | None = None

    def describe(self) -> str:
        if self.label:
            return self.label
        lo = "" if self.min is None else f"{self.min:g}"
        hi = "" if self.max is None else f"{self.max:g}"
        if self.min is None:
            return f"under {hi}"
        if self.max is None:
            return f"{lo}+"
        return f"{lo}–{hi}"


class Bins(FieldRule):
    """Numeric field binned; each bin scores its own points. Values in no bin score 0."""

    kind: Literal["bins"]
    bins: tuple[Bin, ...] = Field(min_length=1)
    levels_field: ClassVar[str] = "bins"

    @property
    def levels(self) -> tuple[Bin, ...]:
        """The bins: what the model edits and the engine scores, one column each."""
        return self.bins

    def signal_key(self) -> tuple:
        return (self.kind, self.field, tuple((b.min, b.max) for b in self.bins))

    @model_validator(mode="after")
    def _ordered(self) -> Bins:
        prev_max = None
        for i, b in enumerate(self.bins):
            if b.min is not None and b.max is not None and b.min >= b.max:
                raise ValueError(f"bins[{i}]: min must be below max; got {b.min} and {b.max}")
            if i and (b.min is None or (prev_max is not None and b.min < prev_max)):
                raise ValueError(
                    f"bins[{i}]: bins must increase and not overlap; bin {i} starts at "
                    f"{b.min} but the previous one ends at {prev_max}"
                )
            if i < len(self.bins) - 1 and b.max is None:
                raise ValueError(f"bins[{i}]: only the last bin may be open-ended (no max)")
            prev_max = b.max
        return self


class Group(Level):
    """A group of categorical values that scores its own points (or stars)."""

    values: tuple[Scalar, ...] = Field(min_length=1)

    def describe(self) -> str:
        return self.label or ", ".join(str(v) for v in self.values)


class Lookup(FieldRule):
    """Categorical field: each group of values scores its own points (e.g. seniority)."""

    kind: Literal["lookup"]
    groups: tuple[Group, ...] = Field(min_length=1)
    case_sensitive: bool = False
    levels_field: ClassVar[str] = "groups"

    @property
    def levels(self) -> tuple[Group, ...]:
        """The groups: what the model edits and the engine scores, one column each."""
        return self.groups

    def signal_key(self) -> tuple:
        return (self.kind, self.field, self.case_sensitive, tuple(g.values for g in self.groups))

    @model_validator(mode="after")
    def _disjoint(self) -> Lookup:
        seen: dict[str, int] = {}
        for i, g in enumerate(self.groups):
            for v in g.values:
                key = str(v) if self.case_sensitive else str(v).casefold()
                if key in seen:
                    raise ValueError(
                        f"groups[{i}]: value '{v}' is already in groups[{seen[key]}]; "
                        "a value can score in one group only"
                    )
                seen[key] = i
        return self


class Missing(FieldRule):
    """Field is empty or a placeholder such as 'Select' or 'N/A'."""

    kind: Literal["missing"]


class Present(FieldRule):
    """Field is filled in (not empty, not a placeholder)."""

    kind: Literal["present"]


class Contains(FieldRule):
    """Text field contains any of the substrings ('student', '@gmail.')."""

    kind: Literal["contains"]
    values: tuple[str, ...] = Field(min_length=1)
    case_sensitive: bool = False


class Regex(FieldRule):
    """Text field matches a regular expression (searched, not anchored)."""

    kind: Literal["regex"]
    pattern: str = Field(min_length=1)
    case_sensitive: bool = False

    _check = field_validator("pattern")(check_pattern)


class WithinDays(FieldRule):
    """Date field falls within the last N days before the as-of date."""

    kind: Literal["within_days"]
    days: Days


# --- activity rules ---------------------------------------------------------------------


class Diminishing(Frozen):
    """Each repeat is worth ``factor`` times the previous one; only ``max_count`` count."""

    factor: Factor
    max_count: Count | None = None


class ActivityRule(Frozen):
    types: tuple[str, ...] = ()
    detail_contains: tuple[str, ...] = ()
    detail_regex: str | None = None

    @field_validator("types")
    @classmethod
    def _norm_types(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(normalize_activity_type(t) for t in v)

    @field_validator("detail_regex")
    @classmethod
    def _regex(cls, v: str | None) -> str | None:
        return None if v is None else check_pattern(v)

    def signal_key(self) -> ActivityRule:
        return self


class Activity(ActivityRule):
    """Events of some types (optionally with a detail pattern) in a time window.

    Evidence is the effective count: the most recent event counts 1, each older one
    ``diminishing.factor`` times the previous, each weighted by ``0.5 ** (age / half_life)``.
    """

    kind: Literal["activity"]
    within_days: Days | None = None
    min_count: Count = 1
    diminishing: Diminishing | None = None
    half_life_days: HalfLife | None = None


class Inactivity(ActivityRule):
    """No event of these types (any type if none given) in the last N days."""

    kind: Literal["inactivity"]
    days: Days


class Trend(ActivityRule):
    """More events in the last N days than in the N days before."""

    kind: Literal["trend"]
    days: Days
    min_count: Count = 1


# --- combinations ---------------------------------------------------------------------

ALL_OF_DEPTH = 3
"""How deep all_of may nest (all_of inside all_of inside all_of): deeper is unreadable."""


class AllOf(Frozen):
    """Two or more lead-field rules that must all match: an interaction a marketer can read
    ("page views 5+ and lead source Website"), scored as one criterion.

    Only rules that match or not can be combined (not bins/lookup, whose levels score
    separately, nor activity rules, whose evidence is a count); ``labels`` optionally name
    each part for the reasons, in the order of ``rules``.
    """

    kind: Literal["all_of"]
    rules: tuple[Rule, ...] = Field(min_length=2)
    labels: tuple[Label, ...] = ()

    def signal_key(self) -> tuple:
        return (self.kind, tuple(s.signal_key() for s in self.rules))

    @model_validator(mode="after")
    def _parts(self) -> AllOf:
        for i, sub in enumerate(self.rules):
            if isinstance(sub, LEVEL_RULES):
                raise ValueError(
                    f"rules[{i}]: a '{sub.kind}' rule scores each {sub.levels_field[:-1]} "
                    "separately and cannot be part of all_of; use one of its levels as a "
                    "'range' (a bin) or 'in' (a group) rule"
                )
            if isinstance(sub, ActivityRule):
                raise ValueError(
                    f"rules[{i}]: all_of combines lead-field rules; an '{sub.kind}' rule "
                    "counts events and cannot be part of it"
                )
        if self.labels and len(self.labels) != len(self.rules):
            raise ValueError(
                f"labels: give one label per rule ({len(self.rules)}) or none; "
                f"got {len(self.labels)}"
            )
        if nesting(self) > ALL_OF_DEPTH:
            raise ValueError(
                f"all_of nests {nesting(self)} deep; at most {ALL_OF_DEPTH} levels are "
                "allowed: list the rules of an inner all_of in the outer one instead"
            )
        return self


def nesting(rule) -> int:
    """How many all_of rules deep ``rule`` goes (0 for a plain rule)."""
    if isinstance(rule, AllOf):
        return 1 + max(nesting(s) for s in rule.rules)
    return 0


def field_leaves(rule, path: tuple = ()) -> list[tuple[tuple, FieldRule]]:
    """The lead-field rules inside ``rule`` with their key path below it: itself for a
    field rule, every part of an all_of (``('rules', 1)``), none for an activity rule.

    The one answer to "which columns does this rule read", for column checks, coverage
    and hypothetical leads.
    """
    if isinstance(rule, FieldRule):
        return [(path, rule)]
    if isinstance(rule, AllOf):
        return [
            leaf
            for i, sub in enumerate(rule.rules)
            for leaf in field_leaves(sub, (*path, "rules", i))
        ]
    return []


FIELD_RULES = (
    Equals,
    In,
    NotIn,
    Range,
    Bins,
    Lookup,
    Missing,
    Present,
    Contains,
    Regex,
    WithinDays,
)
ACTIVITY_RULES = (Activity, Inactivity, Trend)
COMBINED_RULES = (AllOf,)
LEVEL_RULES = (Bins, Lookup)
"""Rules whose points live in the rule (per bin or group, in ``rule.levels``, which the YAML
calls ``rule.<levels_field>``), not on the criterion."""

Rule = Annotated[
    Equals
    | In
    | NotIn
    | Range
    | Bins
    | Lookup
    | Missing
    | Present
    | Contains
    | Regex
    | WithinDays
    | Activity
    | Inactivity
    | Trend
    | AllOf,
    Field(discriminator="kind"),
]
FieldRuleT = Annotated[
    Equals | In | NotIn | Range | Bins | Lookup | Missing | Present | Contains | Regex | WithinDays,
    Field(discriminator="kind"),
]
RULE_KINDS: tuple[str, ...] = tuple(
    get_args(cls.model_fields["kind"].annotation)[0]
    for cls in FIELD_RULES + ACTIVITY_RULES + COMBINED_RULES
)
AllOf.model_rebuild()
