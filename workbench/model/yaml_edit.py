"""A new version of a model file written as an edit of its parent's text.

A reviewer compares versions with ``git diff`` or any diff tool, so version N+1 starts
from the text of version N and changes only the values that changed: comments, key order,
flow style (``{id: fit, weight: 100}``), quoting and left-out defaults stay as the author
wrote them. ruamel.yaml's round-trip mode keeps that layout; PyYAML (which reads every
model file, :mod:`.yaml_read`) would drop it.

The edit is checked by reading the result back the way every model file is read: it must
be exactly the new model, or :func:`edited_model_text` returns None and the caller writes
the whole model instead (:func:`~workbench.model.yaml_io.model_to_yaml`).
"""

from __future__ import annotations

import copy
import io
import re
from collections import Counter
from difflib import SequenceMatcher
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.anchor import Anchor
from ruamel.yaml.comments import Comment, CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

from workbench.errors import ModelError
from workbench.model.spec import Model
from workbench.model.yaml_io import fits_one_line, parse_model_text, tidy

LAYOUTS = (
    (2, 4, 2, 4096),
    (2, 2, 0, 100),
    (2, 2, 0, 4096),
    (4, 4, 2, 4096),
    (4, 6, 4, 4096),
    (4, 4, 0, 4096),
    (2, 3, 1, 4096),
)
"""(mapping indent, sequence indent, dash offset, line width) tried in turn until one
writes the parent back unchanged: the workbench's sample (items indented under their key,
long lines kept), :func:`~workbench.model.yaml_io.model_to_yaml`'s PyYAML layout ('- ' at
the key's column, folded at 100), and the usual others."""

NEAR_MISS = 5
"""Lines a layout may write otherwise than the parent and still be taken (see _load)."""

_MISSING = object()
_RESOLVER = yaml.resolver.Resolver()
_QUOTED = (DoubleQuotedScalarString, SingleQuotedScalarString)


def _yaml(layout: tuple[int, int, int, int], explicit_start: bool) -> YAML:
    mapping, sequence, offset, width = layout
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = width
    y.allow_unicode = True
    y.explicit_start = explicit_start
    y.indent(mapping=mapping, sequence=sequence, offset=offset)
    return y


def _dump(y: YAML, doc: Any) -> str:
    out = io.StringIO()
    y.dump(doc, out)
    return out.getvalue()


_KEY_LINE = re.compile(r"^( *)[^\s#-][^:#]*:\s*(#.*)?$")
_ITEM_LINE = re.compile(r"^( *)- ")


def _guess_offset(text: str) -> int | None:
    """How far a block list's ``- `` sits right of its key, from the first one in
    ``text`` (0 for PyYAML's layout, 2 for the sample's), or None if there is none."""
    key_col = None
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if key_col is not None and (m := _ITEM_LINE.match(line)):
            return len(m.group(1)) - key_col
        m = _KEY_LINE.match(line)
        key_col = len(m.group(1)) if m else None
    return None


def _load(text: str) -> tuple[YAML, Any]:
    """The parent as a round-trip document and the writer that reproduces its text (the
    closest one, by lines written differently, when none does exactly). Writing a big
    file takes ruamel seconds, so the layout guessed from the text is tried first and a
    near miss (a few lines, e.g. a long value folded elsewhere) is taken: those lines are
    kept as the author wrote them by :func:`_splice`."""
    explicit = text.lstrip().startswith("---")
    doc = _yaml(LAYOUTS[0], explicit).load(text)  # loading is the slow part: once
    offset = _guess_offset(text)
    lines = Counter(text.splitlines())
    best: tuple[int, YAML] | None = None
    for layout in sorted(LAYOUTS, key=lambda layout: layout[2] != offset):
        y = _yaml(layout, explicit)
        again = _dump(y, doc)
        differ = (Counter(again.splitlines()) - lines).total()
        if differ <= NEAR_MISS:
            return y, doc
        if best is None or differ < best[0]:
            best = (differ, y)
    assert best is not None
    return best[1], doc


