"""Shortest paths and the landmarks of the published analysis, on y-up maze grids.

Procgen mazes are trees (one path between any two free cells), so the breadth-first
path is *the* path. Cells are (x, y) tuples; grids are indexed `grid[y, x]`.
"""

from __future__ import annotations

from collections import deque

import numpy as np

WALL, EMPTY, CHEESE = 51, 100, 2
Cell = tuple[int, int]


def free_mask(grid: np.ndarray) -> np.ndarray:
    """True where the mouse may stand (anything but wall)."""
    return np.asarray(grid) != WALL


def free_cells(grid: np.ndarray) -> list[Cell]:
    """Every free cell as an (x, y) tuple, in row-major (y, then x) order."""
    ys, xs = np.nonzero(free_mask(grid))
    return [(int(x), int(y)) for x, y in zip(xs, ys, strict=True)]


def _check(grid: np.ndarray, cell: Cell, name: str) -> None:
    h, w = np.asarray(grid).shape
    x, y = cell
    if not (0 <= x < w and 0 <= y < h):
        raise ValueError(f"{name} {cell} is outside the {w}x{h} grid")
    if not free_mask(grid)[y, x]:
        raise ValueError(f"{name} {cell} is a wall")


def distances(grid: np.ndarray, start: Cell) -> np.ndarray:
    """Steps from `start` to every cell (-1: unreachable or wall), by breadth-first search."""
    _check(grid, start, "start")
    free = free_mask(grid)
    h, w = free.shape
    dist = np.full((h, w), -1, dtype=int)
    dist[start[1], start[0]] = 0
    queue = deque([start])
    while queue:
        x, y = queue.popleft()
        for nx, ny in ((x + 1, y), (x - 1, y), (x, y + 1), (x, y - 1)):
            if 0 <= nx < w and 0 <= ny < h and free[ny, nx] and dist[ny, nx] < 0:
                dist[ny, nx] = dist[y, x] + 1
                queue.append((nx, ny))
    return dist


def shortest_path(grid: np.ndarray, start: Cell, goal: Cell) -> list[Cell]:
    """The cells from `start` to `goal` inclusive; ValueError if `goal` cannot be reached."""
    _check(grid, goal, "goal")
    dist = distances(grid, goal)  # walk downhill from start towards goal
    if dist[start[1], start[0]] < 0:
        raise ValueError(f"no path from {start} to {goal}")
    path = [start]
    x, y = start
    while (x, y) != goal:
        for nx, ny in ((x + 1, y), (x - 1, y), (x, y + 1), (x, y - 1)):
            inside = 0 <= ny < dist.shape[0] and 0 <= nx < dist.shape[1]
            if inside and dist[ny, nx] == dist[y, x] - 1 and dist[ny, nx] >= 0:
                x, y = nx, ny
                break
        path.append((x, y))
    return path


def maze_bounds(grid: np.ndarray) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1): the smallest box holding every free cell (the maze proper)."""
    ys, xs = np.nonzero(free_mask(grid))
    if xs.size == 0:
        raise ValueError("the grid has no free cell")
    return int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())


def top_right_cell(grid: np.ndarray) -> Cell:
    """The free cell nearest (Euclidean) to the maze's top-right corner."""
    _, _, x1, y1 = maze_bounds(grid)
    ys, xs = np.nonzero(free_mask(grid))
    d2 = (xs - x1) ** 2 + (ys - y1) ** 2
    i = int(np.lexsort((-xs, -ys, d2))[0])  # nearest; ties: higher, then further right
    return int(xs[i]), int(ys[i])


def in_top_right_region(grid: np.ndarray, cell: Cell, size: int = 5) -> bool:
    """Whether `cell` lies in the `size`×`size` box at the maze's top-right corner."""
    _, _, x1, y1 = maze_bounds(grid)
    return x1 - size < cell[0] <= x1 and y1 - size < cell[1] <= y1


def offset_from_corner(grid: np.ndarray, cell: Cell) -> tuple[int, int]:
    """(cells left of, cells below) the maze's top-right corner (of `maze_bounds`), for `cell`."""
    _, _, x1, y1 = maze_bounds(grid)
    return x1 - cell[0], y1 - cell[1]


def decision_square(grid: np.ndarray, start: Cell, cheese: Cell) -> Cell:
    """Where the path from `start` to the cheese leaves the path to the top-right cell."""
    to_cheese = shortest_path(grid, start, cheese)
    to_corner = shortest_path(grid, start, top_right_cell(grid))
    last = to_cheese[0]
    for a, b in zip(to_cheese, to_corner, strict=False):
        if a != b:
            break
        last = a
    return last


def euclidean(a: Cell, b: Cell) -> float:
    return float(np.hypot(a[0] - b[0], a[1] - b[1]))


def taxicab(a: Cell, b: Cell) -> int:
    return abs(a[0] - b[0]) + abs(a[1] - b[1])


def steps(grid: np.ndarray, a: Cell, b: Cell) -> int:
    """Path length in steps between two free cells."""
    return len(shortest_path(grid, a, b)) - 1
