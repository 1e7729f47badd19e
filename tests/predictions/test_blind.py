"""Blind forecasts: commit, seal, reveal, verify; blindness required; reveals held."""

from __future__ import annotations

import json
import re
import stat
from datetime import timedelta

import pytest

from kit.errors import UsageError
from kit.predictions import check
from kit.predictions.blind import PrivateStoreError, store_path
from kit.predictions.ledger import key
from kit.predictions.predict import add_forecast
from kit.predictions.resolutions import Resolution, write_resolutions
from kit.predictions.reveal import RevealRefused, reveal
from kit.predictions.seal import seal
from kit.predictions.timefmt import iso, now
from kit.workspace import Workspace
from tests.conftest import BASIC, write_project
from tests.test_cli import kit


def _blind(project, qid: str, by: str, **value):
    added = add_forecast(project, qid, by, blind=True, **value)
    seal(project, keys={key(qid, by, added.forecast.at)})
    return added


def _text(project) -> str:
    return (project.predictions_dir / "basic.yaml").read_text()


def _resolve_by_hand(project, qid: str, outcome) -> None:
    at = now() + timedelta(milliseconds=5)
    res = Resolution(
        question=qid, outcome=outcome, how="manual", evidence_at=at, resolved_at=iso(at), why="t"
    )
    write_resolutions(project, {qid: res})


def test_commit_reveal_round_trip(project):
    seal(project)
    _blind(project, "q-binary", "bo", p=0.35, why="base rate: a third")
    _blind(project, "q-num", "bo", quantiles={0.1: 2.0, 0.5: 4.0, 0.9: 8.0})
    text = _text(project)
    assert "0.35" not in text and "base rate" not in text and text.count("commit: ") == 2
    store = store_path(project, "bo")
    assert stat.S_IMODE(store.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.parent.stat().st_mode) == 0o700
    assert all(r.sealed for r in check(project).forecasts())
    assert [p for p in check(project).problems] == []
    _resolve_by_hand(project, "q-binary", True)  # evidence after the commitment
    table = Workspace.load(project).scores()
    assert table.unrevealed == ["bo on q-binary"] and {r.by for r in table.records} == {"ana"}
    report = reveal(project, by="bo")
    assert report.revealed == ["q-binary by bo", "q-num by bo"]
    text = _text(project)
    assert "p: 0.35, salt: " in text and 'why: "base rate: a third"' in text
    result = check(project)
    assert result.problems == [] and all(r.sealed for r in result.forecasts())
    mine = {r.question.id: r.forecast for r in result.forecasts() if r.forecast.by == "bo"}
    assert mine["q-num"].quantiles == {0.1: 2.0, 0.5: 4.0, 0.9: 8.0}
    ws = Workspace.load(project)
    scored = {(r.question, r.by) for r in ws.scores().records}
    assert ("q-binary", "bo") in scored and not any(ws.late(r) for r in ws.forecasts())


def test_a_forged_reveal_is_tampering(project):
    _blind(project, "q-binary", "bo", p=0.35)
    reveal(project, by="bo")
    path = project.predictions_dir / "basic.yaml"
    path.write_text(path.read_text().replace("p: 0.35, salt:", "p: 0.9, salt:"))
    (problem,) = [p for p in check(project).problems if p.severity == "error"]
    assert problem.code == "tampered"
    assert "bo's revealed forecast on q-binary does not open its commitment" in problem.message
    out = kit("check", cwd=project.root)
    assert out.returncode == 1 and "does not open its commitment" in out.stderr
    text = path.read_text().replace("p: 0.9, salt:", "p: 0.35, salt:")
    salt = re.search(r"salt: \"?([0-9a-f]{64})", text).group(1)
    path.write_text(text.replace(salt, salt[:20]))
    (problem,) = [p for p in check(project).problems if p.severity == "error"]
    assert (
        problem.field.endswith(".salt") and "a salt is 64 lowercase hex digits" in problem.message
    )


def test_a_store_that_does_not_open_the_commitment_reveals_nothing(project):
    _blind(project, "q-binary", "bo", p=0.35)
    store = store_path(project, "bo")
    store.write_text(store.read_text().replace('"value": "0.35"', '"value": "0.9"'))
    before = _text(project)
    with pytest.raises(RevealRefused, match="do not open the commitment"):
        reveal(project, by="bo")
    assert _text(project) == before