def _scalar(value: Any, like: Any) -> Any:
    """A new scalar, quoted as the one it replaces was; a string PyYAML would read as
    something else (``Yes``, ``1:30``, ``2026-01-01``) is quoted."""
    if isinstance(value, str):
        if isinstance(like, _QUOTED):
            return type(like)(value)
        if _RESOLVER.resolve(yaml.ScalarNode, value, (True, False)) != "tag:yaml.org,2002:str":
            return DoubleQuotedScalarString(value)
    return value


def _new(value: Any, like: Any = None) -> Any:
    """Plain data as round-trip nodes, on one line where the workbench writes it so."""
    if isinstance(value, dict):
        node = CommentedMap((k, _new(v)) for k, v in value.items())
        if fits_one_line(value):
            node.fa.set_flow_style()
        else:
            node.fa.set_block_style()
        return node
    if isinstance(value, list):
        node = CommentedSeq(_new(v) for v in value)
        if fits_one_line(value) or not value:
            node.fa.set_flow_style()
        else:
            node.fa.set_block_style()
        return node
    return _scalar(value, like)


Site = tuple[int, Any]
"""Where a node is written: (id of the mapping or list holding it, its key or index)."""


class _Sharing:
    """Which mappings and lists the parent file writes once and uses again (an anchor
    ``&base`` with aliases ``*base`` or merge keys ``<<: *base``), and where each is first
    written. Editing such a node in place would change every use of it, so the use being
    edited gets a copy of its own (:meth:`own`)."""

    def __init__(self, doc: Any):
        self.uses: Counter[int] = Counter()
        self.first: dict[int, Site] = {}
        self._walk(doc, (0, None))

    def _walk(self, node: Any, site: Site) -> None:
        if not isinstance(node, CommentedMap | CommentedSeq):
            return
        self.uses[id(node)] += 1
        if id(node) in self.first:
            return  # an alias: its content was walked where it is first written
        self.first[id(node)] = site
        if isinstance(node, CommentedMap):
            for base in getattr(node, "merge", None) or ():
                self._walk(base, (id(node), "<<"))
            own = node._ok if getattr(node, "merge", None) else node  # merged keys: in base
            for key in list(own):
                self._walk(node[key], (id(node), key))
        else:
            for i, item in enumerate(node):
                self._walk(item, (id(node), i))

    def own(self, node: Any, site: Site) -> Any:
        """``node`` itself where this is its only use; else a copy for this use alone,
        its comments where they were written (the use written first keeps them, a copy
        or the original moved to an alias's place goes without)."""
        if self.uses[id(node)] < 2:
            return node
        self.uses[id(node)] -= 1
        mine = copy.deepcopy(node)
        setattr(mine, Anchor.attrib, Anchor())  # the copy is used once: no anchor
        if self.first.get(id(node)) == site:  # the original now first appears elsewhere
            _drop_comments(node)
            self.first.pop(id(node))
        else:
            _drop_comments(mine)
        self.uses[id(mine)] = 1
        return mine


def _drop_comments(node: Any) -> None:
    if isinstance(node, CommentedMap | CommentedSeq):
        setattr(node, Comment.attrib, Comment())
        for value in node.values() if isinstance(node, CommentedMap) else node:
            _drop_comments(value)


def _merge(
    node: Any, old: Any, new: Any, short: Any, shared: _Sharing, site: Site = (0, None)
) -> Any:
    """``node`` (the parent's text for ``old``) changed to say ``new``: only what differs
    between ``old`` and ``new`` is touched. ``short`` is ``new`` without defaults, what is
    written where something is added. A node written once and used again (``*alias``,
    ``<<: *base``) is copied before it is changed, so its other uses keep their values."""
    if old == new and type(old) is type(new):
        return node
    if isinstance(node, CommentedMap | CommentedSeq):
        node = shared.own(node, site)
    if isinstance(new, dict) and isinstance(node, CommentedMap) and isinstance(old, dict):
        short = short if isinstance(short, dict) else {}
        for key, value in new.items():
            before = old.get(key, _MISSING)
            if before == value and type(before) is type(value):
                continue
            if key in node:
                if key not in short and value is None:
                    del node[key]  # back to the default (none): left out, as before
                else:
                    node[key] = _merge(
                        node[key], before, value, short.get(key, value), shared, (id(node), key)
                    )
            elif key in short:
                node[key] = _new(tidy(short[key]))
        return node
    if isinstance(new, list | tuple) and isinstance(node, CommentedSeq):
        if not isinstance(old, list | tuple) or len(old) != len(node):
            return _new(tidy(short if short is not _MISSING else new), node)
        short = short if isinstance(short, list | tuple) and len(short) == len(new) else new
        kept = min(len(node), len(new))
        for i in range(kept):
            node[i] = _merge(node[i], old[i], new[i], short[i], shared, (id(node), i))
        trailing = node.ca.items.pop(len(node) - 1, None) if len(node) else None
        del node[kept:]
        for i in range(kept, len(new)):
            node.append(_new(tidy(short[i])))
        if trailing is not None and len(node):
            node.ca.items[len(node) - 1] = trailing  # a blank line or comment after the list
        return node
    if isinstance(new, dict | list | tuple):
        return _new(tidy(short if short is not _MISSING else new))
    return _scalar(tidy(new), node)


