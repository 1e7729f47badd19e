"""The workspace: one rule for lateness, read the same by scores, markets, the community
forecast and `kit status`; evidence from a resolution or from a run."""

from __future__ import annotations

import json
from datetime import timedelta

from kit.predictions.predict import add_forecast
from kit.predictions.resolutions import Resolution, write_resolutions
from kit.predictions.seal import seal
from kit.predictions.timefmt import iso, now
from kit.workspace import Workspace
from tests.test_cli import kit


def _late_bo(project):
    """ana sealed before the evidence, bo after it; q-binary resolved true."""
    seal(project)  # ana's three forecasts
    evidence = now() + timedelta(milliseconds=5)
    write_resolutions(
        project,
        {
            "q-binary": Resolution(
                question="q-binary",
                outcome=True,
                how="manual",
                evidence_at=evidence,
                resolved_at=iso(evidence),
                why="test",
            )
        },
    )
    add_forecast(project, "q-binary", "bo", p=0.01, at=evidence + timedelta(seconds=1))
    seal(project, now=evidence + timedelta(seconds=2))
    return evidence


def test_late_forecasts_are_left_out_of_community_market_and_scores(project):
    _late_bo(project)
    ws = Workspace.load(project)
    late = {r.forecast.by: ws.late(r) for r in ws.forecasts("q-binary")}
    assert late == {"ana": False, "bo": True}
    assert ws.community("q-binary") == {"n": 1, "p": 0.7}  # bo's 0.01 not pooled
    assert [t["by"] for t in ws.market("q-binary").history] == ["ana"]
    table = ws.scores()
    assert [(r.question, r.by) for r in table.records] == [("q-binary", "ana")]
    assert [(r.question, r.by) for r in table.late] == [("q-binary", "bo")]
    assert ws.late_count("q-binary") == 1
    with_late = ws.scores(include_late=True)
    assert {r.by for r in with_late.records} == {"ana", "bo"}


def test_status_and_score_json_count_the_same_late_forecast(project):
    _late_bo(project)
    status = kit("status", cwd=project.root)
    assert status.returncode == 0
    row = next(line for line in status.stdout.splitlines() if line.strip().startswith("│ basic"))
    cells = [c.strip() for c in row.split("│") if c.strip()]
    assert cells[:7] == ["basic", "exp", "3", "4", "4", "1", "1"]
    scored = json.loads(kit("score", "--json", cwd=project.root).stdout)
    assert [r["by"] for r in scored["late"]] == ["bo"]
    assert scored["community"]["q-binary"]["n"] == 1


def _write_run(project, started: str, parameters: dict, status: str = "ok") -> str:
    run_id = "20260101T000000Z-abcdef"
    folder = project.runs_dir / "exp" / run_id
    folder.mkdir(parents=True)
    record = {
        "id": run_id,
        "experiment": "exp",
        "notebook": "notebooks/exp.ipynb",
        "parameters": parameters,
        "status": status,
        "started": started,
        "ended": started,
        "results": {"x": 1},
    }
    (folder / "run.json").write_text(json.dumps(record))
    return run_id


def test_an_unresolved_question_has_its_first_matching_run_as_evidence(project):
    seal(project)
    start = now() + timedelta(milliseconds=5)
    run_id = _write_run(project, iso(start), {"n": 3, "seed": 0})
    ws = Workspace.load(project)
    evidence = ws.evidence("q-cat")
    assert (evidence.source, evidence.run, evidence.at) == ("run", f"exp/{run_id}", start)
    assert not any(ws.late(r) for r in ws.forecasts())
    add_forecast(project, "q-cat", "bo", probs={"a": 1.0}, at=start + timedelta(seconds=1))
    ws = Workspace.load(project)
    assert [r.forecast.by for r in ws.forecasts("q-cat") if ws.late(r)] == ["bo"]


def test_runs_with_other_parameters_or_failed_are_no_evidence(project):
    _write_run(project, iso(now()), {"n": 4, "seed": 0})
    assert Workspace.load(project).evidence("q-cat").source == "none"
