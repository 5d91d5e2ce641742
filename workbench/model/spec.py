"""The scoring model: a validated, immutable value describing how leads are scored.

Structure (types, ranges, unknown keys) is checked by pydantic; the cross-references
(buckets named by criteria, threshold order, unique ids) by ``_cross_check``, which
reports every problem with its key path. Edits (``with_points`` …) return a new model
and are validated the same way, so an invalid model can never exist.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    Field,
    PlainSerializer,
    ValidationError,
    field_validator,
    model_validator,
)

from workbench.errors import ModelError, Problem, did_you_mean, format_path
from workbench.model.bounds import (
    MAX_CRITERIA,
    Cap,
    Label,
    Name,
    Points,
    PointsPerStar,
    PositivePoints,
    ScaleValue,
    Stars,
    Text,
    Version,
    Weight,
)
from workbench.model.rules import LEVEL_RULES, ActivityRule, Evidence, FieldRuleT, Frozen, Rule

Identifier = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$", max_length=64)]

OUTPUT_COLUMNS = (
    "lead_id",
    "score",
    "category",
    "grade",
    "engagement_level",
    "matrix",
    "inquiry",
    "inquiry_reason",
    "segment",
    "reasons",
)
"""Columns of a scored table besides bucket and criterion columns, in export order."""
RESERVED_COLUMNS = frozenset((*OUTPUT_COLUMNS, "owner"))


def _to_pairs(value: Any) -> Any:
    if isinstance(value, Mapping):
        return tuple(value.items())
    return value


PointsMap = Annotated[
    tuple[tuple[str, Points], ...],
    BeforeValidator(_to_pairs),
    PlainSerializer(lambda pairs: dict(pairs), return_type=dict),
]
"""A ``{criterion_id: points}`` mapping stored as pairs, so the model stays immutable."""


class Approval(Frozen):
    """A sign-off: sales and marketing both approve before a model goes live."""

    name: Name
    role: Label = ""
    date: dt.date | None = None
    fingerprint: str | None = Field(default=None, pattern=r"^[0-9a-f]{12}$")
    """The model's ``scoring_fingerprint`` when signed: an edit after that is visible."""


class ChangelogEntry(Frozen):
    """One saved version: who, when, why (``note``, the author's words) and what
    (``changes``, one line per changed setting, from :func:`~workbench.model.diff.model_changes`).
    """

    version: Version
    date: dt.date | None = None
    author: str = ""
    note: Text = ""
    changes: tuple[Text, ...] = ()


class Scale(Frozen):
    min: ScaleValue = 0
    max: ScaleValue = 100

    @model_validator(mode="after")
    def _order(self) -> Scale:
        if self.min >= self.max:
            raise ValueError(f"min must be below max; got min {self.min}, max {self.max}")
        return self


class Bucket(Frozen):
    """A group of criteria whose subtotal is capped, then weighted into the score."""

    id: Identifier
    label: Label = ""
    weight: Weight = Field(default=100, description="percent, 0–100")
    cap: Cap | None = None


class Criterion(Frozen):
    """One scoring criterion: a rule, and the points (or stars) it is worth."""

    id: Identifier
    label: Name
    bucket: str
    rule: Rule
    points: Points | None = None
    stars: Stars | None = None
    max_points: PositivePoints | None = None
    segments: tuple[str, ...] = ()
    description: Text = ""
    evidence: Evidence | None = None

    @model_validator(mode="after")
    def _points_or_stars(self) -> Criterion:
        if isinstance(self.rule, LEVEL_RULES):
            if self.points is not None or self.stars is not None:
                raise ValueError(
                    f"a '{self.rule.kind}' rule carries its points per "
                    f"{self.rule.levels_field[:-1]}; remove points/stars "
                    "from the criterion"
                )
        elif (self.points is None) == (self.stars is None):
            raise ValueError(
                "give either points (negative allowed) or stars (1–5), not both"
                if self.points is not None
                else "give points (negative allowed) or stars (1–5)"
            )
        if self.stars == 0:
            raise ValueError("stars must be 1–5 (or −1 to −5 to subtract)")
        return self

    @property
    def is_activity(self) -> bool:
        return isinstance(self.rule, ActivityRule)

    @property
    def is_level(self) -> bool:
        return isinstance(self.rule, LEVEL_RULES)


