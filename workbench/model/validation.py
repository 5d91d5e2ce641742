"""Turn pydantic's validation errors into problems a marketer can act on.

Pydantic reports locations such as ``('criteria', 3, 'rule', 'bins', 'bins', 1)``, where
the second ``bins`` is the union tag. We walk the user's own data alongside the location to
drop such internal steps, and add did-you-mean hints for unknown keys and rule kinds.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from workbench.errors import Problem, did_you_mean, format_path
from workbench.model import rules as rules_mod
from workbench.text import shorten


def _all_field_names() -> set[str]:
    names: set[str] = set()
    seen: set[type] = set()

    def visit(cls: type) -> None:
        if cls in seen or not isinstance(cls, type) or not issubclass(cls, BaseModel):
            return
        seen.add(cls)
        names.update(cls.model_fields)
        for sub in cls.__subclasses__():
            visit(sub)

    from workbench.model import spec as model_mod

    for obj in list(vars(model_mod).values()) + list(vars(rules_mod).values()):
        if isinstance(obj, type):
            visit(obj)
    return names


def _user_path(loc: tuple[Any, ...], data: Any) -> tuple[str | int, ...]:
    """Keep the steps of ``loc`` that exist in the user's data (plus the final key)."""
    path: list[str | int] = []
    node = data
    for i, step in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(node, Mapping) and step in node:
            path.append(step)
            node = node[step]
        elif isinstance(node, list | tuple) and isinstance(step, int) and step < len(node):
            path.append(step)
            node = node[step]
        elif (
            last
            and isinstance(step, str)
            and not step.startswith(("function-", "union["))
            and not (isinstance(node, Mapping) and node.get("kind") == step)  # a union tag
        ):
            path.append(step)
        # else: an internal step (union tag, type name) — skip it
    return tuple(path)


def _message(err: Mapping[str, Any], key: str | int | None) -> str:
    etype = err["type"]
    value = err.get("input")
    if etype == "extra_forbidden":
        # a key valid elsewhere in the file is no hint for this place: suggest another one
        others = _all_field_names() - {str(key)}
        return f"unknown key '{shorten(key, 60)}'." + did_you_mean(str(key)[:200], others)
    if etype == "missing":
        return f"required key '{key}' is missing"
    if etype == "too_short":
        return f"needs at least {err.get('ctx', {}).get('min_length', 1)} item(s); got none"
    if etype in ("union_tag_invalid", "union_tag_not_found"):
        if etype == "union_tag_not_found":
            return f"a rule needs a 'kind'; one of {', '.join(rules_mod.RULE_KINDS)}"
        tag = str(err.get("ctx", {}).get("tag", value))[:200]
        hint = did_you_mean(tag, rules_mod.RULE_KINDS)
        known = ", ".join(rules_mod.RULE_KINDS)
        return f"unknown rule kind '{shorten(tag, 60)}'.{hint} Known kinds: {known}"
    msg = err["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    if etype not in ("value_error", "assertion_error") and not isinstance(value, Mapping | list):
        msg = f"{msg}; got {shorten(repr(value), 80)}"
    return msg


_INNER_PATH = re.compile(r"^(\w+)\[(\d+)\]: (.*)$", re.S)


def problems_from_pydantic(exc: ValidationError, data: Any) -> list[Problem]:
    """One problem per pydantic error, with the user's key path."""
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    errors = exc.errors(include_url=False)
    paths = [_user_path(tuple(e["loc"]), data) for e in errors]
    for err, path in zip(errors, paths, strict=True):
        if err["type"] == "too_short" and any(
            len(p) > len(path) and p[: len(path)] == path for p in paths
        ):
            continue  # a list whose items failed: the items' own errors say why
        key = path[-1] if path else None
        msg = _message(err, key)
        inner = _INNER_PATH.match(msg)
        if inner:  # a validator named the item it means: make it part of the key path
            name, index, msg = inner.group(1), int(inner.group(2)), inner.group(3)
            path = (*path, index) if path and path[-1] == name else (*path, name, index)
        where = format_path(path)
        if (where, msg) in seen:
            continue
        seen.add((where, msg))
        problems.append(Problem(where, msg))
    return problems
