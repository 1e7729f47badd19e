"""Sealed analysis plans: what a plan holds, deviations, amendments, old ledgers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kit.errors import NotFound, UsageError
from kit.predictions import check
from kit.predictions.amend import amend
from kit.predictions.seal import seal
from kit.project import Project
from tests.conftest import BASIC, NOTEBOOK, notebook
from tests.test_cli import kit

ROOT = Path(__file__).resolve().parents[2]


def _records(project) -> list[dict]:
    return [json.loads(line) for line in project.ledger_path.read_text().splitlines()]


def _edit(project, old: str, new: str, name: str = "basic.yaml") -> None:
    path = project.predictions_dir / name
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new))


def _deviations(project) -> list[str]:
    return [p.message for p in check(project).problems if p.code == "deviation"]


def test_a_plan_holds_rule_kind_fields_parameters_notebook_and_inputs(project):
    seal(project)
    plans = {r["question"]: r for r in _records(project) if r["kind"] == "plan"}
    body = plans["q-cat"]["body"]
    assert body["resolve"] == "'a' if x > 0 else 'b'"
    assert body["fields"] == {"options": ["a", "b", "c"], "ordered": False}
    assert plans["q-num"]["body"]["fields"] == {"bounds": [0.0, 100.0], "unit": None}
    assert body["experiment"] == "exp"
    assert body["parameters"] == {"n": 3, "seed": 0}  # checked against the notebook
    assert len(body["notebook"]) == 64 and body["inputs"] == {}
    seals = [r for r in _records(project) if r["kind"] == "seal"]
    assert {s["question"]: s["plan"] for s in seals} == {q: p["plan"] for q, p in plans.items()}


def test_editing_the_rule_is_a_deviation_that_names_what_changed(project):
    """Scenario: a rule threshold edited after seeing results used to pass silently."""
    seal(project)
    _edit(project, "resolve: x > 0", "resolve: x > 1")
    (message,) = _deviations(project)
    assert message.startswith("q-binary: plan changed since it was sealed (version 1, ")
    assert "rule: 'x > 0' -> 'x > 1'" in message
    assert "`kit amend q-binary --why TEXT`" in message
    out = kit("check", "--strict", cwd=project.root)
    assert out.returncode == 1 and "1 errors" in out.stderr
    _edit(project, "resolve: x > 1", "resolve: x > 0")  # reverting is the other fix
    assert _deviations(project) == []


@pytest.mark.parametrize(
    ("old", "new", "changed"),
    [
        ("parameters: {n: 3, seed: 0}", "parameters: {n: 3, seed: 1}", "parameter seed: 0 -> 1"),
        ("options: [a, b, c]", "options: [a, b, c, d]", 'options: ["a", "b", "c"] -> '),
        ("bounds: [0, 100]", "bounds: [0, 50]", "bounds: [0.0, 100.0] -> [0.0, 50.0]"),
        (
            "type: binary\n    resolve: x > 0",
            "type: binary\n    experiment: other\n    resolve: x > 0",
            "experiment: exp -> other",
        ),
    ],
)
def test_parameters_options_bounds_and_experiment_are_part_of_the_plan(
    make_project, old, new, changed
):
    project = make_project({"basic.yaml": BASIC}, notebooks=("exp", "other"))
    seal(project)
    _edit(project, old, new)
    found = _deviations(project)
    assert found and all(changed in m for m in found), found


def test_the_notebook_code_and_declared_inputs_are_part_of_the_plan(project):
    seal(project)
    nb = project.notebook_path("exp")
    nb.write_text(notebook("n = 1\nseed = 0", "x = 2"))
    assert all("notebook digest: " in m for m in _deviations(project))
    assert len(_deviations(project)) == 3
    nb.write_text(NOTEBOOK)  # back as sealed
    assert _deviations(project) == []
    meta = notebook("n = 1\nseed = 0", metadata={"kit": {"inputs": ["weights.bin"]}})
    nb.write_text(meta)  # metadata is not the notebook's code: only its inputs count
    assert all("input weights.bin added (missing)" in m for m in _deviations(project))


def test_a_deviation_holds_back_only_its_own_question_when_sealing(project):
    seal(project)
    _edit(project, "resolve: x > 0", "resolve: x > 1")
    _edit(project, "p: 0.7}", "p: 0.7}\n      - {by: bo, p: 0.2}")
    _edit(
        project,
        "probs: {a: 0.5, b: 0.3, c: 0.2}}",
        "probs: {a: 0.5, b: 0.3, c: 0.2}}\n      - {by: bo, probs: {a: 1.0}}",
    )
    report = seal(project)
    assert [r.question.id for r in report.sealed] == ["q-cat"]
    assert report.held == ["predictions/basic.yaml: q-binary by bo"]
    assert report.deviations and report.deviations[0].startswith("q-binary: plan changed")


def test_a_clean_amendment_seals_the_new_version_with_its_reason(project):
    seal(project)
    _edit(project, "resolve: x > 0", "resolve: x >= 0")
    report = amend(project, ["q-binary"], "  zero counts as success: pre-registered wording  ")
    assert report.changes == {"q-binary": ["rule: 'x > 0' -> 'x >= 0'"]}
    last = _records(project)[-1]
    assert (
        last["kind"] == "amend" and last["why"] == "zero counts as success: pre-registered wording"
    )
    assert last["posthoc"] is False and last["previous"] == _records(project)[0]["plan"]
    status = check(project).plans["q-binary"]
    assert not status.deviation and len(status.versions) == 2 and status.amendments
    assert [p for p in check(project).problems if p.severity == "error"] == []


def test_refused_amendments_change_nothing(project):
    seal(project)
    before = project.ledger_path.read_bytes()
    with pytest.raises(UsageError, match="needs a reason"):
        amend(project, ["q-binary"], "   ")
    with pytest.raises(UsageError, match="unchanged since its latest sealed version"):
        amend(project, ["q-binary"], "no change")
    with pytest.raises(NotFound, match="no question 'q-bin'; did you mean q-binary"):
        amend(project, ["q-bin"], "typo")
    _edit(project, "resolve: x > 0", "resolve: x > 1")
    with pytest.raises(UsageError, match="q-cat: its plan is unchanged"):
        amend(project, ["q-binary", "q-cat"], "all or nothing")
    assert project.ledger_path.read_bytes() == before
    out = kit("amend", "q-binary", cwd=project.root)
    assert out.returncode == 2 and "needs a reason" in out.stderr and "Traceback" not in out.stderr
    assert project.ledger_path.read_bytes() == before


def test_kit_amend_and_seal_amend_on_the_command_line(project):
    seal(project)
    _edit(project, "parameters: {n: 3, seed: 0}", "parameters: {n: 3, seed: 1}")
    out = kit(
        "seal", "--amend", "seed 0 was a typo for the pre-registered seed 1", cwd=project.root
    )
    assert out.returncode == 0, out.stderr
    assert "amended the plan of q-binary: clean amendment" in out.stdout
    assert "  parameter seed: 0 -> 1" in out.stdout
    assert kit("check", "--strict", cwd=project.root).returncode == 0


def test_a_plan_sealed_late_can_be_recorded_with_a_reason(project):
    """A ledger from before plans were sealed: `kit amend` records the first version and
    why it came only now (as the shipped example does)."""
    seal(project)
    lines = [r for r in _records(project) if r["kind"] == "seal"]
    prev = None
    from kit.predictions.ledger import line_hash

    text = ""
    for rec in lines:  # the same forecasts, as an older kit sealed them: no plan
        rec = {k: v for k, v in rec.items() if k != "plan"} | {"prev": prev}
        line = json.dumps(rec, sort_keys=True, separators=(",", ":"))
        prev = line_hash(line.encode())
        text += line + "\n"
    project.ledger_path.write_text(text)
    result = check(project)
    assert [p.code for p in result.problems] == ["unsealed-plan"] * 3
    assert all(r.sealed for r in result.forecasts())
    amend(project, ["q-binary", "q-cat", "q-num"], "notebooks changed since the forecasts")
    assert check(project).problems == []
    assert [r["kind"] for r in _records(project)][-3:] == ["amend"] * 3


def test_the_shipped_ledger_written_by_the_previous_version_verifies_unchanged():
    """predictions/_seals.jsonl (64 seals, no plans) reads and verifies as it is."""
    project = Project(ROOT)
    result = check(project)
    assert result.ledger.problems == [] and len(result.ledger.seals) >= 64
    codes = {p.code for p in result.problems}
    assert codes <= {"unsealed-plan", "deviation"}, codes
    assert all(r.sealed for r in result.forecasts())


def test_an_unknown_record_kind_is_corrupt(project):
    seal(project)
    with open(project.ledger_path, "a") as f:
        f.write('{"kind":"nonsense","prev":null}\n')
    (problem,) = [p for p in check(project).problems if p.code == "corrupt"]
    assert "its kind is none of amend, plan, seal" in problem.message


def test_a_plan_can_be_sealed_before_its_notebook_exists(make_project):
    project = make_project({"basic.yaml": BASIC}, notebooks=())
    report = seal(project)
    assert len(report.sealed) == 3 and len(report.plans) == 3
    body = next(r for r in _records(project) if r["kind"] == "plan")["body"]
    assert body["notebook"] is None and body["parameters"] == {"n": 3, "seed": 0}
    project.notebook_path("exp").write_text(notebook("n = 1\nseed = 0"))
    assert all("notebook digest: no notebook -> " in m for m in _deviations(project))
    report = amend(project, ["q-binary", "q-cat", "q-num"], "the notebook, written now")
    assert not any(r["posthoc"] for r in report.amended)
    assert check(project).problems == []
