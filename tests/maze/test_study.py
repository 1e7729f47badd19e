import numpy as np
import pandas as pd
import pytest

from kit.maze.features import FEATURES, maze_features
from kit.maze.probes import probe_binary, probe_cheese_xy
from kit.maze.study import controls, regressions


def test_step_features_add_up_on_trees(mazes):
    """Mazes are trees: the path cheese -> top-right runs through the decision square."""
    for m in mazes:
        f = maze_features(m)
        total = f["steps_cheese_decision"] + f["steps_decision_top_right"]
        assert f["steps_cheese_top_right"] == total
        assert f["euc_cheese_decision"] <= f["steps_cheese_decision"] + 1e-9
        assert f["has_decision_square"] == (f["steps_cheese_decision"] > 0)


def _synthetic(n=3000, seed=0):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({f: rng.normal(size=n) for f in FEATURES})
    df["steps_cheese_top_right"] = df.steps_cheese_decision + df.steps_decision_top_right
    logit = -1.0 * df.euc_cheese_top_right + 0.8 * df.steps_cheese_decision
    df["y"] = rng.random(n) < 1 / (1 + np.exp(-logit))
    return df


def test_regressions_recover_signs_and_handle_exact_collinearity():
    out = regressions(_synthetic(), "y", FEATURES, seed=0)
    assert out["coef_euc_cheese_top_right"] < 0 and out["p_euc_cheese_top_right"] < 1e-6
    assert out["coef_steps_cheese_decision"] > 0 and out["p_steps_cheese_decision"] < 1e-6
    assert out["p_euc_decision_top_right_5x5"] > 0.001  # no effect
    assert out["fit_finite"]
    assert out["dropped_euc_cheese_decision"] == ["steps_decision_top_right"]
    assert out["best_single_feature"] == "euc_cheese_top_right"
    assert out["acc_euc_cheese_top_right"] > out["base_rate"] > 0.5


def test_controls_keep_the_first_feature():
    X = _synthetic()[FEATURES]
    chosen = controls(X, "steps_decision_top_right", FEATURES)
    assert chosen[0] == "steps_decision_top_right" and "steps_cheese_top_right" not in chosen


@pytest.mark.parametrize("noise", [0.0, 1.0])
def test_probes_read_what_is_linearly_there(noise):
    rng = np.random.default_rng(42)  # not the split's seed: its draws would align with it
    n = 800
    xy = rng.integers(0, 5, (n, 2))
    onehot = np.concatenate([np.eye(5)[xy[:, 0]], np.eye(5)[xy[:, 1]]], 1)
    X = np.concatenate([onehot * (1 - noise), rng.normal(size=(n, 20))], 1)
    acc = probe_cheese_xy(X, xy, seed=0, C=1.0)
    reach = probe_binary(X, xy[:, 0] >= 2, seed=0, C=1.0)
    if noise == 0:
        assert acc["xy"] == 1.0 and reach["accuracy"] == 1.0
    else:  # nothing to read: about chance (1/25 for the cell)
        assert acc["xy"] < 0.15 and reach["accuracy"] < reach["base_rate"] + 0.08
