"""The engine: evidence computed once per as-of instant, cheap scoring over it, reasons.

Bottom to top: ``fields`` and ``events`` (lead columns and activity events as the rules read
them), ``kinds`` (one home per rule kind: its evidence, words and levels), ``coverage``,
``signals`` (the evidence matrix), ``scoring`` (points, caps, weights, thresholds) and
``reasons`` (the contributions in words).
"""
