"""The shortest-path oracle: the right move from every cell of a maze.

Behaviour cloning labels come from here: place the mouse anywhere (with `set_state`)
and the label is the first step of the breadth-first path to the cheese.
"""

from __future__ import annotations

import numpy as np

from kit.maze import geometry
from kit.maze.env import ACTIONS

_NEIGHBOURS = (
    (ACTIONS["right"], 1, 0),
    (ACTIONS["left"], -1, 0),
    (ACTIONS["up"], 0, 1),
    (ACTIONS["down"], 0, -1),
)


def oracle_moves(grid: np.ndarray, goal: geometry.Cell) -> np.ndarray:
    """(h, w): the action stepping from each free cell towards `goal` (-1: walls, the goal)."""
    dist = geometry.distances(grid, goal)
    h, w = dist.shape
    moves = np.full((h, w), -1, dtype=int)
    for action, dx, dy in _NEIGHBOURS:
        shifted = np.full((h, w), -2, dtype=int)  # dist of the neighbour at (x + dx, y + dy)
        ys = slice(max(dy, 0), h + min(dy, 0))
        xs = slice(max(dx, 0), w + min(dx, 0))
        ys_to = slice(max(-dy, 0), h + min(-dy, 0))
        xs_to = slice(max(-dx, 0), w + min(-dx, 0))
        shifted[ys_to, xs_to] = dist[ys, xs]
        downhill = (dist > 0) & (shifted == dist - 1)
        moves[downhill] = action
    return moves
