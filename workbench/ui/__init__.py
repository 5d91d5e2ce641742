"""Views: chart builders and the ipywidgets apps (the top layer; nothing imports it).

Imported lazily: a dashboard page loads the dashboard, not the tuning app and its engine.
"""

from importlib import import_module

_HOMES = {
    "SalesDashboard": "workbench.ui.dashboard",
    "sales_dashboard": "workbench.ui.dashboard",
    "TuningApp": "workbench.ui.tuning",
    "tuning_app": "workbench.ui.tuning",
    "tuning_page": "workbench.ui.tuning",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str):
    if name in _HOMES:
        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'workbench.ui' has no attribute {name!r}")
