"""The scenarios of issue 17 with runs: each used to pass silently, each is now caught.

Runs are written records (`written_run`), as `kit run` leaves them, without kernels.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from kit.errors import UsageError
from kit.predictions.amend import amend
from kit.predictions.predict import add_forecast
from kit.predictions.resolutions import load_resolutions
from kit.predictions.seal import seal
from kit.report.data import gather
from kit.runs import store
from kit.runs.plan import held_back, plan, select
from kit.runs.resolve import resolve_all, resolve_manual
from kit.workspace import Workspace
from tests.runs.conftest import predictions_of, written_run
from tests.runs.test_runner import kit


def _edit(project, old: str, new: str) -> None:
    path = project.predictions_dir / "basic.yaml"
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new))


def _outcomes(project) -> dict:
    return {q: r.outcome for q, r in load_resolutions(predictions_of(project)).items()}


def test_editing_the_rule_after_the_results_no_longer_flips_the_outcome(run_project):
    written_run(run_project, results={"x": 1, "done": True})
    resolve_all(predictions_of(run_project))
    assert _outcomes(run_project)["q-binary"] is True
    _edit(run_project, "resolve: x > 0", "resolve: x > 1")  # now it would be false
    report = resolve_all(predictions_of(run_project))
    assert [b.split(":")[0] for b in report.blocked] == ["q-binary"]
    assert "rule: 'x > 0' -> 'x > 1'" in report.blocked[0]
    assert sorted(report.resolved) == ["q-cat", "q-num"]  # the others go on
    assert _outcomes(run_project)["q-binary"] is True  # left as the sealed rule gave it
    ws = Workspace.load(run_project)
    assert "q-binary" in ws.withheld and "q-binary" not in ws.outcomes
    assert "q-binary" not in {r.question for r in ws.scores().records}
    out = kit(run_project, "resolve")
    assert out.returncode == 1 and "not resolved: q-binary: plan changed" in out.stderr


def test_changing_parameters_blocks_the_run_and_withholds_old_outcomes(run_project):
    written_run(run_project)
    resolve_all(predictions_of(run_project))
    _edit(run_project, "parameters: {n: 3, seed: 0}", "parameters: {n: 3, seed: 1}")
    with pytest.raises(UsageError) as refused:
        plan(predictions_of(run_project), "exp")
    assert "parameter seed: 0 -> 1" in str(refused.value)
    assert "kit amend q-binary --why TEXT" in str(refused.value)
    ws = Workspace.load(run_project)
    assert ws.outcomes == {} and set(ws.withheld) == {"q-binary", "q-cat", "q-num"}
    assert ws.scores().records == []


def test_a_rule_change_holds_back_its_question_but_the_run_goes_on(run_project):
    _edit(run_project, "resolve: x > 0", "resolve: x > 1")
    predictions = predictions_of(run_project)
    specs, _ = plan(predictions, "exp")
    assert len(specs) == 1
    (why,) = held_back(predictions, select(predictions, "exp"))
    assert why.startswith("q-binary: plan changed")


def test_stale_outcomes_are_dropped_then_rederived_and_never_scored(run_project):
    """Scenario: outcomes of runs with the old parameters stayed and were scored."""
    old = written_run(run_project, parameters={"n": 3, "seed": 0})
    resolve_all(predictions_of(run_project))
    _edit(run_project, "parameters: {n: 3, seed: 0}", "parameters: {n: 3, seed: 1}")
    amend(run_project, ["q-binary", "q-cat", "q-num"], "seed 1 is the pre-registered one")
    ws = Workspace.load(run_project)
    assert all(
        why.startswith("stale: resolved under plan version 1") for why in ws.withheld.values()
    )
    assert ws.scores().records == []
    report = resolve_all(predictions_of(run_project))
    assert sorted(report.dropped) == ["q-binary", "q-cat", "q-num"]
    assert _outcomes(run_project) == {}
    new = written_run(run_project, parameters={"n": 3, "seed": 1}, results={"x": -1})
    report = resolve_all(predictions_of(run_project))
    assert _outcomes(run_project) == {"q-binary": False, "q-cat": "b", "q-num": -1.0}
    stored = load_resolutions(predictions_of(run_project))["q-binary"]
    assert stored.run == f"exp/{new.id}" and stored.run != f"exp/{old.id}"
    assert stored.plan == predictions_of(run_project).plans["q-binary"].latest.plan
    assert Workspace.load(run_project).withheld == {}


def test_an_outcome_from_a_run_with_other_parameters_is_stale_without_plans(run_project):
    """Even with no plan sealed (older ledgers), a resolution's run must fit the set."""
    run_project.ledger_path.unlink()
    written_run(run_project)
    resolve_all(predictions_of(run_project))
    _edit(run_project, "parameters: {n: 3, seed: 0}", "parameters: {n: 3, seed: 1}")
    ws = Workspace.load(run_project)
    assert "ran with other parameters (parameter seed: 0 -> 1)" in ws.withheld["q-binary"]
    report = resolve_all(predictions_of(run_project))
    assert sorted(report.dropped) == ["q-binary", "q-cat", "q-num"]


