"""Scores for binary forecasts: p = P(yes), y in {0, 1}. Vectorised over forecasts.

Orientation is part of each name's docstring: Brier and log score are losses (lower is
better); spherical, baseline and peer scores are rewards (higher is better).

All stay in numpy. scoringrules 0.10 has the Brier and log scores (`brier_score`,
`log_score`, obs first) but is slower on them and its log score loses precision (see each
docstring); it has no spherical, Metaculus baseline or peer score. The tests check the
kit against scoringrules (tests/scoring/test_crosscheck.py).
"""

from __future__ import annotations

import numpy as np

from kit.scoring._core import as_outcomes, as_probs


def brier(p, y) -> np.ndarray:
    """Brier score, one-sided, in [0, 1]: (p − y)². Lower is better.

    Brier (1950), Mon. Weather Rev. 78:1-3. (The two-sided form, Σ over both outcomes, is
    twice this.)

    Same quantity as `scoringrules.brier_score(y, p)` (one-sided, (fct − obs)²), kept in
    numpy for speed: scoringrules checks the outcomes with `np.unique` (a sort), which
    makes it about 5 times slower on a million forecasts (validation included on both
    sides), and this function validates its inputs already.
    """
    p, y = as_probs(p), as_outcomes(y)
    return (p - y) ** 2


def log_score(p, y) -> np.ndarray:
    """Logarithmic score as a loss: −ln P(outcome) = −ln(p) if y else −ln(1 − p). Lower is better.

    A forecast of exactly 0 or 1 on the outcome that did not happen scores +inf: it is
    reported as infinite (see `infinite`), never clipped to a finite number.
    Good (1952), J. R. Stat. Soc. B 14:107-114.

    Kept in numpy rather than `scoringrules.log_score(y, p)`, which computes
    −ln|p + y − 1|: for y = 1 the sum p + 1 is rounded to the spacing of floats near 1
    (2.2e-16) before 1 is taken off, so the score is off by up to about 1.1e-16/p
    (8e-8 at p = 1e-10) and any p < 1.1e-16 scores +inf instead of −ln p (p = 1e-20:
    +inf, not 46.05). It is also about 4 times slower on a million forecasts.
    """
    p, y = as_probs(p), as_outcomes(y)
    p_outcome = np.where(y == 1, p, 1 - p)
    with np.errstate(divide="ignore"):
        return -np.log(p_outcome)


def infinite(scores) -> np.ndarray:
    """Which scores are infinite (a certain forecast that was wrong): flag these in output."""
    return np.isinf(np.asarray(scores, dtype=float))


def spherical(p, y) -> np.ndarray:
    """Spherical score P(outcome) / ‖(p, 1 − p)‖₂, in [0, 1]. Higher is better.

    Gneiting & Raftery (2007), JASA 102:359-378, eq. (23).
    """
    p, y = as_probs(p), as_outcomes(y)
    p_outcome = np.where(y == 1, p, 1 - p)
    return p_outcome / np.sqrt(p**2 + (1 - p) ** 2)


def baseline_score(p, y) -> np.ndarray:
    """Metaculus baseline score 100·log₂(2·P(outcome)). Higher is better.

    0 for p = ½, 100 for a certain right forecast, −inf for a certain wrong one.
    Metaculus scores FAQ ("baseline score").
    """
    p, y = as_probs(p), as_outcomes(y)
    p_outcome = np.where(y == 1, p, 1 - p)
    with np.errstate(divide="ignore"):
        return 100 * np.log2(2 * p_outcome)


def peer_score(p, y: int) -> np.ndarray:
    """Metaculus peer score of each forecaster on one question. Higher is better.

    For forecaster i among N ≥ 2: 100 · (ln P_i(outcome) − mean over j ≠ i of ln P_j(outcome)).
    The peer scores of a question sum to zero. Metaculus scores FAQ ("peer score").
    `p` holds one forecast per forecaster; `y` is the question's outcome.
    """
    p = as_probs(p)
    if p.ndim != 1 or p.size < 2:
        raise ValueError("peer scores need at least two forecasters")
    y_arr = as_outcomes(np.full(p.shape, y))
    with np.errstate(divide="ignore"):
        logp = np.log(np.where(y_arr == 1, p, 1 - p))
    n = p.size
    with np.errstate(invalid="ignore"):
        others = (logp.sum() - logp) / (n - 1)
        return 100 * (logp - others)
