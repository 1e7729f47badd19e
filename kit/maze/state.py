"""The procgen 0.10.7 maze state blob (`get_state` / `set_state`), parsed and rebuilt byte-exactly.

A blob is a flat sequence of little-endian int32 ("i"), float32 ("f") and strings
("s": int32 length, then bytes); the layout is in `../shared/reference/procgen-maze.md`.
`MazeState.parse(blob).serialize() == blob` for every blob procgen writes. The grid is
y-up (`grid[y, x]`, y = 0 at the bottom), as procgen stores it.
"""

from __future__ import annotations

import functools
import struct
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from kit.maze.geometry import CHEESE, EMPTY, WALL, Cell

END_MARKER = 0xCAFECAFE
WORLD = 25  # the world is WORLD x WORLD cells; the maze is centred in it

_OPTIONS = [
    "paint_vel_info",
    "use_generated_assets",
    "use_monochrome_assets",
    "restrict_themes",
    "use_backgrounds",
    "center_agent",
    "debug_mode",
    "distribution_mode",
    "use_sequential_levels",
    "use_easy_jump",
    "plain_assets",
    "physics_mode",
]
_HEADER = (
    [("serialize_version", "i"), ("game_name", "s")]
    + [(name, "i") for name in _OPTIONS]
    + [(n, "i") for n in ["grid_step", "level_seed_low", "level_seed_high", "game_type", "game_n"]]
    + [("level_seed_rand_gen_seeded", "i"), ("level_seed_rand_gen", "s")]
    + [("rand_gen_seeded", "i"), ("rand_gen", "s"), ("reward", "f")]
    + [
        (n, "i")
        for n in [
            "done",
            "level_complete",
            "action",
            "timeout",
            "current_level_seed",
            "prev_level_seed",
            "episodes_remaining",
            "episode_done",
            "last_reward_timer",
        ]
    ]
    + [("last_reward", "f")]
    + [
        (n, "i")
        for n in [
            "default_action",
            "fixed_asset_seed",
            "cur_time",
            "is_waiting_for_step",
            "grid_size",
        ]
    ]
)
_ENTITY = [
    (n, t)
    for names, t in (
        ("x y vx vy rx ry", "f"),
        ("type image_type image_theme render_z will_erase collides_with_entities", "i"),
        ("collision_margin rotation vrot", "f"),
        ("is_reflected fire_time spawn_time life_time expire_time use_abs_coords", "i"),
        ("friction", "f"),
        ("smart_step avoids_collisions auto_erase", "i"),
        ("alpha health theta grow_rate alpha_decay climber_spawn_x", "f"),
    )
    for n in names.split()
]
_MIDDLE = (
    [("use_procgen_background", "i"), ("background_index", "i")]
    + [(n, "f") for n in ["bg_tile_ratio", "bg_pct_x", "char_dim"]]
    + [(n, "i") for n in ["last_move_action", "move_action", "special_action"]]
    + [
        (n, "f")
        for n in [
            "mixrate",
            "maxspeed",
            "max_jump",
            "action_vx",
            "action_vy",
            "action_vrot",
            "center_x",
            "center_y",
        ]
    ]
    + [(n, "i") for n in ["random_agent_start", "has_useful_vel_info", "step_rand_int"]]
    + [("asset_rand_gen_seeded", "i"), ("asset_rand_gen", "s")]
    + [(n, "i") for n in ["main_width", "main_height", "out_of_bounds_object"]]
    + [(n, "f") for n in ["unit", "view_dim", "x_off", "y_off", "visibility", "min_visibility"]]
)
MOUSE_TYPE = 0


class StateError(ValueError):
    """A blob that is not a procgen maze state, or an edit the maze cannot hold."""


