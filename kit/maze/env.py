"""Procgen maze environments and seeded maze sampling.

Levels come from procgen's own generator (`num_levels=0` with an explicit `rand_seed`,
so the same seed gives the same mazes); the kit then moves the cheese where a study
needs it and loads the edited states back with `set_state`.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence

import numpy as np

from kit.maze import geometry
from kit.maze.state import MazeState

SIZES = tuple(range(3, 26, 2))  # maze_dim is uniform over the odd numbers 3..25
BATCH = 64  # levels drawn per environment construction
ACTIONS = {"left": 1, "down": 3, "up": 5, "right": 7}  # the four moves among procgen's 15
# action -> (dx, dy), y-up; diagonal actions move only horizontally (measured)
MOVES = {0: (-1, 0), 1: (-1, 0), 2: (-1, 0), 3: (0, -1), 5: (0, 1), 6: (1, 0), 7: (1, 0), 8: (1, 0)}
_DX = np.array([MOVES.get(a, (0, 0))[0] for a in range(15)])  # per action number
_DY = np.array([MOVES.get(a, (0, 0))[1] for a in range(15)])


def make_env(num: int, seed: int):
    """A `ProcgenGym3Env` of `num` hard-mode mazes, drawn reproducibly from `seed`."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from procgen import ProcgenGym3Env

    return ProcgenGym3Env(
        num=num,
        env_name="maze",
        num_levels=0,
        start_level=int(seed),
        rand_seed=int(seed),
        distribution_mode="hard",
    )


def load_states(env, states: Sequence[MazeState]) -> None:
    """Put `states` into the env (one per slot) and re-render."""
    env.callmethod("set_state", [s.serialize() for s in states])


def load_state_at(env, slot: int, state: MazeState) -> None:
    """Put `state` into one slot of the env, leaving the others as they are.

    procgen's `set_state` loops over the slots in Python, one C call each; this is that
    call for one slot, so refilling a slot costs ~0.2 ms instead of a round trip of all.
    The slot's observation is re-rendered: the next `observe()` shows it.
    """
    _set_blob(env, slot, state.serialize())


def _set_blob(env, slot: int, blob: bytes) -> None:
    env.call_c_func("set_state", int(slot), blob, len(blob))


def move_slots(env, slots: Sequence[int], seed: int):
    """A new env of `len(slots)` slots holding the running episodes of `slots`, in order.

    Procgen steps and renders every slot of an env on every step, idle or not; when few
    episodes are left, moving them into a smaller env makes each step that much cheaper.
    The raw state blobs travel (step counter and random state included), so the episodes
    go on exactly as they would have.
    """
    blobs = env.callmethod("get_state")
    small = make_env(len(slots), seed)
    for new, old in enumerate(slots):
        _set_blob(small, new, blobs[old])
    return small


def get_states(env) -> list[MazeState]:
    return [MazeState.parse(b) for b in env.callmethod("get_state")]


def _levels(seed: int) -> Iterable[MazeState]:
    """An endless, seeded stream of procgen maze levels."""
    rng = np.random.default_rng(seed)
    while True:
        env_seed = int(rng.integers(0, 2**31 - 1))
        yield from get_states(make_env(BATCH, env_seed))


def random_free_cell(
    state: MazeState, rng: np.random.Generator, where: str = "anywhere"
) -> geometry.Cell:
    """A uniform free cell but the mouse's: `anywhere` in the maze, or in the `top_right` 5×5.

    One draw from `rng` (an index into the candidate cells in row-major order), so that
    the same seed gives the same cells.
    """
    grid, mouse = state.grid, state.mouse
    cells = [c for c in geometry.free_cells(grid) if c != mouse]
    if where == "top_right":
        cells = [c for c in cells if geometry.in_top_right_region(grid, c)]
    elif where != "anywhere":
        raise ValueError(f"cheese placement must be anywhere, top_right or native, not {where!r}")
    return cells[int(rng.integers(len(cells)))]


def place_cheese(state: MazeState, where: str, rng: np.random.Generator) -> MazeState:
    """Move the cheese to a uniform free cell: `anywhere` in the maze, or in the `top_right` 5×5.

    The mouse's own cell is never chosen. `native` leaves procgen's placement.
    """
    if where == "native":
        return state
    state.move_cheese(random_free_cell(state, rng, where))
    return state


def cheese_variants(
    states: Sequence[MazeState], per_maze: int, rng: np.random.Generator
) -> list[MazeState]:
    """`states`, then `per_maze - 1` rounds of copies of them with the cheese placed anywhere.

    More cheese positions per maze for the position probes (`maze_probe.ipynb`): round r
    holds one copy of every state, in order, so `variants[k * len(states) + i]` is maze i.
    The states themselves are not changed.
    """
    variants = list(states)
    for _ in range(per_maze - 1):
        for state in states:
            variants.append(place_cheese(state.copy(), "anywhere", rng))
    return variants


def sample_mazes(
    n: int, seed: int, sizes: Iterable[int] | None = None, cheese: str = "anywhere"
) -> list[MazeState]:
    """`n` procgen mazes whose size is in `sizes` (default all), cheese placed per `cheese`."""
    wanted = set(SIZES if sizes is None else sizes)
    if not wanted or not wanted <= set(SIZES):
        raise ValueError(f"maze sizes must be odd numbers in 3..25, got {sorted(wanted)}")
    rng = np.random.default_rng([seed, 1])
    out: list[MazeState] = []
    for state in _levels(seed):
        if state.maze_dim in wanted:
            out.append(place_cheese(state, cheese, rng))
            if len(out) == n:
                return out
    raise AssertionError("unreachable")


def step_cells(free: np.ndarray, cells: np.ndarray, actions: np.ndarray) -> np.ndarray:
    """Where `actions` take mice from `cells`; a mouse stays put against a wall.

    free: (n, h, w) bool (`geometry.free_mask` of each mouse's grid); cells: (n, 2) x, y;
    actions: (n,) procgen action numbers. Returns the new (n, 2) cells.
    """
    cells = np.asarray(cells)
    actions = np.asarray(actions)
    _, h, w = free.shape
    x = cells[:, 0] + _DX[actions]
    y = cells[:, 1] + _DY[actions]
    inside = (x >= 0) & (x < w) & (y >= 0) & (y < h)
    rows = np.arange(len(cells))
    moved = inside & free[rows, np.where(inside, y, 0), np.where(inside, x, 0)]
    return np.where(moved[:, None], np.stack([x, y], axis=1), cells)
