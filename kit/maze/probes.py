"""Linear probes on the policy's activations (scikit-learn, seeded held-out split).

A probe is an L2-regularised logistic regression on one layer's flattened activations
(standardised). Cheese position: one probe for x and one for y; a maze counts as read
correctly when both are exact (`xy` accuracy). "Will reach the cheese": a binary probe,
compared with the majority-class base rate.
"""

from __future__ import annotations

import numpy as np


def _split(n: int, seed: int, test_share: float) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    test = rng.random(n) < test_share
    if test.all() or not test.any():
        raise ValueError(f"{n} samples cannot be split into training and held-out sets")
    return ~test, test


def _probe(X: np.ndarray, y: np.ndarray, train: np.ndarray, C: float):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    model = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=300))
    if len(np.unique(y[train])) < 2:  # a single class: predicting it is all one can do
        return None
    return model.fit(X[train], y[train])


def _predict(model, X: np.ndarray, y_train: np.ndarray) -> np.ndarray:
    if model is None:
        return np.full(len(X), y_train[0])
    return model.predict(X)


def probe_cheese_xy(
    X: np.ndarray, cheese_xy: np.ndarray, seed: int = 0, test_share: float = 0.25, C: float = 0.05
) -> dict[str, float]:
    """Held-out accuracy of reading the cheese cell (x, y) from activations X (N, D)."""
    train, test = _split(len(X), seed, test_share)
    hits = []
    for axis in (0, 1):
        y = cheese_xy[:, axis]
        model = _probe(X, y, train, C)
        hits.append(_predict(model, X[test], y[train]) == y[test])
    x_ok, y_ok = hits
    return {
        "x": float(x_ok.mean()),
        "y": float(y_ok.mean()),
        "xy": float((x_ok & y_ok).mean()),
        "n_test": int(test.sum()),
    }


def probe_binary(
    X: np.ndarray, y: np.ndarray, seed: int = 0, test_share: float = 0.25, C: float = 0.05
) -> dict[str, float]:
    """Held-out accuracy of a binary probe, beside the majority-class base rate."""
    y = np.asarray(y).astype(int)
    train, test = _split(len(X), seed, test_share)
    model = _probe(X, y, train, C)
    accuracy = float((_predict(model, X[test], y[train]) == y[test]).mean())
    majority = int(y[train].mean() >= 0.5)
    return {
        "accuracy": accuracy,
        "base_rate": float((y[test] == majority).mean()),
        "n_test": int(test.sum()),
    }
