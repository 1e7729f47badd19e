"""Labelled training frames: procgen renders of a placed mouse, with the oracle's move.

The main process draws every random choice (which maze, which cell) and the label, so
the frames depend on the seed alone; rendering (`set_state` with the mouse moved, then
procgen's own render) runs in this process, or in `workers` processes when one core
cannot render as fast as the model trains (a GPU). Any number of workers gives the same
frames, in the same order, as none. This module does not import torch, so that workers
start light.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from kit.maze import geometry
from kit.maze.env import load_states, make_env
from kit.maze.oracle import oracle_moves
from kit.maze.state import MazeState

RENDER_BATCH = 64  # env slots rendered per set_state call
Request = tuple[int, geometry.Cell]  # (maze index in the pool, cell for the mouse)


@dataclass
class _Maze:
    """What drawing a frame needs of a maze (the renderer holds the state itself)."""

    moves: np.ndarray  # the oracle's action per cell
    route: list[geometry.Cell]  # start -> cheese
    free: list[geometry.Cell]


def _prepare(state: MazeState) -> _Maze:
    cheese = state.cheese
    free = [c for c in geometry.free_cells(state.grid) if c != cheese]
    route = geometry.shortest_path(state.grid, state.mouse, cheese)[:-1]
    return _Maze(oracle_moves(state.grid, cheese), route, free)


class _Renderer:
    """A procgen env that renders requests, one set_state per slot."""

    def __init__(self, states: Sequence[MazeState], seed: int) -> None:
        self.states = list(states)
        self.env = make_env(RENDER_BATCH, seed)

    def render(self, requests: Sequence[Request]) -> np.ndarray:
        out = []
        for start in range(0, len(requests), RENDER_BATCH):
            chunk = requests[start : start + RENDER_BATCH]
            load_states(self.env, [self.states[k].with_mouse(cell) for k, cell in chunk])
            _, obs, _ = self.env.observe()
            out.append(obs["rgb"][: len(chunk)].copy())
        return np.concatenate(out)


_worker: _Renderer | None = None  # each worker process's renderer


def _start_worker(blobs: list[bytes], seed: int) -> None:
    global _worker
    _worker = _Renderer([MazeState.parse(b) for b in blobs], seed)


def _render_in_worker(requests: list[Request]) -> np.ndarray:
    assert _worker is not None, "worker not started"
    return _worker.render(requests)


class FrameSource:
    """Labelled frames from a pool of mazes, rendered by procgen.

    Mazes are drawn in proportion to their free cells, so every cell of the pool is
    equally likely; the mouse is placed half the time on the start-to-cheese route, half
    anywhere. Use as a context manager (or call `close`) when `workers` > 0.
    """

    def __init__(self, mazes: Sequence[MazeState], seed: int, workers: int = 0) -> None:
        if not mazes:
            raise ValueError("no mazes to render frames from: the pool is empty")
        if workers < 0:
            raise ValueError(f"workers must be 0 (render here) or more, got {workers}")
        self.mazes = [_prepare(m) for m in mazes]
        cells = np.array([len(m.free) for m in self.mazes], float)
        self.weights = cells / cells.sum()
        self.rng = np.random.default_rng(seed)
        self.workers = workers
        self._pool = None
        if workers == 0:
            self._renderer = _Renderer(mazes, seed)
        else:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            blobs = [m.serialize() for m in mazes]
            self._pool = ProcessPoolExecutor(
                workers,
                mp_context=multiprocessing.get_context("spawn"),  # no fork of torch's threads
                initializer=_start_worker,
                initargs=(blobs, seed),
            )

    def _draw(self, frames: int) -> tuple[list[Request], np.ndarray]:
        """The requests and labels of `frames` frames, drawn RENDER_BATCH at a time."""
        requests, labels = [], []
        for _ in range(max(1, frames // RENDER_BATCH)):
            for k in self.rng.choice(len(self.mazes), size=RENDER_BATCH, p=self.weights):
                maze = self.mazes[k]
                cells = maze.route if self.rng.random() < 0.5 else maze.free
                cell = cells[int(self.rng.integers(len(cells)))]
                requests.append((int(k), cell))
                labels.append(maze.moves[cell[1], cell[0]])
        return requests, np.asarray(labels)

    def batch(self, frames: int = RENDER_BATCH) -> tuple[np.ndarray, np.ndarray]:
        """(n, 64, 64, 3) frames and their oracle actions; n is `frames` rounded down to
        a multiple of RENDER_BATCH (at least one)."""
        return next(self.batches(1, frames))

    def batches(
        self, count: int, frames: int = RENDER_BATCH
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """`count` batches as `batch` makes them; with workers, rendered ahead in parallel."""
        if self._pool is None:
            for _ in range(count):
                requests, labels = self._draw(frames)
                yield self._renderer.render(requests), labels
            return
        pending: deque = deque()
        drawn = 0
        while drawn < count or pending:
            while drawn < count and len(pending) < 2 * self.workers:
                requests, labels = self._draw(frames)
                pending.append((self._pool.submit(_render_in_worker, requests), labels))
                drawn += 1
            future, labels = pending.popleft()
            yield future.result(), labels

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def __enter__(self) -> FrameSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
