"""A question kind defined here, in the test alone: adding a kind touches one module.

`interval` questions ask for a central 90 % interval `[low, high]` of a number; the outcome
is a number and the score the interval score (Gneiting & Raftery 2007, eq. 43). Nothing
outside this file knows the kind: checking, sealing, scoring, the report's data, the
score command and the JSON output all go through the registry.
"""

from __future__ import annotations

import json
import math
from typing import Annotated, Any, ClassVar, Literal

import pytest
from click.testing import CliRunner
from pydantic import Field

from kit import questions
from kit.cli import cli
from kit.predictions import check
from kit.predictions.seal import seal
from kit.questions.base import Finite, ForecastBase, Issue, QuestionBase, QuestionKind
from kit.report.data import gather
from kit.scoring.numeric import interval_score
from kit.workspace import Workspace


class IntervalForecast(ForecastBase):
    value_key: ClassVar[str] = "interval"
    interval: Annotated[tuple[Finite, Finite], Field(strict=False)]  # YAML gives a list


class IntervalQuestion(QuestionBase):
    type: Literal["interval"]
    forecasts: list[IntervalForecast] = []


class Interval(QuestionKind):
    name = "interval"
    question_model = IntervalQuestion
    forecast_model = IntervalForecast
    value_help = "interval ([low, high], a 90% interval)"
    outcome_help = "a number"
    metrics = ("interval_score",)

    def check_forecast(self, question, forecast):
        low, high = forecast.interval
        return [] if low <= high else [Issue(("interval",), "low must not exceed high")]

    def canonical_value(self, forecast):
        return [float(x) for x in forecast.interval]

    def check_outcome(self, question, value: Any) -> str | None:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return None if ok and math.isfinite(value) else f"expected a number, got {value!r}"

    def parse_outcome(self, question, text: str) -> float:
        return float(text)

    def scores(self, question, forecast, outcome) -> dict:
        low, high = forecast.interval
        return {"interval_score": interval_score(low, high, 0.1, float(outcome))}


SET = """\
experiment: exp
questions:
  - id: width
    text: Where will x land?
    type: interval
    resolve: x
    forecasts:
      - {by: ana, at: 2026-01-01T00:00:00Z, interval: [1, 3]}
      - {by: bo, at: 2026-01-01T00:00:00Z, interval: [0, 10]}
  - id: plain
    text: Is it so?
    type: binary
    resolve: x > 0
    forecasts:
      - {by: ana, at: 2026-01-01T00:00:00Z, p: 0.8}
"""


@pytest.fixture
def interval_kind():
    questions.register(Interval())
    yield
    questions.unregister("interval")


def test_a_fourth_kind_checks_seals_scores_and_reports(interval_kind, make_project, tmp_path):
    project = make_project({"s.yaml": SET})
    (project.root / "outcomes.yaml").write_text("width: 2.5\nplain: true\n")
    assert check(project).errors == []
    report = seal(project)
    assert len(report.sealed) == 3 and check(project).problems == []

    ws = Workspace.load(project, outcomes_path=project.root / "outcomes.yaml")
    table = ws.scores()
    got = {(r.question, r.by): r.scores for r in table.records}
    assert got[("width", "ana")] == {"interval_score": pytest.approx(2.0)}
    assert got[("width", "bo")] == {"interval_score": pytest.approx(10.0)}
    rows = {r["forecaster"]: r for r in table.breakdown("forecaster")}
    assert rows["bo"]["interval_score"] == pytest.approx(10.0)
    data = gather(ws)  # no market, no calibration pairs for this kind: still a report
    assert [m["question"] for m in data.markets] == ["plain"]
    assert ws.community("width") is None

    # the command line, in this process (where the kind is registered)
    result = CliRunner().invoke(
        cli,
        [
            "--project",
            str(project.root),
            "score",
            "--json",
            "--outcomes",
            str(project.root / "outcomes.yaml"),
        ],
    )
    assert result.exit_code == 0, result.output
    scored = json.loads(result.output)
    assert {r["question"] for r in scored["records"]} == {"width", "plain"}
    assert scored["community"]["width"] is None


def test_a_fourth_kind_gets_located_messages(interval_kind, make_project):
    bad = SET.replace("interval: [1, 3]", "interval: [3, 1]").replace("interval: [0, 10]", "p: 0.5")
    errors = [str(p) for p in check(make_project({"s.yaml": bad})).errors]
    assert errors == [
        "predictions/s.yaml:8:55: questions[0].forecasts[0].interval: low must not exceed high",
        "predictions/s.yaml:9:44: questions[0].forecasts[1].p: an interval question needs "
        "interval ([low, high], a 90% interval), not p",
    ]


def test_without_the_kind_its_type_is_refused_with_the_known_ones(make_project):
    errors = [str(p) for p in check(make_project({"s.yaml": SET})).errors]
    assert errors == [
        "predictions/s.yaml:5:11: questions[0].type: unknown question type 'interval'; use one "
        "of: binary, categorical, numeric"
    ]


def test_value_keys_must_be_unique_across_kinds():
    class Clash(Interval):
        name = "clash"
        forecast_model = type("F", (IntervalForecast,), {"value_key": "p"})

    with pytest.raises(ValueError, match="value key 'p' is already used by 'binary'"):
        questions.register(Clash())
    assert "clash" not in questions.names()


def test_every_kind_answers_for_its_questions():
    for kind in questions.kinds():
        assert kind.question_model.model_fields["type"].annotation == Literal[kind.name]
        assert kind.value_key in kind.forecast_model.model_fields
        assert json.dumps(kind.metrics)
