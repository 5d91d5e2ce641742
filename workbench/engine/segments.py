"""What a segment's leads are scored with: the one place a segment variant is applied.

A model's ``segments`` section lets a segment (a value of the segment field) drop
criteria (``exclude``), give criteria other points and move the category thresholds, and
a criterion may be limited to some segments (``Criterion.segments``). Scoring, the report
and calibration all ask the same question — which criteria score for this segment, for how
many points, with which thresholds — so they all ask :func:`segment_rules`.

>>> rules = segment_rules(model, "Enterprise")  # doctest: +SKIP
>>> rules.applies["demo_request"], rules.points["demo_request"]  # doctest: +SKIP
(True, 30.0)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd

from workbench.model.spec import Criterion, Model, SegmentVariant, Threshold, segment_key


def segment_codes(values: pd.Series, names: Sequence[str]) -> np.ndarray:
    """Per value (a lead's segment), 1 + the position in ``names`` of the segment it is
    (:func:`segment_key`), or 0 for none and for a missing value; int16.

    Keyed per distinct value, not per lead: a million leads have a handful of segments.
    """
    lookup: dict[str, int] = {}
    for i, name in enumerate(names):
        lookup.setdefault(segment_key(name), i + 1)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    per = np.array([lookup.get(segment_key(u), 0) for u in uniques], dtype=np.int16)
    return np.where(codes >= 0, per[codes] if len(per) else 0, 0).astype(np.int16)


def segment_variant(model: Model, segment: str | None) -> SegmentVariant | None:
    """The model's variant for ``segment`` (matched by :func:`segment_key`), or None."""
    if segment is None or model.segments is None:
        return None
    wanted = segment_key(segment)
    return next((v for v in model.segments.variants if segment_key(v.value) == wanted), None)


def criterion_applies(c: Criterion, variant: SegmentVariant | None) -> bool:
    """Whether ``c`` scores for leads of ``variant`` (None: leads of no variant).

    A variant's ``exclude`` drops it; a criterion limited to some ``segments`` scores only
    for leads of a variant named there, so never for leads of no variant.
    """
    if variant is not None and c.id in variant.exclude:
        return False
    if not c.segments:
        return True
    return variant is not None and segment_key(variant.value) in map(segment_key, c.segments)


def labelled(model: Model, bands: tuple[Threshold, ...]) -> tuple[Threshold, ...]:
    """Bands with the base category's label where a variant's band gives none."""
    labels = {t.name: t.label for t in model.categories}
    return tuple(
        t if t.label else t.model_copy(update={"label": labels.get(t.name, "")}) for t in bands
    )


@dataclass(frozen=True, eq=False)
class SegmentRules:
    """The model as the leads of one segment are scored with it.

    ``points``: per criterion id, what a lead of this segment gets per unit of evidence —
    a simple criterion's points (the variant's override applied), a bins/lookup
    criterion's points per level (a variant cannot override those); 0 where the criterion
    does not apply. ``categories``: the thresholds (the variant's, labelled, or the base).
    """

    variant: SegmentVariant | None
    applies: Mapping[str, bool]
    points: Mapping[str, float | tuple[float, ...]]
    overridden: frozenset[str]  # criteria whose points the variant overrides
    categories: tuple[Threshold, ...]

    @property
    def own_categories(self) -> bool:
        """Whether this segment has thresholds of its own (not the base model's)."""
        return self.variant is not None and bool(self.variant.categories)

    def excluded(self, criterion_id: str) -> bool:
        """Whether the variant's ``exclude`` drops the criterion (not only a restriction)."""
        return self.variant is not None and criterion_id in self.variant.exclude


def segment_rules(model: Model, segment: str | SegmentVariant | None) -> SegmentRules:
    """Criteria that apply, their points and the thresholds for one segment.

    ``segment`` is a segment value (matched as :func:`segment_variant` does), a variant of
    ``model``, or None for leads of no variant (the base model).
    """
    variant = segment if isinstance(segment, SegmentVariant) else segment_variant(model, segment)
    overrides = dict(variant.points) if variant is not None else {}
    applies, points = {}, {}
    for c in model.criteria:
        applies[c.id] = ok = criterion_applies(c, variant)
        if c.is_level:
            levels = model.level_points(c)
            points[c.id] = levels if ok else tuple(0.0 for _ in levels)
        else:
            points[c.id] = overrides.get(c.id, model.criterion_points(c)) if ok else 0.0
    bands = variant.categories if variant is not None and variant.categories else None
    return SegmentRules(
        variant=variant,
        applies=MappingProxyType(applies),
        points=MappingProxyType(points),
        overridden=frozenset(overrides),
        categories=labelled(model, bands) if bands else model.categories,
    )


def rules_by_code(model: Model) -> tuple[SegmentRules, ...]:
    """:func:`segment_rules` per segment code of the signals (0 = no variant, k = variant k).

    By position, as :func:`~workbench.engine.signals.compute_signals` numbers the variants.
    """
    variants = model.segments.variants if model.segments is not None else ()
    return tuple(segment_rules(model, v) for v in (None, *variants))
