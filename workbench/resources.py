"""Files that travel inside the package: the notebooks and the sample model and data.

Everything the commands open is found through :mod:`importlib.resources`, so an installed
wheel works from any folder. In a checkout, ``notebooks/`` and ``data/samples/`` at the top
level are links to these same files: one copy of each, nothing to keep in sync.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

NOTEBOOKS = (
    "tune_model.ipynb",
    "sales_dashboard.ipynb",
    "scoring_report.ipynb",
    "store_report.ipynb",
)
SAMPLE_FILES = ("b2b_model.yaml", "leads.csv", "activities.csv")


def _package_dir(*parts: str) -> Path:
    # Voilà, papermill and JupyterLab need real paths: the package is installed as files
    # (pip never installs a wheel zipped), so the traversable is a plain path.
    return Path(str(resources.files("workbench").joinpath(*parts)))


def notebook(name: str) -> Path:
    """Path of a shipped notebook (``tune_model.ipynb``, ``sales_dashboard.ipynb`` …)."""
    return _package_dir("notebooks", name)


def samples_dir() -> Path:
    """The folder of the sample model and data (``b2b_model.yaml``, ``leads.csv`` …)."""
    return _package_dir("data", "samples")


def voila_server() -> Path:
    """The script the dashboard's Voilà server runs (see :mod:`workbench.ui.voila_server`)."""
    return _package_dir("ui", "voila_server.py")


def jupyter_dir() -> Path:
    """The folder to put on ``JUPYTER_PATH`` so Voilà finds the offline template."""
    return _package_dir("ui", "jupyter")