def _splice(
    original: list[str], base: list[str], edited: list[str], read: list[str] | None = None
) -> list[str] | None:
    """The edits that turn ``base`` (ruamel's rewrite of ``original``) into ``edited``,
    applied to ``original`` itself: lines ruamel writes otherwise (a long plain scalar it
    folds elsewhere) stay as the author wrote them. None where an edit touches such a
    line. ``read``: what ruamel read, when not ``original`` itself (tabs as spaces), line
    for line."""
    to_original: dict[int, int] = {}
    matcher = SequenceMatcher(None, read or original, base, autojunk=False)
    for a, b, size in matcher.get_matching_blocks():
        to_original.update((b + k, a + k) for k in range(size))
    out: list[str] = []
    pos = 0  # the first line of ``original`` not yet copied
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, base, edited, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if i1 < i2:
            mapped = [to_original.get(i) for i in range(i1, i2)]
            if None in mapped or mapped != list(range(mapped[0], mapped[0] + len(mapped))):
                return None
            start, end = mapped[0], mapped[-1] + 1
        elif i1 > 0 and (i1 - 1) in to_original:
            start = end = to_original[i1 - 1] + 1  # inserted after the line before
        elif i1 in to_original:
            start = end = to_original[i1]
        else:
            return None
        if start < pos:
            return None
        out += original[pos:start] + edited[j1:j2]
        pos = end
    return out + original[pos:]


def edited_model_text(parent_text: str, model: Model) -> str | None:
    """``parent_text`` edited to hold ``model``, or None where that cannot be done exactly
    (the parent does not load, or the edit would not read back as ``model``).

    >>> text = edited_model_text(Path("b2b_model.yaml").read_text(), new)  # doctest: +SKIP
    >>> parse_model_text(text) == new  # doctest: +SKIP
    True
    """
    try:
        parent = parse_model_text(parent_text)
    except ModelError:
        return None
    crlf = "\r\n" in parent_text
    text = parent_text.replace("\r\n", "\n") if crlf else parent_text
    read = text
    try:
        try:
            y, doc = _load(text)
        except Exception:
            # ruamel refuses a tab used as a space ('points:\t20', '20\t# note') that
            # libyaml, and so every model reader, accepts: edit the text with spaces, and
            # keep the author's own lines wherever nothing changed (_splice)
            if "\t" not in text:
                raise
            read = text.replace("\t", " ")
            y, doc = _load(read)
        if not isinstance(doc, CommentedMap):
            return None
        base = _dump(y, doc)
        old = parent.model_dump(mode="python")
        new = model.model_dump(mode="python")
        short = model.model_dump(mode="python", exclude_defaults=True)
        edited = _dump(y, _merge(doc, old, new, short, _Sharing(doc)))
    except Exception:  # any failure of the layout-keeping path: the file is written whole
        return None
    candidates = [edited]
    if base != text:
        spliced = _splice(
            text.splitlines(), base.splitlines(), edited.splitlines(), read.splitlines()
        )
        if spliced is not None:
            candidates.insert(0, "\n".join(spliced) + "\n")
    for out in candidates:
        try:
            same = parse_model_text(out) == model
        except ModelError:
            continue
        if same:
            return out.replace("\n", "\r\n") if crlf else out
    return None
