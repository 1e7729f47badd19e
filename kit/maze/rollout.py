"""Batched policy rollouts on a vectorised procgen maze env.

All environments of a batch step together; torch runs one forward pass per step for
the episodes still running (finished ones idle). The mouse's path is followed on the
grid (`env.step_cell`, checked against procgen's own state in the tests), so no state is
read back per step.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field

import numpy as np
import torch

from kit.maze import geometry
from kit.maze.env import load_states, make_env, step_cell
from kit.maze.policy import MazePolicy, preprocess
from kit.maze.state import MazeState

MAX_STEPS = 500  # procgen's own episode limit

# A per-maze activation edit: (layer output for a batch, the batch's indices into `states`)
# -> the output to use instead. See kit.maze.hooks for the building blocks.
BatchPatch = Callable[[torch.Tensor, np.ndarray], torch.Tensor]


@dataclass
class Episode:
    """What one maze's episode did."""

    reached_cheese: bool
    reached_top_right: bool  # visited the top-right free cell (before the episode ended)
    steps: int
    path: list[geometry.Cell] = field(repr=False)


def _actions(policy: MazePolicy, obs: np.ndarray, greedy: bool, gen: torch.Generator) -> np.ndarray:
    with torch.inference_mode():
        logp, _ = policy(preprocess(obs))
    if greedy:
        return logp.argmax(-1).numpy()
    return torch.multinomial(logp.exp(), 1, generator=gen).squeeze(-1).numpy()


def rollout(
    policy: MazePolicy,
    states: Sequence[MazeState],
    *,
    greedy: bool = False,
    seed: int = 0,
    max_steps: int = MAX_STEPS,
    batch: int = 64,
    layer: str | None = None,
    patch: BatchPatch | None = None,
) -> list[Episode]:
    """Run `policy` from each state until it eats the cheese or `max_steps` pass.

    With `layer` and `patch`, every forward pass has that layer's output edited per maze.
    """
    if not 1 <= max_steps <= MAX_STEPS:
        raise ValueError(f"max_steps must be in 1..{MAX_STEPS}, got {max_steps}")
    policy.eval()
    gen = torch.Generator().manual_seed(seed)
    episodes: list[Episode] = []
    for start in range(0, len(states), batch):
        chunk = states[start : start + batch]
        running: dict[str, np.ndarray] = {}  # the rows of the chunk in the current forward pass
        context = nullcontext()
        if patch is not None:
            from kit.maze.hooks import hooks

            def chunk_patch(out: torch.Tensor, start: int = start, running=running):
                return patch(out, start + running["rows"])

            context = hooks(policy, patch={layer: chunk_patch})
        with context:
            episodes += _rollout_batch(policy, chunk, greedy, gen, seed + start, max_steps, running)
    return episodes


def _rollout_batch(policy, states, greedy, gen, env_seed, max_steps, running) -> list[Episode]:
    n = len(states)
    env = make_env(n, env_seed)
    load_states(env, states)
    grids = [s.grid for s in states]
    corners = [geometry.top_right_cell(g) for g in grids]
    paths = [[s.mouse] for s in states]
    done = np.zeros(n, bool)
    cheese = np.zeros(n, bool)
    _, obs, _ = env.observe()
    for _ in range(max_steps):
        active = np.flatnonzero(~done)  # finished slots idle: their env moved to a new level
        actions = np.full(n, 4, dtype=np.int32)
        running["rows"] = active
        actions[active] = _actions(policy, obs["rgb"][active], greedy, gen)
        env.act(actions)
        reward, obs, first = env.observe()
        for i in active:
            paths[i].append(step_cell(grids[i], paths[i][-1], actions[i]))
            if first[i]:  # the episode ended: cheese (reward) or procgen's timeout
                done[i], cheese[i] = True, reward[i] > 0
        if done.all():
            break
    return [
        Episode(
            reached_cheese=bool(cheese[i]),
            reached_top_right=corners[i] in paths[i],
            steps=len(paths[i]) - 1,
            path=paths[i],
        )
        for i in range(n)
    ]


def solve_rate(episodes: Sequence[Episode]) -> float:
    return float(np.mean([e.reached_cheese for e in episodes])) if episodes else float("nan")
