"""The maze features of the published generalization analysis, one row per maze.

Landmarks: the cheese, the decision square (where the path to the cheese leaves the path
to the top-right free cell), the top-right free cell and the top-right 5×5 region.
Distances: Euclidean (`euc`), taxicab (`taxi`) and path length in steps (`steps`).
A distance to the 5×5 region is to its nearest free cell (0 inside it).
"""

from __future__ import annotations

import numpy as np

from kit.maze import geometry
from kit.maze.state import MazeState

# The features the question sets' rules name (coef_<f>, p_<f>, acc_<f>).
FEATURES = [
    f"{metric}_{pair}"
    for pair in (
        "cheese_decision",
        "cheese_top_right",
        "decision_top_right",
        "cheese_top_right_5x5",
        "decision_top_right_5x5",
    )
    for metric in ("euc", "steps")
]


def _region_cells(grid: np.ndarray) -> list[geometry.Cell]:
    return [c for c in geometry.free_cells(grid) if geometry.in_top_right_region(grid, c)]


def maze_features(state: MazeState) -> dict[str, float]:
    """Every feature of one maze (mouse at its start), plus the landmarks' cells."""
    grid, start, cheese = state.grid, state.mouse, state.cheese
    if cheese is None:
        raise ValueError("the maze has no cheese")
    decision = geometry.decision_square(grid, start, cheese)
    corner = geometry.top_right_cell(grid)
    region = _region_cells(grid)
    from_cheese = geometry.distances(grid, cheese)
    from_decision = geometry.distances(grid, decision)

    def to_region(cell: geometry.Cell, dist: np.ndarray) -> tuple[float, int]:
        euc = min(geometry.euclidean(cell, r) for r in region)
        return euc, int(min(dist[r[1], r[0]] for r in region))

    euc_c5, steps_c5 = to_region(cheese, from_cheese)
    euc_d5, steps_d5 = to_region(decision, from_decision)
    return {
        "euc_cheese_decision": geometry.euclidean(cheese, decision),
        "steps_cheese_decision": int(from_cheese[decision[1], decision[0]]),
        "taxi_cheese_decision": geometry.taxicab(cheese, decision),
        "euc_cheese_top_right": geometry.euclidean(cheese, corner),
        "steps_cheese_top_right": int(from_cheese[corner[1], corner[0]]),
        "taxi_cheese_top_right": geometry.taxicab(cheese, corner),
        "euc_decision_top_right": geometry.euclidean(decision, corner),
        "steps_decision_top_right": int(from_decision[corner[1], corner[0]]),
        "taxi_decision_top_right": geometry.taxicab(decision, corner),
        "euc_cheese_top_right_5x5": euc_c5,
        "steps_cheese_top_right_5x5": steps_c5,
        "euc_decision_top_right_5x5": euc_d5,
        "steps_decision_top_right_5x5": steps_d5,
        "has_decision_square": decision != cheese,
        "cheese_in_top_right_5x5": geometry.in_top_right_region(grid, cheese),
        "cheese_in_top_right_quadrant": _in_top_right_quadrant(state, cheese),
        "maze_size": state.maze_dim,
    }


def _in_top_right_quadrant(state: MazeState, cell: geometry.Cell) -> bool:
    """Right of and above the maze's centre line (the centre row and column excluded)."""
    centre = state.offset + state.maze_dim // 2
    return cell[0] > centre and cell[1] > centre
