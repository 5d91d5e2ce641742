"""What changed between two versions of a model, in words a reviewer can sign off.

Each line names the thing as the app and the report show it (a criterion's label, a
bucket's label, a category's name) and says ``before → after`` with its unit:
``Pricing page: 15 → 20 points``, ``A threshold: 60 → 55``. The changelog of a saved
version holds these lines, so they are written for people, not for diff tools.
"""

from __future__ import annotations

from typing import Any

from workbench.model.spec import Bucket, Criterion, Model
from workbench.text import MINUS, number_text

RULE_SETTINGS = {
    "half_life_days": ("half-life", " days", "none"),
    "within_days": ("counted within", " days", "any time"),
    "days": ("days", "", "none"),
    "min_count": ("at least", " times", "none"),
}
"""Rule settings with words of their own (words, unit, words for "not set"); any other
setting is named as in the file."""


def _num(v: float | None) -> str:
    """``15``, ``−10``, ``0.5``: the typographic minus, as the app shows points."""
    if v is None:
        return "none"
    return (MINUS if v < 0 else "") + number_text(abs(v))


def _value(v: Any) -> str:
    if isinstance(v, bool) or v is None:
        return {None: "none", True: "yes", False: "no"}[v]
    if isinstance(v, int | float):
        return _num(v)
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {_value(x)}" for k, x in v.items()) + "}"
    return str(v)


def _points_lines(old: Model, new: Model, before: Criterion, c: Criterion) -> list[str]:
    if c.is_level:
        if not before.is_level or len(before.rule.levels) != len(c.rule.levels):
            return []  # the rule itself changed: said by _rule_lines
        a, b = old.level_points(before), new.level_points(c)
        return [
            f"{c.label} ({level.describe()}): {_num(x)} → {_num(y)} points"
            for level, x, y in zip(c.rule.levels, a, b, strict=True)
            if x != y
        ]
    x, y = old.criterion_points(before), new.criterion_points(c)
    if before.stars is not None and c.stars is not None:
        if before.stars == c.stars:
            return [] if x == y else [f"{c.label}: {_num(x)} → {_num(y)} points ({c.stars} stars)"]
        return [f"{c.label}: {before.stars} → {c.stars} stars ({_num(x)} → {_num(y)} points)"]
    if x == y:
        return []
    if before.stars is not None:
        return [f"{c.label}: {before.stars} stars ({_num(x)} points) → {_num(y)} points"]
    if c.stars is not None:
        return [f"{c.label}: {_num(x)} points → {c.stars} stars ({_num(y)} points)"]
    return [f"{c.label}: {_num(x)} → {_num(y)} points"]


def _rule_lines(before: Criterion, c: Criterion) -> list[str]:
    """A changed rule setting in words (``Pricing page: half-life 14 → 21 days``); a rule
    of another kind as "rule changed (activity → inactivity)", changed bins as "bins changed"."""
    if before.rule == c.rule:
        return []
    a = before.rule.model_dump(mode="json")
    b = c.rule.model_dump(mode="json")
    if a.get("kind") != b.get("kind"):
        return [f"{c.label}: rule changed ({a.get('kind')} → {b.get('kind')})"]
    lines = []
    for key in dict.fromkeys([*a, *b]):
        if a.get(key) == b.get(key):
            continue
        if c.is_level and key == c.rule.levels_field:
            strip = ("points", "stars")  # the points of a level are said by _points_lines
            old_lv = [{k: v for k, v in lv.items() if k not in strip} for lv in a[key]]
            new_lv = [{k: v for k, v in lv.items() if k not in strip} for lv in b[key]]
            if old_lv != new_lv:
                lines.append(f"{c.label}: {key} changed")
            continue
        words, unit, unset = RULE_SETTINGS.get(key, (key.replace("_", " "), "", "none"))
        x, y = a.get(key), b.get(key)
        if x is None or y is None:  # the unit goes with the number: "any time → 30 days"
            x, y = (unset if v is None else _value(v) + unit for v in (x, y))
            lines.append(f"{c.label}: {words} {x} → {y}")
        else:
            lines.append(f"{c.label}: {words} {_value(x)} → {_value(y)}{unit}")
    return lines


def _criterion_lines(old: Model, new: Model, before: Criterion, c: Criterion) -> list[str]:
    lines = _points_lines(old, new, before, c) + _rule_lines(before, c)
    if before.max_points != c.max_points:
        lines.append(f"{c.label}: at most {_num(before.max_points)} → {_num(c.max_points)} points")
    return lines


def _cap(v: float | None) -> str:
    return "no cap" if v is None else f"{_num(v)} points"


def _bucket_name(b: Bucket) -> str:
    return b.label or b.id


def model_changes(old: Model, new: Model) -> list[str]:
    """One line per changed setting: points, stars, rule settings, weights, caps, thresholds.

    >>> model_changes(model, model.with_points({"pricing_page": 20}))  # doctest: +SKIP
    ['Pricing page: 15 → 20 points']
    """
    lines: list[str] = []
    old_c = {c.id: c for c in old.criteria}
    for c in new.criteria:
        before = old_c.get(c.id)
        if before is None:
            lines.append(f"{c.label}: criterion added")
        else:
            lines += _criterion_lines(old, new, before, c)
    lines += [
        f"{c.label}: criterion removed" for c in old.criteria if c.id not in new.criterion_ids
    ]
    old_b = {b.id: b for b in old.buckets}
    for b in new.buckets:
        was = old_b.get(b.id)
        if was and was.weight != b.weight:
            lines.append(f"{_bucket_name(b)} weight: {_num(was.weight)}% → {_num(b.weight)}%")
        if was and was.cap != b.cap:
            lines.append(f"{_bucket_name(b)} cap: {_cap(was.cap)} → {_cap(b.cap)}")
    old_t = {t.name: t.min for t in old.categories}
    for t in new.categories:
        if t.name in old_t and old_t[t.name] != t.min:
            lines.append(f"{t.name} threshold: {_num(old_t[t.name])} → {_num(t.min)}")
    if old.points_per_star != new.points_per_star:
        lines.append(f"points per star: {_num(old.points_per_star)} → {_num(new.points_per_star)}")
    return lines
