"""From registry and outcomes to scores: the glue behind `kit score`."""

import math
import subprocess
import sys

import pytest

from kit.assess.table import score
from kit.errors import InvalidInput
from kit.predictions import check
from kit.predictions.outcomes import load_outcomes
from tests.conftest import BASIC

TWO = BASIC.replace(
    "      - {by: ana, at: 2026-01-01T00:00:00Z, p: 0.7}\n",
    "      - {by: ana, at: 2026-01-01T00:00:00Z, p: 0.7}\n"
    "      - {by: ana, at: 2026-01-02T00:00:00Z, p: 1.0}\n"
    "      - {by: bo, at: 2026-01-01T00:00:00Z, p: 0.2}\n",
)


def test_latest_forecast_scored_and_infinite_log_counted(make_project):
    project = make_project({"s.yaml": TWO})
    table = score(check(project), {"q-binary": False, "q-cat": "a", "q-num": 5.0})
    by_key = {(r.question, r.by): r.scores for r in table.records}
    assert by_key[("q-binary", "ana")]["log"] == math.inf  # latest: p = 1.0, wrong
    assert by_key[("q-binary", "ana")]["brier"] == 1.0
    assert by_key[("q-binary", "bo")]["brier"] == pytest.approx(0.04)
    assert by_key[("q-cat", "ana")]["brier_multi"] == pytest.approx(0.25 + 0.09 + 0.04)
    assert by_key[("q-num", "ana")]["pit"] == 0.5 and by_key[("q-num", "ana")]["cover50"]
    rows = {r["forecaster"]: r for r in table.breakdown("forecaster")}
    assert rows["ana"]["forecasts"] == 3 and rows["ana"]["infinite_log"] == 1
    assert rows["ana"]["brier"] == 1.0 and rows["ana"]["n_log"] == 1  # inf left out of mean
    assert rows["bo"]["brier"] == pytest.approx(0.04)


def test_unresolved_and_annulled_are_skipped_and_counted(project):
    table = score(check(project), {"q-binary": True, "q-cat": "annulled"})
    assert [r.question for r in table.records] == ["q-binary"]
    assert table.unresolved == ["q-num"] and table.not_scored == ["q-cat"]
    assert score(check(project), {}).records == []


def test_bad_outcomes_are_located_errors(project, tmp_path):
    bad = tmp_path / "out.yaml"
    bad.write_text("q-binary: 1\nq-cat: z\nq-num: .nan\nnope: true\n")
    with pytest.raises(InvalidInput) as info:
        load_outcomes(bad, check(project))
    assert [str(p).split(": ", 1)[1] for p in info.value.problems] == [
        "q-binary: a binary outcome is true or false, got 1",
        "q-cat: outcome 'z' is not an option (a, b, c)",
        "q-num: outcome nan is not a finite number",
        "nope: no such question",
    ]


def test_score_command_json(project, tmp_path):
    import json

    out = tmp_path / "out.yaml"
    out.write_text("q-binary: true\nq-num: 12\n")
    r = subprocess.run(
        [sys.executable, "-m", "kit", "score", "--outcomes", str(out), "--json", "--by", "tag"],
        cwd=project.root,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["by"] == "tag" and data["unresolved"] == ["q-cat"]
    assert {g["tag"] for g in data["groups"]} == {"t1", "(none)"}
    (num,) = [rec for rec in data["records"] if rec["question"] == "q-num"]
    assert num["scores"]["cover50"] is False and num["scores"]["pit"] == 0.95
    assert num["scores"]["cover90"] is None  # levels 0.1..0.9 do not reach 0.05 and 0.95