class Threshold(Frozen):
    """A named band: a value at or above ``min`` (and below the band above) gets ``name``."""

    name: Name
    min: ScaleValue | None = None
    label: Label = ""

    @property
    def lower_bound(self) -> float:
        """``min``, with an omitted min (allowed on the last band only) meaning 'the rest'."""
        return float("-inf") if self.min is None else self.min


def _default_categories() -> tuple[Threshold, ...]:
    return (
        Threshold(name="A", min=70, label="Sales-ready"),
        Threshold(name="B", min=40, label="Nurture"),
        Threshold(name="C", min=0, label="Not yet"),
    )


class Grading(Frozen):
    """Bands over one bucket's subtotal: the fit grade (A–D) or engagement level (1–3)."""

    bucket: str
    levels: tuple[Threshold, ...] = Field(min_length=1)


def _default_fit_grade() -> Grading:
    return Grading(
        bucket="fit",
        levels=(
            Threshold(name="A", min=40),
            Threshold(name="B", min=25),
            Threshold(name="C", min=10),
            Threshold(name="D"),
        ),
    )


def _default_engagement() -> Grading:
    return Grading(
        bucket="engagement",
        levels=(
            Threshold(name="1", min=30),
            Threshold(name="2", min=10),
            Threshold(name="3"),
        ),
    )


def segment_key(value: object) -> str:
    """What a segment value is compared by: outer spaces and case forgiven, so a lead of
    ' enterprise ', a variant 'Enterprise' and ``--segment ENTERPRISE`` are one segment.

    The one rule for every comparison of segment values: a lead's segment and a variant
    (scoring, calibration), a criterion's ``segments``, a report's ``--segment``, and two
    variants of one model (a duplicate).
    """
    return str(value).strip().casefold()


class SegmentVariant(Frozen):
    """How one segment differs from the base model."""

    value: str
    points: PointsMap = ()
    exclude: tuple[str, ...] = ()
    categories: tuple[Threshold, ...] | None = None


class Segments(Frozen):
    """Segment-specific models: per segment value, other points, criteria or thresholds."""

    field: str = "segment"
    variants: tuple[SegmentVariant, ...] = ()


class InquiryRule(Frozen):
    """A validity check: a lead matching it is an inquiry, scored but kept out of sales."""

    id: Identifier
    label: Name
    rule: FieldRuleT


class ActivityColumns(Frozen):
    lead_id: Name = "lead_id"
    timestamp: Name = "timestamp"
    type: Name = "activity_type"
    detail: Name | None = "detail"


DEFAULT_PLACEHOLDERS = ("Select", "N/A", "NA", "n/a", "-", "--", "?", "none", "null", "(blank)")


ROW_ID = "file_row"
"""The lead id column a drafted model names for a leads file without ids (``row_ids``)."""


class DataMapping(Frozen):
    """Column names of the data files, so a CRM export loads unchanged."""

    lead_id: Name = "lead_id"
    row_ids: bool = False
    """The leads file has no id column: each lead's id is its row number in the file (the
    header is row 1), put in a column named ``lead_id`` (:data:`ROW_ID` in a draft). A CRM
    export without ids still scores, but the ids change when rows are reordered, and no
    activities file can name them."""
    outcome: Name | None = "converted"
    outcome_date: Name | None = "converted_at"
    owner: Name | None = "owner"
    segment: Name | None = "segment"
    created_at: Name | None = "created_at"
    name: tuple[str, ...] = ("first_name", "last_name")
    activities: ActivityColumns = ActivityColumns()
    placeholders: tuple[str, ...] = DEFAULT_PLACEHOLDERS


def _default_buckets() -> tuple[Bucket, ...]:
    return (
        Bucket(id="fit", label="Fit (who they are)"),
        Bucket(id="engagement", label="Engagement (what they do)"),
        Bucket(id="qualification", label="Qualification (sales status)"),
    )


