"""The engine: evidence computed once per as-of instant, cheap scoring over it, reasons.

Bottom to top: ``fields`` and ``events`` (evidence of lead-field and activity rules),
``signals`` (the evidence matrix), ``scoring`` (points, caps, weights, thresholds) and
``reasons`` (the contributions in words).
"""
