"""The prediction form and blindness: blind submission, others' values hidden."""

from __future__ import annotations

from kit.predictions import check
from kit.predictions.seal import seal
from kit.ui.form import PredictionForm
from tests.conftest import BASIC, write_project


def _shown(row) -> str:
    return " ".join(getattr(child, "value", "") for child in row.box.children[:3])


def test_others_values_are_shown_unless_blindness_is_on(project):
    form = PredictionForm(project)
    assert "so far: ana p=0.7" in _shown(form.rows["q-binary"])
    assert not form.rows["q-binary"].blind.value and not form.rows["q-binary"].blind.disabled


def test_a_blind_question_hides_values_and_submits_only_a_commitment(tmp_path):
    text = BASIC.replace("parameters:", "blind: true\nparameters:").replace(
        "      - {by: ana", "      # - {by: ana"
    )
    project = write_project(tmp_path, {"basic.yaml": text})
    seal(project)
    form = PredictionForm(project)
    row = form.rows["q-binary"]
    assert row.blind.value and row.blind.disabled  # required: not a choice
    row.inputs["p"].value = 0.42
    form.forecaster.value = "zoe"
    form.submit()
    assert "saved and sealed 1 forecasts by zoe" in form.status.value
    path = project.predictions_dir / "basic.yaml"
    assert "0.42" not in path.read_text() and "commit: " in path.read_text()
    (ref,) = [r for r in check(project).forecasts() if r.forecast.by == "zoe"]
    assert ref.sealed and ref.forecast.blind and not ref.forecast.revealed
    again = PredictionForm(project)
    shown = _shown(again.rows["q-binary"])
    assert "1 forecasts so far (values hidden: blind forecasting)" in shown
    assert "0.42" not in shown
