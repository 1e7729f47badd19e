"""Calibration of binary forecasts: reliability table, CORP and Murphy decompositions, ECE.

Binning is on whole percent: each forecast is rounded to the nearest integer percent
(`np.rint`, half to even) and bins compare integers, so a forecast of exactly 0.15 or 0.35
lands in its bin whatever its floating-point error (a float-edge binning loses them).
Bin k of width w percent holds [k·w, (k+1)·w); the last bin also holds 100.
Categorical questions enter one-vs-rest (each option is a binary forecast of "this
option"), numeric ones through PIT and coverage (`kit.scoring.numeric`).

All of it is the kit's own: scoringrules 0.10 has a CORP reliability diagram
(`scoringrules.visualization.reliability`) but it does not pool tied forecasts, so its
curve depends on the order of ties; it has no binned table, Wilson interval or Murphy
decomposition. The isotonic fit is scipy's; scikit-learn is not needed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kit.scoring._core import as_outcomes, as_probs

Z90 = 1.6448536269514722  # standard normal quantile for a two-sided 90 % interval


def percent_bins(p, width: int = 10) -> np.ndarray:
    """Bin index of each forecast on integer percent (see module docstring)."""
    if 100 % width:
        raise ValueError("bin width must divide 100")
    pct = np.rint(as_probs(p) * 100).astype(np.int64)
    return np.minimum(pct // width, 100 // width - 1)


def wilson_interval(k, n, z: float = Z90) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for k successes in n trials (90 % by default). Wilson (1927)."""
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        phat = k / n
        denom = 1 + z**2 / n
        centre = (phat + z**2 / (2 * n)) / denom
        half = z * np.sqrt(phat * (1 - phat) / n + z**2 / (4 * n**2)) / denom
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


@dataclass(frozen=True)
class ReliabilityTable:
    """Per bin: bounds (percent), count, mean forecast, observed frequency, 90 % interval."""

    lower_pct: np.ndarray
    upper_pct: np.ndarray
    count: np.ndarray
    mean_forecast: np.ndarray
    observed: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray

    def rows(self) -> list[dict]:
        """Non-empty bins as dicts (for tables, JSON and charts)."""
        keys = ("lower_pct", "upper_pct", "count", "mean_forecast", "observed", "ci_low", "ci_high")
        return [
            {
                k: (
                    int(getattr(self, k)[i])
                    if k in ("lower_pct", "upper_pct", "count")
                    else float(getattr(self, k)[i])
                )
                for k in keys
            }
            for i in range(len(self.count))
            if self.count[i] > 0
        ]


def reliability_table(p, y, width: int = 10) -> ReliabilityTable:
    """Reliability table on integer-percent bins with Wilson 90 % intervals."""
    p, y = as_probs(p), as_outcomes(y)
    bins = percent_bins(p, width)
    n_bins = 100 // width
    count = np.bincount(bins, minlength=n_bins)
    sum_p = np.bincount(bins, weights=p, minlength=n_bins)
    sum_y = np.bincount(bins, weights=y, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_p = sum_p / count
        observed = sum_y / count
    lo, hi = wilson_interval(sum_y, count)
    lower = np.arange(n_bins) * width
    upper = lower + width
    return ReliabilityTable(lower, upper, count, mean_p, observed, lo, hi)


def pav(values, weights) -> np.ndarray:
    """Weighted isotonic (non-decreasing) regression by pool-adjacent-violators.

    scipy's compiled PAV (`scipy.optimize.isotonic_regression`, scipy >= 1.12); the tests
    check it gives bit-identical results to scikit-learn's, which the kit used before.
    Imported here, not at the top: `scipy.optimize` takes about 0.35 s to import.
    """
    from scipy.optimize import isotonic_regression

    y = np.asarray(values, float)
    return isotonic_regression(y, weights=np.asarray(weights, float), increasing=True).x


@dataclass(frozen=True)
class CorpDecomposition:
    """Brier = MCB − DSC + UNC, with the CORP (isotonic) recalibration. Exact."""

    brier: float
    mcb: float  # miscalibration: Brier − Brier of the recalibrated forecasts
    dsc: float  # discrimination: UNC − Brier of the recalibrated forecasts
    unc: float  # uncertainty: Brier of the base rate
    points: np.ndarray  # distinct forecast values
    recalibrated: np.ndarray  # CORP reliability curve at those values


def corp(p, y) -> CorpDecomposition:
    """CORP reliability and decomposition of the Brier score.

    Tied forecast values are pooled first (one point per distinct value, weighted by its
    count), so the fit does not depend on the order of ties; pool-adjacent-violators then
    gives the isotonic recalibration. Dimitriadis, Gneiting & Jordan (2021), PNAS
    118:e2016191118.
    """
    p, y = as_probs(p), as_outcomes(y)
    if p.size == 0:
        raise ValueError("no forecasts")
    points, inverse, counts = np.unique(p, return_inverse=True, return_counts=True)
    hits = np.bincount(inverse, weights=y)
    recal = pav(hits / counts, counts)
    brier = float(np.mean((p - y) ** 2))
    brier_recal = float(np.mean((recal[inverse] - y) ** 2))
    base = float(y.mean())
    unc = float(np.mean((base - y) ** 2))
    return CorpDecomposition(brier, brier - brier_recal, unc - brier_recal, unc, points, recal)


@dataclass(frozen=True)
class MurphyDecomposition:
    """Binned Brier = REL − RES + UNC + WBV − 2·WBC, exactly (the within-bin terms close it)."""

    brier: float
    rel: float  # reliability: Σ nₖ(p̄ₖ − ōₖ)² / N
    res: float  # resolution: Σ nₖ(ōₖ − ō)² / N
    unc: float  # ō(1 − ō)
    wbv: float  # within-bin variance of the forecasts
    wbc: float  # within-bin covariance of forecasts and outcomes


def murphy(p, y, width: int = 10) -> MurphyDecomposition:
    """Murphy (1973) decomposition on integer-percent bins, with the within-bin terms of
    Stephenson, Coelho & Jolliffe (2008), Wea. Forecasting 23:752-757, so that it adds up."""
    p, y = as_probs(p), as_outcomes(y)
    n = p.size
    bins = percent_bins(p, width)
    m = 100 // width
    count = np.bincount(bins, minlength=m)
    safe = np.maximum(count, 1)
    pbar = np.bincount(bins, weights=p, minlength=m) / safe
    obar = np.bincount(bins, weights=y, minlength=m) / safe
    base = y.mean()
    dp = p - pbar[bins]
    dy = y - obar[bins]
    return MurphyDecomposition(
        brier=float(np.mean((p - y) ** 2)),
        rel=float(np.sum(count * (pbar - obar) ** 2) / n),
        res=float(np.sum(count * (obar - base) ** 2) / n),
        unc=float(base * (1 - base)),
        wbv=float(np.sum(dp**2) / n),
        wbc=float(np.sum(dp * dy) / n),
    )


def expected_calibration_error(p, y, width: int = 10) -> float:
    """ECE = Σₖ (nₖ/N)·|p̄ₖ − ōₖ| over integer-percent bins of `width` (10 by default)."""
    table = reliability_table(p, y, width)
    filled = table.count > 0
    weights = table.count[filled] / table.count.sum()
    gaps = np.abs(table.mean_forecast[filled] - table.observed[filled])
    return float(np.sum(weights * gaps))
