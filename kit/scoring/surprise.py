"""How surprising an outcome was to a forecast: surprisal in nats.

For a probability forecast, the surprisal of what happened is −ln P(outcome) (the log
score; Good 1952, J. R. Stat. Soc. B 14:107-114): 0 for a certain right forecast, ln 2 ≈
0.69 for a coin flip, +∞ for a certain wrong one. For a quantile forecast the outcome's
PIT u (the forecast's probability of a value at most the outcome) says where it fell;
its two-sided tail surprisal −ln(2·min(u, 1 − u)), the surprisal of an outcome at least
that far out in either tail, is 0 at the median, ln 2 ≈ 0.69 at the quartiles and grows
towards either tail: the same scale as the probability forecasts'.
"""

from __future__ import annotations

import numpy as np


def surprisal(p_outcome) -> np.ndarray:
    """−ln P(outcome), in nats (+inf where the probability was 0)."""
    p = np.asarray(p_outcome, dtype=float)
    with np.errstate(divide="ignore"):
        return -np.log(p)


def tail_surprisal(pit) -> np.ndarray:
    """−ln(2·min(u, 1 − u)) of a PIT value u in [0, 1], in nats (+inf at 0 or 1)."""
    u = np.asarray(pit, dtype=float)
    with np.errstate(divide="ignore"):
        return -np.log(2 * np.minimum(u, 1 - u))