def test_rerunning_does_not_make_a_late_forecast_on_time(run_project):
    """Scenario: `kit run --force` + `kit resolve` moved evidence_at to the new run."""
    first = written_run(run_project, results={"x": 1})
    add_forecast(run_project, "q-binary", "bo", p=0.99)
    seal(run_project)  # after the first run: late
    assert Workspace.load(run_project).late_count("q-binary") == 1
    later = store.parse_iso(first.started) + timedelta(hours=1)
    written_run(run_project, results={"x": -5}, started=later)  # the --force re-run
    resolve_all(predictions_of(run_project))
    res = load_resolutions(predictions_of(run_project))["q-binary"]
    assert res.run == f"exp/{first.id}" and res.outcome is True  # the first run decides
    assert res.evidence_at == store.parse_iso(first.started)
    ws = Workspace.load(run_project)
    assert ws.late_count("q-binary") == 1
    assert [r.by for r in ws.scores().late] == ["bo"]


def test_a_hand_edited_later_evidence_time_is_not_believed(run_project):
    first = written_run(run_project)
    resolve_all(predictions_of(run_project))
    path = run_project.resolutions_path
    text = path.read_text()
    start = store.iso(store.parse_iso(first.started))
    path.write_text(text.replace(start, "2099-01-01T00:00:00.000Z"))
    ws = Workspace.load(run_project)
    assert ws.evidence("q-binary").at == store.parse_iso(first.started)


def test_evidence_stays_the_first_run_of_any_plan_version(run_project):
    first = written_run(run_project, parameters={"n": 3, "seed": 0})
    _edit(run_project, "parameters: {n: 3, seed: 0}", "parameters: {n: 3, seed: 1}")
    amend(run_project, ["q-binary"], "switch seeds", Workspace.evidence_for(run_project))
    ws = Workspace.load(run_project)
    assert ws.evidence("q-binary").at == store.parse_iso(first.started)


def test_a_post_hoc_amendment_is_recorded_and_marked_everywhere(run_project):
    run = written_run(run_project, results={"x": 1})
    resolve_all(predictions_of(run_project))
    _edit(run_project, "resolve: x > 0", "resolve: x >= 1")
    out = kit(run_project, "amend", "q-binary", "--why", "threshold stated as >= 1 in the protocol")
    assert out.returncode == 0, out.stderr
    assert f"post-hoc deviation (evidence: exp/{run.id}" in out.stdout
    status = predictions_of(run_project).plans["q-binary"]
    assert status.latest.posthoc and status.latest.evidence_run == f"exp/{run.id}"
    report = resolve_all(predictions_of(run_project))
    assert "q-binary" in report.rederived  # resolved under the new version, same run
    ws = Workspace.load(run_project)
    assert [a.why for a in ws.posthoc("q-binary")] == ["threshold stated as >= 1 in the protocol"]
    table = ws.scores()
    assert [r.deviation for r in table.records if r.question == "q-binary"] == [True]
    assert not any(r.deviation for r in table.records if r.question != "q-binary")
    excluded = ws.scores(exclude_deviations=True)
    assert excluded.excluded == ["q-binary"]
    assert "q-binary" not in {r.question for r in excluded.records}
    data = gather(ws)
    (row,) = data.deviations
    assert row["kind"] == "post-hoc" and row["changes"] == "rule: 'x > 0' -> 'x >= 1'"
    assert next(q for q in data.questions if q["question"] == "q-binary")["plan"] == (
        "v2, post-hoc deviation"
    )
    score = kit(run_project, "score")
    assert (
        "1 questions have post-hoc plan deviations" in score.stdout and "q-binary" in score.stdout
    )
    assert (
        "q-binary"
        not in kit(run_project, "score", "--exclude-deviations", "--json")
        .stdout.split('"records"')[1]
        .split('"unresolved"')[0]
    )
    status_out = kit(run_project, "status").stdout
    assert "3/3 sealed, 1 post-hoc" in status_out
    out = kit(run_project, "report", "--no-images")
    assert out.returncode == 0, out.stderr
    page = (run_project.root / "report" / "report.html").read_text()
    assert "<h2>Deviations</h2>" in page and "threshold stated as &gt;= 1 in the protocol" in page


def test_a_manual_resolution_records_only_a_run_of_the_plan(run_project):
    """Scenario: a manual resolution named the latest run, whatever its parameters."""
    written_run(run_project, parameters={"n": 0, "seed": 0})
    res = resolve_manual(predictions_of(run_project), "q-binary", "true", "read it")
    assert res.run is None
    good = written_run(run_project)
    res = resolve_manual(predictions_of(run_project), "q-binary", "true", "read it")
    assert res.run == f"exp/{good.id}" and res.plan is not None and res.run_sha256
