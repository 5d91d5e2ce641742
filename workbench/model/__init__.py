"""The model spec layer: what a scoring model is, and how it is read and written."""

from workbench.model.spec import (
    Bucket,
    Criterion,
    DataMapping,
    Grading,
    InquiryRule,
    Model,
    Segments,
    Threshold,
)
from workbench.model.yaml_io import load_model, model_to_yaml, parse_model_text, save_model

__all__ = [
    "Bucket",
    "Criterion",
    "DataMapping",
    "Grading",
    "InquiryRule",
    "Model",
    "Segments",
    "Threshold",
    "load_model",
    "model_to_yaml",
    "parse_model_text",
    "save_model",
]
