"""Resolutions verifiable from the repository: digests, re-evaluation, `kit evidence`."""

from __future__ import annotations

import json
import shutil

import pytest

from kit.predictions.resolutions import load_resolutions
from kit.runs import store
from kit.runs.evidence import archive
from kit.runs.resolve import resolve_all
from kit.runs.verify import resolution_problems
from tests.runs.conftest import predictions_of, written_run
from tests.runs.test_runner import kit


def _problems(project) -> list[str]:
    return [f"{p.severity}: {p.message}" for p in resolution_problems(predictions_of(project))]


def test_each_resolution_records_the_digests_of_what_it_read(run_project):
    run = written_run(run_project)
    resolve_all(predictions_of(run_project))
    res = load_resolutions(predictions_of(run_project))["q-binary"]
    assert res.run_sha256 == store.file_digest(run.dir / "run.json")
    assert res.notebook_sha256 == store.file_digest(run.dir / "notebook.ipynb")
    assert _problems(run_project) == []
    assert kit(run_project, "check").returncode == 0


def test_a_hand_edited_outcome_is_caught(run_project):
    written_run(run_project)
    resolve_all(predictions_of(run_project))
    path = run_project.resolutions_path
    path.write_text(path.read_text().replace("outcome: true", "outcome: false"))
    (problem,) = _problems(run_project)
    assert problem.startswith("error: q-binary: outcome False in the resolutions, but its rule")
    out = kit(run_project, "check")
    assert out.returncode == 1 and "_resolutions.yaml" in out.stderr


def test_a_hand_edited_run_record_is_caught_even_with_its_digest_updated(run_project):
    run = written_run(run_project, results={"x": 1, "done": True})
    resolve_all(predictions_of(run_project))
    run_json = run.dir / "run.json"
    record = json.loads(run_json.read_text())
    record["results"]["x"] = -1  # flips q-binary, q-cat and q-num
    run_json.write_text(json.dumps(record))
    found = _problems(run_project)
    assert any("run.json changed since it was resolved" in p for p in found)
    assert any("results differ from those its executed notebook recorded (x)" in p for p in found)
    assert any(
        "q-binary: outcome True in the resolutions, but its rule gives False" in p for p in found
    )
    path = run_project.resolutions_path  # the adversary updates the digest too
    old = store.file_digest(run_json)
    text = path.read_text()
    res = load_resolutions(predictions_of(run_project))["q-binary"]
    path.write_text(text.replace(res.run_sha256, old))
    assert any(
        "results differ from those its executed notebook" in p for p in _problems(run_project)
    )


def test_kit_evidence_archives_the_resolving_runs_for_a_fresh_clone(run_project):
    run = written_run(run_project)
    out = kit(run_project, "resolve", "--archive")
    assert out.returncode == 0, out.stderr
    assert f"archived exp/{run.id}" in out.stdout and "MB" in out.stdout
    copy = run_project.evidence_dir / "exp" / run.id
    assert (copy / "run.json").read_bytes() == (run.dir / "run.json").read_bytes()
    assert (copy / "notebook.ipynb").is_file()
    shutil.rmtree(run_project.runs_dir)  # a fresh clone: runs/ is not committed
    assert _problems(run_project) == []  # verified from evidence/
    again = archive(predictions_of(run_project))
    assert again.copied == [] and again.present == [f"exp/{run.id}"]
    (copy / "run.json").write_text((copy / "run.json").read_text().replace('"x": 1', '"x": 5'))
    assert any("changed since it was resolved" in p for p in _problems(run_project))


def test_a_resolution_whose_run_is_nowhere_is_a_warning(run_project):
    written_run(run_project)
    resolve_all(predictions_of(run_project))
    shutil.rmtree(run_project.runs_dir)
    found = _problems(run_project)
    assert found and all(p.startswith("warning: cannot verify: run exp/") for p in found)
    assert kit(run_project, "check").returncode == 0


@pytest.mark.slow
def test_a_real_run_resolves_verifies_and_archives(run_project):
    out = kit(run_project, "run", "exp")
    assert out.returncode == 0, out.stderr
    out = kit(run_project, "resolve", "--archive")
    assert out.returncode == 0, out.stderr
    assert _problems(run_project) == []
    shutil.rmtree(run_project.runs_dir)
    assert _problems(run_project) == []
    check = kit(run_project, "check", "--strict")
    assert check.returncode == 0, check.stdout + check.stderr
