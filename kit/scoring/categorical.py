"""Scores for categorical forecasts: rows of probabilities over K options, outcome index.

All are losses (lower is better) except `baseline_score`. Outcomes are 0-based indices.

The ranked probability and ranked logarithmic scores call scoringrules (`rps_score`,
`rls_score`: the same formulas); the kit keeps its input checks and passes the outcome as
a one-hot row, so scoringrules' 1-based category numbers never enter. scoringrules 0.10's
Brier and log scores are binary only, and it has no Metaculus score: those stay in numpy,
checked against scoringrules in tests/scoring/test_crosscheck.py.
"""

from __future__ import annotations

import numpy as np

from kit.scoring._core import SR_BACKEND, as_probs, one_hot, scoringrules


def _rows(probs) -> np.ndarray:
    p = as_probs(probs, "probs")
    return p[None, :] if p.ndim == 1 else p


def _one_hot_rows(p: np.ndarray, outcome) -> tuple[np.ndarray, np.ndarray]:
    """Forecast rows and one-hot outcome rows of the same shape (either may broadcast)."""
    o = one_hot(np.atleast_1d(outcome), p.shape[1])
    return np.broadcast_arrays(p, o)


def brier(probs, outcome) -> np.ndarray:
    """Multiclass Brier score Σₖ (pₖ − oₖ)², in [0, 2]. Brier (1950).

    The sum over options of the one-sided binary Brier score of "this option"
    (`scoringrules.brier_score`, binary only in 0.10); numpy.
    """
    p = _rows(probs)
    return ((p - one_hot(np.atleast_1d(outcome), p.shape[1])) ** 2).sum(axis=1)


def log_score(probs, outcome) -> np.ndarray:
    """−ln p(outcome); +inf when the outcome had probability 0 (reported, not clipped).

    numpy: scoringrules 0.10's `log_score` is binary only.
    """
    p = _rows(probs)
    idx = np.atleast_1d(np.asarray(outcome, dtype=int))
    with np.errstate(divide="ignore"):
        return -np.log(p[np.arange(len(p)), idx])


def ranked_probability_score(probs, outcome) -> np.ndarray:
    """RPS for ordered options: Σₖ (Pₖ − Oₖ)² over cumulative forecast P and outcome O.

    Not normalised by K − 1. Epstein (1969), J. Appl. Meteor. 8:985-987.
    Computed by `scoringrules.rps_score` (the same sum, also not normalised).
    """
    p, o = _one_hot_rows(_rows(probs), outcome)
    sr = scoringrules()
    return np.asarray(sr.rps_score(o, p, onehot=True, backend=SR_BACKEND), dtype=float)


def ranked_log_score(probs, outcome) -> np.ndarray:
    """Ranked logarithmic score −Σₖ ln |Pₖ + Oₖ − 1| over cumulative P and O.

    +inf when the forecast put all its mass strictly below or strictly above the outcome
    (reported, not clipped). Todter & Ahrens (2012), Mon. Weather Rev. 140:2036-2051.
    Computed by `scoringrules.rls_score` (the same sum).
    """
    p, o = _one_hot_rows(_rows(probs), outcome)
    sr = scoringrules()
    with np.errstate(divide="ignore"):
        return np.asarray(sr.rls_score(o, p, onehot=True, backend=SR_BACKEND), dtype=float)


def baseline_score(probs, outcome) -> np.ndarray:
    """Metaculus multiple-choice baseline score 100·ln(K·p(outcome))/ln K. Higher is better."""
    p = _rows(probs)
    k = p.shape[1]
    idx = np.atleast_1d(np.asarray(outcome, dtype=int))
    with np.errstate(divide="ignore"):
        return 100 * np.log(k * p[np.arange(len(p)), idx]) / np.log(k)
