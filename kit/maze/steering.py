"""Steering the policy by editing activations: the cheese vector and channel clamping.

Cheese vector (Mini et al. 2023): per maze, the activations at a layer with the cheese
minus those of the same maze without it, both with the mouse at its start. Subtracting
it (times a coefficient) while the policy acts is meant to remove "the cheese" from its
mind. Retargeting: channels whose response to the cheese follows the cheese's position
are clamped to a high value at another cell, to send the mouse there.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from kit.maze import geometry
from kit.maze.activations import activations, cell_to_activation, render
from kit.maze.env import MOVES, random_free_cell
from kit.maze.hooks import hooks, subtract
from kit.maze.oracle import oracle_moves
from kit.maze.policy import MazePolicy, preprocess
from kit.maze.rollout import BatchPatch
from kit.maze.state import MazeState


def without_cheese(states: Sequence[MazeState]) -> list[MazeState]:
    """Copies of `states` with the cheese removed."""
    out = []
    for s in states:
        copy = s.copy()
        copy.remove_cheese()
        out.append(copy)
    return out


def cheese_activations(
    policy: MazePolicy, states: Sequence[MazeState], layer: str
) -> tuple[torch.Tensor, torch.Tensor]:
    """(N, C, H, W) activations at `layer` with the cheese, and without it; mouse at its start."""
    obs = np.concatenate([render(states), render(without_cheese(states))])
    acts = activations(policy, obs, [layer])[layer]
    return acts[: len(states)], acts[len(states) :]


def cheese_vectors(policy: MazePolicy, states: Sequence[MazeState], layer: str) -> torch.Tensor:
    """(N, C, H, W): activations with the cheese minus without, mouse at its start."""
    with_cheese, without = cheese_activations(policy, states, layer)
    return with_cheese - without


def subtract_vectors(vectors: torch.Tensor, coefficient: float = 1.0) -> BatchPatch:
    """A rollout BatchPatch: each maze's own vector (N, C, H, W), times `coefficient`, subtracted.

    The per-maze form of `kit.maze.hooks.subtract`, for rollouts whose batches hold
    different mazes (the cheese-vector rollouts of Mini et al. 2023).
    """

    def patch(out: torch.Tensor, idx: np.ndarray) -> torch.Tensor:
        return subtract(vectors[idx], coefficient)(out)

    return patch


def percent_cut(before: float, after: float) -> float:
    """How much of `before` a change to `after` removed, in percent (0 when `before` is 0)."""
    return 100 * (before - after) / before if before > 0 else 0.0


def move_probability(logp: torch.Tensor, actions: np.ndarray) -> np.ndarray:
    """P(the policy moves the way `actions` move), summing procgen's equivalent actions."""
    probs = logp.exp().numpy()
    out = np.zeros(len(actions))
    for i, a in enumerate(actions):
        if int(a) not in MOVES:  # no move to make (e.g. the mouse is already there)
            out[i] = np.nan
            continue
        same = [b for b, move in MOVES.items() if move == MOVES[int(a)]]
        out[i] = probs[i, same].sum()
    return out


def decision_probabilities(
    policy: MazePolicy,
    states: Sequence[MazeState],
    layer: str | None = None,
    edit: torch.Tensor | None = None,
) -> dict[str, np.ndarray]:
    """P(towards the cheese) and P(towards the top-right), the mouse on the decision square.

    `edit` (N, C, H, W) is added at `layer` (e.g. minus the cheese vector).
    """
    at_decision, to_cheese, to_corner = [], [], []
    for s in states:
        d = geometry.decision_square(s.grid, s.mouse, s.cheese)
        corner = geometry.top_right_cell(s.grid)
        at_decision.append(s.with_mouse(d))
        to_cheese.append(oracle_moves(s.grid, s.cheese)[d[1], d[0]])
        to_corner.append(oracle_moves(s.grid, corner)[d[1], d[0]])
    x = preprocess(render(at_decision))
    patch = {layer: lambda out: out + edit.to(out.dtype)} if edit is not None else {}
    with torch.no_grad(), hooks(policy, patch=patch):
        logp, _ = policy(x)
    return {
        "cheese": move_probability(logp, np.array(to_cheese)),
        "top_right": move_probability(logp, np.array(to_corner)),
    }


