"""What changed between two versions of a model, in words a reviewer can sign off."""

from __future__ import annotations

from workbench.model.spec import Model


def _fmt(v: float) -> str:
    return f"{v:g}"


def model_changes(old: Model, new: Model) -> list[str]:
    """One line per changed setting: points, stars, weights, caps and thresholds."""
    lines: list[str] = []
    old_c = {c.id: c for c in old.criteria}
    for c in new.criteria:
        before = old_c.get(c.id)
        if before is None:
            lines.append(f"criterion '{c.id}' added")
            continue
        if c.is_level:
            a, b = old.level_points(before), new.level_points(c)
            if a != b:
                pairs = ", ".join(f"{_fmt(x)}→{_fmt(y)}" for x, y in zip(a, b, strict=False))
                lines.append(f"{c.label}: points per level {pairs}")
        elif (before.points, before.stars) != (c.points, c.stars):
            lines.append(
                f"{c.label}: {_fmt(old.criterion_points(before))} → "
                f"{_fmt(new.criterion_points(c))} points"
            )
        if before.rule != c.rule and not c.is_level:
            lines.append(f"{c.label}: rule changed")
    lines += [f"criterion '{cid}' removed" for cid in old_c if cid not in new.criterion_ids]
    old_b = {b.id: b for b in old.buckets}
    for b in new.buckets:
        was = old_b.get(b.id)
        if was and was.weight != b.weight:
            lines.append(f"bucket {b.id}: weight {_fmt(was.weight)}% → {_fmt(b.weight)}%")
        if was and was.cap != b.cap:
            lines.append(f"bucket {b.id}: cap {was.cap} → {b.cap}")
    old_t = {t.name: t.min for t in old.categories}
    for t in new.categories:
        if t.name in old_t and old_t[t.name] != t.min:
            lines.append(f"category {t.name}: from {old_t[t.name]} → {t.min}")
    return lines
