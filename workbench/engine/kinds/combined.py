"""The kind that combines rules: all_of (an interaction, "page views 5+ and source Website").

Its evidence is the AND of its parts' hits, each computed by the part's own kind, and its
words are the parts' words joined with "and": nothing here knows what the parts are.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.engine.kinds.base import FieldKind, home, kind_of
from workbench.model import rules as r


def _part(c, rule: r.AllOf, i: int):
    """Part ``i`` of an all_of criterion as a criterion of its own, for its kind's words:
    labelled by ``rule.labels`` or, without them, by the part's description."""
    sub = rule.rules[i]
    label = rule.labels[i] if rule.labels else kind_of(sub).describe(sub)
    return c.model_copy(update={"rule": sub, "label": label})


@home(r.AllOf)
class AllOfKind(FieldKind):
    def match(self, rule: r.AllOf, cache, cutoff) -> np.ndarray:
        hit = np.ones(len(cache.leads), dtype=bool)
        for sub in rule.rules:
            hit &= kind_of(sub).hits(sub, cache, cutoff)
        return hit

    def describe(self, rule: r.AllOf) -> str:
        return " and ".join(kind_of(s).describe(s) for s in rule.rules)

    def evidence_words(self, c, signals, rows) -> pd.Series:
        """``Page views (7) and Lead source (Website)``: each part as its own kind says it."""
        words = [
            kind_of(sub).evidence_words(_part(c, c.rule, i), signals, rows)
            for i, sub in enumerate(c.rule.rules)
        ]
        out = words[0]
        for w in words[1:]:
            out = out + " and " + w
        return out
