"""Scores for numeric forecasts given as quantiles: levels τ₁ < … < τ_K and values q₁ ≤ … ≤ q_K.

Functions take one forecast (`levels`, `values`) and its outcome `y`. All scores are
losses (lower is better); `coverage` and `pit` are diagnostics.

The pinball loss, the interval score and the normal CRPS call scoringrules (obs first);
the weighted interval score is built on the pinball loss. The CRPS from quantiles is the
kit's own (scoringrules' `crps_quantile` is a different estimator: see `crps`), and
scoringrules has no interpolated quantile, coverage or PIT of a quantile forecast.
"""

from __future__ import annotations

import math

import numpy as np

from kit.scoring._core import SR_BACKEND, scoringrules


def _check(levels, values) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(levels, dtype=float)
    q = np.asarray(values, dtype=float)
    if t.shape != q.shape or t.ndim != 1 or t.size == 0:
        raise ValueError("levels and values must be 1-d and of equal, nonzero length")
    if not (np.isfinite(t).all() and np.isfinite(q).all()):
        raise ValueError("levels and values must be finite")
    if (t <= 0).any() or (t >= 1).any() or (np.diff(t) <= 0).any():
        raise ValueError("levels must increase strictly inside (0, 1)")
    if (np.diff(q) < 0).any():
        raise ValueError("quantile values must not decrease")
    return t, q


def pinball(levels, values, y: float) -> np.ndarray:
    """Pinball (quantile) loss per level: ρ_τ(y − q) = (𝟙{y < q} − τ)(q − y).

    Koenker & Bassett (1978), Econometrica 46:33-50.
    Computed by `scoringrules.quantile_score(y, q, τ)` (the same expression).
    """
    t, q = _check(levels, values)
    sr = scoringrules()
    return np.asarray(sr.quantile_score(y, q, t, backend=SR_BACKEND), dtype=float)


def interval_score(lower: float, upper: float, alpha: float, y: float) -> float:
    """Interval score of the central (1 − α) interval [l, u]:
    (u − l) + (2/α)(l − y)𝟙{y < l} + (2/α)(y − u)𝟙{y > u}. Gneiting & Raftery (2007), eq. (43).

    Computed by `scoringrules.interval_score(y, l, u, α)`, except that an infinite end
    gives +inf here (the width), where scoringrules' 𝟙{·}·(…) products give NaN (0·∞).
    """
    if not 0 < alpha < 1 or upper < lower:
        raise ValueError("need 0 < alpha < 1 and lower <= upper")
    if math.isinf(upper - lower):
        return math.inf
    sr = scoringrules()
    return float(sr.interval_score(y, lower, upper, alpha, backend=SR_BACKEND))


def weighted_interval_score(levels, values, y: float) -> float:
    """Weighted interval score: 2 × the mean pinball loss over the levels.

    For symmetric levels with a median this equals (½|y − m| + Σₖ (αₖ/2)·IS_αₖ)/(K + ½),
    Bracher et al. (2021), PLoS Comput. Biol. 17:e1008618.

    The pinball losses come from scoringrules (see `pinball`). 2 × the mean pinball loss
    is what `scoringrules.crps_quantile` computes (the tests check they agree); the kit
    does not use `scoringrules.weighted_interval_score`, whose numpy backend (0.10) adds
    the median m where the formula has |y − m| (the numba one is right), and which takes
    central intervals rather than any set of levels.
    """
    return float(2 * pinball(levels, values, y).mean())


def quantile_at(levels, values, level: float) -> float | None:
    """The value at `level` by linear interpolation between given levels (None outside them)."""
    t, q = _check(levels, values)
    if level < t[0] - 1e-12 or level > t[-1] + 1e-12:
        return None
    return float(np.interp(level, t, q))


def coverage(levels, values, y: float, width: float) -> bool | None:
    """Whether y lies in the central `width` interval (e.g. 0.5, 0.9), inclusive.

    The interval's ends are the quantiles at (1 − width)/2 and (1 + width)/2, linearly
    interpolated between given levels; None when the levels do not reach them.
    """
    lo = quantile_at(levels, values, (1 - width) / 2)
    hi = quantile_at(levels, values, (1 + width) / 2)
    if lo is None or hi is None:
        return None
    return bool(lo <= y <= hi)


