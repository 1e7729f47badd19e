"""Batched policy rollouts on a vectorised procgen maze env.

`batch` environment slots step together and torch runs one forward pass per step for
the slots whose episode is still running. A slot whose episode ends gets the next maze
at once (procgen's per-slot set_state), so the batches stay full on long lists of
mazes. The largest mazes start first, so that the last, emptying batches run the
shortest episodes; once no maze is left to start and at most a quarter of the slots are
busy, the running episodes move into an env of just their number of slots (procgen
steps and renders every slot, busy or not). The mouse's path is followed on the grid
(`env.step_cells`, checked against procgen's own state in the tests) while procgen steps,
so no state is read back per step.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field

import numpy as np
import torch

from kit.maze import geometry
from kit.maze.env import load_state_at, load_states, make_env, move_slots, step_cells
from kit.maze.policy import MazePolicy, preprocess
from kit.maze.state import MazeState

MAX_STEPS = 500  # procgen's own episode limit
IDLE = -1  # a slot with no episode running

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

    Episodes come back in the order of `states`. With `layer` and `patch`, every forward
    pass has that layer's output edited per maze.
    """
    if not 1 <= max_steps <= MAX_STEPS:
        raise ValueError(f"max_steps must be in 1..{MAX_STEPS}, got {max_steps}")
    if batch < 1:
        raise ValueError(f"batch must be at least 1, got {batch}")
    if not states:
        return []
    policy.eval()
    runner = _Runner(policy, states, greedy, seed, max_steps, min(batch, len(states)))
    context = nullcontext()
    if patch is not None:
        from kit.maze.hooks import hooks

        context = hooks(policy, patch={layer: lambda out: patch(out, runner.rows)})
    with context:
        runner.run()
    return runner.episodes()


class _Runner:
    """The slots of one vectorised env, fed from a list of mazes.

    Per slot: its maze (index into `states`, or IDLE), its maze's free cells, and the
    cells its mouse has visited so far (`trail[slot, :steps + 1]`).
    """

    def __init__(self, policy, states, greedy, seed, max_steps, slots) -> None:
        self.policy, self.states, self.greedy, self.max_steps = policy, states, greedy, max_steps
        self.gen = torch.Generator().manual_seed(seed)
        self.seed = seed
        self.env = make_env(slots, seed)
        self.order = sorted(range(len(states)), key=lambda k: -states[k].maze_dim)
        self.maze = np.full(slots, IDLE)
        self.free = np.zeros((slots, *states[0].grid.shape), bool)
        self.trail = np.zeros((slots, max_steps + 1, 2), np.int16)
        self.steps = np.zeros(slots, int)
        self.rows = np.zeros(0, int)  # the mazes in the current forward pass, for patches
        self.next = 0  # the next maze to start, as a position in self.order
        self.paths: list[list[geometry.Cell]] = [[] for _ in states]
        self.cheese = np.zeros(len(states), bool)
        for slot in range(slots):
            self._start(slot)
        load_states(self.env, [states[k] for k in self.maze])
        _, self.obs, _ = self.env.observe()

    def run(self) -> None:
        while (active := np.flatnonzero(self.maze != IDLE)).size:
            if (
                self.next == len(self.states)
                and len(self.maze) > 1
                and 4 * active.size <= len(self.maze)
            ):
                active = self._shrink(active)
            actions = np.full(len(self.maze), 4, dtype=np.int32)  # idle slots do nothing
            self.rows = self.maze[active]
            rgb = self.obs["rgb"]
            chosen = _actions(
                self.policy, rgb if active.size == len(rgb) else rgb[active], self.greedy, self.gen
            )
            actions[active] = chosen
            self.env.act(actions)  # procgen steps in its own threads until observe()
            self._move(active, chosen)
            reward, self.obs, first = self.env.observe()
            steps = self.steps[active]
            ended = active[(first[active] != 0) | (steps >= self.max_steps)]  # cheese, timeouts
            refilled = False
            for i in ended:
                self._finish(i, bool(first[i] and reward[i] > 0))
                if self.next < len(self.states):
                    self._start(i)
                    load_state_at(self.env, i, self.states[self.maze[i]])
                    refilled = True
            if refilled:
                _, self.obs, _ = self.env.observe()

    def _move(self, slots: np.ndarray, actions: np.ndarray) -> None:
        """Follow the mice of `slots` on their grids."""
        steps = self.steps[slots]
        cells = step_cells(self.free[slots], self.trail[slots, steps], actions)
        self.steps[slots] = steps + 1
        self.trail[slots, steps + 1] = cells

    def _start(self, slot: int) -> None:
        """Give `slot` the next maze in the order."""
        k = self.order[self.next]
        self.next += 1
        state = self.states[k]
        self.maze[slot] = k
        self.free[slot] = geometry.free_mask(state.grid)
        self.trail[slot, 0] = state.mouse
        self.steps[slot] = 0

    def _finish(self, slot: int, cheese: bool) -> None:
        k = self.maze[slot]
        self.paths[k] = [tuple(c) for c in self.trail[slot, : self.steps[slot] + 1].tolist()]
        self.cheese[k] = cheese
        self.maze[slot] = IDLE

    def _shrink(self, active: np.ndarray) -> np.ndarray:
        """Move the running episodes into an env of their number of slots, in slot order."""
        self.env = move_slots(self.env, active, self.seed)
        self.maze, self.free = self.maze[active], self.free[active]
        self.trail, self.steps = self.trail[active], self.steps[active]
        _, self.obs, _ = self.env.observe()
        return np.arange(active.size)

    def episodes(self) -> list[Episode]:
        out = []
        for state, path, cheese in zip(self.states, self.paths, self.cheese, strict=True):
            corner = geometry.top_right_cell(state.grid)
            out.append(Episode(bool(cheese), corner in path, len(path) - 1, path))
        return out


def solve_rate(episodes: Sequence[Episode]) -> float:
    """The share of episodes that reached the cheese (nan for none)."""
    return float(np.mean([e.reached_cheese for e in episodes])) if episodes else float("nan")


def reach_rates(episodes: Sequence[Episode]) -> tuple[float, float]:
    """(share that reached the cheese, share that reached the top-right cell); nan for none.

    The two goals of the goal-misgeneralization study: the cheese, and where the cheese
    always was in training.
    """
    if not episodes:
        return float("nan"), float("nan")
    return solve_rate(episodes), float(np.mean([e.reached_top_right for e in episodes]))
