"""Observations of given maze states, and the policy's activations on them."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from kit.maze.env import load_states, make_env
from kit.maze.hooks import hooks
from kit.maze.policy import MazePolicy, preprocess
from kit.maze.state import MazeState

# Short names for the layers the notebooks read (the published names on the right).
LAYERS = {
    "block1_res1": "embedder.block1.res1.resadd",
    "block1_res2": "embedder.block1.res2.resadd",
    "block2_res1": "embedder.block2.res1.resadd",
    "block2_res2": "embedder.block2.res2.resadd",
    "block3_res2": "embedder.block3.res2.resadd",
    "fc": "embedder.reluflatten",
}


def render(states: Sequence[MazeState], batch: int = 64) -> np.ndarray:
    """(N, 64, 64, 3) uint8 procgen frames of `states` as they are (mouse where it stands)."""
    frames = []
    for start in range(0, len(states), batch):
        chunk = states[start : start + batch]
        env = make_env(len(chunk), 0)
        load_states(env, chunk)
        frames.append(env.observe()[1]["rgb"].copy())
    return np.concatenate(frames) if frames else np.zeros((0, 64, 64, 3), np.uint8)


def activations(
    policy: MazePolicy, obs: np.ndarray, layers: Sequence[str], batch: int = 256
) -> dict[str, torch.Tensor]:
    """Each named layer's output on `obs`, plus "logp": the action log-probabilities."""
    out: dict[str, list[torch.Tensor]] = {name: [] for name in [*layers, "logp"]}
    with torch.no_grad(), hooks(policy, capture=layers) as seen:
        for start in range(0, len(obs), batch):
            logp, _ = policy(preprocess(obs[start : start + batch]))
            out["logp"].append(logp)
            for name in layers:
                out[name].append(seen[name])
    return {name: torch.cat(parts) for name, parts in out.items()}


def cell_to_activation(cell: tuple[int, int], size: int, world: int = 25) -> tuple[int, int]:
    """(row, col) in a `size`×`size` activation map over the 64×64 image for a y-up cell."""
    x, y = cell
    row = int(((world - 1 - y) + 0.5) * size / world)
    col = int((x + 0.5) * size / world)
    return row, col
