"""Shared fixtures: small real projects on disk."""

from __future__ import annotations

import json
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
