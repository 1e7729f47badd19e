"""Hand-made maze states for fast tests: no procgen, no blob (never serialized)."""

from __future__ import annotations

import numpy as np

from kit.maze.geometry import CHEESE, EMPTY, WALL, Cell
from kit.maze.state import MOUSE_TYPE, MazeState

# Drawn top row first (as seen), then flipped to procgen's y-up order. The maze proper
# is the 5×5 inside the wall margin (cells 1..5); it is a tree, like procgen's mazes.
PICTURE = [
    "#######",
    "#...#.#",
    "#.#.#.#",
    "#.#...#",
    "#.###.#",
    "#.....#",
    "#######",
]


def grid_of(picture: list[str]) -> np.ndarray:
    rows = [[WALL if c == "#" else CHEESE if c == "C" else EMPTY for c in line] for line in picture]
    return np.flipud(np.array(rows, dtype=np.int32))


def state_of(picture: list[str] = PICTURE, mouse: Cell = (1, 1)) -> MazeState:
    """A MazeState with `picture`'s grid (one wall cell of margin) and the mouse at `mouse`."""
    grid = grid_of(picture)
    mouse_entity = {"type": MOUSE_TYPE, "x": mouse[0] + 0.5, "y": mouse[1] + 0.5}
    size = grid.shape[0]
    return MazeState({}, [mouse_entity], {}, grid, maze_dim=size - 2, world_dim=size)
