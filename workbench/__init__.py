"""Lead Scoring Workbench: build, test and publish an explainable lead-scoring model.

>>> import workbench as wb
>>> model = wb.load_model("data/samples/b2b_model.yaml")  # doctest: +SKIP
>>> data = wb.load_data(leads="data/samples/leads.csv",
...                     activities="data/samples/activities.csv")  # doctest: +SKIP
>>> signals = wb.compute_signals(model, data)  # expensive, once  # doctest: +SKIP
>>> scored = wb.score(model, signals)  # cheap, on every change  # doctest: +SKIP
"""

from workbench.data import DataReport, LeadData, load_data
from workbench.engine.reasons import reason_texts, reasons_table
from workbench.engine.scoring import Totals, contributions, score, score_totals
from workbench.engine.signals import Signals, compute_signals, refresh_signals
from workbench.errors import DataError, ModelError, WorkbenchError
from workbench.model import Model, load_model, model_to_yaml, parse_model_text, save_model

__version__ = "0.1.0"


def explain(model: Model, signals: Signals, lead_id: str):
    """Every criterion that moved one lead's score, with its evidence and points."""
    rows = signals.rows_of([lead_id])
    return reasons_table(model, signals, contributions(model, signals, rows))


__all__ = [
    "DataError",
    "DataReport",
    "LeadData",
    "Model",
    "ModelError",
    "Signals",
    "Totals",
    "WorkbenchError",
    "compute_signals",
    "contributions",
    "explain",
    "load_data",
    "load_model",
    "model_to_yaml",
    "parse_model_text",
    "reason_texts",
    "reasons_table",
    "refresh_signals",
    "save_model",
    "score",
    "score_totals",
]