def test_bad_stores_are_refused_with_clear_messages(project):
    _blind(project, "q-binary", "bo", p=0.35)
    store = store_path(project, "bo")
    good = store.read_text()
    before = _text(project)
    entry = json.loads(good)
    store.write_text(json.dumps(entry | {"salt": entry["salt"][:-2]}) + "\n")
    with pytest.raises(PrivateStoreError, match=r"bo.jsonl:1: salt: String should match"):
        reveal(project, by="bo")
    store.unlink()
    with pytest.raises(PrivateStoreError, match="no private store: the values of blind"):
        reveal(project, by="bo")
    store.mkdir()  # unreadable as a file
    with pytest.raises(PrivateStoreError, match="cannot read"):
        reveal(project, by="bo")
    store.rmdir()
    copy = project.root / "elsewhere.jsonl"
    copy.write_text(good)
    assert reveal(project, by="bo", store_file=copy).revealed == ["q-binary by bo"]
    assert _text(project) != before


def test_revealing_what_was_never_committed_is_refused(project):
    before = _text(project)
    with pytest.raises(RevealRefused, match="ana has no blind forecast on it: nothing was"):
        reveal(project, by="ana", question_ids=["q-binary"])
    with pytest.raises(RevealRefused, match="ana has no blind forecast"):
        reveal(project, by="ana")
    out = kit("reveal", "--by", "ana", "q-cat", cwd=project.root)
    assert out.returncode == 1 and "nothing revealed" in out.stderr
    assert _text(project) == before


def test_a_question_can_require_blind_forecasts(make_project):
    project = make_project({"basic.yaml": BASIC.replace("parameters:", "blind: true\nparameters:")})
    assert {p.code for p in check(project).errors} == {"blind"}  # ana's plain values
    path = project.predictions_dir / "basic.yaml"
    path.write_text(path.read_text().replace("      - {by: ana", "      # - {by: ana"))
    before = _text(project)
    with pytest.raises(UsageError, match="q-binary requires blind forecasts"):
        add_forecast(project, "q-binary", "bo", p=0.4)
    assert _text(project) == before
    _blind(project, "q-binary", "bo", p=0.4)
    assert check(project).errors == []
    _resolve_by_hand(project, "q-binary", False)
    add_forecast(project, "q-binary", "cy", p=0.1)  # resolved: plain is fine (and late)
    assert check(project).errors == []


def test_reveals_wait_for_a_time_or_for_everyone_listed(tmp_path):
    later = iso(now() + timedelta(days=1))
    text = BASIC.replace("parameters:", f"reveal_after: {later}\nparameters:")
    project = write_project(tmp_path / "a", {"basic.yaml": text})
    _blind(project, "q-binary", "bo", p=0.4)
    report = reveal(project)
    assert report.revealed == [] and len(report.held) == 1
    assert report.held[0].startswith("q-binary by bo: reveals held until 20")
    with pytest.raises(RevealRefused, match="held until"):
        reveal(project, by="bo", question_ids=["q-binary"])
    assert reveal(project, now=now() + timedelta(days=2)).revealed == ["q-binary by bo"]

    text = BASIC.replace("parameters:", "reveal_after: [bo, cy]\nparameters:")
    project = write_project(tmp_path / "b", {"basic.yaml": text})
    _blind(project, "q-binary", "bo", p=0.4)
    assert reveal(project).held == [
        "q-binary by bo: reveals held until cy committed (reveal_after)"
    ]
    _blind(project, "q-binary", "cy", p=0.6)
    assert reveal(project).revealed == ["q-binary by bo", "q-binary by cy"]


def test_not_revealing_a_bad_forecast_does_not_bring_back_an_earlier_one(project):
    seal(project)
    _blind(project, "q-binary", "ana", p=0.01)  # her latest, hidden
    _resolve_by_hand(project, "q-binary", True)
    table = Workspace.load(project).scores()
    assert "ana on q-binary" in table.unrevealed
    assert ("q-binary", "ana") not in {(r.question, r.by) for r in table.records}


def test_blind_on_the_command_line(project):
    out = kit("predict", "q-binary", "--by", "bo", "--p", "0.37", "--blind", cwd=project.root)
    assert out.returncode == 0, out.stderr
    assert "added bo's forecast a blind commitment" in out.stdout
    assert "1 newly sealed" in out.stdout and ".kit/private/bo.jsonl" in out.stdout
    assert "0.37" not in _text(project)
    out = kit("reveal", "--by", "bo", cwd=project.root)
    assert out.returncode == 0 and "revealed q-binary by bo" in out.stdout
    assert "p: 0.37, salt: " in _text(project)
