"""Linear probes on the policy's activations (scikit-learn, seeded held-out split).

A probe is an L2-regularised logistic regression on one layer's flattened activations
(standardised). Cheese position: one probe for x and one for y; a maze counts as read
correctly when both are exact (`xy` accuracy). "Will reach the cheese": a binary probe,
compared with the majority-class base rate.
"""

from __future__ import annotations

from collections.abc import Mapping

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


def probe_layers(
    layers: Mapping[str, np.ndarray],
    cheese_xy: np.ndarray,
    reached: np.ndarray,
    seed: int = 0,
    C: float = 0.05,
) -> list[dict[str, float | str]]:
    """Both probes on each layer's activations (N, D), one row per layer, in order.

    The cheese-cell probe reads all N rows (several cheese placements per maze); the
    "will reach" probe reads the first `len(reached)` rows, the mazes as rolled out.
    Row keys: layer, xy, x, y (`probe_cheese_xy`), reach and reach_base_rate (`probe_binary`).
    """
    rows: list[dict[str, float | str]] = []
    for layer, X in layers.items():
        xy = probe_cheese_xy(X, cheese_xy, seed=seed, C=C)
        reach = probe_binary(X[: len(reached)], reached, seed=seed, C=C)
        rows.append(
            {
                "layer": layer,
                "xy": xy["xy"],
                "x": xy["x"],
                "y": xy["y"],
                "reach": reach["accuracy"],
                "reach_base_rate": reach["base_rate"],
            }
        )
    return rows


def median_cell_rate(cheese_xy: np.ndarray) -> float:
    """The share of cheese cells (N, 2) equal to the median cell (per-axis median over all N).

    A chance level for the cheese-cell probe: the accuracy of always guessing the middle
    of the cheese positions, read off all placements (not a held-out split). With an even
    N an axis's median can fall between two cells, and no cheese matches it.
    """
    cells = np.asarray(cheese_xy)
    return float((cells == np.median(cells, 0)).all(1).mean())
