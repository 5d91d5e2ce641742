"""Learning from past conversions: profiling, drafting, points fitting, calibration."""
