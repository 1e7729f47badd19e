"""Maze pictures: the grid with the top-right 5×5 region, the mouse's path, the start, the
cheese and the decision square, as a PNG (for notebooks and reports)."""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np

from kit.maze import geometry
from kit.maze.state import MazeState

COLOURS = {
    "wall": (60, 60, 70),
    "free": (235, 235, 225),
    "region": (250, 222, 170),  # the top-right 5×5 region
    "path": (90, 140, 230),
    "start": (60, 170, 90),
    "cheese": (245, 190, 20),
    "decision": (220, 60, 60),
}


def maze_image(
    state: MazeState, path: Sequence[geometry.Cell] = (), cell_px: int = 10
) -> np.ndarray:
    """(H, W, 3) uint8 picture of the maze proper, top row of the image = top of the maze."""
    grid, m, d = state.grid, state.offset, state.maze_dim
    rgb = np.zeros((d, d, 3), np.uint8)
    free = geometry.free_mask(grid)
    for y in range(m, m + d):
        for x in range(m, m + d):
            key = "free" if free[y, x] else "wall"
            if free[y, x] and geometry.in_top_right_region(grid, (x, y)):
                key = "region"
            rgb[y - m, x - m] = COLOURS[key]
    marks = [(c, "path") for c in path] + [(state.mouse, "start")]
    if state.cheese is not None:
        decision = geometry.decision_square(grid, state.mouse, state.cheese)
        marks += [(decision, "decision"), (state.cheese, "cheese")]
    for (x, y), key in marks:
        rgb[y - m, x - m] = COLOURS[key]
    image = np.flipud(rgb)  # y-up grid -> image rows top-down
    return np.kron(image, np.ones((cell_px, cell_px, 1), np.uint8))


def maze_png(state: MazeState, path: Sequence[geometry.Cell] = (), cell_px: int = 10) -> bytes:
    """The picture as PNG bytes (show with `IPython.display.Image(data=...)`)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(maze_image(state, path, cell_px)).save(buffer, format="PNG")
    return buffer.getvalue()
