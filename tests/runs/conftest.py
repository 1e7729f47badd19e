"""Tiny real notebooks and projects for runner tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from kit.predictions import load_predictions
from kit.predictions.seal import seal
from tests.conftest import BASIC, notebook, write_project

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
