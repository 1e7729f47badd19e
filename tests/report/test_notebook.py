"""notebooks/calibration_report.ipynb executed headlessly holds real images."""

from __future__ import annotations

from pathlib import Path

import nbformat
import papermill
import pytest

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "calibration_report.ipynb"


@pytest.mark.slow
def test_executed_report_notebook_has_png_charts(scored_project, tmp_path):
    out = tmp_path / "executed.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOK),
        str(out),
        parameters={
            "project": str(scored_project.root),
            "outcomes": str(scored_project.root / "outcomes.yaml"),
        },
        kernel_name="python3",
        progress_bar=False,
        cwd=str(NOTEBOOK.parent),
    )
    nb = nbformat.read(str(out), as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    pngs = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(pngs) == 8  # reliability, consistency, discrimination, leaderboard, over time,
    # markets, PIT, coverage
    assert not any("cdn.jsdelivr" in str(o.get("data", {})) for o in outputs)
    text = str(outputs)
    assert "159 forecasts scored" in text and "b0" in text
