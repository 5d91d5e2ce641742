"""Model YAML read as hostile input, in one pass over libyaml's events.

The pass refuses, before anything is built: a file too big, nesting too deep, aliases that
expand too far (an alias bomb stops at the alias that crosses the limit, in microseconds),
an alias to a node that contains it, and keys written twice in one mapping (YAML keeps the
last silently; a marketer who wrote ``points: 10`` and later ``points: 40`` meant one).

The same pass builds the data. PyYAML's own constructor is generic Python and took 5 s for
a 10,000-criteria model; building plain dicts, lists and scalars from the events takes a
fifth of that. Scalars are resolved and constructed by PyYAML's safe resolver and
constructors, so values mean what ``yaml.safe_load`` makes of them, with two exceptions
made for model files: a base-60 number (``points: 1:30``, 90 to YAML 1.1) stays text, and
an explicit tag beyond plain data (``!!binary``, ``!!set``, ``!!python/…``) is refused.
Merge keys (``<<: *base``) and complex keys are left to ``yaml.load`` with the safe
loader, after the screen.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from workbench.errors import ModelError, Problem, format_path
from workbench.model.bounds import MAX_ALIAS_NODES, MAX_DEPTH, MAX_MODEL_BYTES
from workbench.text import shorten

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser when PyYAML has it; the same safe constructors."""

_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_SCALAR_TAGS = frozenset(
    f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "timestamp")
)
_NUMBER_TAGS = frozenset(("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"))
_RESOLVER = Resolver()
_CONSTRUCTOR = SafeConstructor()


class _Elsewhere(Exception):
    """A construct this reader leaves to PyYAML's safe loader."""


class _Collection:
    """A mapping or sequence being read: its key path, size so far, keys seen, its data."""

    __slots__ = ("anchor", "data", "index", "is_map", "key", "key_text", "keys", "path", "size")

    def __init__(self, path: tuple[str | int, ...], anchor: str | None, is_map: bool):
        self.path, self.anchor, self.is_map = path, anchor, is_map
        self.size = 1
        self.data: dict | list = {} if is_map else []
        self.keys: dict[str, int] = {}  # key text -> its line
        self.key: Any = None  # the key whose value comes next (mappings)
        self.key_text: str | None = None
        self.index = 0  # the next item's index (sequences)

    def child_path(self) -> tuple[str | int, ...]:
        return (*self.path, self.key_text if self.is_map else self.index)


def _limit(problem: str, line: int | None = None) -> ModelError:
    return ModelError([Problem("", problem, line)])


def _scalar(event: yaml.ScalarEvent, line: int | None) -> Any:
    """The value ``yaml.safe_load`` makes of a scalar, but for two slips: a base-60
    number (``1:30`` would be 90) stays text, and a tag beyond plain data is refused."""
    tag = event.tag
    if tag is None or tag == "!":
        tag = _RESOLVER.resolve(yaml.ScalarNode, event.value, event.implicit)
        if tag in _NUMBER_TAGS and ":" in event.value:
            return event.value  # YAML 1.1 sexagesimal: a time or a typo, not a number
    elif tag not in _SCALAR_TAGS:
        raise _tag_refused(tag, line)
    if tag == _STR:
        return event.value
    if tag not in _SCALAR_TAGS:
        raise _Elsewhere  # a merge key ('<<'): PyYAML's safe loader applies it
    return _CONSTRUCTOR.yaml_constructors[tag](_CONSTRUCTOR, yaml.ScalarNode(tag, event.value))


def _tag_refused(tag: str, line: int | None) -> ModelError:
    short = tag.replace("tag:yaml.org,2002:", "!!")
    return _limit(
        f"the YAML tag {shorten(short, 40)} is not used in model files (only plain text, "
        "numbers, true/false, dates, lists and mappings); remove the tag",
        line,
    )


