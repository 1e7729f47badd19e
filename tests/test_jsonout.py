"""JSON outputs are valid JSON whatever the numbers, and text is never rewritten."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from kit import jsonout
from kit.predictions.seal import seal
from tests.conftest import BASIC, write_project
from tests.test_cli import kit


def test_non_finite_numbers_become_strings_value_by_value():
    text = jsonout.dumps({"a": math.inf, "b": [-math.inf, math.nan], "c": np.float64(0.5)})
    assert json.loads(text) == {"a": "inf", "b": ["-inf", "nan"], "c": 0.5}
    assert json.loads(jsonout.dumps({"text": "Infinity and NaN"})) == {"text": "Infinity and NaN"}


@pytest.mark.slow
def test_a_certain_wrong_forecast_gives_valid_json_and_text_stays(tmp_path):
    wording = BASIC.replace("Is it so?", "Is it Infinity?").replace("p: 0.7", "p: 0")
    project = write_project(tmp_path, {"basic.yaml": wording})
    seal(project)
    (project.root / "outcomes.yaml").write_text("q-binary: true\n")
    out = kit("score", "--json", "--outcomes", "outcomes.yaml", cwd=project.root)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)  # raises on invalid JSON
    (record,) = data["records"]
    assert record["scores"]["log"] == "inf" and record["scores"]["baseline"] == "-inf"
    report = kit("report", "--no-images", "--outcomes", "outcomes.yaml", cwd=project.root)
    assert report.returncode == 0, report.stderr
    stored = json.loads((project.root / "report" / "report.json").read_text())
    assert stored["records"][0]["scores"]["baseline"] == "-inf"
    assert stored["questions"][0]["text"] == "Is it Infinity?"
