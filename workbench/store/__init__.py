"""The store: published scoring runs, immutable, with the current one switched atomically.

Above learning and below the views: dashboards, reports and exports read a stored run
instead of reloading raw files. See :mod:`workbench.store.store` for the layout and why.
"""

from workbench.store.manifest import InputFile, Manifest
from workbench.store.publishing import approval_problem, publish
from workbench.store.store import DEFAULT_STORE, Store

__all__ = ["DEFAULT_STORE", "InputFile", "Manifest", "Store", "approval_problem", "publish"]