class _Reader:
    """The state of one pass: open collections, anchors, counts, problems found."""

    def __init__(self) -> None:
        self.stack: list[_Collection] = []
        self.sizes: dict[str, int] = {}  # anchor -> values it stands for
        self.anchored: dict[str, Any] = {}  # anchor -> its data
        self.added = 0  # values that aliases add when expanded
        self.duplicates: list[Problem] = []
        self.documents = 0
        self.building = True  # False once PyYAML must build the data
        self.root: Any = None
        self.texts: dict[str, str] = {}  # anchor of a scalar -> its text (an alias as a key)

    def value(self, event: yaml.ScalarEvent, line: int | None) -> Any:
        if event.anchor:
            self.texts[event.anchor] = event.value
        if not self.building:
            return None
        try:
            return _scalar(event, line)
        except _Elsewhere:
            self.building = False
            return None

    def awaits_key(self) -> bool:
        return bool(self.stack) and self.stack[-1].is_map and self.stack[-1].key_text is None

    def finish(self, value: Any, size: int, anchor: str | None) -> None:
        """A value (of ``size`` values) is complete: put it into its parent."""
        if anchor:
            self.sizes[anchor] = size
            self.anchored[anchor] = value
        if not self.stack:
            self.root = value
            return
        parent = self.stack[-1]
        parent.size += size
        if not parent.is_map:
            parent.index += 1
            if self.building:
                parent.data.append(value)
        elif parent.key_text is None:  # a mapping, sequence or alias as a key
            self.building = False
            parent.key_text = ""
        else:
            if self.building:
                parent.data[parent.key] = value
            parent.key, parent.key_text = None, None

    def expand(self, event: yaml.AliasEvent, line: int | None) -> int:
        """Count an alias's values against the limit; how many values it stands for."""
        if event.anchor not in self.sizes:
            looped = any(node.anchor == event.anchor for node in self.stack)
            raise _limit(
                f"alias *{shorten(event.anchor, 30)} "
                + (
                    "points into the value that holds it (a loop); write the values out"
                    if looped
                    else f"is not defined above; define it with &{shorten(event.anchor, 30)} "
                    "before its first use"
                ),
                line,
            )
        self.added += self.sizes[event.anchor]
        if self.added > MAX_ALIAS_NODES:
            raise _limit(
                f"aliases (*{shorten(event.anchor, 30)}) expand to more than "
                f"{MAX_ALIAS_NODES:,} values (an alias bomb?); write the values out",
                line,
            )
        return self.sizes[event.anchor]

    def key(self, event: yaml.ScalarEvent | yaml.AliasEvent, line: int | None) -> None:
        """A mapping key: remembered with its line, refused if the mapping has it already."""
        node = self.stack[-1]
        if isinstance(event, yaml.AliasEvent):  # *k as a key: the text &k named
            size = self.expand(event, line)
            text = self.texts.get(event.anchor)
            if text is None:  # a mapping or sequence as a key: PyYAML says what is wrong
                self.finish(None, size, None)
                return
            key = self.anchored.get(event.anchor)
        else:
            text, key = event.value, self.value(event, line)
            if event.anchor:
                self.sizes[event.anchor] = 1
                self.anchored[event.anchor] = key
        if text in node.keys and text != "<<":
            self.duplicates.append(
                Problem(
                    format_path((*node.path, text)),
                    f"key '{shorten(text, 40)}' is written twice in one mapping (lines "
                    f"{node.keys[text]} and {line}); keep one",
                    line,
                )
            )
        node.keys.setdefault(text, line)
        node.key, node.key_text = key, text
        node.size += 1

    def alias(self, event: yaml.AliasEvent, line: int | None) -> None:
        self.finish(self.anchored.get(event.anchor), self.expand(event, line), None)

    def open(self, event: yaml.CollectionStartEvent, line: int | None) -> None:
        if len(self.stack) >= MAX_DEPTH:
            raise _limit(
                f"nested more than {MAX_DEPTH} levels deep; a model needs fewer than 10", line
            )
        is_map = isinstance(event, yaml.MappingStartEvent)
        if event.tag not in (None, "!", _MAP if is_map else _SEQ):
            raise _tag_refused(event.tag, line)  # !!set, !!omap, !!python/…
        if self.awaits_key():
            self.building = False  # a collection as a key: PyYAML says what is wrong
        path = self.stack[-1].child_path() if self.stack else ()
        self.stack.append(_Collection(path, event.anchor, is_map))

    def close(self) -> None:
        node = self.stack.pop()
        self.finish(node.data, node.size, node.anchor)


def read_yaml(text: str) -> Any:
    """The data of a YAML text, screened; a ModelError (with lines) for what is refused, a
    ``yaml.YAMLError`` for what is not YAML."""
    if len(text) > MAX_MODEL_BYTES:
        raise _limit(
            f"the file is {len(text):,} characters; a model file may have at most "
            f"{MAX_MODEL_BYTES:,}. Is this the right file?"
        )
    r = _Reader()
    for event in yaml.parse(text, Loader=Loader):
        line = event.start_mark.line + 1 if event.start_mark else None
        if isinstance(event, yaml.ScalarEvent | yaml.AliasEvent) and r.awaits_key():
            r.key(event, line)
        elif isinstance(event, yaml.ScalarEvent):
            r.finish(r.value(event, line), 1, event.anchor)
        elif isinstance(event, yaml.AliasEvent):
            r.alias(event, line)
        elif isinstance(event, yaml.CollectionStartEvent):
            r.open(event, line)
        elif isinstance(event, yaml.CollectionEndEvent):
            r.close()
        elif isinstance(event, yaml.DocumentStartEvent):
            r.documents += 1
            r.building = r.building and r.documents == 1  # PyYAML refuses a second one
    if r.duplicates:
        raise ModelError(r.duplicates)
    if r.building:
        return r.root
    return yaml.load(text, Loader=Loader)  # a safe loader: plain data only
