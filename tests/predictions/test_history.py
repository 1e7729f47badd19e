"""Git as the witness of the ledger, in real repositories: rewritten chains, backdated
seals and commits, witnessed lateness, `kit seal --tag`."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import UTC, datetime, timedelta

import pytest

from kit.predictions import check
from kit.predictions.history import GitError, check_history, tag_head
from kit.predictions.ledger import line_hash
from kit.predictions.predict import add_forecast
from kit.predictions.resolutions import Resolution, write_resolutions
from kit.predictions.seal import seal
from kit.predictions.timefmt import iso
from kit.workspace import Workspace
from tests.conftest import BASIC, write_project
from tests.test_cli import kit

DAY = timedelta(days=1)


def git(root, *args, when: datetime | None = None) -> str:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1"}
    if when is not None:
        stamp = f"{int(when.timestamp())} +0000"
        env |= {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
    done = subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def commit(root, message: str, when: datetime | None = None) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message, when=when)


@pytest.fixture
def repo(tmp_path):
    """A project in a git repository, its forecasts sealed and committed."""
    project = write_project(tmp_path, {"basic.yaml": BASIC})
    git(tmp_path, "init", "-q")
    git(tmp_path, "config", "user.name", "Test")
    git(tmp_path, "config", "user.email", "test@example.org")
    seal(project)
    commit(tmp_path, "sealed")
    return project


def _rechain(lines: list[dict]) -> str:
    """The records as a ledger with a correct chain (what an adversary writes)."""
    prev, out = None, ""
    for rec in lines:
        line = json.dumps({**rec, "prev": prev}, sort_keys=True, separators=(",", ":"))
        prev = line_hash(line.encode())
        out += line + "\n"
    return out


def _records(project) -> list[dict]:
    return [json.loads(x) for x in project.ledger_path.read_text().splitlines()]


def test_an_honest_history_witnesses_every_line(repo):
    report = check_history(repo)
    assert report.problems == []
    assert len(report.lines) == 6 and all(w.source.startswith("commit ") for w in report.lines)
    out = kit("check", "--history", cwd=repo.root)
    assert out.returncode == 0, out.stderr
    assert "line 4: seal q-binary by ana: sealed_at " in out.stdout and "witnessed" in out.stdout


def test_a_rewritten_chain_passes_check_but_not_the_history(repo):
    records = _records(repo)
    records[3]["sealed_at"] = "2020-01-01T00:00:00.000000Z"  # claim it was sealed long ago
    repo.ledger_path.write_text(_rechain(records))
    assert [p for p in check(repo).problems if p.severity == "error"] == []  # chain is fine
    (problem,) = check_history(repo).problems
    assert problem.code == "rewritten" and problem.line == 4
    assert "the working copy is not an extension of the one in commit" in problem.message
    commit(repo.root, "rewrite")
    problems = check_history(repo).problems
    (problem,) = [p for p in problems if p.code == "rewritten"]
    assert "the ledger in commit" in problem.message and "line 4 differs" in problem.message
    assert [p.line for p in problems if p.code == "backdated"] == [4]  # and it claims 2020
    out = kit("check", "--history", cwd=repo.root)
    assert out.returncode == 1 and "rewritten" in out.stderr


def test_a_backdated_seal_is_flagged_and_late_by_its_witnessed_time(repo):
    now = datetime.now(UTC)
    evidence = now - 5 * DAY
    write_resolutions(
        repo,
        {
            "q-binary": Resolution(
                question="q-binary",
                outcome=True,
                how="manual",
                evidence_at=evidence,
                resolved_at=iso(evidence),
                why="seen",
            )
        },
    )
    added = add_forecast(repo, "q-binary", "bo", p=0.99, at=now - 10 * DAY)
    seal(repo)
    records = _records(repo)
    records[-1]["sealed_at"] = iso(now - 10 * DAY).replace("Z", "000Z")  # backdated, chained
    repo.ledger_path.write_text(_rechain(records))
    assert [p for p in check(repo).problems if p.severity == "error"] == []
    commit(repo.root, "bo's forecast")
    flagged = [p for p in check_history(repo).problems if p.code == "backdated"]
    assert len(flagged) == 1 and "plan" not in flagged[0].message
    assert "seal of q-binary by bo claims sealed_at" in flagged[0].message
    assert "days later" in flagged[0].message
    claimed = Workspace.load(repo)
    bo = next(r for r in claimed.forecasts("q-binary") if r.forecast.by == "bo")
    assert bo.forecast.at == added.forecast.at
    assert not claimed.late(bo)  # on time by its (false) claim
    witnessed = Workspace.load(repo, witnessed=True)
    bo = next(r for r in witnessed.forecasts("q-binary") if r.forecast.by == "bo")
    assert witnessed.late(bo)  # late by when git first saw it
    late = json.loads(kit("score", "--json", cwd=repo.root).stdout)["late"]
    assert [r["by"] for r in late] == ["ana"]  # sealed (truly) after the evidence
    late = json.loads(kit("score", "--witnessed", "--json", cwd=repo.root).stdout)["late"]
    assert [r["by"] for r in late] == ["ana", "bo"]


def test_a_backdated_commit_witnesses_no_earlier_than_the_one_before(repo):
    first = check_history(repo).lines[0].witnessed
    add_forecast(repo, "q-cat", "bo", probs={"a": 1.0})
    seal(repo)
    commit(repo.root, "backdated", when=first - 30 * DAY)
    last = check_history(repo).lines[-1]
    assert last.witnessed >= first


def test_seal_tag_records_the_head_and_witnesses_uncommitted_lines(repo):
    add_forecast(repo, "q-cat", "bo", probs={"a": 1.0})
    seal(repo)
    assert check_history(repo).lines[-1].source == "not committed"
    made = tag_head(repo)
    assert made.created and made.name.startswith("kit-ledger-7-")
    assert git(repo.root, "cat-file", "-p", made.name + "^{}") == repo.ledger_path.read_text()
    assert check_history(repo).lines[-1].source == f"tag {made.name}"
    assert not tag_head(repo).created  # the same head: nothing new
    out = kit("seal", "--tag", cwd=repo.root)
    assert out.returncode == 0 and f"tagged the ledger's head: {made.name}" in out.stdout


def test_no_repository_no_witness(project):
    with pytest.raises(GitError, match="not in a git repository"):
        check_history(project)
    out = kit("check", "--history", cwd=project.root)
    assert out.returncode == 1 and "not in a git repository" in out.stderr