class Model(Frozen):
    """A lead-scoring model. Build it with :func:`workbench.load_model` or ``Model.parse``."""

    format_version: Literal[1] = 1
    name: Name
    version: Version = 1
    description: Text = ""
    owner: str = ""
    approved_by: tuple[Approval, ...] = ()
    changelog: tuple[ChangelogEntry, ...] = ()
    scale: Scale = Scale()
    points_per_star: PointsPerStar = 10
    buckets: tuple[Bucket, ...] = Field(default_factory=_default_buckets, min_length=1)
    criteria: tuple[Criterion, ...] = Field(min_length=1)
    categories: tuple[Threshold, ...] = Field(default_factory=_default_categories, min_length=1)
    fit_grade: Grading | None = Field(default_factory=_default_fit_grade)
    engagement_levels: Grading | None = Field(default_factory=_default_engagement)
    inquiry_category: str = "Inquiry"
    inquiries: tuple[InquiryRule, ...] = ()
    segments: Segments | None = None
    data: DataMapping = DataMapping()
    activity_labels: dict[str, str] = Field(default_factory=dict)
    """Activity type -> words for sales (``whitepaper_download: Whitepaper download``);
    a type not listed is shown as its name in words (see :meth:`activity_label`)."""

    @field_validator("format_version", mode="before")
    @classmethod
    def _known_version(cls, v: Any) -> Any:
        if v != 1:
            raise ValueError(f"this workbench reads format_version 1; got {v!r}")
        return v

    @model_validator(mode="before")
    @classmethod
    def _not_too_many(cls, data: Any) -> Any:
        """Counted before any criterion is validated: 100,000 of them would take minutes."""
        if isinstance(data, Mapping):
            for key in ("criteria", "inquiries"):
                items = data.get(key)
                if isinstance(items, list | tuple) and len(items) > MAX_CRITERIA:
                    raise ModelError(
                        [
                            Problem(
                                key,
                                f"{len(items):,} {key}; the limit is {MAX_CRITERIA:,}. "
                                "Split the model into segment models or merge criteria "
                                "into bins or lookup groups.",
                            )
                        ]
                    )
        return data

    @model_validator(mode="before")
    @classmethod
    def _default_gradings_follow_buckets(cls, data: Any) -> Any:
        """Default grade/level bands apply only when their bucket exists in this model."""
        if isinstance(data, Mapping) and isinstance(data.get("buckets"), list | tuple):
            ids = {
                b.get("id") if isinstance(b, Mapping) else getattr(b, "id", None)
                for b in data["buckets"]
            }
            data = dict(data)
            for key, bucket in (("fit_grade", "fit"), ("engagement_levels", "engagement")):
                if key not in data and bucket not in ids:
                    data[key] = None
        return data

    @model_validator(mode="after")
    def _cross(self) -> Model:
        problems = _cross_check(self)
        if problems:
            raise ModelError(problems)  # not a ValueError: passes through pydantic untouched
        return self

    # --- construction -------------------------------------------------------------------

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> Model:
        """Validate a plain mapping (as read from YAML); raise ModelError with key paths."""
        from workbench.model.validation import problems_from_pydantic

        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise ModelError(problems_from_pydantic(exc, data)) from None

    def to_dict(self) -> dict[str, Any]:
        """Plain data for YAML: defaults left out so saved files stay short and readable."""
        return self.model_dump(mode="json", exclude_defaults=True, exclude_none=False)

    def _replace(self, **changes: Any) -> Model:
        data = self.model_dump(mode="python", exclude_defaults=True)
        data.update(changes)
        return Model.parse(data)

    # --- lookups ------------------------------------------------------------------------

    def criterion(self, criterion_id: str) -> Criterion:
        for c in self.criteria:
            if c.id == criterion_id:
                return c
        raise ModelError(
            [
                Problem(
                    "criteria",
                    f"no criterion '{criterion_id}'."
                    + did_you_mean(criterion_id, [c.id for c in self.criteria]),
                )
            ]
        )

    def bucket(self, bucket_id: str) -> Bucket:
        for b in self.buckets:
            if b.id == bucket_id:
                return b
        raise ModelError(
            [
                Problem(
                    "buckets",
                    f"no bucket '{bucket_id}'." + did_you_mean(bucket_id, self.bucket_ids),
                )
            ]
        )

    @property
    def bucket_ids(self) -> tuple[str, ...]:
        return tuple(b.id for b in self.buckets)

    @property
    def criterion_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.criteria)

    def criterion_points(self, c: Criterion) -> float:
        """Points a simple criterion is worth (stars × points per star where stars are used)."""
        if c.stars is not None:
            return c.stars * self.points_per_star
        return float(c.points or 0.0)

    def level_points(self, c: Criterion) -> tuple[float, ...]:
        """Points per bin/group of a bins or lookup criterion."""
        return tuple(
            i.stars * self.points_per_star if i.stars is not None else float(i.points)
            for i in c.rule.levels
        )

    # --- edits (each returns a new, validated model) ------------------------------------

    def with_points(self, points: Mapping[str, float | Sequence[float]]) -> Model:
        """New model with other points: a number per criterion, or one per bin/group.

        A star criterion given points becomes a points criterion (the marketer asked for
        an exact value).
        """
        updates = dict(points)
        for cid in updates:
            self.criterion(cid)
        criteria = []
        for c in self.criteria:
            if c.id not in updates:
                criteria.append(c.model_dump(mode="python", exclude_defaults=True))
                continue
            value = updates[c.id]
            d = c.model_dump(mode="python", exclude_defaults=True)
            if c.is_level:
                key = c.rule.levels_field
                values = list(value) if isinstance(value, Sequence) else None
                if values is None or len(values) != len(d["rule"][key]):
                    raise ModelError(
                        [
                            Problem(
                                f"with_points.{c.id}",
                                f"'{c.id}' scores per {key[:-1]}; give a list of "
                                f"{len(d['rule'][key])} numbers",
                            )
                        ]
                    )
                for item, v in zip(d["rule"][key], values, strict=True):
                    item.pop("stars", None)
                    item["points"] = float(v)
            else:
                d.pop("stars", None)
                d["points"] = float(value)
            criteria.append(d)
        return self._replace(criteria=criteria)

    def with_stars(self, stars: Mapping[str, int]) -> Model:
        """New model with other star ratings (1–5) for simple criteria."""
        for cid in stars:
            self.criterion(cid)
        criteria = []
        for c in self.criteria:
            d = c.model_dump(mode="python", exclude_defaults=True)
            if c.id in stars:
                d.pop("points", None)
                d["stars"] = stars[c.id]
            criteria.append(d)
        return self._replace(criteria=criteria)

    def with_rule(self, criterion_id: str, **changes: Any) -> Model:
        """New model with one criterion's rule changed (e.g. ``half_life_days=21``).

        Evidence depends on rules, so signals must follow: see
        :func:`workbench.engine.signals.refresh_signals`.
        """
        self.criterion(criterion_id)
        criteria = []
        for c in self.criteria:
            d = c.model_dump(mode="python", exclude_defaults=True)
            if c.id == criterion_id:
                d["rule"] = {**c.rule.model_dump(mode="python", exclude_defaults=True), **changes}
            criteria.append(d)
        return self._replace(criteria=criteria)

    def with_weights(self, weights: Mapping[str, float]) -> Model:
        """New model with other bucket weights (percent, 0–100)."""
        for bid in weights:
            self.bucket(bid)
        buckets = [
            {**b.model_dump(mode="python"), "weight": weights.get(b.id, b.weight)}
            for b in self.buckets
        ]
        return self._replace(buckets=buckets)

    def with_caps(self, caps: Mapping[str, float | None]) -> Model:
        """New model with other bucket caps (None removes a cap)."""
        for bid in caps:
            self.bucket(bid)
        buckets = [
            {**b.model_dump(mode="python"), "cap": caps.get(b.id, b.cap)} for b in self.buckets
        ]
        return self._replace(buckets=buckets)

    def with_thresholds(self, thresholds: Mapping[str, float]) -> Model:
        """New model with other category thresholds, by category name."""
        names = [t.name for t in self.categories]
        for name in thresholds:
            if name not in names:
                raise ModelError(
                    [
                        Problem(
                            "categories",
                            f"no category '{name}'." + did_you_mean(name, names),
                        )
                    ]
                )
        cats = [
            {**t.model_dump(mode="python"), "min": thresholds.get(t.name, t.min)}
            for t in self.categories
        ]
        return self._replace(categories=cats)

    def activity_label(self, activity_type: str) -> str:
        """What sales reads for an activity type: the model's label, else the type in words
        (``whitepaper_download`` -> "Whitepaper download")."""
        if label := self.activity_labels.get(activity_type):
            return label
        return activity_type.replace("_", " ").strip().capitalize()

    def scoring_fingerprint(self) -> str:
        """12 hex digits that change whenever anything that moves a score changes.

        Metadata (name, version, descriptions, drafted evidence, owner, sign-off, changelog)
        is left out, so signing off does not change what was signed. Defaults are left out
        too, so a new optional setting in a later release does not void every sign-off.
        """
        body = self.model_dump(
            mode="json",
            exclude={
                "name",
                "version",
                "description",
                "owner",
                "approved_by",
                "changelog",
                "activity_labels",  # words for sales move no score
            },
            exclude_defaults=True,
        )

        def rules_only(obj: Any) -> Any:  # descriptions and drafted evidence move no score
            if isinstance(obj, dict):
                return {
                    k: rules_only(v) for k, v in obj.items() if k not in ("description", "evidence")
                }
            if isinstance(obj, list):
                return [rules_only(v) for v in obj]
            return obj

        text = json.dumps(
            rules_only(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]

    def sign_off_status(self) -> tuple[tuple[Approval, str], ...]:
        """Each approval with ``"current"``, ``"stale"`` (rules edited since) or ``"unverified"``
        (no fingerprint recorded)."""
        now = self.scoring_fingerprint() if self.approved_by else ""
        return tuple(
            (
                a,
                "unverified"
                if a.fingerprint is None
                else "current"
                if a.fingerprint == now
                else "stale",
            )
            for a in self.approved_by
        )

    def with_criteria(self, criteria: Sequence[Mapping], buckets: Sequence[Mapping] = ()) -> Model:
        """New model with more criteria (plain mappings, as in YAML) and the buckets they
        need that it lacks; validated as a whole, so a clash names its key path."""
        whole = self.to_dict()
        have = {b["id"] for b in whole["buckets"]}
        more = [dict(b) for b in buckets if b["id"] not in have]
        whole["buckets"] = [*whole["buckets"], *more]
        whole["criteria"] = [*whole["criteria"], *map(dict, criteria)]
        return Model.parse(whole)

    def with_metadata(self, **fields: Any) -> Model:
        """New model with other metadata (name, version, approved_by, changelog …)."""
        allowed = {"name", "version", "description", "owner", "approved_by", "changelog"}
        unknown = set(fields) - allowed
        if unknown:
            raise ModelError([Problem("with_metadata", f"unknown fields {sorted(unknown)}")])
        return self._replace(**fields)


def _check_bands(levels: Sequence[Threshold], where: str) -> list[Problem]:
    problems = []
    names = [t.name for t in levels]
    for i, t in enumerate(levels):
        if names.index(t.name) != i:
            problems.append(Problem(f"{where}[{i}].name", f"duplicate name '{t.name}'"))
        if t.min is None:
            if i != len(levels) - 1:
                problems.append(
                    Problem(
                        f"{where}[{i}].min",
                        f"'{t.name}' has no min; only the last band may leave it out",
                    )
                )
            continue
        prev = levels[i - 1].min if i else None
        if i and prev is not None and t.min >= prev:
            problems.append(
                Problem(
                    f"{where}[{i}].min",
                    f"thresholds must go from highest to lowest; '{t.name}' starts at "
                    f"{t.min:g} but '{levels[i - 1].name}' above it starts at "
                    f"{prev:g}. Give '{t.name}' a min below {prev:g}.",
                )
            )
    return problems


def _cross_check(m: Model) -> list[Problem]:
    """Every cross-reference problem at once, each with its key path."""
    problems: list[Problem] = []
    bucket_ids = [b.id for b in m.buckets]
    for i, b in enumerate(m.buckets):
        if bucket_ids.index(b.id) != i:
            problems.append(Problem(format_path(("buckets", i, "id")), f"duplicate id '{b.id}'"))
    crit_ids = [c.id for c in m.criteria]
    first_index: dict[str, int] = {}
    for i, cid in enumerate(crit_ids):
        first_index.setdefault(cid, i)
    for i, c in enumerate(m.criteria):
        path = ("criteria", i)
        if first_index[c.id] != i:
            problems.append(
                Problem(
                    format_path((*path, "id")),
                    f"duplicate id '{c.id}' (also criteria[{first_index[c.id]}]); "
                    "ids must be unique",
                )
            )
        if c.id in bucket_ids or c.id in RESERVED_COLUMNS:
            problems.append(
                Problem(
                    format_path((*path, "id")),
                    f"'{c.id}' is taken by a bucket or an output column; choose another id",
                )
            )
        if c.bucket not in bucket_ids:
            problems.append(
                Problem(
                    format_path((*path, "bucket")),
                    f"unknown bucket '{c.bucket}'."
                    + (did_you_mean(c.bucket, bucket_ids) or f" Buckets are: {bucket_ids}."),
                )
            )
        if (c.stars is not None or c.is_level) and m.points_per_star <= 0:
            problems.append(Problem("points_per_star", "must be positive when stars are used"))
    for i, b in enumerate(m.buckets):
        if b.id in RESERVED_COLUMNS:
            problems.append(
                Problem(format_path(("buckets", i, "id")), f"'{b.id}' is an output column name")
            )
    if m.data.row_ids and (acts := [c.id for c in m.criteria if c.is_activity]):
        shown = ", ".join(f"'{a}'" for a in acts[:5]) + (" …" if len(acts) > 5 else "")
        problems.append(
            Problem(
                "data.row_ids",
                f"activity criteria ({shown}) need activities linked to leads by their id, "
                "but row_ids says the leads file has no id column (its ids are row numbers, "
                "which no activities file knows). Add a lead id column to the leads file, "
                "name it in data.lead_id and remove row_ids; or remove the activity criteria",
            )
        )
    problems += _check_bands(m.categories, "categories")
    cat_names = {t.name for t in m.categories}
    if m.inquiry_category in cat_names:
        problems.append(
            Problem("inquiry_category", f"'{m.inquiry_category}' is also a sales category")
        )
    for key, grading in (("fit_grade", m.fit_grade), ("engagement_levels", m.engagement_levels)):
        if grading is None:
            continue
        if grading.bucket not in bucket_ids:
            problems.append(
                Problem(
                    f"{key}.bucket",
                    f"unknown bucket '{grading.bucket}'."
                    + did_you_mean(grading.bucket, bucket_ids),
                )
            )
        problems += _check_bands(grading.levels, f"{key}.levels")
    for i, t in enumerate(m.categories):
        if t.min is not None and not m.scale.min <= t.min <= m.scale.max:
            problems.append(
                Problem(
                    f"categories[{i}].min",
                    f"{t.min:g} is outside the scale {m.scale.min:g}–{m.scale.max:g}",
                )
            )
    inquiry_ids = [q.id for q in m.inquiries]
    for i, q in enumerate(m.inquiries):
        if inquiry_ids.index(q.id) != i:
            problems.append(Problem(f"inquiries[{i}].id", f"duplicate id '{q.id}'"))
    if m.segments is not None:
        seen: set[str] = set()
        for i, v in enumerate(m.segments.variants):
            where = f"segments.variants[{i}]"
            if segment_key(v.value) in seen:
                problems.append(Problem(f"{where}.value", f"duplicate segment '{v.value}'"))
            seen.add(segment_key(v.value))
            for cid, _ in v.points:
                if cid not in first_index:
                    problems.append(
                        Problem(
                            f"{where}.points.{cid}",
                            f"unknown criterion '{cid}'." + did_you_mean(cid, crit_ids),
                        )
                    )
                elif m.criteria[first_index[cid]].is_level:
                    problems.append(
                        Problem(
                            f"{where}.points.{cid}",
                            f"'{cid}' scores per bin/group; it cannot take one number here",
                        )
                    )
            for j, cid in enumerate(v.exclude):
                if cid not in first_index:
                    problems.append(
                        Problem(
                            f"{where}.exclude[{j}]",
                            f"unknown criterion '{cid}'." + did_you_mean(cid, crit_ids),
                        )
                    )
            if v.categories is not None:
                problems += _check_bands(v.categories, f"{where}.categories")
                if [t.name for t in v.categories] != [t.name for t in m.categories]:
                    problems.append(
                        Problem(
                            f"{where}.categories",
                            "a segment may move thresholds but must keep the category names "
                            f"{[t.name for t in m.categories]} in that order",
                        )
                    )
    elif any(c.segments for c in m.criteria):
        i = next(i for i, c in enumerate(m.criteria) if c.segments)
        problems.append(
            Problem(
                f"criteria[{i}].segments",
                "criteria restricted to segments need a top-level 'segments:' section "
                "naming the segment field",
            )
        )
    return problems
