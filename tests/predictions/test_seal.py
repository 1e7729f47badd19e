"""Seals: the ledger, tampering, vanished forecasts, torn lines, a broken chain."""

import json

import pytest

from kit.errors import KitError
from kit.predictions import check
from kit.predictions.seal import seal
from tests.conftest import BASIC


def problems(project) -> list[str]:
    return [str(p) for p in check(project).problems]


def test_seal_then_check_is_clean_and_idempotent(project):
    assert len(problems(project)) == 3  # three unsealed warnings
    report = seal(project)
    assert len(report.sealed) == 3
    assert problems(project) == []
    assert seal(project).sealed == []
    lines = project.ledger_path.read_text().splitlines()
    records = [json.loads(line) for line in lines]
    # each question's plan first, then the forecasts, each seal naming its plan version
    assert [(r["kind"], r["question"]) for r in records] == [
        ("plan", "q-binary"),
        ("plan", "q-cat"),
        ("plan", "q-num"),
        ("seal", "q-binary"),
        ("seal", "q-cat"),
        ("seal", "q-num"),
    ]
    assert records[0]["prev"] is None and records[1]["prev"].startswith("sha256:")
    seals = records[3:]
    assert all(r["digest"].startswith("sha256:") and r["sealed_at"].endswith("Z") for r in seals)
    assert [r["plan"] for r in seals] == [r["plan"] for r in records[:3]]


def test_editing_a_sealed_forecast_is_reported_as_tampering(project):
    seal(project)
    path = project.predictions_dir / "basic.yaml"
    path.write_text(path.read_text().replace("p: 0.7", "p: 0.9"))
    (msg,) = problems(project)
    assert msg.startswith(
        "predictions/basic.yaml:11:9: questions[0].forecasts[0]: tampered: ana's forecast on "
        "q-binary (at 2026-01-01T00:00:00.000000Z) or its question's text or type changed "
        "after it was sealed at "
    )
    assert "add a new forecast with a new time" in msg
    # seal refuses to launder it
    report = seal(project)
    assert report.sealed == [] and report.tampered == ["predictions/basic.yaml: q-binary by ana"]


def test_editing_the_question_text_is_tampering_too(project):
    seal(project)
    path = project.predictions_dir / "basic.yaml"
    path.write_text(path.read_text().replace("Is it so?", "Is it not so?"))
    assert "tampered" in problems(project)[0]


def test_deleted_forecast_is_reported_at_its_seal(project):
    seal(project)
    path = project.predictions_dir / "basic.yaml"
    path.write_text(
        path.read_text().replace("      - {by: ana, at: 2026-01-01T00:00:00Z, p: 0.7}\n", "")
    )
    assert problems(project) == [
        "predictions/_seals.jsonl:4:1: ledger: sealed forecast is gone: ana's forecast on "
        "q-binary at 2026-01-01T00:00:00.000000Z (from predictions/basic.yaml) was deleted or "
        "its time changed"
    ]


def test_torn_last_line_is_reported_and_set_aside(project):
    seal(project)
    with open(project.ledger_path, "ab") as f:
        f.write(b'{"v":1,"kind":"seal","question":"q-bin')  # a crash mid-write
    assert problems(project) == [
        "predictions/_seals.jsonl:7:1: ledger: torn last line (a write was cut short); earlier "
        "lines are valid; `kit seal` moves it aside"
    ]
    path = project.predictions_dir / "basic.yaml"
    path.write_text(path.read_text().replace("p: 0.7}", "p: 0.7}\n      - {by: bo, p: 0.2}"))
    report = seal(project)
    assert report.torn_bytes == 38 and len(report.sealed) == 1
    assert problems(project) == []
    assert project.ledger_path.with_name("_seals.jsonl.torn").read_bytes().startswith(b'{"v":1')
    assert len(project.ledger_path.read_text().splitlines()) == 7


def test_edited_ledger_line_breaks_the_chain(project):
    seal(project)
    lines = project.ledger_path.read_text().splitlines(keepends=True)
    lines[3] = lines[3].replace("2026-01-01", "2025-01-01")
    project.ledger_path.write_text("".join(lines))
    msgs = problems(project)
    assert (
        "predictions/_seals.jsonl:5:1: ledger: chain broken: `prev` does not match the "
        "line before (a line was edited, removed or reordered)"
    ) in msgs
    with pytest.raises(KitError, match="the ledger is damaged"):
        seal(project)


def test_seal_fills_in_missing_times_keeping_the_file(make_project):
    text = BASIC.replace(
        "{by: ana, at: 2026-01-01T00:00:00Z, p: 0.7}",
        "{by: ana, p: 0.7}\n      - by: bo\n        p: 0.1\n        why: x",
    )
    project = make_project({"s.yaml": text})
    report = seal(project)
    assert report.timed == 2 and len(report.sealed) == 4
    new = (project.predictions_dir / "s.yaml").read_text()
    assert "      - {at: " in new and "\n        at: " in new
    assert new.count("\n") == text.count("\n") + 1
    assert problems(project) == []


def test_a_damaged_ledger_exits_4_as_documented(project):
    from tests.test_cli import kit

    seal(project)
    lines = project.ledger_path.read_text().splitlines(keepends=True)
    lines[3] = lines[3].replace("2026-01-01", "2025-01-01")
    project.ledger_path.write_text("".join(lines))
    for command in (("check",), ("seal",), ("score",)):
        out = kit(*command, cwd=project.root)
        assert out.returncode == 4, (command, out.stderr)
        assert "ledger" in out.stderr and "Traceback" not in out.stderr


def test_a_ledger_line_of_the_wrong_shape_is_corrupt_not_a_crash(project):
    seal(project)
    lines = project.ledger_path.read_text().splitlines(keepends=True)
    lines.insert(1, lines[3].replace('"question":"q-binary"', '"question":["q-binary"]'))
    project.ledger_path.write_text("".join(lines))
    assert any(":2:1:" in m and "corrupt line" in m for m in problems(project))
