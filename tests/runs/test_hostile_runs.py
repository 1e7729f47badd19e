"""Hostile run targets, notebooks and run records, and runs whose process is gone (issue 21).

Only the last test starts kernels (marked slow).
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from kit.errors import NotFound, UsageError
from kit.runs import orphans, store
from kit.runs.plan import plan, select
from tests.runs.conftest import EXP, PROBE, predictions_of, written_run
from tests.runs.test_runner import KIT, _start_two_slow_runs, kit


def _evil_notebook(folder: Path) -> Path:
    """An experiment notebook (by its metadata) outside the project."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "evil.ipynb").write_text(PROBE)
    return folder / "evil.ipynb"


@pytest.mark.parametrize("how", ["absolute", "dotdot", "symlinked notebook", "symlinked folder"])
def test_kit_run_never_runs_a_notebook_outside_the_project(run_project, tmp_path, how):
    outside = _evil_notebook(tmp_path / "elsewhere")
    notebooks = run_project.notebooks_dir
    if how == "absolute":
        target = str(outside.with_suffix(""))
    elif how == "dotdot":
        target = os.path.relpath(outside.with_suffix(""), notebooks)
    elif how == "symlinked notebook":
        (notebooks / "evil.ipynb").symlink_to(outside)
        target = "evil"
    else:
        (notebooks / "sub").symlink_to(outside.parent, target_is_directory=True)
        target = "sub/evil"
    with pytest.raises(UsageError, match="kit run takes an experiment name, a question set in"):
        select(predictions_of(run_project), target)
    out = kit(run_project, "run", target, "--allow-unsealed")
    assert out.returncode == 2 and "Traceback" not in out.stderr, out.stderr
    assert not (outside.parent / "runs").exists() and not (tmp_path / "runs").exists()
    assert not run_project.runs_dir.exists()


def test_a_question_set_outside_predictions_is_not_a_target(run_project, tmp_path):
    stray = tmp_path / "stray.yaml"
    stray.write_text((run_project.predictions_dir / "basic.yaml").read_text())
    with pytest.raises(UsageError, match="is not a question set in predictions/"):
        select(predictions_of(run_project), str(stray))
    with pytest.raises(NotFound, match="no such question-set file"):
        select(predictions_of(run_project), "predictions/nope.yaml")
    chosen = select(predictions_of(run_project), str(run_project.predictions_dir / "basic.yaml"))
    assert [t.experiment for t in chosen] == ["exp"]


def _with_kit_metadata(value) -> str:
    nb = json.loads(EXP)
    nb["metadata"]["kit"] = value
    return json.dumps(nb)


@pytest.mark.parametrize(
    ("notebook", "why"),
    [
        ("[1, 2]", "not a notebook (expected a JSON object)"),
        (_with_kit_metadata([1]), "metadata kit must be an object, got [1]"),
        (_with_kit_metadata({"inputs": "x" * 10_000}), "got 'xxxxx"),
        ("[" * 100_000 + "]" * 100_000, "not a readable notebook"),
        ('{"cells": [1, "x", {"cell_type": "code", "source": [1, 2]}]}', "has no parameter 'n'"),
    ],
)
def test_a_hostile_notebook_is_a_usage_error(run_project, notebook, why):
    (run_project.notebooks_dir / "exp.ipynb").write_text(notebook)
    # planned as if no plan had been sealed yet: the notebook's own problem is the point
    run_project.ledger_path.unlink()
    with pytest.raises(UsageError, match=re.escape(why)) as info:
        plan(predictions_of(run_project), "exp", allow_unsealed=True)
    assert len(str(info.value)) < 500


def test_a_declared_input_that_is_a_device_is_refused(run_project):
    nb = json.loads((run_project.notebooks_dir / "exp.ipynb").read_text())
    nb["metadata"]["kit"] = {"inputs": ["weights.bin"]}
    (run_project.notebooks_dir / "exp.ipynb").write_text(json.dumps(nb))
    (run_project.notebooks_dir / "weights.bin").symlink_to("/dev/zero")
    with pytest.raises(UsageError, match="declared input 'weights.bin' is a character device"):
        plan(predictions_of(run_project), "exp")


