"""Issue 21's reproductions, command by command: located messages, never exit 70."""

from __future__ import annotations

import json
import os

import pytest

from kit.predictions.seal import seal
from tests.conftest import BASIC, write_project
from tests.hostile import run_in_process
from tests.test_cli import kit

READERS = (("score",), ("status",), ("report", "--no-images"), ("resolve", "--dry-run"))


@pytest.fixture
def sealed(tmp_path, monkeypatch):
    monkeypatch.delenv("KIT_DEBUG", raising=False)
    project = write_project(tmp_path, {"basic.yaml": BASIC})
    seal(project)
    return project


@pytest.mark.parametrize("command", READERS)
def test_a_resolutions_folder_is_a_located_error_for_every_command(sealed, command):
    sealed.resolutions_path.mkdir()
    out = run_in_process(sealed.root, *command)
    assert out.code in (0, 1), out.err  # status shows what it can and lists the problem
    assert "predictions/_resolutions.yaml:1:1: file: is a folder, not a regular file" in out.err


@pytest.mark.parametrize("command", READERS)
def test_an_evidence_time_without_a_zone_is_located_for_every_command(sealed, command):
    sealed.resolutions_path.write_text(
        "q-binary:\n  outcome: true\n  how: manual\n  why: x\n"
        "  evidence_at: '2026-11-23T10:15:00'\n"
    )
    out = run_in_process(sealed.root, *command)
    assert out.code in (0, 1) and "internal error" not in out.err, out.err
    assert (
        "predictions/_resolutions.yaml:5:16: q-binary.evidence_at: not an ISO 8601 time with a "
        "zone, e.g. 2026-11-23T10:15:00Z (got '2026-11-23T10:15:00')"
    ) in out.err


@pytest.mark.parametrize("command", (*READERS, ("check",)))
def test_a_last_ledger_line_without_a_zone_is_a_damaged_ledger(sealed, command):
    lines = sealed.ledger_path.read_text().splitlines(keepends=True)
    lines[-1] = lines[-1].replace('Z","v"', '","v"')
    sealed.ledger_path.write_text("".join(lines))
    out = run_in_process(sealed.root, *command)
    assert out.code in (0, 4) and "internal error" not in out.err, out.err
    last = len(lines)  # forecast and plan seals
    assert f"predictions/_seals.jsonl:{last}:1: ledger: corrupt line: sealed_at: Input should" in (
        out.err + out.out
    ) or (command == ("status",) and "problems: run `kit check`" in out.err)


@pytest.mark.parametrize(
    ("outcomes", "message"),
    [
        ("q-binary: !!bool 1\n", "outcomes.yaml:1:11: yaml: !!bool needs true or false, not '1'"),
        ("q-num: " + "9" * 4000 + "\n", "outcomes.yaml:1:8: yaml: an integer of 4000 digits"),
        ("q-num: 1e999\n", "outcomes.yaml:1:8: q-num: outcome inf is not a finite number"),
        ("q-cat: '" + "d" * 5000 + "'\n", "is not an option (a, b, c)"),
    ],
)
def test_hostile_outcomes_files_are_located(sealed, outcomes, message):
    path = sealed.root / "outcomes.yaml"
    path.write_text(outcomes)
    out = run_in_process(sealed.root, "score", "--outcomes", str(path))
    assert out.code == 1 and message in out.err, out.err
    assert len(out.err) < 500


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_an_outcomes_file_that_is_not_a_regular_file_is_refused_unread(sealed, kind):
    path = sealed.root / "outcomes.yaml"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")
    out = run_in_process(sealed.root, "score", "--outcomes", str(path))
    assert out.code == 1, out.err
    assert "not a regular file" in out.err


def test_a_huge_sparse_question_set_is_refused_before_reading(sealed):
    with open(sealed.predictions_dir / "big.yaml", "wb") as f:
        f.truncate(3 * 1024**3)
    out = run_in_process(sealed.root, "check")
    assert out.code == 1
    assert "predictions/big.yaml:1:1: file: is 3072.0 MiB (3221225472 bytes); the limit" in out.err


def test_score_json_stays_valid_with_hostile_text(tmp_path, monkeypatch):
    monkeypatch.delenv("KIT_DEBUG", raising=False)
    text = BASIC.replace("text: Is it so?", 'text: "Infinity \\u2028 NaN \\\\ \\" \\t é"')
    project = write_project(tmp_path, {"basic.yaml": text})
    (tmp_path / "o.yaml").write_text("q-binary: true\nq-cat: a\nq-num: 5\n")
    out = run_in_process(project.root, "score", "--json", "--outcomes", str(tmp_path / "o.yaml"))
    assert out.code == 0, out.err
    assert len(json.loads(out.out)["records"]) == 3


def test_the_issue_reproductions_never_exit_70_in_a_real_process(sealed):
    # One subprocess end to end (the others run in this process, for speed).
    text = (sealed.predictions_dir / "basic.yaml").read_text()
    (sealed.predictions_dir / "basic.yaml").write_text(
        text.replace("experiment: exp", 'experiment: "a\\ud800b"')
    )
    out = kit("check", cwd=sealed.root)
    assert out.returncode == 1 and "text holds a lone surrogate" in out.stderr, out.stderr


def test_a_file_name_that_is_not_utf8_or_holds_escapes_is_shown_escaped(tmp_path, monkeypatch):
    monkeypatch.delenv("KIT_DEBUG", raising=False)
    project = write_project(tmp_path, {"basic.yaml": BASIC})
    os.rename(
        project.predictions_dir / "basic.yaml",
        os.fsencode(project.predictions_dir) + b"/b\xffad\x1b[31m.yaml",
    )
    (tmp_path / "o.yaml").write_text("q-binary: true\n")
    for args in (("check",), ("seal",), ("status",), ("check", "--strict")):
        out = run_in_process(project.root, *args)
        assert out.code == 0 and "\x1b" not in out.out + out.err, (args, out.err)
    files = {json.loads(line)["file"] for line in project.ledger_path.read_text().splitlines()}
    assert files == {"predictions/b\\xffad\\x1b[31m.yaml"}
    out = run_in_process(
        project.root, "score", "--json", "--by", "set", "--outcomes", str(tmp_path / "o.yaml")
    )
    assert json.loads(out.out)["groups"][0]["set"] == "b\\xffad\\x1b[31m"
