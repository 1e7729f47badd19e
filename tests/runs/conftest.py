"""Tiny real notebooks and projects for runner tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kit.predictions import load_predictions
from kit.predictions.seal import seal
from tests.conftest import BASIC, write_project


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


EXP = notebook(
    "n = 1\nseed = 0\nmode = 'ok'",
    "from kit import record\nimport numpy as np\nx = n - 2\nrecord('x', np.int64(x))\n"
    "record('n_plus', [n, n + 1])",
    "import os, time\nif mode == 'fail':\n    raise ValueError('boom on purpose')\n"
    "if mode == 'slow':\n    time.sleep(30)\nif mode == 'die':\n    os._exit(3)\n"
    "record('done', True)",
)


@pytest.fixture
def run_project(tmp_path: Path):
    """The BASIC question set (experiment `exp`, parameters n=3) with a real notebook, sealed."""
    project = write_project(tmp_path, {"basic.yaml": BASIC}, notebooks=())
    (tmp_path / "notebooks" / "exp.ipynb").write_text(EXP)
    seal(project)
    return project


def predictions_of(project):
    return load_predictions(project.root)
