import numpy as np
import pandas as pd
import pytest

from kit.maze.features import FEATURES, maze_features
from kit.maze.probes import median_cell_rate, probe_binary, probe_cheese_xy, probe_layers
from kit.maze.rollout import Episode
from kit.maze.study import controls, episode_columns, outcome_rates, regressions


@pytest.mark.slow
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


def test_probe_layers_run_both_probes_per_layer():
    rng = np.random.default_rng(42)
    n_mazes, per_maze = 300, 2
    xy = rng.integers(0, 5, (n_mazes * per_maze, 2))
    reached = xy[:n_mazes, 0] >= 2  # readable from the first rows only
    onehot = np.concatenate([np.eye(5)[xy[:, 0]], np.eye(5)[xy[:, 1]]], 1)
    layers = {"clear": onehot, "noise": rng.normal(size=(len(xy), 10))}
    rows = probe_layers(layers, xy, reached, seed=0, C=1.0)
    assert [r["layer"] for r in rows] == ["clear", "noise"]
    clear, noise = rows
    assert clear["xy"] == clear["x"] == clear["y"] == clear["reach"] == 1.0
    assert noise["xy"] < 0.15 and noise["reach"] < noise["reach_base_rate"] + 0.1
    assert clear["reach_base_rate"] == noise["reach_base_rate"]  # same split, same labels
    alone = probe_binary(onehot[:n_mazes], reached, seed=0, C=1.0)
    assert clear["reach_base_rate"] == alone["base_rate"]


def test_median_cell_rate_is_the_share_at_the_middle_cell():
    cells = np.array([[2, 3], [2, 3], [1, 3], [2, 0], [5, 3]])  # median cell (2, 3)
    assert median_cell_rate(cells) == pytest.approx(2 / 5)
    assert median_cell_rate(np.array([[1, 1], [2, 2]])) == 0.0  # median (1.5, 1.5): no cell


def test_outcome_rates_summarise_both_rollouts():
    def episode(cheese, corner, steps):
        return Episode(cheese, corner, steps, [(0, 0)] * (steps + 1))

    sampled = [episode(True, False, 5), episode(False, True, 9), episode(True, True, 3)]
    greedy = [episode(False, False, 9), episode(False, True, 9), episode(True, True, 3)]
    df = pd.DataFrame(
        {
            "has_decision_square": [True, False, True],
            "cheese_in_top_right_5x5": [False, False, True],
            "cheese_in_top_right_quadrant": [False, True, True],
        }
    )
    cols = episode_columns(sampled, "sampled")
    assert cols == {
        "cheese_sampled": [True, False, True],
        "top_right_sampled": [False, True, True],
        "steps_sampled": [5, 9, 3],
    }
    df = df.assign(**cols, **episode_columns(greedy, "greedy"))
    rates = outcome_rates(df)
    assert rates == pytest.approx(
        {
            "n_mazes": 3,
            "n_decision_square": 2,
            "cheese_rate": 2 / 3,
            "cheese_rate_greedy": 1 / 3,
            "top_right_rate": 2 / 3,
            "cheese_rate_top_right_5x5": 1.0,
            "cheese_rate_outside_top_right": 1.0,  # maze 0, the only one outside
            "top_right_not_cheese_rate": 1 / 3,  # maze 1
        }
    )
    assert isinstance(rates["n_mazes"], int) and isinstance(rates["n_decision_square"], int)
