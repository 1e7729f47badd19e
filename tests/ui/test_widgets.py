"""The widgets driven from Python: set values, click, check the YAML and the ledger."""

from __future__ import annotations

import threading

import pytest

from kit.predictions import load_predictions
from kit.predictions.seal import seal
from kit.ui.form import PredictionForm
from kit.ui.launcher import RunLauncher
from kit.ui.market_view import MarketView, what_if
from kit.ui.review_view import Review


def _forecasts(project, by):
    return {
        r.question.id: r for r in load_predictions(project.root).forecasts() if r.forecast.by == by
    }


def test_form_writes_and_seals_every_kind(project):
    before = (project.predictions_dir / "basic.yaml").read_text()
    form = PredictionForm(project)
    form.forecaster.value = "zoe"
    form.rows["q-binary"].extra["slider"].value = 0.83  # the slider drives the number box
    assert form.rows["q-binary"].inputs["p"].value == 0.83
    cat = form.rows["q-cat"]
    cat.inputs["a"].value, cat.inputs["b"].value, cat.inputs["c"].value = 2, 0.5, 0.5
    assert "must be 1" in cat.extra["sum"].value
    assert cat.inputs["a"].value == 1.0  # bounded to [0, 1]
    cat.extra["normalise"].click()
    assert sum(x.value for x in cat.inputs.values()) == 1.0
    num = form.rows["q-num"]
    num.inputs["0.1"].value, num.inputs["0.5"].value, num.inputs["0.9"].value = 2, 4, 8
    assert "80% interval [2, 8], median 4" in num.extra["preview"].value
    form.submit_button.click()
    assert "saved and sealed 3 forecasts by zoe" in form.status.value
    mine = _forecasts(project, "zoe")
    assert mine["q-binary"].forecast.p == 0.83 and mine["q-binary"].sealed
    assert mine["q-cat"].forecast.probs == pytest.approx({"a": 0.5, "b": 0.25, "c": 0.25})
    assert mine["q-num"].forecast.quantiles == {0.1: 2.0, 0.5: 4.0, 0.9: 8.0}
    assert all(r.sealed for r in mine.values())
    after = (project.predictions_dir / "basic.yaml").read_text()
    assert after.startswith("# A small question set for tests.")  # comments kept
    assert all(line in after.splitlines() for line in before.splitlines())


def test_invalid_values_never_reach_the_file(project):
    path = project.predictions_dir / "basic.yaml"
    before = path.read_text()
    form = PredictionForm(project)
    form.forecaster.value = "zoe"
    cat = form.rows["q-cat"]
    cat.inputs["a"].value = 0.9  # sums to 1.567
    num = form.rows["q-num"]
    num.inputs["0.1"].value, num.inputs["0.9"].value = 9, 1  # decreasing quantiles
    form.submit()
    assert path.read_text() == before
    assert "sum to 1" in cat.error.value
    assert "quantiles must not decrease as the level rises" in num.error.value
    assert "2 refused" in form.status.value


def test_form_needs_a_name_and_a_choice(project):
    form = PredictionForm(project)
    form.submit()
    assert "enter your forecaster name" in form.status.value
    form.forecaster.value = "zoe"
    form.submit()
    assert "nothing to submit" in form.status.value


def test_two_forms_submitting_at_once_both_land(project):
    forms = []
    for name in ("p1", "p2"):
        f = PredictionForm(project)
        f.forecaster.value = name
        f.rows["q-binary"].inputs["p"].value = 0.4
        forms.append(f)
    threads = [threading.Thread(target=f.submit) for f in forms]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    bys = {r.forecast.by for r in load_predictions(project.root).forecasts() if r.sealed}
    assert {"p1", "p2"} <= bys


def test_market_view_and_what_if(project):
    form = PredictionForm(project)
    form.forecaster.value = "bo"
    form.rows["q-binary"].inputs["p"].value = 0.9
    form.submit()
    seal(project)
    view = MarketView("q-binary", project)
    m = view.market
    assert [h["by"] for h in m.history] == ["ana", "bo"]
    assert m.price == pytest.approx([0.1, 0.9])
    view.slider.value = 0.95
    import math

    assert view.result.value == (
        f"if no: {100 * math.log(0.05 / 0.1):+.2f}, if yes: {100 * math.log(0.95 / 0.9):+.2f}"
    )
    assert what_if([0.5, 0.5], [0.25, 0.75], 10) == pytest.approx(
        [10 * math.log(0.5), 10 * math.log(1.5)]
    )
    assert "forecaster" in view.widget.children[2].value
    assert view.chart().to_dict()["mark"]["type"] == "line"


def test_review_filters_recompute(scored_project_ui):
    project = scored_project_ui
    review = Review(project)
    everyone = review.compute()
    review.filters["forecaster"].value = "ana"
    ana = review.compute()
    assert {r["forecaster"] for r in ana.leaderboard} == {"ana"}
    assert len(ana.table.records) * 3 == len(everyone.table.records)
    review.filters["tag"].value = "even"
    assert all(r.tags == ["even"] for r in review.compute().table.records)


@pytest.mark.slow
def test_run_launcher_runs_and_reports_failures(tmp_path):
    from tests.conftest import BASIC, write_project
    from tests.runs.conftest import EXP

    project = write_project(tmp_path, {"basic.yaml": BASIC}, notebooks=())
    (tmp_path / "notebooks" / "exp.ipynb").write_text(EXP.replace("mode = 'ok'", "mode = 'fail'"))
    seal(project)
    launcher = RunLauncher(project)
    assert launcher.experiment.options == ("exp",)
    launcher.start(wait=True)
    assert launcher.progress.value == 1
    assert "0 ok, 1 not ok" in launcher.status.value
    assert "boom on purpose" in launcher.status.value and "runs/exp/" in launcher.status.value
    assert "failed" in launcher.table.value


def test_the_ui_functions_work_more_than_once(project):
    import kit.ui

    for _ in range(2):
        assert isinstance(kit.ui.predict(project), PredictionForm)
        assert isinstance(kit.ui.review(project), Review)
    assert callable(kit.ui.predict) and callable(kit.ui.market) and callable(kit.ui.review)
