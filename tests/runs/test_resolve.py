"""Resolution from recorded results, manual outcomes, and late forecasts."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from kit.errors import UsageError
from kit.predictions.resolutions import load_resolutions
from kit.predictions.seal import seal
from kit.runs import runner, store
from kit.runs.plan import plan
from kit.runs.resolve import resolve_all, resolve_manual
from kit.workspace import Workspace
from tests.runs.conftest import predictions_of, written_run
from tests.runs.test_runner import kit


def _run(project, **kw):
    specs, _ = plan(predictions_of(project), "all", **kw)
    return runner.run_local(specs, workers=1)


@pytest.mark.slow
def test_binary_categorical_numeric_resolve_from_the_run(run_project):
    (record,) = _run(run_project)
    report = resolve_all(predictions_of(run_project))
    assert report.problems == [] and report.pending == []
    out = {q: r.outcome for q, r in report.resolved.items()}
    assert out == {"q-binary": True, "q-cat": "a", "q-num": 1.0}
    stored = load_resolutions(predictions_of(run_project))
    res = stored["q-num"]
    assert res.run == f"exp/{record.id}" and res.read == {"x": 1}
    assert res.notebook == f"runs/exp/{record.id}/notebook.ipynb"
    assert res.evidence_at == store.parse_iso(record.started)
    text = run_project.resolutions_path.read_text()
    assert text.startswith("# Written by `kit resolve`") and "outcome: true" in text
    table = Workspace.load(run_project).scores()
    assert {r.question: r.outcome for r in table.records} == out
    brier = next(r for r in table.records if r.question == "q-binary").scores["brier"]
    assert brier == pytest.approx((0.7 - 1) ** 2, abs=1e-12)


def test_only_runs_with_the_sets_parameters_resolve(run_project):
    written_run(run_project, parameters={"n": 0, "seed": 0})
    report = resolve_all(predictions_of(run_project))
    assert report.resolved == {} and sorted(report.pending) == ["q-binary", "q-cat", "q-num"]


RULES = """\
experiment: exp
parameters: {n: 3}
questions:
  - {id: q-missing, text: t, type: binary, resolve: nothing_recorded > 0}
  - {id: q-not-bool, text: t, type: binary, resolve: x}
  - {id: q-bad-option, text: t, type: categorical, options: [a, b], resolve: "'z'"}
  - {id: q-text-number, text: t, type: numeric, resolve: "'one'"}
  - {id: q-fine, text: t, type: numeric, resolve: x * 2}
  - {id: q-by-hand, text: t, type: binary, resolve: manual}
"""


def test_resolution_errors_name_the_question(run_project):
    (run_project.predictions_dir / "basic.yaml").unlink()
    run_project.ledger_path.unlink()  # its seals were of basic.yaml's forecasts
    (run_project.predictions_dir / "rules.yaml").write_text(RULES)
    written_run(run_project, parameters={"n": 3})
    out = kit(run_project, "resolve")
    assert out.returncode == 1
    err = out.stderr
    assert (
        "q-missing: result 'nothing_recorded' was not recorded by the run; it recorded: done, "
        "n_plus, x." in err
    )
    assert "q-not-bool: rule gave 1: a binary outcome is true or false" in err
    assert "q-bad-option: rule gave 'z': outcome 'z' is not an option (a, b)" in err
    assert "q-text-number: rule gave 'one': a numeric outcome is a number" in err
    assert "1 manual questions unresolved" in err and "q-by-hand" in err
    assert "q-fine: 2.0" in out.stdout


def test_an_unrecorded_result_names_the_nearest_recorded_one(run_project):
    written_run(run_project, results={"final_loss": 0.1, "slope": 2.0})
    text = (run_project.predictions_dir / "basic.yaml").read_text()
    rules = text.replace("resolve: x > 0", "resolve: final_los < 0.3")
    (run_project.predictions_dir / "basic.yaml").write_text(rules)
    run_project.ledger_path.unlink()  # sealed anew with this rule: no deviation
    seal(run_project)
    report = resolve_all(predictions_of(run_project), write=False)
    (line,) = [p for p in report.problems if ": q-binary: " in p]
    assert "result 'final_los' was not recorded by the run; it recorded: final_loss, slope " in (
        line
    )
    assert "(did you mean 'final_loss'?)" in line


def test_manual_outcomes_and_not_scored(run_project):
    written_run(run_project)
    resolve_manual(predictions_of(run_project), "q-cat", "annulled", "the options overlap")
    out = kit(run_project, "resolve", "q-binary", "--value", "no", "--why", "read the notebook")
    assert out.returncode == 0, out.stderr
    resolve_all(predictions_of(run_project))  # rules do not overwrite manual outcomes
    stored = load_resolutions(predictions_of(run_project))
    assert stored["q-binary"].outcome is False and stored["q-binary"].how == "manual"
    assert stored["q-binary"].why == "read the notebook"
    assert stored["q-cat"].outcome == "annulled" and stored["q-num"].how == "rule"
    table = Workspace.load(run_project).scores()
    assert table.not_scored == ["q-cat"]
    assert sorted(r.question for r in table.records) == ["q-binary", "q-num"]


@pytest.mark.parametrize(
    ("qid", "value", "message"),
    [
        ("q-binary", "maybe", "--value is true or false"),
        ("q-cat", "d", "--value 'd' is not an option"),
        ("q-num", "nan", "finite"),
        ("q-nope", "1", "no question 'q-nope'"),
    ],
)
def test_bad_manual_values(run_project, qid, value, message):
    from kit.errors import KitError

    with pytest.raises(KitError, match=message):
        resolve_manual(predictions_of(run_project), qid, value, "why")


def test_manual_needs_a_reason(run_project):
    with pytest.raises(UsageError, match="needs --why"):
        resolve_manual(predictions_of(run_project), "q-binary", "true", " ")


def test_a_forecast_sealed_after_the_run_is_late(run_project):
    record = written_run(run_project)
    resolve_all(predictions_of(run_project))
    path = run_project.predictions_dir / "basic.yaml"
    path.write_text(
        path.read_text().replace(
            "      - {by: ana, at: 2026-01-01T00:00:00Z, p: 0.7}",
            "      - {by: ana, at: 2026-01-01T00:00:00Z, p: 0.7}\n"
            "      - {by: ana, at: 2026-01-02T00:00:00Z, p: 0.99}\n"
            "      - {by: cy, p: 1.0}",
        )
    )
    later = store.parse_iso(record.started) + timedelta(seconds=5)
    seal(run_project, now=later)
    table = Workspace.load(run_project).scores()
    binary = [r for r in table.records if r.question == "q-binary"]
    # ana's on-time forecast counts, not her later (late) one; cy only appears as late
    assert [(r.by, r.at[:10]) for r in binary] == [("ana", "2026-01-01")]
    assert sorted((r.by, r.question) for r in table.late) == [
        ("ana", "q-binary"),
        ("cy", "q-binary"),
    ]
    assert all(r.late for r in table.late)
    with_late = Workspace.load(run_project).scores(include_late=True)
    assert sorted(r.by for r in with_late.records if r.question == "q-binary") == ["ana", "cy"]
    out = kit(run_project, "score", "--json")
    assert len(json.loads(out.stdout)["late"]) == 2
