"""Scores for categorical forecasts: rows of probabilities over K options, outcome index.

All are losses (lower is better) except `baseline_score`.
"""

from __future__ import annotations

import numpy as np

from kit.scoring._core import as_probs, one_hot


def _rows(probs) -> np.ndarray:
    p = as_probs(probs, "probs")
    return p[None, :] if p.ndim == 1 else p


def brier(probs, outcome) -> np.ndarray:
    """Multiclass Brier score Σₖ (pₖ − oₖ)², in [0, 2]. Brier (1950)."""
    p = _rows(probs)
    return ((p - one_hot(np.atleast_1d(outcome), p.shape[1])) ** 2).sum(axis=1)


def log_score(probs, outcome) -> np.ndarray:
    """−ln p(outcome); +inf when the outcome had probability 0 (reported, not clipped)."""
    p = _rows(probs)
    idx = np.atleast_1d(np.asarray(outcome, dtype=int))
    with np.errstate(divide="ignore"):
        return -np.log(p[np.arange(len(p)), idx])


def ranked_probability_score(probs, outcome) -> np.ndarray:
    """RPS for ordered options: Σₖ (Pₖ − Oₖ)² over cumulative forecast P and outcome O.

    Not normalised by K − 1. Epstein (1969), J. Appl. Meteor. 8:985-987.
    """
    p = _rows(probs)
    o = one_hot(np.atleast_1d(outcome), p.shape[1])
    return ((np.cumsum(p, axis=1) - np.cumsum(o, axis=1)) ** 2).sum(axis=1)


def ranked_log_score(probs, outcome) -> np.ndarray:
    """Ranked logarithmic score −Σₖ ln |Pₖ + Oₖ − 1| over cumulative P and O.

    Todter & Ahrens (2012), Mon. Weather Rev. 140:2036-2051.
    """
    p = _rows(probs)
    o = one_hot(np.atleast_1d(outcome), p.shape[1])
    with np.errstate(divide="ignore"):
        return -np.log(np.abs(np.cumsum(p, axis=1) + np.cumsum(o, axis=1) - 1)).sum(axis=1)


def baseline_score(probs, outcome) -> np.ndarray:
    """Metaculus multiple-choice baseline score 100·ln(K·p(outcome))/ln K. Higher is better."""
    p = _rows(probs)
    k = p.shape[1]
    idx = np.atleast_1d(np.asarray(outcome, dtype=int))
    with np.errstate(divide="ignore"):
        return 100 * np.log(k * p[np.arange(len(p)), idx]) / np.log(k)
