"""Shared fixtures: small real projects on disk."""

from __future__ import annotations

import importlib.util
import json
import os
import textwrap
from pathlib import Path

import pytest

from kit.project import Project


def notebook(params: str, *cells: str, metadata: dict | None = None) -> str:
    """An nbformat-4 notebook: a `parameters` cell, then code cells."""
    code = [{"tags": ["parameters"]}] + [{}] * len(cells)
    sources = [params, *cells]
    return json.dumps(
        {
            "cells": [
                {
                    "cell_type": "code",
                    "execution_count": None,
                    "id": f"c{i}",
                    "metadata": meta,
                    "outputs": [],
                    "source": src,
                }
                for i, (meta, src) in enumerate(zip(code, sources, strict=True))
            ],
            "metadata": {
                "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                **(metadata or {}),
            },
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    )


NOTEBOOK = notebook("n = 1\nseed = 0", "from kit import record\nrecord('x', n - 2)")

BASIC = """\
# A small question set for tests.
experiment: exp
parameters: {n: 3, seed: 0}
questions:
  - id: q-binary
    text: Is it so?
    type: binary
    resolve: x > 0
    tags: [t1]
    forecasts:
      - {by: ana, at: 2026-01-01T00:00:00Z, p: 0.7}
  - id: q-cat
    text: Which one?
    type: categorical
    options: [a, b, c]
    resolve: "'a' if x > 0 else 'b'"
    forecasts:
      - {by: ana, at: 2026-01-01T00:00:00Z, probs: {a: 0.5, b: 0.3, c: 0.2}}
  - id: q-num
    text: How much?
    type: numeric
    bounds: [0, 100]
    resolve: x
    forecasts:
      - {by: ana, at: 2026-01-01T00:00:00Z, quantiles: {0.1: 1, 0.5: 5, 0.9: 9}}
"""


def write_project(
    root: Path, files: dict[str, str], notebooks: tuple[str, ...] = ("exp",)
) -> Project:
    (root / "predictions").mkdir(parents=True, exist_ok=True)
    (root / "notebooks").mkdir(exist_ok=True)
    for name in notebooks:
        (root / "notebooks" / f"{name}.ipynb").write_text(NOTEBOOK)
    for name, text in files.items():
        (root / "predictions" / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return Project(root)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return write_project(tmp_path, {"basic.yaml": BASIC})


@pytest.fixture
def make_project(tmp_path: Path):
    def make(files: dict[str, str], notebooks: tuple[str, ...] = ("exp",)) -> Project:
        return write_project(tmp_path, files, notebooks)

    return make


# The maze laboratory's tests need the `maze` extra (torch, procgen, statsmodels,
# scikit-learn, pillow). With the core and `dev` alone (`pip install -e '.[dev]'`) tests/maze
# is not collected and the summary says why; `make test` sets KIT_TEST_ALL=1, under which
# a missing library is an error instead, so CI can never pass by leaving them out.
MAZE_LIBRARIES = ("torch", "procgen", "statsmodels", "sklearn", "PIL")
_MAZE_LEFT_OUT = pytest.StashKey[list[str]]()


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if collection_path != Path(__file__).parent / "maze":
        return None
    missing = [m for m in MAZE_LIBRARIES if importlib.util.find_spec(m) is None]
    if not missing:
        return None
    if os.environ.get("KIT_TEST_ALL"):
        raise pytest.UsageError(
            f"tests/maze needs {', '.join(missing)} (KIT_TEST_ALL is set): install "
            "torch==2.13.0 and then -e '.[maze,dev]'"
        )
    config.stash[_MAZE_LEFT_OUT] = missing
    return True


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    missing = config.stash.get(_MAZE_LEFT_OUT, None)
    if missing:
        terminalreporter.write_line(
            f"tests/maze not collected: {', '.join(missing)} not installed (the maze "
            "laboratory: pip install torch==2.13.0, then -e '.[maze,dev]')",
            yellow=True,
        )
