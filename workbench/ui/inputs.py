"""Which model and data files an app opens: arguments, then environment, then the sample.

Voilà and JupyterLab run a notebook with no arguments, so ``workbench dashboard`` and
``workbench tune`` hand their files to the kernel through ``WORKBENCH_*`` environment
variables. Paths resolve here, not against the
notebook's folder, so Voilà and papermill (which run the kernel in the notebooks' folder)
find the same files as the command line.
"""

from __future__ import annotations

import os
from pathlib import Path

from workbench.model.versioning import version_path
from workbench.resources import samples_dir
from workbench.store.store import DEFAULT_STORE

SAMPLES = samples_dir()
ENV = {
    "model": "WORKBENCH_MODEL",
    "leads": "WORKBENCH_LEADS",
    "activities": "WORKBENCH_ACTIVITIES",
    "as_of": "WORKBENCH_AS_OF",
}
SAVE_DIR = "WORKBENCH_SAVE_DIR"
"""Where ``workbench tune`` was started: the tuning app saves a new version of the shipped
sample there, not into the installed package."""
STORE = "WORKBENCH_STORE"
"""The store the tuning app publishes into (default: ``scoring-store`` in the folder
``workbench tune`` was started in, as ``workbench publish`` and ``workbench runs`` use),
and the store the dashboard serves."""
RUN = "WORKBENCH_RUN"
"""A run the dashboard shows instead of the store's current one (``dashboard --run``)."""


def resolve_inputs(
    model: str | Path | None = None,
    leads: str | Path | None = None,
    activities: str | Path | None = None,
    as_of: str | None = None,
) -> dict:
    """``{"model", "leads", "activities", "as_of"}``: given values win, then environment."""
    given = {"model": model, "leads": leads, "activities": activities, "as_of": as_of}
    out = {k: v if v is not None else (os.environ.get(ENV[k]) or None) for k, v in given.items()}
    if out["leads"] is None:
        out["leads"] = SAMPLES / "leads.csv"
        if out["activities"] is None:
            out["activities"] = SAMPLES / "activities.csv"
    if out["model"] is None:
        out["model"] = SAMPLES / "b2b_model.yaml"
    return out


def next_version_path(model_path: str | Path, version: int) -> Path:
    """Where the tuning app saves ``version`` of the model read from ``model_path``.

    Next to the model file (``b2b_model.yaml`` or ``b2b_model_v2.yaml`` ->
    ``b2b_model_v3.yaml``, :func:`~workbench.model.versioning.version_path`); saving takes
    the next free name from there, so no version is overwritten. The shipped sample sits
    inside the package (in site-packages once installed), so its next version goes to the
    folder ``workbench tune`` was started in, when known.
    """
    path = Path(model_path)
    if path.resolve().is_relative_to(SAMPLES.resolve()) and os.environ.get(SAVE_DIR):
        path = Path(os.environ[SAVE_DIR]) / path.name
    return version_path(path, version)


def store_folder(model_path: str | Path | None = None) -> Path:
    """Where the tuning app publishes: ``WORKBENCH_STORE``, else ``scoring-store`` in the
    folder ``workbench tune`` was started in, else next to the model file (the current
    folder for the shipped sample).

    The kernel runs in the notebook's folder, so a relative ``WORKBENCH_STORE`` is read
    against the folder the command was started in: the store ``workbench runs`` lists
    there.
    """
    start = os.environ.get(SAVE_DIR)
    if given := os.environ.get(STORE):
        return (Path(start or ".") / given).absolute()
    base = Path(start or ".")
    if (
        not start
        and model_path
        and not Path(model_path).resolve().is_relative_to(SAMPLES.resolve())
    ):
        base = Path(model_path).parent  # never into the package's samples
    return (base / DEFAULT_STORE).absolute()
