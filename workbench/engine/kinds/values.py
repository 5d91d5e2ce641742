"""Kinds that read a column's values as text: equals, in, not_in, lookup, contains, regex.

Each is evaluated on the column's distinct values (``ColumnCache.factorized``) and gathered
back by code, so a million leads cost as much as their vocabulary. Values compare as
``fields.value_keys`` keys them: as numbers exactly when :mod:`workbench.data.numbers` reads
them as numbers (so ``equals``/``in``/``lookup`` agree with ``range``), other text trimmed and
(unless case-sensitive) case-folded.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.engine.fields import ColumnCache, gather
from workbench.engine.kinds.base import FieldKind, LevelKind, home
from workbench.engine.kinds.words import label_series, lead_values, listing
from workbench.model import rules as r
from workbench.model.patterns import contains_any, matches


def _listed(rule, cache: ColumnCache, values) -> tuple[np.ndarray, np.ndarray]:
    """Per lead, whether its value is one of ``values``, and whether it has a value."""
    per_lead, index = cache.key_codes(rule.field, rule.case_sensitive)
    wanted = [index[k] for k in cache.rule_keys(values, rule.case_sensitive) if k in index]
    return np.isin(per_lead, wanted), per_lead >= 0


class ListedKind(FieldKind):
    """A rule that matches a lead whose value is one of the values it names (or is not)."""

    negate = False  # not_in: filled in and none of the values (missing values never match)

    def match(self, rule, cache, cutoff) -> np.ndarray:
        hit, filled = _listed(rule, cache, self.named_values(rule))
        return filled & ~hit if self.negate else hit


@home(r.Equals)
class EqualsKind(ListedKind):
    def named_values(self, rule: r.Equals) -> tuple[r.Scalar, ...]:
        return (rule.value,)

    def describe(self, rule: r.Equals) -> str:
        return f"{rule.field} = {rule.value}"


@home(r.In)
class InKind(ListedKind):
    def named_values(self, rule: r.In) -> tuple[r.Scalar, ...]:
        return rule.values

    def describe(self, rule: r.In) -> str:
        return f"{rule.field} is {listing(rule.values)}"


@home(r.NotIn)
class NotInKind(InKind):
    negate = True

    def describe(self, rule: r.NotIn) -> str:
        return f"{rule.field} is not {listing(rule.values)}"


@home(r.Lookup)
class LookupKind(LevelKind):
    def named_values(self, rule: r.Lookup) -> tuple[r.Scalar, ...]:
        return tuple(v for g in rule.groups for v in g.values)

    def match(self, rule: r.Lookup, cache, cutoff) -> np.ndarray:
        per_lead, index = cache.key_codes(rule.field, rule.case_sensitive)
        group = [i for i, g in enumerate(rule.groups) for _ in g.values]
        keys = cache.rule_keys(self.named_values(rule), rule.case_sensitive)
        table = np.full(len(index) + 1, -1, dtype=np.int16)  # the last cell: no value
        for k, i in zip(keys, group, strict=True):
            if k in index:
                table[index[k]] = i  # disjoint groups (validated); else the last wins
        return table[per_lead]

    def describe(self, rule: r.Lookup) -> str:
        return f"{rule.field} by value"

    def evidence_words(self, c, signals, rows) -> pd.Series:
        """``Seniority (VP)``: the value says which group it fell in."""
        return label_series(c, rows) + " (" + lead_values(signals, c.rule.field, rows) + ")"


@home(r.Contains)
class ContainsKind(FieldKind):
    def match(self, rule: r.Contains, cache, cutoff) -> np.ndarray:
        codes, _ = cache.factorized(rule.field)
        per = contains_any(cache.arrow_text(rule.field), rule.values, case=rule.case_sensitive)
        return gather(codes, per, False)

    def describe(self, rule: r.Contains) -> str:
        return f"{rule.field} contains {listing(rule.values)}"


@home(r.Regex)
class RegexKind(FieldKind):
    def match(self, rule: r.Regex, cache, cutoff) -> np.ndarray:
        """Searched once per distinct value, in linear time (RE2): no pattern and no lead
        value can make it hang."""
        codes, _ = cache.factorized(rule.field)
        per = matches(cache.arrow_text(rule.field), rule.pattern, case=rule.case_sensitive)
        return gather(codes, per, False)

    def describe(self, rule: r.Regex) -> str:
        return f"{rule.field} matches {rule.pattern}"
