"""Is a forecaster calibrated? Spiegelhalter's z, consistency bands, and discrimination.

Binary forecasts p (probability of the event) and outcomes y in {0, 1}.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

from kit.scoring._core import as_outcomes, as_probs
from kit.scoring.calibration import pav


@dataclass(frozen=True)
class SpiegelhalterTest:
    """z and its two-sided p-value under "the forecasts are calibrated"; n forecasts."""

    z: float
    p_value: float
    n: int


def spiegelhalter(p, y) -> SpiegelhalterTest:
    """Spiegelhalter's z-test of calibration.

    z = Σ (yᵢ − pᵢ)(1 − 2pᵢ) / √(Σ (1 − 2pᵢ)² pᵢ(1 − pᵢ)), standard normal when the
    forecasts are calibrated (yᵢ ~ Bernoulli(pᵢ) independently); p-value = 2(1 − Φ(|z|))
    = erfc(|z|/√2). It is the Brier score's deviation from its expectation under
    calibration, standardised. Spiegelhalter (1986), Statistics in Medicine 5:421-433;
    Rufibach (2010), J. Clin. Epidemiol. 63:938-939. Undefined (NaN) when every forecast
    is 0, ½ or 1 (the variance is zero).
    """
    p, y = as_probs(p), as_outcomes(y)
    w = 1 - 2 * p
    variance = float(np.dot(w * w, p * (1 - p)))
    if p.size == 0 or variance <= 0:
        return SpiegelhalterTest(math.nan, math.nan, int(p.size))
    z = float(np.dot(y - p, w)) / math.sqrt(variance)
    return SpiegelhalterTest(z, math.erfc(abs(z) / math.sqrt(2)), int(p.size))


@dataclass(frozen=True)
class ConsistencyBand:
    """Where a calibrated forecaster's CORP reliability curve would lie, at each distinct
    forecast value (`points`), beside the observed curve (`recalibrated`)."""

    points: np.ndarray
    recalibrated: np.ndarray
    low: np.ndarray
    high: np.ndarray
    level: float
    resamples: int
    n: int


def _corp_curve(p: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct forecast values and the isotonic (CORP) conditional event probability."""
    points, inverse, counts = np.unique(p, return_inverse=True, return_counts=True)
    hits = np.bincount(inverse, weights=y)
    return points, pav(hits / counts, counts)


def consistency_band(
    p, y, *, level: float = 0.90, resamples: int = 200, seed: int = 0
) -> ConsistencyBand:
    """Consistency band of the CORP reliability diagram, by resampling.

    Each resample draws the forecasts with replacement, x*, and outcomes from them as if
    they were calibrated, y* ~ Bernoulli(x*); its CORP curve is evaluated at the original
    forecast values (linear between its points, none outside them). The band is the
    pointwise (1 − level)/2 and (1 + level)/2 quantiles. An observed curve outside the
    band is evidence of miscalibration there. Dimitriadis, Gneiting & Jordan (2021),
    PNAS 118:e2016191118 (and their R package reliabilitydiag, "consistency" bands with
    resampled cases); Bröcker & Smith (2007), Wea. Forecasting 22:651-661.
    """
    p, y = as_probs(p), as_outcomes(y)
    if p.size == 0:
        raise ValueError("no forecasts")
    points, curve = _corp_curve(p, y)
    rng = np.random.default_rng(seed)
    draws = np.full((resamples, points.size), np.nan)
    for b in range(resamples):  # one isotonic fit each; the fit itself is compiled
        x = p[rng.integers(0, p.size, p.size)]
        xs, cs = _corp_curve(x, (rng.random(p.size) < x).astype(float))
        inside = (points >= xs[0]) & (points <= xs[-1])
        draws[b, inside] = np.interp(points[inside], xs, cs)
    alpha = 1 - level
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN column: no band there
        low, high = np.nanquantile(draws, [alpha / 2, 1 - alpha / 2], axis=0)
    return ConsistencyBand(points, curve, low, high, level, resamples, int(p.size))


@dataclass(frozen=True)
class Discrimination:
    """Forecast distributions by outcome: counts per bin for events and non-events, their
    means, and the area under the ROC curve."""

    lower_pct: np.ndarray
    upper_pct: np.ndarray
    events: np.ndarray  # forecasts in each bin where the event happened
    non_events: np.ndarray
    mean_events: float
    mean_non_events: float
    auc: float
    n: int


def discrimination(p, y, width: int = 10) -> Discrimination:
    """How far apart the forecasts are for events and non-events.

    Histograms on the integer-percent bins of `kit.scoring.calibration.percent_bins`;
    AUC = P(p of an event > p of a non-event) + ½·P(tie), the Mann-Whitney statistic from
    average ranks, (R₁ − n₁(n₁+1)/2) / (n₁n₀) (Hanley & McNeil 1982, Radiology 143:29-36).
    0.5: no discrimination; 1: every event forecast higher than every non-event.
    """
    from scipy.stats import rankdata

    from kit.scoring.calibration import percent_bins

    p, y = as_probs(p), as_outcomes(y)
    bins = percent_bins(p, width)
    m = 100 // width
    events = np.bincount(bins[y == 1], minlength=m)
    non_events = np.bincount(bins[y == 0], minlength=m)
    n1, n0 = int(events.sum()), int(non_events.sum())
    auc = math.nan
    if n1 and n0:
        ranks = rankdata(p)
        auc = float((ranks[y == 1].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))
    lower = np.arange(m) * width
    return Discrimination(
        lower,
        lower + width,
        events,
        non_events,
        float(p[y == 1].mean()) if n1 else math.nan,
        float(p[y == 0].mean()) if n0 else math.nan,
        auc,
        int(p.size),
    )
