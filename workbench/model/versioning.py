"""The next version of a model: what every edit (tuning app, calibration) saves.

A changed model is a new version: version + 1, a changelog entry saying who changed what
and why, and the sign-off cleared, because sales and marketing agreed to the old rules,
not these.

A saved version is a fact, like a published run: it is written once, to a file of its
own, and never overwritten. ``b2b_model.yaml`` is followed by ``b2b_model_v2.yaml``,
``b2b_model_v3.yaml`` …, the number in the name equal to the ``version`` inside; when the
next name is taken (someone else saved meanwhile) the next free one is used and the
caller says so. The file is created exclusively (:func:`~workbench.files.write_text_new`),
so two saves at once never write one file. Its text is the parent's, with only the changed
values edited (:mod:`.yaml_edit`), so ``git diff v1 v2`` shows what changed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from workbench.errors import PathError, Problem
from workbench.files import write_text_new
from workbench.model.diff import model_changes
from workbench.model.spec import Model
from workbench.model.yaml_edit import edited_model_text
from workbench.model.yaml_io import model_to_yaml

MAX_TRIES = 1_000
"""Version numbers tried past a taken one before giving up (a folder of 1,000 versions)."""

_VERSION_SUFFIX = re.compile(r"_v\d+$")


def next_version(
    saved: Model,
    current: Model,
    author: str = "",
    note: str = "",
    date: dt.date | None = None,
    version: int | None = None,
) -> Model:
    """``current`` as the version after ``saved``: changelog entry added, sign-off cleared.

    The entry holds the author's ``note`` and the changes in words (``model_changes``);
    ``version`` defaults to ``saved.version + 1``.

    >>> edited = model.with_points({"pricing_page": 20})  # doctest: +SKIP
    >>> new = next_version(model, edited, author="Priya")  # doctest: +SKIP
    >>> new.version, new.approved_by, new.changelog[-1].changes  # doctest: +SKIP
    (2, (), ('Pricing page: 15 → 20 points',))
    """
    changes = model_changes(saved, current)
    version = version or saved.version + 1
    entry = {
        "version": version,
        "date": date or dt.date.today(),
        "author": author,
        "note": note or ("" if changes else "no changes to the rules"),
        "changes": changes,
    }
    return current.with_metadata(
        version=version,
        approved_by=[],  # the rules changed: sales and marketing sign off again
        changelog=[*(c.model_dump() for c in current.changelog), entry],
    )


def version_path(path: str | Path, version: int) -> Path:
    """The file of ``version`` beside ``path``: ``b2b_model.yaml`` or ``b2b_model_v2.yaml``
    -> ``b2b_model_v{version}.yaml``.

    >>> version_path("models/b2b_model_v2.yaml", 3)
    PosixPath('models/b2b_model_v3.yaml')
    """
    p = Path(path)
    suffix = p.suffix if p.suffix.lower() in (".yaml", ".yml") else ".yaml"
    stem = _VERSION_SUFFIX.sub("", p.stem if p.suffix == suffix else p.name)
    return p.with_name(f"{stem}_v{version}{suffix}")


def yaml_file(path: str | Path) -> Path:
    """``path`` as a model file name: ``.yaml`` added where it has no ``.yaml``/``.yml``
    (a name typed as ``ours`` or ``ours.txt``), so the saved version opens as YAML in
    JupyterLab and an editor, and the next version's name (``ours_v3.yaml``) matches it.

    >>> yaml_file("review/ours"), yaml_file("ours.yml")
    (PosixPath('review/ours.yaml'), PosixPath('ours.yml'))
    """
    p = Path(path)
    return p if p.suffix.lower() in (".yaml", ".yml") else p.with_name(p.name + ".yaml")


def first_free(path: str | Path, version: int) -> tuple[Path, int]:
    """The first version file from ``version`` on (``version_path``) that does not exist."""
    for v in range(version, version + MAX_TRIES):
        candidate = version_path(path, v)
        if not candidate.exists() and not candidate.is_symlink():
            return candidate, v
    raise PathError(
        [Problem("", f"versions {version} to {version + MAX_TRIES - 1} all exist; tidy up")],
        str(Path(path).parent),
    )


class VersionExists(PathError):
    """The file asked for exists: a saved version is never overwritten. ``free`` is the
    next free version file beside it."""

    def __init__(self, path: Path, free: Path):
        super().__init__(
            [
                Problem(
                    "",
                    "the file exists, and a saved version is never overwritten; save to "
                    f"{free} (the next free version) or give another name",
                )
            ],
            str(path),
        )
        self.path, self.free = path, free


@dataclass(frozen=True)
class SavedVersion:
    """What a save wrote: the file, the model in it and its changes in words."""

    path: Path
    model: Model
    changes: tuple[str, ...]
    taken: tuple[Path, ...] = ()
    """Version files that were already there and so were skipped (someone else saved)."""
    rewritten: str = ""
    """Why the parent's layout could not be kept ('' when it was, or there was none)."""

    def summary(self) -> str:
        """``Saved version 3 to …/b2b_model_v3.yaml: Pricing page: 15 → 20 points; …``"""
        text = f"Saved version {self.model.version} to {self.path}"
        text += (": " + "; ".join(self.changes) + ".") if self.changes else " (no changes)."
        if self.taken:
            names = ", ".join(p.name for p in self.taken)
            text += f" {names} already existed (saved by someone else?), so this is the next free."
        if self.rewritten:
            text += f" {self.rewritten}"
        return text


