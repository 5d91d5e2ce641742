"""The tuning app's *Publish* button: the saved, signed-off file goes to the store, or the
status line says what is missing.

Only a file is published, never slider state: a run's manifest names the model file and
its SHA-256, and the sign-off inside vouches for exactly those rules. So the button is
enabled only when the sliders equal a saved version whose sign-off is current
(:func:`~workbench.store.approval_problem`). People sign off outside the app, with
``workbench sign-off``; *Check again* reads the file anew (every edit does too).
"""

from __future__ import annotations

import html
import os
import re
import shlex
import sys
import traceback
from pathlib import Path

import ipywidgets as w

from workbench.errors import WorkbenchError
from workbench.model.spec import Model
from workbench.model.yaml_io import load_model
from workbench.store import Manifest, Store, approval_problem, publish
from workbench.ui.inputs import SAVE_DIR

PUBLISHING = "Publishing…"


def _shown(path: Path) -> str:
    """``path`` as the user types it in the terminal ``workbench tune`` was started in."""
    start = os.environ.get(SAVE_DIR)
    p = path.absolute()
    if start and p.is_relative_to(Path(start).absolute()):
        p = p.relative_to(Path(start).absolute())
    return shlex.quote(str(p))


def _store_path(text: str) -> Path:
    """The store folder typed in the app; a relative one is read against the folder
    ``workbench tune`` was started in (the kernel runs in the notebook's folder)."""
    if not text.strip():
        raise WorkbenchError("Store: give a folder to publish into (e.g. scoring-store)")
    return (Path(os.environ.get(SAVE_DIR) or ".") / text.strip()).absolute()


def _as_html(text: str) -> str:
    """Plain text with `commands` in backticks as HTML with ``<code>``."""
    return re.sub(r"`([^`]*)`", r"<code>\1</code>", html.escape(text))


def sign_off_command(path: Path) -> str:
    return f"`workbench sign-off {_shown(path)} --name 'Your Name'`"


def publish_problem(current: Model, saved: Model, file: Path | None, on_disk) -> str | None:
    """Why the version shown cannot be published now (None: it can), in a marketer's words.

    ``on_disk`` is the model read from ``file`` (or the error reading it raised).
    """
    if file is None:
        return (
            "This model is not in a file yet: save this version first (Save new version), "
            "have it signed off with `workbench sign-off`, then Publish."
        )
    if current.scoring_fingerprint() != saved.scoring_fingerprint():
        return (
            "Unsaved changes: save this version first (Save new version), have it signed "
            "off with `workbench sign-off`, then Publish."
        )
    if isinstance(on_disk, Exception):
        return f"The saved version {file.name} cannot be read: {on_disk}"
    if on_disk.scoring_fingerprint() != current.scoring_fingerprint():
        return (
            f"{file.name} has changed on disk since this page read it: its rules differ "
            "from the sliders. Reload the page to tune that file, or save the sliders as a "
            "new version."
        )
    if approval_problem(on_disk) is None:
        return None
    v = f"v{on_disk.version}"
    stale = [a.name for a, state in on_disk.sign_off_status() if state == "stale"]
    if stale:
        return (
            f"{v} ({file.name}): the sign-off by {', '.join(stale)} predates the last edit "
            "of its rules, so it does not approve them. Sign it off again: run "
            f"{sign_off_command(file)}, then Check again and Publish."
        )
    return (
        f"{v} is saved as {file.name} but not signed off: run {sign_off_command(file)}, "
        "then Check again and Publish."
    )


def published_text(m: Manifest, store: Path) -> str:
    """What a publish did: run id, leads per category, the store folder."""
    counts = " · ".join(f"{name} {n:,}" for name, n in m.counts.items())
    aside = ", ".join(f"{n:,} {kind}" for kind, n in m.set_aside.items() if n)
    return (
        f"Published {m.model} v{m.version} as run {m.run_id}: {m.leads:,} leads as of "
        f"{m.as_of[:16].replace('T', ' ')} ({counts})."
        + (f" Set aside by the data checks: {aside}." if aside else "")
        + f" Store: {store} (this run is now its current one)."
    )