def tracking_scores(acts: torch.Tensor, cheese_rc: np.ndarray) -> np.ndarray:
    """Per channel: how well its strongest activation follows the cheese (min of row, column r).

    `acts` are activations *with* the cheese. (The peak of the with-minus-without difference
    would not do: convolutions are local, so in any channel, even an untrained one, a
    change is felt most where it happens.)
    """
    n, c, h, w = acts.shape
    flat = acts.reshape(n, c, h * w).argmax(-1).numpy()
    rows, cols = flat // w, flat % w
    scores = np.zeros(c)
    for k in range(c):
        with np.errstate(invalid="ignore", divide="ignore"):
            r = np.corrcoef(rows[:, k], cheese_rc[:, 0])[0, 1]
            q = np.corrcoef(cols[:, k], cheese_rc[:, 1])[0, 1]
        scores[k] = np.nan_to_num(min(r, q), nan=0.0)
    return scores


def cheese_channels(scores: np.ndarray, threshold: float) -> list[int]:
    """The channels whose tracking score (`tracking_scores`) is above `threshold`, in order."""
    return [int(c) for c in np.flatnonzero(np.asarray(scores) > threshold)]


def steering_channels(scores: np.ndarray, threshold: float, fallback: int) -> list[int]:
    """The cheese channels; with none above `threshold`, the `fallback` best-scoring ones.

    The fallback lets a policy with no clear cheese channel still be tried (best first).
    """
    best = np.argsort(scores)[::-1][:fallback]
    return cheese_channels(scores, threshold) or [int(c) for c in best]


def clamp_value(
    acts: torch.Tensor, channels: Sequence[int], cheese_rc: np.ndarray, scale: float
) -> float:
    """`scale` × the `channels`' mean activation at each maze's cheese, averaged over mazes.

    `acts` (N, C, H, W) are activations with the cheese; `cheese_rc` (N, 2) the cheese's
    (row, col) in them (`cell_to_activation`). The mean is floored at 1e-3 so that the
    clamp stays positive when the channels are silent at the cheese.
    """
    chans = list(channels)
    peak = np.mean([float(acts[i, chans, r, c].mean()) for i, (r, c) in enumerate(cheese_rc)])
    return float(scale * max(peak, 1e-3))


def sample_targets(states: Sequence[MazeState], rng: np.random.Generator) -> list[geometry.Cell]:
    """One retargeting target per maze: a uniform free cell other than the mouse's.

    One draw from `rng` per maze, in order (`kit.maze.env.random_free_cell`).
    """
    return [random_free_cell(s, rng) for s in states]


def clamp_patch(
    channels: Sequence[int], targets: Sequence[geometry.Cell], value: float, size: int
) -> BatchPatch:
    """A rollout BatchPatch: each maze's `channels` get `value` at its target's position."""
    rc = np.array([cell_to_activation(t, size) for t in targets])
    chans = list(channels)

    def patch(out: torch.Tensor, idx: np.ndarray) -> torch.Tensor:
        out = out.clone()
        for j, i in enumerate(idx):
            out[j, chans, rc[i, 0], rc[i, 1]] = value
        return out

    return patch


def path_distance(state: MazeState, cell: geometry.Cell) -> int:
    """Steps from `cell` to the nearest cell of the path from the start to the top-right cell."""
    path = geometry.shortest_path(state.grid, state.mouse, geometry.top_right_cell(state.grid))
    dist = geometry.distances(state.grid, cell)
    return int(min(dist[y, x] for x, y in path))


def retarget_rates(
    distance: np.ndarray, steered: np.ndarray, unsteered: np.ndarray, near: int
) -> dict[str, float]:
    """Shares of targets reached near the top-right path (1..`near` steps off it) and far.

    `distance` per target is `path_distance`; `steered` and `unsteered` say whether the
    clamped and the plain policy reached it. Targets on the path itself (distance 0) are
    reached on the way anyway and count in neither group; an empty group gives 0.0.
    Keys: success_near_path, baseline_near_path, success_far, baseline_far.
    """
    distance = np.asarray(distance)
    groups = {"near_path": (distance >= 1) & (distance <= near), "far": distance > near}
    out = {}
    for group, chosen in groups.items():
        for label, reached in (("success", steered), ("baseline", unsteered)):
            hits = np.asarray(reached)[chosen]
            out[f"{label}_{group}"] = float(hits.mean()) if chosen.any() else 0.0
    return out
