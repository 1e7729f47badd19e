"""Pairwise comparison of two forecasters on the questions both answered, and relative skill.

For forecasters A and B with scores a_j, b_j on the same n questions (a loss: lower is
better), d_j = a_j − b_j:

- mean difference d̄ = Σ d_j / n, with a paired bootstrap percentile interval
  (`kit.scoring.bootstrap`, resampling the questions);
- a two-sided permutation test of "no difference": under the null, swapping a_j and b_j
  is as likely as not, i.e. each d_j's sign is a fair coin; p = (1 + #{|d̄*| ≥ |d̄|}) /
  (1 + P) over P random sign flips, exact (all 2ⁿ flips, p = #{|d̄*| ≥ |d̄|} / 2ⁿ) when
  2ⁿ ≤ P. This is scoringutils' `permutation_test` (after the surveillance package's
  `permutationTest`), vectorised;
- the mean score ratio θ_AB = Σ a_j / Σ b_j.

Relative skill (Cramer et al. 2022, PNAS 119:e2113561119; scoringutils'
`get_pairwise_comparisons`): θ_A = (Π_B θ_AB)^(1/M), the geometric mean of A's mean score
ratios against all M forecasters, itself included (θ_AA = 1), each ratio over the
questions that pair shares; ratios that cannot be formed (no shared questions, 0/0) are
left out. Below 1: better than the field. Meaningful for scores of one sign (Brier, log,
CRPS, WIS), not for the baseline score.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from kit.scoring.bootstrap import LEVEL, RESAMPLES, mean_intervals

PERMUTATIONS = 9999
_BATCH_CELLS = 4_000_000


@dataclass(frozen=True)
class PairedComparison:
    """A against B on their n shared questions (a loss: negative difference favours A)."""

    n: int
    mean_a: float
    mean_b: float
    difference: float  # mean of a − b
    low: float
    high: float
    p_value: float
    ratio: float  # Σa / Σb
    exact: bool  # p from all 2**n sign flips


def permutation_p_value(
    d, permutations: int = PERMUTATIONS, rng: np.random.Generator | None = None
) -> tuple[float, bool]:
    """Two-sided sign-flip permutation p-value of mean(d) = 0, and whether it is exact."""
    d = np.asarray(d, dtype=float)
    n = d.size
    if n == 0:
        return float("nan"), False
    observed = abs(d.mean())
    tolerance = 1e-12 * max(1.0, float(np.abs(d).max()))
    if n <= 20 and 2**n <= permutations:
        signs = 1 - 2 * ((np.arange(2**n)[:, None] >> np.arange(n)) & 1)
        stats = np.abs(signs @ d) / n
        return float(np.mean(stats >= observed - tolerance)), True
    rng = rng if rng is not None else np.random.default_rng(0)
    batch = max(1, _BATCH_CELLS // n)
    hits, done = 0, 0
    while done < permutations:
        size = min(batch, permutations - done)
        signs = rng.integers(0, 2, size=(size, n), dtype=np.int8) * 2 - 1
        hits += int(np.sum(np.abs(signs @ d) / n >= observed - tolerance))
        done += size
    return (1 + hits) / (1 + permutations), False


def compare(
    a,
    b,
    *,
    level: float = LEVEL,
    resamples: int = RESAMPLES,
    permutations: int = PERMUTATIONS,
    rng: np.random.Generator | None = None,
) -> PairedComparison:
    """Compare paired scores `a` and `b` (same questions, same order)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError("a and b must be paired 1-D arrays")
    rng = rng if rng is not None else np.random.default_rng(0)
    d = a - b
    if d.size == 0:
        nan = float("nan")
        return PairedComparison(0, nan, nan, nan, nan, nan, nan, nan, False)
    interval = mean_intervals(d[None, :], level=level, resamples=resamples, rng=rng)
    p, exact = permutation_p_value(d, permutations, rng)
    total_a, total_b = float(a.sum()), float(b.sum())
    unbounded = math.inf if total_a > 0 else math.nan  # B scored 0 on every question
    ratio = total_a / total_b if total_b != 0 else unbounded
    return PairedComparison(
        n=int(d.size),
        mean_a=float(a.mean()),
        mean_b=float(b.mean()),
        difference=float(d.mean()),
        low=float(interval.low[0]),
        high=float(interval.high[0]),
        p_value=p,
        ratio=ratio,
        exact=exact,
    )


def relative_skill(ratios) -> np.ndarray:
    """θ_i = geometric mean over j of ratios[i, j] (NaN entries left out; θ_ii = 1)."""
    r = np.array(ratios, dtype=float)
    np.fill_diagonal(r, 1.0)
    with np.errstate(divide="ignore"):
        logs = np.log(r)
    return np.exp(np.nanmean(logs, axis=1))


def pairs(names: list[str]) -> list[tuple[str, str]]:
    """Every unordered pair of names, in order."""
    return list(itertools.combinations(names, 2))


def holm(p_values) -> np.ndarray:
    """Holm's step-down adjusted p-values for several comparisons (NaN left out and kept).

    The k-th smallest of m p-values becomes max over j ≤ k of min(1, (m − j + 1)·p₍ⱼ₎).
    Holm (1979), Scand. J. Statist. 6:65-70; R's `p.adjust` default, as scoringutils uses.
    """
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    idx = np.flatnonzero(~np.isnan(p))
    order = idx[np.argsort(p[idx], kind="stable")]
    m, running = order.size, 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        out[i] = running
    return out