class PublishPanel:
    """The Publish button, *Check again*, the store folder and the status line.

    The app tells it what the sliders show (:meth:`show`); it reads the model file only
    when the file changed (a ``stat`` per edit), so it costs nothing while tuning.
    """

    def __init__(self, files: dict[str, str], store: Path, n_leads: int):
        self.leads = files.get("leads")
        self.activities = files.get("activities")
        self.n_leads = n_leads
        self.store = w.Text(description="Store", value=str(store), layout=w.Layout(width="520px"))
        self.button = w.Button(description="Publish", icon="upload", button_style="success")
        self.check_button = w.Button(description="Check again", icon="refresh")
        self.status = w.HTML()
        self.last: Manifest | None = None
        self._last_key: tuple | None = None
        self._outcome = ""  # the last publish's result or error, as HTML
        self._read: tuple[tuple, Model | Exception] | None = None
        self.publishing = False

    def _state_key(self, file: Path) -> tuple:
        """Changes when the model file, the leads or the store folder change."""
        stats = []
        for p in (file, self.leads, self.activities):
            try:
                s = os.stat(p) if p else None
            except OSError:
                s = None
            stats.append(s and (s.st_ino, s.st_mtime_ns, s.st_size))
        return (str(file.absolute()), *stats, self.store.value)

    def on_disk(self, file: Path) -> Model | Exception:
        """The model in ``file``, read again only when the file changed."""
        try:
            s = file.stat()
            key = (str(file.absolute()), s.st_ino, s.st_mtime_ns, s.st_size)
        except OSError as exc:
            return WorkbenchError(f"{file}: {exc.strerror}")
        if self._read is None or self._read[0] != key:
            try:
                model: Model | Exception = load_model(file)
            except (WorkbenchError, OSError) as exc:
                model = exc
            self._read = (key, model)
        return self._read[1]

    def problem(self, current: Model, saved: Model, file: Path | None) -> str | None:
        if self.publishing:
            return PUBLISHING
        if not self.leads or self.leads == "<DataFrame>":
            return (
                "Publishing needs the leads as a file, and this app was given a table: open "
                "it on files (`workbench tune --leads FILE`)."
            )
        return publish_problem(current, saved, file, self.on_disk(file) if file else None)

    def _already_current(self, file: Path) -> bool:
        """This exact file and leads are the store's current run (a repeat click waits)."""
        if self.last is None or self._last_key != self._state_key(file):
            return False
        try:
            return Store(_store_path(self.store.value)).current_id() == self.last.run_id
        except WorkbenchError:
            return False

    def show(self, current: Model, saved: Model, file: Path | None) -> str | None:
        """Enable the button or say what is missing; returns the problem (None: ready)."""
        problem = self.problem(current, saved, file)
        if problem is None and file is not None and self._already_current(file):
            problem = (
                "Published (below). Publish is offered again when the model file, its "
                "sign-off, the leads or the store change."
            )
        if problem is None and file is not None:
            m = self.on_disk(file)
            names = ", ".join(a.name for a in m.approved_by)
            line = (
                f"Ready: Publish scores {self.n_leads:,} leads ({Path(self.leads).name}) with "
                f"v{m.version} ({file.name}, signed off by {names}) and makes it the current "
                "run sales sees."
            )
        else:
            line = problem or ""
        self.button.disabled = problem is not None
        self.check_button.disabled = self.publishing
        self.status.value = _as_html(line) + (f"<br>{self._outcome}" if self._outcome else "")
        return problem

    def publish(
        self, current: Model, saved: Model, file: Path | None, by: str = ""
    ) -> Manifest | None:
        """Publish ``file`` if it may be (else say why); never raises to the page."""
        if self.show(current, saved, file) is not None or file is None:
            return None
        version = self.on_disk(file).version
        self.publishing = True
        self.show(current, saved, file)  # disabled, "Publishing…", before the long part
        self.status.value = _as_html(
            f"{PUBLISHING} v{version} ({file.name}): scoring {self.n_leads:,} leads "
            f"from {Path(self.leads).name}. The page answers again when it is done."
        )
        m = None
        try:
            store = _store_path(self.store.value)
            key = self._state_key(file)
            m = publish(file, self.leads, self.activities, store=store, by=by.strip() or None)
            self.last, self._last_key = m, key
            self._outcome = f"<b>{_as_html(published_text(m, store))}</b>"
        except (WorkbenchError, OSError) as exc:
            self._outcome = (
                f"<span style='color:#b00'>Not published: {html.escape(str(exc))}</span>"
            )
        except Exception as exc:  # the page gets a sentence, the server's terminal the details
            traceback.print_exc(file=sys.__stderr__)
            self._outcome = (
                "<span style='color:#b00'>Not published: unexpected error "
                f"({html.escape(type(exc).__name__)}: {html.escape(str(exc))}); the "
                "server's terminal has the details.</span>"
            )
        finally:
            self.publishing = False
            self.show(current, saved, file)
        return m
