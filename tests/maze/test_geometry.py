"""Geometry on hand-made y-up grids with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from kit.maze.geometry import (
    CHEESE,
    EMPTY,
    WALL,
    decision_square,
    distances,
    euclidean,
    in_top_right_region,
    maze_bounds,
    offset_from_corner,
    shortest_path,
    steps,
    taxicab,
    top_right_cell,
)

# Drawn top row first (as seen), then flipped to procgen's y-up order.
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
    return np.flipud(np.array(rows))


@pytest.fixture
def grid():
    return grid_of(PICTURE)


def test_y_up_and_bounds(grid):
    assert grid[1, 1] == EMPTY and grid[5, 4] == WALL  # y=5 is the picture's second row
    assert maze_bounds(grid) == (1, 1, 5, 5)
    assert top_right_cell(grid) == (5, 5)


def test_paths_and_distances(grid):
    start = (1, 1)
    assert shortest_path(grid, start, (3, 5)) == [
        (1, 1),
        (1, 2),
        (1, 3),
        (1, 4),
        (1, 5),
        (2, 5),
        (3, 5),
    ]
    assert distances(grid, start)[5, 5] == 8  # along the bottom and up the right side
    assert steps(grid, start, (5, 5)) == 8
    assert distances(grid, start)[0, 0] == -1  # a wall


def test_decision_square(grid):
    # to (3, 5): up the left side; to the top-right (5, 5): along the bottom; they part at start
    assert decision_square(grid, (1, 1), (3, 5)) == (1, 1)
    # to (3, 3): along the bottom, up the right side to (5, 3), then left
    assert shortest_path(grid, (1, 1), (3, 3))[-3:] == [(5, 3), (4, 3), (3, 3)]
    assert decision_square(grid, (1, 1), (3, 3)) == (5, 3)


def test_region_and_distances(grid):
    assert in_top_right_region(grid, (5, 5)) and in_top_right_region(grid, (1, 1))
    assert not in_top_right_region(grid, (1, 1), size=3)
    assert euclidean((0, 0), (3, 4)) == 5.0 and taxicab((0, 0), (3, 4)) == 7


def test_offsets_count_cells_left_of_and_below_the_top_right_corner(grid):
    assert offset_from_corner(grid, (5, 5)) == (0, 0)
    assert offset_from_corner(grid, (1, 1)) == (4, 4)
    assert offset_from_corner(grid, (3, 4)) == (2, 1)


def test_bad_cells_are_clear_errors(grid):
    with pytest.raises(ValueError, match=r"start \(0, 0\) is a wall"):
        distances(grid, (0, 0))
    with pytest.raises(ValueError, match="outside the 7x7 grid"):
        shortest_path(grid, (1, 1), (9, 9))
    closed = grid.copy()
    closed[1, 4] = WALL  # cut (4, 1) and (4, 3): the right-hand column is unreachable
    closed[3, 4] = WALL
    with pytest.raises(ValueError, match="no path"):
        shortest_path(closed, (1, 1), (5, 5))
