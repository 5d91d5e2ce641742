"""The store: published scoring runs, immutable, with the current one switched atomically.

Above learning and below the views: dashboards, reports and exports read a stored run
instead of reloading raw files. See :mod:`workbench.store.store` for the layout and why.
Publishing (which scores) is imported on first use: a page that only reads a run never
loads the engine.
"""

from importlib import import_module

from workbench.store.manifest import InputFile, Manifest
from workbench.store.store import DEFAULT_STORE, Store

_LAZY = {"approval_problem": "workbench.store.publishing", "publish": "workbench.store.publishing"}

__all__ = ["DEFAULT_STORE", "InputFile", "Manifest", "Store", "approval_problem", "publish"]


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'workbench.store' has no attribute {name!r}")
