"""Logarithmic market scoring rule (LMSR) markets and the community forecast.

A question is a market over its n outcomes (binary: no, yes) with liquidity b, starting
at uniform prices. Each forecast, in seal order, is a trade that moves the prices to the
forecaster's probabilities; if outcome i happens the trader earns b·ln(p′ᵢ/pᵢ) (Hanson
2003, "Combinatorial information market design", Inf. Syst. Front. 5:107-119). Summed over
trades that telescopes to b·ln(p_finalᵢ·n): the market maker's loss is never above
b·ln n. Cost function C(q) = b·ln Σ exp(qᵢ/b), prices softmax(q/b).

An LMSR price of exactly 0 or 1 would need infinite shares, so trade targets are held
inside [`PRICE_FLOOR`, 1 − `PRICE_FLOOR`] (then renormalised); each such trade is flagged
`clipped`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

PRICE_FLOOR = 1e-6


def cost(q, b: float) -> float:
    """LMSR cost C(q) = b·ln Σ exp(qᵢ/b), computed stably."""
    z = np.asarray(q, dtype=float) / b
    top = z.max()
    return float(b * (top + np.log(np.exp(z - top).sum())))


def prices(q, b: float) -> np.ndarray:
    """LMSR prices softmax(q/b)."""
    z = np.asarray(q, dtype=float) / b
    e = np.exp(z - z.max())
    return e / e.sum()


@dataclass
class Trade:
    by: str
    before: np.ndarray
    after: np.ndarray
    clipped: bool
    label: str = ""  # e.g. the forecast's time

    def payoff(self, outcome: int, b: float) -> float:
        """What this trade earns if `outcome` happens: b·ln(after/before)."""
        return float(b * np.log(self.after[outcome] / self.before[outcome]))


@dataclass
class Market:
    """An LMSR market; `trade` moves it, `profits` settles it."""

    n: int
    b: float = 100.0
    trades: list[Trade] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.n < 2 or not self.b > 0:
            raise ValueError("a market needs n >= 2 outcomes and liquidity b > 0")
        self.price = np.full(self.n, 1.0 / self.n)

    def trade(self, by: str, target, label: str = "") -> Trade:
        target = np.asarray(target, dtype=float)
        if target.shape != (self.n,) or abs(target.sum() - 1) > 1e-6 or (target < 0).any():
            raise ValueError(f"{by}: target must be {self.n} probabilities summing to 1")
        clipped = bool(((target < PRICE_FLOOR) | (target > 1 - PRICE_FLOOR)).any())
        if clipped:
            target = np.clip(target, PRICE_FLOOR, 1 - PRICE_FLOOR)
            target = target / target.sum()
        t = Trade(by, self.price.copy(), target, clipped, label)
        self.trades.append(t)
        self.price = target
        return t

    def profits(self, outcome: int) -> dict[str, float]:
        """Each trader's total earnings when `outcome` happens."""
        out: dict[str, float] = {}
        for t in self.trades:
            out[t.by] = out.get(t.by, 0.0) + t.payoff(outcome, self.b)
        return out

    def maker_loss(self, outcome: int) -> float:
        """The market maker's loss: the sum of the traders' earnings, at most b·ln n."""
        return float(sum(t.payoff(outcome, self.b) for t in self.trades))

    @property
    def worst_case_loss(self) -> float:
        return float(self.b * np.log(self.n))


def binary_target(p: float) -> np.ndarray:
    """A binary forecast as market prices over (no, yes)."""
    return np.array([1 - p, p])


def geometric_mean_pmf(probs, renormalise: bool = True) -> np.ndarray:
    """Geometric mean of pmfs (rows), per outcome; renormalised to sum to 1 unless asked not."""
    p = np.asarray(probs, dtype=float)
    with np.errstate(divide="ignore"):
        g = np.exp(np.log(p).mean(axis=0))
    return g / g.sum() if renormalise else g


def community_binary(ps, extremize: float = 1.0) -> float:
    """Geometric mean of odds of binary forecasts, optionally extremized (odds ** d).

    Satopää et al. (2014), Int. J. Forecast. 30:344-356.
    """
    p = np.asarray(ps, dtype=float)
    with np.errstate(divide="ignore"):
        log_odds = np.log(p) - np.log1p(-p)
    mean = extremize * log_odds.mean()
    if np.isnan(mean):
        raise ValueError("forecasts of both 0 and 1 have no geometric mean of odds")
    return float(1 / (1 + np.exp(-mean)))


def community_categorical(probs, extremize: float = 1.0) -> np.ndarray:
    """Normalised geometric mean of categorical forecasts, optionally extremized (p ** d)."""
    g = geometric_mean_pmf(probs, renormalise=False) ** extremize
    return g / g.sum()
