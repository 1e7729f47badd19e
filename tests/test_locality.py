"""Problems stay local: a missing notebook, a question with errors, a tampered forecast
or a gone seal blocks what depends on it, and every command says what it skipped."""

from __future__ import annotations

import pytest

from kit.errors import KitError, NotFound
from kit.predictions import check
from kit.predictions.seal import seal
from kit.runs.plan import make_plan, plan
from kit.workspace import Workspace
from tests.conftest import BASIC, write_project
from tests.runs.conftest import written_run
from tests.test_cli import kit

# A second set on another experiment, with its own question ids.
OTHER = (
    BASIC.replace("experiment: exp", "experiment: later")
    .replace("q-binary", "r-binary")
    .replace("q-cat", "r-cat")
    .replace("q-num", "r-num")
)


@pytest.fixture
def two_sets(tmp_path):
    """Set a (experiment exp, notebook present) and set b (experiment later, no notebook
    yet), both sealed."""
    project = write_project(tmp_path, {"a.yaml": BASIC, "b.yaml": OTHER})
    return project


def test_a_missing_notebook_does_not_stop_sealing_or_checking(two_sets):
    checked = kit("check", cwd=two_sets.root)
    assert checked.returncode == 0, checked.stderr
    assert "predictions/b.yaml:2:13: experiment: warning: no notebook notebooks/later.ipynb" in (
        checked.stdout
    )
    sealed = kit("seal", cwd=two_sets.root)
    assert sealed.returncode == 0, sealed.stderr
    assert "6 newly sealed; 6 forecasts in all" in sealed.stdout


def test_a_missing_notebook_is_an_error_only_for_its_own_experiment(two_sets):
    seal(two_sets)
    planned = make_plan(check(two_sets), "all")
    assert [s["experiment"] for s in planned.specs] == ["exp"]
    ((target, why),) = planned.skipped
    assert target.experiment == "later" and isinstance(why, NotFound)
    assert "experiment 'later' has no notebook notebooks/later.ipynb yet" in str(why)
    with pytest.raises(NotFound, match="no notebook notebooks/later.ipynb yet"):
        plan(check(two_sets), "later")
    alone = kit("run", "later", cwd=two_sets.root)
    assert alone.returncode == 3 and "write it, then run it" in alone.stderr

    written_run(two_sets)  # a run of exp with set a's parameters
    resolved = kit("resolve", cwd=two_sets.root)
    assert resolved.returncode == 1
    assert "q-binary: True" in resolved.stdout and "q-num: 1.0" in resolved.stdout
    assert "r-binary: experiment 'later' has no notebook notebooks/later.ipynb yet" in (
        resolved.stderr
    )
    scored = kit("score", cwd=two_sets.root)
    assert scored.returncode == 0, scored.stderr
    assert "3 forecasts scored; 3 questions unresolved" in scored.stdout
    report = kit("report", "--no-images", cwd=two_sets.root)
    assert report.returncode == 0, report.stderr


def _tamper(project, old="p: 0.7", new="p: 0.9"):
    path = project.predictions_dir / "a.yaml"
    path.write_text(path.read_text().replace(old, new))


def test_a_tampered_forecast_blocks_its_question_not_the_project(tmp_path):
    project = write_project(
        tmp_path, {"a.yaml": BASIC, "b.yaml": OTHER.replace("later", "exp2")}, ("exp", "exp2")
    )
    seal(project)
    _tamper(project)
    with open(project.predictions_dir / "b.yaml", "a") as f:
        f.write("      - {by: bo, quantiles: {0.1: 2, 0.5: 4, 0.9: 8}}\n")

    sealed = kit("seal", cwd=project.root)
    assert sealed.returncode == 1
    assert "sealed r-num by bo" in sealed.stdout
    assert "not sealed, changed after its seal (tampered): predictions/a.yaml: q-binary by ana" in (
        sealed.stderr
    )

    planned = make_plan(check(project), "all")
    assert [s["experiment"] for s in planned.specs] == ["exp2"]
    assert [t.experiment for t, _ in planned.skipped] == ["exp"]
    assert "tampered" in str(planned.skipped[0][1])

    written_run(project)
    written_run(project, experiment="exp2")
    resolved = kit("resolve", cwd=project.root)
    assert resolved.returncode == 0, resolved.stderr  # outcomes do not depend on forecasts

    ws = Workspace.load(project)
    assert [(k.question, k.file) for k in ws.skipped] == [("q-binary", "predictions/a.yaml")]
    table = ws.scores()
    assert "q-binary" not in {r.question for r in table.records}
    assert {r.question for r in table.records} == {"q-cat", "q-num", "r-binary", "r-cat", "r-num"}
    assert ws.community("q-cat") is not None

    scored = kit("score", cwd=project.root)
    assert scored.returncode == 1
    assert "6 forecasts scored" in scored.stdout
    assert (
        "kit: skipped question q-binary (predictions/a.yaml:5): ana's forecast (or the "
        "question's text or type) changed after it was sealed (tampered)"
    ) in scored.stderr
    report = kit("report", "--no-images", cwd=project.root)
    assert report.returncode == 1 and "skipped question q-binary" in report.stderr
    assert (project.root / "report" / "report.html").is_file()

    _tamper(project, "p: 0.9", "p: 0.7")  # restored: the question is back
    assert Workspace.load(project).skipped == []


def test_a_question_with_errors_is_left_out_and_named(two_sets):
    _tamper(two_sets, "p: 0.7", "p: 7")
    sealed = kit("seal", cwd=two_sets.root)
    assert sealed.returncode == 1
    assert "5 newly sealed" in sealed.stdout
    assert (
        "kit: skipped question q-binary (predictions/a.yaml:5): 1 error: Input should be less "
        "than or equal to 1 (got 7) (`kit check` lists them)"
    ) in sealed.stderr
    with pytest.raises(KitError, match="question 'q-binary': 1 error"):
        check(two_sets).question("q-binary")
    predicted = kit("predict", "q-binary", "--by", "cy", "--p", "0.5", cwd=two_sets.root)
    assert predicted.returncode == 1 and "predictions/a.yaml:5: question 'q-binary'" in (
        predicted.stderr
    )
    scored = kit("score", cwd=two_sets.root)
    assert scored.returncode == 1 and "skipped question q-binary" in scored.stderr


def test_a_file_whose_top_is_invalid_is_skipped_whole(two_sets):
    (two_sets.predictions_dir / "c.yaml").write_text("experiment: exp\nquestions: {a: 1}\n")
    sealed = kit("seal", cwd=two_sets.root)
    assert sealed.returncode == 1 and "6 newly sealed" in sealed.stdout
    assert "kit: skipped all of predictions/c.yaml: 1 error, the first on line 2" in sealed.stderr


def test_a_gone_seal_blocks_its_question(two_sets):
    seal(two_sets)
    path = two_sets.predictions_dir / "a.yaml"
    text = path.read_text()
    path.write_text(text.replace("      - {by: ana, at: 2026-01-01T00:00:00Z, p: 0.7}\n", ""))
    ws = Workspace.load(two_sets)
    (skip,) = ws.skipped
    assert skip.question == "q-binary" and "is gone from the file" in skip.why


def test_a_damaged_ledger_still_stops_everything(two_sets):
    seal(two_sets)
    lines = two_sets.ledger_path.read_text().splitlines(keepends=True)
    two_sets.ledger_path.write_text("".join(lines[1:]))  # the chain is broken
    assert kit("score", cwd=two_sets.root).returncode == 4
    assert kit("seal", cwd=two_sets.root).returncode == 4
