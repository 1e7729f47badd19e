"""Seeded cheese and target placement on a hand-made maze (no procgen)."""

import numpy as np
import pytest

from kit.maze.env import cheese_variants, place_cheese, random_free_cell
from kit.maze.geometry import free_cells, in_top_right_region
from tests.maze.handmade import state_of


def test_random_cells_are_free_and_never_the_mouse():
    state = state_of(mouse=(1, 1))
    rng = np.random.default_rng(0)
    drawn = [random_free_cell(state, rng) for _ in range(400)]
    free = set(free_cells(state.grid)) - {(1, 1)}
    assert set(drawn) == free  # all 16 other free cells, given 400 draws


def test_top_right_cells_stay_in_the_region():
    state = state_of()
    rng = np.random.default_rng(1)
    drawn = {random_free_cell(state, rng, "top_right") for _ in range(200)}
    assert drawn and all(in_top_right_region(state.grid, c) for c in drawn)
    with pytest.raises(ValueError, match="anywhere, top_right or native"):
        random_free_cell(state, rng, "corner")


def test_a_seed_gives_the_same_cells_and_placing_the_cheese_uses_one_draw():
    state = state_of()
    cells = [random_free_cell(state, np.random.default_rng(7)) for _ in range(3)]
    assert cells[0] == cells[1] == cells[2]
    rng_a, rng_b = np.random.default_rng(3), np.random.default_rng(3)
    for _ in range(5):
        placed = place_cheese(state.copy(), "anywhere", rng_a)
        assert placed.cheese == random_free_cell(state, rng_b)


def test_cheese_variants_repeat_the_mazes_with_new_cheese():
    mazes = [state_of(mouse=(1, 1)), state_of(mouse=(5, 1))]
    for m in mazes:
        m.move_cheese((3, 5))
    variants = cheese_variants(mazes, 3, np.random.default_rng(0))
    assert len(variants) == 6
    assert all(v is m for v, m in zip(variants, mazes, strict=False))  # the originals first
    assert all(m.cheese == (3, 5) for m in mazes)  # not moved by the copies' placements
    for k, v in enumerate(variants[2:]):
        assert v.mouse == mazes[k % 2].mouse and v.cheese not in (None, v.mouse)
    rng = np.random.default_rng(0)  # the same draws, round by round, maze by maze
    expected = [random_free_cell(mazes[k % 2], rng) for k in range(4)]
    assert [v.cheese for v in variants[2:]] == expected
    once = cheese_variants(mazes, 1, np.random.default_rng(0))
    assert len(once) == 2 and all(v is m for v, m in zip(once, mazes, strict=True))