def pit(levels, values, y: float) -> float:
    """Probability integral transform F(y) of the forecast, in [0, 1].

    F is the piecewise-linear CDF through the points (qₖ, τₖ). Below the lowest quantile
    F(y) is taken as τ₁/2, above the highest as (1 + τ_K)/2 (the middle of the tail's
    mass: the quantiles say nothing more there); where several quantiles equal y, the
    middle of their levels. For a calibrated forecaster PIT values are uniform.
    """
    t, q = _check(levels, values)
    if y < q[0]:
        return float(t[0] / 2)
    if y > q[-1]:
        return float((1 + t[-1]) / 2)
    ties = t[q == y]
    if ties.size:
        return float((ties[0] + ties[-1]) / 2)
    k = int(np.searchsorted(q, y))  # q[k-1] < y < q[k]
    return float(t[k - 1] + (t[k] - t[k - 1]) * (y - q[k - 1]) / (q[k] - q[k - 1]))


def crps(levels, values, y: float) -> float:
    """CRPS from quantiles: 2 Σₖ wₖ ρ_cₖ(y − qₖ), exact for the step quantile function.

    Approximation stated: the forecast's quantile function is taken as constant, qₖ, on
    the cell of levels nearest τₖ (cells split halfway between levels and closed by 0 and
    1; wₖ is the cell's width and cₖ its centre). CRPS = 2∫₀¹ ρ_τ(y − Q(τ)) dτ
    (Laio & Tamea 2007) is then exact for that step function; for levels (k − ½)/K it is
    the CRPS of the ensemble q₁…q_K (properscoring's `crps_ensemble`). With few levels it
    ignores the tails and so understates the CRPS of a smooth distribution.

    Why the kit keeps its own: `scoringrules.crps_quantile(y, q, τ)` (Berrisch & Ziel
    2023, J. Econometrics 237:105221) is a different estimator, (2/K) Σₖ ρ_τₖ(y − qₖ):
    equal weights 1/K and each level's own τₖ, where this one has the cell widths wₖ and
    centres cₖ, with edges e₀ = 0, eₖ = (τₖ + τₖ₊₁)/2, e_K = 1, wₖ = eₖ − eₖ₋₁,
    cₖ = (eₖ₋₁ + eₖ)/2. The two agree only when τₖ = (k − ½)/K (then wₖ = 1/K and
    cₖ = τₖ). Otherwise scoringrules' is 2 × the mean pinball loss, i.e. the kit's
    `weighted_interval_score`: it weights every level equally however the levels are
    spaced, so it is not the CRPS of the step quantile function. For the quantiles at
    (0.1, 0.5, 0.9) of N(0, 1) and y = 0 it gives 0.171, this gives 0.231, and the CRPS
    of N(0, 1) is 0.234 (the tests hold these figures).
    """
    t, q = _check(levels, values)
    edges = np.concatenate([[0.0], (t[1:] + t[:-1]) / 2, [1.0]])
    w = np.diff(edges)
    c = (edges[1:] + edges[:-1]) / 2
    return float(2 * np.sum(w * (np.where(y < q, 1.0, 0.0) - c) * (q - y)))


def crps_normal(y: float, mu: float, sigma: float) -> float:
    """Closed-form CRPS of N(mu, sigma²) (Gneiting et al. 2005): a reference for tests.

    σ·(z(2Φ(z) − 1) + 2φ(z) − 1/√π), z = (y − μ)/σ, computed by `scoringrules.crps_normal`.
    """
    sr = scoringrules()
    return float(sr.crps_normal(y, mu, sigma, backend=SR_BACKEND))


def vincentize(values) -> np.ndarray:
    """The pooled quantile forecast of k forecasters at the same levels: the mean of their
    values at each level, `values` (k, L). Quantile averaging ("Vincentization"):
    Lichtendahl, Grushka-Cockayne & Winkler (2013), Management Science 59:1594-1611."""
    q = np.asarray(values, dtype=float)
    if q.ndim != 2 or q.shape[0] == 0:
        raise ValueError("values must be (forecasters, levels) with at least one forecaster")
    return q.mean(axis=0)