class _Reader:
    def __init__(self, blob: bytes) -> None:
        self.blob, self.pos = blob, 0

    def take(self, kind: str) -> Any:
        if kind == "s":
            n = self.take("i")
            if n < 0 or self.pos + n > len(self.blob):
                raise StateError(f"truncated blob: string of length {n} at byte {self.pos - 4}")
            value = self.blob[self.pos : self.pos + n]
            self.pos += n
            return value
        if self.pos + 4 > len(self.blob):
            raise StateError(f"truncated blob: ended at byte {len(self.blob)}")
        (value,) = struct.unpack_from("<" + kind, self.blob, self.pos)
        self.pos += 4
        return value

    def fields(self, spec: list[tuple[str, str]]) -> dict[str, Any]:
        return {name: self.take(kind) for name, kind in spec}


@functools.cache
def _runs(spec: tuple[tuple[str, str], ...]) -> list[tuple[struct.Struct | None, list[str]]]:
    """`spec` as runs of numeric fields (one struct each) and single strings (None)."""
    runs: list[tuple[str, list[str]]] = []
    for name, kind in spec:
        if kind != "s" and runs and runs[-1][0] != "s":
            runs[-1] = (runs[-1][0] + kind, [*runs[-1][1], name])
        else:
            runs.append((kind, [name]))
    return [(None if k == "s" else struct.Struct("<" + k), names) for k, names in runs]


def _pack_fields(spec: list[tuple[str, str]], values: dict[str, Any]) -> bytes:
    out = []
    for packer, names in _runs(tuple(spec)):
        if packer is None:
            value = bytes(values[names[0]])
            out += [struct.pack("<i", len(value)), value]
        else:
            out.append(packer.pack(*(values[n] for n in names)))
    return b"".join(out)


