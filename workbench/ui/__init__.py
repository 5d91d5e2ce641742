"""Views: chart builders and the ipywidgets apps (the top layer; nothing imports it)."""

from workbench.ui.tuning import TuningApp, tuning_app

__all__ = ["TuningApp", "tuning_app"]
