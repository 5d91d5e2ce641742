"""The data layer: read leads and activities, check them, keep bad rows aside."""

from workbench.data.checks import DataReport
from workbench.data.loading import LeadData, load_data, parse_dates

__all__ = ["DataReport", "LeadData", "load_data", "parse_dates"]
