"""The knobs of a draft (:class:`DraftOptions`), in a module of their own because the
levels, the points shapers and the draft itself all read them; none of those imports another
just to get its settings.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DraftOptions:
    """Knobs of a draft; the defaults suit a few thousand to a million leads.

    ``max_bins`` quantile bins per numeric column to start from; a bin or value group needs
    ``min_share`` of the leads and ``min_leads`` leads (else it is merged or pooled);
    ``C`` is the inverse regularisation strength; ``shares`` the target shares of A and
    of A + B when choosing thresholds.
    """

    max_bins: int = 10
    min_share: float = 0.02
    min_leads: int = 30
    C: float = 1.0
    scale: tuple[float, float] = (0.0, 100.0)
    shares: tuple[float, float] = (0.15, 0.5)
    monotone: bool = True
    rare_leads: int = 200
    max_groups: int = 5
    dominant_share: float = 0.97
    crossfit: int = 5