@dataclass
class MazeState:
    """One maze's full state; edit `grid` and `entities`, then `serialize()`."""

    header: dict[str, Any]
    entities: list[dict[str, Any]]
    middle: dict[str, Any]
    grid: np.ndarray  # y-up int32 (h, w)
    maze_dim: int
    world_dim: int

    @classmethod
    def parse(cls, blob: bytes) -> MazeState:
        """Parse a maze blob; StateError says what is wrong with any other bytes."""
        if not isinstance(blob, (bytes, bytearray)):
            raise StateError(f"a state blob is bytes, not {type(blob).__name__}")
        r = _Reader(bytes(blob))
        header = r.fields(_HEADER[:2])
        if header["game_name"] != b"maze":
            raise StateError(f"not a maze state: the blob is from game {header['game_name']!r}")
        header.update(r.fields(_HEADER[2:]))
        count = r.take("i")
        if not 0 <= count <= 10_000:
            raise StateError(f"implausible entity count {count}: corrupt blob")
        entities = [r.fields(_ENTITY) for _ in range(count)]
        middle = r.fields(_MIDDLE)
        w, h, length = r.take("i"), r.take("i"), r.take("i")
        if w <= 0 or h <= 0 or length != w * h:
            raise StateError(f"corrupt grid header: w={w} h={h} length={length}")
        if r.pos + 4 * length > len(r.blob):
            raise StateError(f"truncated blob: the {w}x{h} grid runs past the end")
        grid = np.frombuffer(r.blob, "<i4", length, r.pos).reshape(h, w).copy()
        r.pos += 4 * length
        maze_dim, world_dim, end = r.take("i"), r.take("i"), r.take("I")
        if end != END_MARKER or r.pos != len(r.blob):
            raise StateError("corrupt blob: no end marker 0xCAFECAFE where expected")
        return cls(header, entities, middle, grid, maze_dim, world_dim)

    def serialize(self) -> bytes:
        h, w = self.grid.shape
        return b"".join(
            [
                _pack_fields(_HEADER, self.header),
                struct.pack("<i", len(self.entities)),
                *(_pack_fields(_ENTITY, e) for e in self.entities),
                _pack_fields(_MIDDLE, self.middle),
                struct.pack("<iii", w, h, w * h),
                np.ascontiguousarray(self.grid, dtype="<i4").tobytes(),
                struct.pack("<iiI", self.maze_dim, self.world_dim, END_MARKER),
            ]
        )

    # -- reading -------------------------------------------------------------------
    @property
    def offset(self) -> int:
        """m: the maze spans cells m .. m + maze_dim - 1 in x and y."""
        return (self.world_dim - self.maze_dim) // 2

    def _mouse(self) -> dict[str, Any]:
        for e in self.entities:
            if e["type"] == MOUSE_TYPE:
                return e
        raise StateError("the state has no mouse entity")

    @property
    def mouse(self) -> Cell:
        e = self._mouse()
        return int(e["x"]), int(e["y"])

    @property
    def cheese(self) -> Cell | None:
        ys, xs = np.nonzero(self.grid == CHEESE)
        return (int(xs[0]), int(ys[0])) if xs.size else None

    def inner_grid(self) -> np.ndarray:
        """The maze proper (maze_dim x maze_dim, y-up), without the wall margin."""
        m, d = self.offset, self.maze_dim
        return self.grid[m : m + d, m : m + d].copy()

    # -- editing -------------------------------------------------------------------
    def _check_free(self, cell: Cell, what: str) -> None:
        x, y = cell
        h, w = self.grid.shape
        m, d = self.offset, self.maze_dim
        if not (m <= x < m + d and m <= y < m + d):
            raise StateError(f"{what} {cell} is outside the maze (cells {m}..{m + d - 1})")
        if not (0 <= x < w and 0 <= y < h) or self.grid[y, x] == WALL:
            raise StateError(f"{what} {cell} is on a wall")

    def move_cheese(self, cell: Cell) -> None:
        self._check_free(cell, "cheese")
        if cell == self.mouse:
            raise StateError(f"cheese {cell} would sit under the mouse")
        self.remove_cheese()
        self.grid[cell[1], cell[0]] = CHEESE

    def remove_cheese(self) -> None:
        self.grid[self.grid == CHEESE] = EMPTY

    def move_mouse(self, cell: Cell) -> None:
        self._check_free(cell, "mouse")
        e = self._mouse()
        e["x"], e["y"] = cell[0] + 0.5, cell[1] + 0.5
        e["vx"] = e["vy"] = 0.0

    def copy(self) -> MazeState:
        """An independent copy (entities and grid copied) to edit without touching this one."""
        return replace(self, entities=[dict(e) for e in self.entities], grid=self.grid.copy())

    def with_mouse(self, cell: Cell) -> MazeState:
        """A copy with the mouse moved to `cell` (the grid is shared, not copied: cheap)."""
        copy = replace(self, entities=[dict(e) for e in self.entities])
        copy.move_mouse(cell)
        return copy

    def set_grid(self, grid: np.ndarray) -> None:
        """Replace the maze's free/wall layout (same shape), e.g. a hand-made maze."""
        grid = np.asarray(grid, dtype=np.int32)
        if grid.shape != self.grid.shape:
            raise StateError(f"grid shape {grid.shape} != the state's {self.grid.shape}")
        bad = set(np.unique(grid).tolist()) - {WALL, EMPTY, CHEESE}
        if bad:
            raise StateError(f"grid cells must be {WALL}, {EMPTY} or {CHEESE}; got {sorted(bad)}")
        self.grid = grid.copy()
        self._check_free(self.mouse, "mouse")


def read_grid(blob: bytes) -> np.ndarray:
    """The y-up grid from a blob's tail alone (fast: no full parse)."""
    if len(blob) < 12 or struct.unpack_from("<I", blob, len(blob) - 4)[0] != END_MARKER:
        raise StateError("not a maze state blob: no end marker")
    w = struct.unpack_from("<i", blob, len(blob) - 8)[0]
    if not 0 < w <= 256 or len(blob) < 12 + 4 * w * w:
        raise StateError(f"corrupt blob: world size {w}")
    return np.frombuffer(blob, "<i4", w * w, len(blob) - 12 - 4 * w * w).reshape(w, w).copy()
