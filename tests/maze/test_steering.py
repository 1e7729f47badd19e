"""Steering helpers on hand-made tensors and mazes (no procgen, no policy)."""

import numpy as np
import pytest
import torch

from kit.maze.env import random_free_cell
from kit.maze.steering import (
    cheese_channels,
    clamp_value,
    percent_cut,
    retarget_rates,
    sample_targets,
    steering_channels,
    subtract_vectors,
)
from tests.maze.handmade import state_of


def test_each_maze_loses_its_own_vector():
    vectors = torch.arange(3 * 2 * 2 * 2, dtype=torch.float32).reshape(3, 2, 2, 2)
    out = torch.ones(2, 2, 2, 2, dtype=torch.float64)
    idx = np.array([2, 0])  # the batch holds mazes 2 and 0
    patched = subtract_vectors(vectors, 0.5)(out, idx)
    assert patched.dtype == torch.float64
    assert torch.equal(patched, out - 0.5 * vectors[idx].double())
    assert torch.equal(out, torch.ones(2, 2, 2, 2, dtype=torch.float64))  # not in place


def test_percent_cut():
    assert percent_cut(0.8, 0.2) == pytest.approx(75.0)
    assert percent_cut(0.5, 0.75) == pytest.approx(-50.0)  # went up: a negative cut
    assert percent_cut(0.0, 0.3) == 0.0


def test_channels_above_the_threshold_or_the_best_few():
    scores = np.array([0.1, 0.7, 0.65, 0.2, 0.9])
    assert cheese_channels(scores, 0.6) == [1, 2, 4]
    assert steering_channels(scores, 0.6, fallback=2) == [1, 2, 4]
    assert cheese_channels(scores, 0.95) == []
    assert steering_channels(scores, 0.95, fallback=2) == [4, 1]  # best first
    assert all(isinstance(c, int) for c in steering_channels(scores, 0.95, 3))


def test_the_clamp_value_scales_the_mean_response_at_the_cheese():
    acts = torch.zeros(2, 3, 4, 4)
    acts[0, 1, 2, 3] = 2.0  # maze 0: channel 1 at its cheese
    acts[1, 2, 0, 1] = 4.0  # maze 1: channel 2 at its cheese
    acts[1, 1, 3, 3] = 100.0  # elsewhere: ignored
    cheese_rc = np.array([[2, 3], [0, 1]])
    # maze 0: mean of channels 1, 2 at (2, 3) = 1; maze 1 at (0, 1) = 2; mean 1.5
    assert clamp_value(acts, [1, 2], cheese_rc, 3.0) == pytest.approx(4.5)
    assert clamp_value(torch.zeros(2, 3, 4, 4), [0], cheese_rc, 3.0) == pytest.approx(3e-3)


def test_targets_are_one_seeded_draw_per_maze():
    mazes = [state_of(mouse=(1, 1)), state_of(mouse=(5, 5)), state_of(mouse=(3, 3))]
    targets = sample_targets(mazes, np.random.default_rng(4))
    assert all(t != m.mouse for t, m in zip(targets, mazes, strict=True))
    rng = np.random.default_rng(4)
    assert targets == [random_free_cell(m, rng) for m in mazes]


def test_retarget_rates_split_near_and_far_and_leave_the_path_out():
    distance = np.array([0, 1, 2, 3, 8, 0])
    steered = np.array([True, True, False, True, False, True])
    unsteered = np.array([True, False, False, False, False, True])
    rates = retarget_rates(distance, steered, unsteered, near=2)
    assert list(rates) == [
        "success_near_path",
        "baseline_near_path",
        "success_far",
        "baseline_far",
    ]
    assert rates["success_near_path"] == 0.5 and rates["baseline_near_path"] == 0.0
    assert rates["success_far"] == 0.5 and rates["baseline_far"] == 0.0
    none_far = retarget_rates(np.array([1, 2]), np.array([1, 1]), np.array([0, 1]), near=2)
    assert none_far["success_far"] == 0.0 and none_far["baseline_near_path"] == 0.5
