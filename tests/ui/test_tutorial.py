"""notebooks/tutorial.ipynb walks the whole loop when executed headlessly."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "tutorial.ipynb"


def test_the_tutorial_is_not_an_experiment():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    assert nb["metadata"]["kit"] == {"experiment": False}


@pytest.mark.slow
def test_the_tutorial_runs_the_loop_with_the_widgets(tmp_path):
    import papermill

    out = tmp_path / "executed.ipynb"
    study = tmp_path / "study"
    papermill.execute_notebook(
        str(NOTEBOOK),
        str(out),
        parameters={"folder": str(study)},
        kernel_name="python3",
        progress_bar=False,
        cwd=str(tmp_path),
    )
    nb = nbformat.read(str(out), as_version=4)
    text = json.dumps([c.get("outputs", []) for c in nb.cells])
    assert "7 forecasts sealed" in text
    assert "'loss-below-0.3': True" in text and "'when-loss-halves': 'first'" in text
    assert "application/vnd.jupyter.widget-view+json" in text  # the widgets were drawn
    assert len(list((study / "runs" / "sgd_regression").iterdir())) == 1