def _text(new: Model, parent: Path | None) -> tuple[str, str]:
    """The file's text and, when the parent's layout was not kept, why."""
    if parent is None:
        return model_to_yaml(new), ""
    try:
        with open(parent, encoding="utf-8", newline="") as fh:  # CRLF kept
            parent_text = fh.read()
    except (OSError, UnicodeDecodeError):
        return model_to_yaml(new), f"{parent.name} could not be read: the file is written whole."
    edited = edited_model_text(parent_text, new)
    if edited is None:
        return (
            model_to_yaml(new),
            f"The layout of {parent.name} could not be kept (comments and order): "
            "the file is written whole.",
        )
    return edited, ""


def save_version(
    saved: Model,
    current: Model,
    path: str | Path,
    *,
    parent: str | Path | None = None,
    next_free: bool = True,
    author: str = "",
    note: str = "",
    date: dt.date | None = None,
) -> SavedVersion:
    """Write ``current`` as the version after ``saved``, never over an existing file.

    ``next_free``: ``path`` names where the next version goes (``b2b_model_v2.yaml``);
    a taken name is skipped for the next free version (the version inside follows the
    name). Otherwise exactly ``path`` is written (``.yaml`` added to a name without it,
    :func:`yaml_file`), and an existing file raises
    :class:`VersionExists` naming the next free one. ``parent`` is the file ``saved`` was
    read from: the new file is its text with the changed values edited.

    >>> save_version(model, edited, "b2b_model_v2.yaml", parent="b2b_model.yaml").path
    ... # doctest: +SKIP
    PosixPath('b2b_model_v3.yaml')  # b2b_model_v2.yaml was taken
    """
    path = yaml_file(path)
    parent = Path(parent) if parent else None
    want = saved.version + 1
    taken: list[Path] = []
    for _ in range(MAX_TRIES):
        if next_free:
            target, version = first_free(path, want)
            taken += [version_path(path, v) for v in range(want, version)]
        else:
            target, version = path, want
        new = next_version(saved, current, author, note, date, version)
        text, rewritten = _text(new, parent)
        try:
            write_text_new(target, text, newline="")
        except FileExistsError:
            if not next_free:
                raise VersionExists(target, first_free(target, want)[0]) from None
            want = version + 1  # saved meanwhile by someone else: the next one
            continue
        changes = new.changelog[-1].changes
        return SavedVersion(target, new, changes, tuple(dict.fromkeys(taken)), rewritten)
    raise PathError([Problem("", "every version file tried was taken meanwhile")], str(path))
