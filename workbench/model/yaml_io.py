"""Read and write model files: YAML read as hostile input (:mod:`.yaml_read`), safe
constructors only, errors with line numbers."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from workbench.errors import ModelError, Problem, format_path
from workbench.files import not_a_file, os_error_words, write_text_atomic
from workbench.model.bounds import MAX_MODEL_BYTES
from workbench.model.spec import Model
from workbench.model.yaml_read import Loader, read_yaml


def _line_index(text: str) -> dict[str, int]:
    """Map each key path (``criteria[3].rule``) to its 1-based line in the file."""
    lines: dict[str, int] = {}
    try:
        root = yaml.compose(text, Loader=Loader)
    except yaml.YAMLError:
        return lines

    def walk(node: yaml.Node, path: tuple[str | int, ...]) -> None:
        lines.setdefault(format_path(path), node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                sub = (*path, key_node.value)
                lines[format_path(sub)] = key_node.start_mark.line + 1
                walk(value_node, sub)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, (*path, i))

    if root is not None:
        walk(root, ())
    return lines


def _nearest_line(where: str, lines: dict[str, int]) -> int | None:
    while where:
        if where in lines:
            return lines[where]
        cut = max(where.rfind("."), where.rfind("["))
        if cut <= 0:
            break
        where = where[:cut]
    return lines.get(where)


def _line_of(exc: UnicodeDecodeError) -> int:
    return exc.object[: exc.start].count(b"\n") + 1


def _not_utf8(exc: UnicodeDecodeError) -> str:
    """Why the text is not UTF-8, in words, with the fix."""
    head = bytes(exc.object[:4])
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head:
        kind = "UTF-16 or UTF-32 text"
    else:
        kind = f"not UTF-8 (byte 0x{exc.object[exc.start]:02x}: saved as Windows-1252?)"
    return f"the file is {kind}; save it as UTF-8 (any text editor's 'Save as … UTF-8')"


def load_model(path: str | Path) -> Model:
    """Load and validate a scoring model from a YAML file.

    >>> model = load_model("data/samples/b2b_model.yaml")  # doctest: +SKIP
    """
    path = Path(path)
    source = str(path)
    try:
        info = path.stat()
        why = not_a_file(info.st_mode)
        if why:
            raise ModelError([Problem("", f"cannot read the file: {why}")], source)
        size = info.st_size
        if size > MAX_MODEL_BYTES:
            raise ModelError(
                [
                    Problem(
                        "",
                        f"the file is {size:,} bytes; a model file may have at most "
                        f"{MAX_MODEL_BYTES:,}. Is this the right file?",
                    )
                ],
                source,
            )
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        # the folder as the user named it (absolute, links not followed): a symlinked
        # folder's target is a path they never typed
        folder = Path(os.path.abspath(path)).parent
        raise ModelError([Problem("", f"file not found (looked in {folder})")], source) from None
    except OSError as exc:  # a link loop, a folder, no permission: in words
        raise ModelError(
            [Problem("", f"cannot read the file: {os_error_words(exc)}")], source
        ) from None
    except UnicodeDecodeError as exc:
        raise ModelError([Problem("", _not_utf8(exc), _line_of(exc))], source) from None
    return parse_model_text(text, source)


def parse_model_text(text: str, source: str = "<model>") -> Model:
    """Validate model YAML given as text; errors name ``source`` and the lines."""
    try:
        data: Any = read_yaml(text)
    except ModelError as exc:
        raise ModelError(exc.problems, source) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise ModelError(
            [Problem("", f"not valid YAML: {problem}. Check indentation and quotes.", line)],
            source,
        ) from None
    if not isinstance(data, dict):
        raise ModelError(
            [Problem("", "a model file must be a mapping with at least 'name' and 'criteria'")],
            source,
        )
    try:
        return Model.parse(data)
    except ModelError as exc:
        lines = _line_index(text)
        problems = [
            Problem(p.where, p.message, _nearest_line(p.where, lines)) for p in exc.problems
        ]
        raise ModelError(problems, source) from None


class _ModelDumper(yaml.SafeDumper):
    """Short lists and small flat mappings on one line, as a person would write them."""


def _is_scalar(v: Any) -> bool:
    return v is None or isinstance(v, str | int | float | bool)


def fits_one_line(data: list | dict) -> bool:
    """Whether a list or mapping is written on one line (``{id: fit, weight: 100}``): only
    scalars in it, and short. The one rule for every model file the workbench writes."""
    values = data.values() if isinstance(data, dict) else data
    return bool(data) and all(_is_scalar(v) for v in values) and len(str(data)) < 90


def _represent_list(dumper: yaml.SafeDumper, data: list) -> yaml.Node:
    flow = fits_one_line(data) or not data
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


def _represent_dict(dumper: yaml.SafeDumper, data: dict) -> yaml.Node:
    return dumper.represent_mapping(
        "tag:yaml.org,2002:map", data.items(), flow_style=fits_one_line(data)
    )


_ModelDumper.add_representer(list, _represent_list)
_ModelDumper.add_representer(dict, _represent_dict)


def tidy(obj: Any) -> Any:
    """Whole numbers as integers and a rule's ``kind`` first, for files people review."""
    if isinstance(obj, float) and obj.is_integer():
        return int(obj)
    if isinstance(obj, list | tuple):
        return [tidy(v) for v in obj]
    if isinstance(obj, dict):
        keys = sorted(obj, key=lambda k: k != "kind")
        return {k: tidy(obj[k]) for k in keys}
    return obj


def model_to_yaml(model: Model) -> str:
    """The model as YAML text, keys in the model's own order."""
    data = {"format_version": model.format_version, "name": model.name, "version": model.version}
    data.update(model.to_dict())
    return yaml.dump(
        tidy(data), Dumper=_ModelDumper, sort_keys=False, allow_unicode=True, width=100
    )


def save_model(model: Model, path: str | Path) -> Path:
    """Write the model as YAML (whole or not at all); ``load_model(save_model(m, p)) == m``."""
    return write_text_atomic(path, model_to_yaml(model))