def test_unreadable_run_records_are_listed_not_fatal(run_project):
    good = written_run(run_project)
    for name, text in {
        "20260101T000000Z-aaaaaa": "[1]",
        "20260101T000000Z-bbbbbb": json.dumps({"id": "x", "experiment": "exp", "started": "no"}),
        "20260101T000000Z-cccccc": json.dumps({"id": "x\u0000", "experiment": "exp"}),
    }.items():
        (run_project.runs_dir / "exp" / name).mkdir()
        (run_project.runs_dir / "exp" / name / "run.json").write_text(text)
    (run_project.runs_dir / "exp" / "20260101T000000Z-dddddd").mkdir()
    (run_project.runs_dir / "exp" / "20260101T000000Z-dddddd" / "run.json").mkdir()
    found = store.scan_runs(run_project)
    assert [r.id for r in found.records] == [good.id]
    assert [p.file.split("/")[2] for p in found.problems] == [
        "20260101T000000Z-aaaaaa",
        "20260101T000000Z-bbbbbb",
        "20260101T000000Z-cccccc",
        "20260101T000000Z-dddddd",
    ]
    out = kit(run_project, "status")
    assert out.returncode == 0, out.stderr
    assert "20260101T000000Z-dddddd/run.json:1:1: file: is a folder" in out.stderr
    assert "not a run record: text holds a NUL byte" in out.stderr


def _running(project, host: str, process_started: float | None = None) -> store.RunRecord:
    record = written_run(project, status="ok")
    record.with_dir(project.runs_dir / "exp" / record.id)
    record.status, record.ended, record.host = "running", None, host
    record.process_started = process_started
    store.write_run(record.dir, record)
    return record


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_a_run_whose_process_is_gone_is_marked_interrupted(run_project):
    here = socket.gethostname()
    gone = _running(run_project, f"{here}:{_dead_pid()}")
    reused = _running(run_project, f"{here}:{os.getpid()}", store.process_started() - 1000)
    alive = _running(run_project, f"{here}:{os.getpid()}", store.process_started())
    elsewhere = _running(run_project, f"another-machine:{_dead_pid()}")
    marked = orphans.mark_orphans(run_project)
    assert sorted(r.id for r in marked) == sorted([gone.id, reused.id])
    after = {r.id: r for r in store.list_runs(run_project)}
    for record in (gone, reused):
        assert after[record.id].status == "interrupted"
        assert after[record.id].noticed is not None
        assert after[record.id].error.ename == "ProcessGone"
    assert after[alive.id].status == after[elsewhere.id].status == "running"
    assert orphans.mark_orphans(run_project) == []  # once


def test_kit_status_and_kit_run_notice_a_run_whose_process_is_gone(run_project):
    record = _running(run_project, f"{socket.gethostname()}:{_dead_pid()}")
    out = kit(run_project, "status")
    assert out.returncode == 0, out.stderr
    assert f"marked exp/{record.id} interrupted: the process that ran it" in out.stderr
    assert store.read_run(record.dir).status == "interrupted"
    again = _running(run_project, f"{socket.gethostname()}:{_dead_pid()}")
    out = kit(run_project, "run", "nope")
    assert out.returncode == 3 and f"marked exp/{again.id} interrupted" in out.stderr


def _cell_started(run_dir: Path) -> bool:
    """Whether the executed notebook so far shows a cell that papermill started."""
    try:
        nb = json.loads((run_dir / store.NOTEBOOK_FILE).read_text())
    except (OSError, ValueError):
        return False
    return any(c.get("metadata", {}).get("papermill", {}).get("start_time") for c in nb["cells"])


@pytest.mark.slow
def test_kill_9_of_the_whole_process_group_is_noticed_later(run_project):
    """`kill -9` of `kit run`'s process group: nobody writes run.json; `kit status` does."""
    import psutil

    proc, family = _start_two_slow_runs(
        run_project, "n=1,2", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not all(
            _cell_started(r.dir) for r in store.list_runs(run_project, "exp")
        ):
            time.sleep(0.5)  # a loaded machine starts kernels slowly
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        time.sleep(1)
        assert [r.status for r in store.list_runs(run_project, "exp")] == ["running"] * 2
        out = subprocess.run(
            [*KIT, "--project", str(run_project.root), "status"], capture_output=True, text=True
        )
        assert out.returncode == 0, out.stderr
        runs = store.list_runs(run_project, "exp")
        assert [r.status for r in runs] == ["interrupted"] * 2, out.stderr
        assert all(r.noticed and r.error.ename == "ProcessGone" for r in runs)
        assert all(r.error.cell is not None for r in runs), [r.error for r in runs]  # slow cell
    finally:
        for p in family:  # a kernel in its own session may outlive the group
            if p.is_running():
                p.kill()
        psutil.wait_procs(family, timeout=5)
