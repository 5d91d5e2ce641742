"""Views: chart builders and the ipywidgets apps (the top layer; nothing imports it)."""

from workbench.ui.dashboard import SalesDashboard, sales_dashboard
from workbench.ui.tuning import TuningApp, tuning_app, tuning_page

__all__ = ["SalesDashboard", "TuningApp", "sales_dashboard", "tuning_app", "tuning_page"]
