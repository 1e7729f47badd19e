"""Bootstrap intervals for mean scores: resampling the questions, vectorised and seeded.

A forecaster's mean score over n questions is an estimate; its bootstrap distribution
comes from resampling the n questions with replacement B times (Efron & Tibshirani 1993,
An Introduction to the Bootstrap, ch. 6 and 13). The percentile interval at level 1 − α
is [q(α/2), q(1 − α/2)] of the B resampled means.

Vectorised: each resample is a vector of counts c_b (how often each question was drawn,
Σ c_b = n), drawn for a batch of resamples at once; the resampled means of every series
over the same questions are then one matrix product, mean_b = c_b · s / n. No Python loop
runs over resamples. Seeded: the same seed and the same questions give the same interval
(`rng_for` derives each group's generator from the seed and the questions' names, so a
forecaster's interval does not change when another forecaster answers more questions).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

LEVEL = 0.90
RESAMPLES = 1000
SEED = 0
_BATCH_CELLS = 4_000_000  # counts held at once: resamples per batch x questions


@dataclass(frozen=True)
class Intervals:
    """Per series: its mean, the interval's bounds, and the number of values behind it."""

    mean: np.ndarray
    low: np.ndarray
    high: np.ndarray
    n: int
    level: float
    resamples: int


def rng_for(seed: int, names: Iterable[str] = ()) -> np.random.Generator:
    """A generator from `seed` and a stable digest of `names` (e.g. the questions)."""
    digest = hashlib.sha256("\0".join(names).encode()).digest()
    return np.random.default_rng([seed, int.from_bytes(digest[:8], "little")])


def resample_counts(n: int, resamples: int, rng: np.random.Generator) -> Iterable[np.ndarray]:
    """Batches of resamples as counts: arrays (batch, n) whose rows each sum to n."""
    batch = max(1, min(resamples, _BATCH_CELLS // max(n, 1)))
    done = 0
    while done < resamples:
        size = min(batch, resamples - done)
        draws = rng.integers(0, n, size=(size, n))
        draws += np.arange(size)[:, None] * n
        yield np.bincount(draws.ravel(), minlength=size * n).reshape(size, n)
        done += size


def resampled_means(
    scores, resamples: int = RESAMPLES, rng: np.random.Generator | None = None
) -> np.ndarray:
    """(resamples, m) means of the m rows of `scores` (m, n), each resample drawing the
    same questions for every row (a paired bootstrap)."""
    s = np.atleast_2d(np.asarray(scores, dtype=float))
    n = s.shape[1]
    rng = rng if rng is not None else np.random.default_rng(SEED)
    parts = [counts @ s.T for counts in resample_counts(n, resamples, rng)]
    return np.concatenate(parts, axis=0) / n


def mean_intervals(
    scores,
    *,
    level: float = LEVEL,
    resamples: int = RESAMPLES,
    rng: np.random.Generator | None = None,
) -> Intervals:
    """Percentile bootstrap intervals of the mean of each row of `scores` (m, n).

    The rows share the questions (columns), and each resample draws the same questions
    for all of them. Values must be finite. With n = 1 the interval is the value itself.
    """
    s = np.atleast_2d(np.asarray(scores, dtype=float))
    if not np.isfinite(s).all():
        raise ValueError("bootstrap needs finite scores")
    m, n = s.shape
    if n == 0:
        nan = np.full(m, np.nan)
        return Intervals(nan, nan, nan, 0, level, resamples)
    means = resampled_means(s, resamples, rng)
    alpha = 1 - level
    low, high = np.quantile(means, [alpha / 2, 1 - alpha / 2], axis=0)
    return Intervals(s.mean(axis=1), low, high, n, level, resamples)


def ratio_intervals(
    sums,
    weights,
    *,
    level: float = LEVEL,
    resamples: int = RESAMPLES,
    rng: np.random.Generator | None = None,
) -> Intervals:
    """Percentile intervals of Σⱼ sᵢⱼ / Σⱼ wᵢⱼ resampling the columns j (clusters).

    For a mean over forecasts grouped by question (several forecasters' scores on one
    question move together): sᵢⱼ is the sum of row i's scores on question j and wᵢⱼ
    their number, and each resample's estimate is (c·sᵢ)/(c·wᵢ) with c its counts: the
    cluster bootstrap of a ratio estimator (Davison & Hinkley 1997, Bootstrap Methods and
    their Application, §3.8). With all wᵢⱼ = 1 it is `mean_intervals`. Every row needs a
    positive weight in every column it is resampled over: pass the columns it has.
    """
    s = np.atleast_2d(np.asarray(sums, dtype=float))
    w = np.atleast_2d(np.asarray(weights, dtype=float))
    if s.shape != w.shape or not np.isfinite(s).all():
        raise ValueError("sums and weights must be finite and of one shape")
    m, n = s.shape
    if n == 0:
        nan = np.full(m, np.nan)
        return Intervals(nan, nan, nan, 0, level, resamples)
    rng = rng if rng is not None else np.random.default_rng(SEED)
    parts = [(counts @ s.T) / (counts @ w.T) for counts in resample_counts(n, resamples, rng)]
    estimates = np.concatenate(parts, axis=0)
    alpha = 1 - level
    low, high = np.quantile(estimates, [alpha / 2, 1 - alpha / 2], axis=0)
    return Intervals(s.sum(axis=1) / w.sum(axis=1), low, high, n, level, resamples)
