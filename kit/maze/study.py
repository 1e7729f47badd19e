"""Logistic regressions of "reached the cheese" on maze features (the generalization study).

Following the published analysis (Mini et al. 2023, arXiv 2310.08043): features are
standardised (z-scores), so coefficients compare across features; single-feature
regressions are fitted on a seeded training split and scored on the held-out rest
(accuracy against the majority-class base rate); the multiple regression on every
feature is fitted on all mazes by maximum likelihood (statsmodels), with Wald p-values
and variance inflation factors to show collinearity.

Some features are exactly collinear: mazes are trees, so the path from the cheese to the
top-right cell runs through the decision square and steps(cheese, top-right) =
steps(cheese, decision) + steps(decision, top-right). A regression on all ten features
is then not identifiable. So each feature f gets its own multiple regression: f plus
every other feature, in the order of FEATURES, that keeps the design of full rank
(`controls`); coef_f and p_f come from that fit, and `dropped_<f>` says what it left out.

`episode_columns` and `outcome_rates` turn the study's rollouts into the per-maze
outcome columns and the summary rates it records.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kit.maze.features import FEATURES

if TYPE_CHECKING:
    from kit.maze.rollout import Episode


def episode_columns(episodes: Sequence[Episode], mode: str) -> dict[str, list]:
    """Per-maze outcome columns of one rollout: cheese_, top_right_ and steps_`mode`."""
    return {
        f"cheese_{mode}": [e.reached_cheese for e in episodes],
        f"top_right_{mode}": [e.reached_top_right for e in episodes],
        f"steps_{mode}": [e.steps for e in episodes],
    }


def outcome_rates(df: pd.DataFrame) -> dict[str, int | float]:
    """The study's summary rates, from `maze_features` rows with `episode_columns` of the
    "sampled" and "greedy" rollouts.

    cheese_rate_top_right_5x5 and cheese_rate_outside_top_right (outside the top-right
    quadrant) are over the mazes with the cheese there; nan when there are none.
    top_right_not_cheese_rate: went to the top-right cell and never got the cheese.
    """
    sampled, greedy = df["cheese_sampled"], df["cheese_greedy"]
    top_right = df["top_right_sampled"]
    return {
        "n_mazes": len(df),
        "n_decision_square": int(df["has_decision_square"].sum()),
        "cheese_rate": float(sampled.mean()),
        "cheese_rate_greedy": float(greedy.mean()),
        "top_right_rate": float(top_right.mean()),
        "cheese_rate_top_right_5x5": float(sampled[df["cheese_in_top_right_5x5"]].mean()),
        "cheese_rate_outside_top_right": float(sampled[~df["cheese_in_top_right_quadrant"]].mean()),
        "top_right_not_cheese_rate": float((top_right & ~sampled).mean()),
    }


def _zscore(frame: pd.DataFrame) -> pd.DataFrame:
    std = frame.std(ddof=0).replace(0, 1.0)  # a constant column stays 0, not NaN
    return (frame - frame.mean()) / std


def _logit(y: np.ndarray, X: pd.DataFrame):
    import statsmodels.api as sm

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter; the fit is checked below
        model = sm.Logit(y, sm.add_constant(X, has_constant="add"))
        try:
            return model.fit(disp=0, maxiter=200)
        except np.linalg.LinAlgError:  # (near-)singular Hessian: quasi-Newton instead
            return model.fit(disp=0, method="bfgs", maxiter=2000)


def single_feature_accuracy(
    df: pd.DataFrame, outcome: str, features: Sequence[str], seed: int, test_share: float = 0.2
) -> dict[str, float]:
    """Held-out accuracy of a one-feature logistic regression, per feature."""
    import statsmodels.api as sm

    rng = np.random.default_rng(seed)
    test = rng.random(len(df)) < test_share
    y = df[outcome].to_numpy(dtype=float)
    out = {}
    for f in features:
        X = _zscore(df[[f]])
        fit = _logit(y[~test], X[~test])
        pred = fit.predict(sm.add_constant(X[test], has_constant="add")) > 0.5
        out[f] = float(np.mean(pred == (y[test] > 0.5)))
    return out


def vif(df: pd.DataFrame, features: Sequence[str]) -> dict[str, float]:
    """Variance inflation factor of each feature among the others."""
    import statsmodels.api as sm
    from statsmodels.stats.outliers_influence import variance_inflation_factor

    X = sm.add_constant(_zscore(df[list(features)]), has_constant="add").to_numpy()
    return {f: float(variance_inflation_factor(X, i + 1)) for i, f in enumerate(features)}


def controls(X: pd.DataFrame, first: str, features: Sequence[str], tol: float = 1e-6) -> list[str]:
    """`first`, then each other feature that keeps the (centred) design of full rank."""
    chosen = [first]
    for g in features:
        if g in chosen:
            continue
        design = X[[*chosen, g]].to_numpy(dtype=float)
        sv = np.linalg.svd(design - design.mean(0), compute_uv=False)
        if sv[0] > 0 and sv[-1] / sv[0] > tol:
            chosen.append(g)
    return chosen


def regressions(
    df: pd.DataFrame,
    outcome: str = "reached_cheese",
    features: Sequence[str] = FEATURES,
    seed: int = 0,
) -> dict[str, float | str]:
    """coef_/p_/vif_ (multiple regression), acc_ (single), base_rate and best_single_feature."""
    y = df[outcome].to_numpy(dtype=float)
    X = _zscore(df[list(features)])
    result: dict[str, float | str | list] = {
        "n": len(df),
        "outcome_rate": float(y.mean()),
        "base_rate": float(max(y.mean(), 1 - y.mean())),
    }
    finite = True
    for f in features:
        chosen = controls(X, f, features)
        fit = _logit(y, X[chosen])
        coef, p = float(fit.params[f]), float(fit.pvalues[f])
        finite &= bool(np.isfinite(coef) and np.isfinite(p))
        result[f"coef_{f}"] = coef if np.isfinite(coef) else 0.0
        result[f"p_{f}"] = p if np.isfinite(p) else 1.0  # degenerate data: no evidence
        result[f"dropped_{f}"] = [g for g in features if g not in chosen]
    result["fit_finite"] = finite
    for f, v in vif(df, features).items():
        result[f"vif_{f}"] = v if np.isfinite(v) else 1e9  # perfectly collinear
    acc = single_feature_accuracy(df, outcome, features, seed)
    for f, a in acc.items():
        result[f"acc_{f}"] = a
    result["best_single_feature"] = max(acc, key=lambda f: (acc[f], f))
    return result
