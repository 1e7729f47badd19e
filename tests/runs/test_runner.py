"""Real papermill runs of tiny notebooks: sweeps, caching, failures, interrupts.

Tests marked slow start kernels; the others stop before any kernel starts. The Dask
cluster test is in test_cluster.py, the kernel's own environment in test_kernel.py.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kit import results
from kit.runs import runner, store
from kit.runs.plan import plan
from tests.runs.conftest import predictions_of

KIT = [sys.executable, "-m", "kit"]


def kit(project, *args, timeout=180):
    return subprocess.run(
        [*KIT, "--project", str(project.root), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.slow
def test_sweep_of_four_runs_on_two_workers(run_project):
    specs, cached = plan(predictions_of(run_project), "exp", grid={"n": [1, 2, 3, 4]})
    assert len(specs) == 4 and cached == []
    environ = dict(os.environ)
    records = runner.run_local(specs, workers=2)
    assert dict(os.environ) == environ  # kit.ui.runs() runs this in the user's kernel
    by_n = {r.parameters["n"]: r for r in records}
    assert sorted(by_n) == [1, 2, 3, 4]
    for n, r in by_n.items():
        assert r.status == "ok", r.error
        assert r.results == {"x": n - 2, "n_plus": [n, n + 1], "done": True}
        assert r.parameters == {"n": n, "seed": 0}
        run_dir = Path(specs[0]["run_dir"]).parent / r.id
        assert r.dir == run_dir
        on_disk = json.loads((run_dir / "run.json").read_text())
        assert on_disk == r.to_json()
        assert on_disk["status"] == "ok" and on_disk["results"]["x"] == n - 2
        assert (run_dir / "notebook.ipynb").is_file()
        for key in ("notebook_digest", "started", "ended", "duration_s", "ledger_digest"):
            assert on_disk[key], key
        assert on_disk["versions"]["python"].startswith("3.11")
        assert set(on_disk["versions"]) == {"python", "kit", "papermill"}
        assert on_disk["ledger_digest"] == store.file_digest(run_project.ledger_path)
        assert results(run_dir / "notebook.ipynb") == r.results


@pytest.mark.slow
def test_runs_are_cached_unless_forced(run_project):
    first = kit(run_project, "run", "exp")
    assert first.returncode == 0, first.stderr
    assert "1 runs ok" in first.stderr
    second = kit(run_project, "run", "predictions/basic.yaml")
    assert second.returncode == 0 and "1 cached" in second.stderr and "0 runs ok" in second.stderr
    forced = kit(run_project, "run", "all", "--force")
    assert forced.returncode == 0 and "1 runs ok" in forced.stderr
    assert len(store.list_runs(run_project, "exp")) == 2


def _declare_inputs(project, inputs) -> None:
    path = project.notebooks_dir / "exp.ipynb"
    nb = json.loads(path.read_text())
    nb["metadata"]["kit"] = {"inputs": inputs}
    path.write_text(json.dumps(nb))


@pytest.mark.slow
def test_a_changed_input_file_makes_the_cached_run_stale(run_project):
    _declare_inputs(run_project, ["weights.bin"])
    weights = run_project.notebooks_dir / "weights.bin"
    weights.write_bytes(b"one")
    # the inputs are part of the sealed plans: a changed input is an amendment
    assert kit(run_project, "seal", "--amend", "declare weights.bin").returncode == 0
    first = kit(run_project, "run", "exp")
    assert first.returncode == 0 and "1 runs ok" in first.stderr, first.stderr
    record = store.list_runs(run_project, "exp")[0]
    assert set(record.inputs) == {"weights.bin", "kit"}
    assert record.inputs["weights.bin"] == store.file_digest(weights)
    again = kit(run_project, "run", "exp")
    assert "1 cached" in again.stderr
    weights.write_bytes(b"two")
    assert "input weights.bin" in kit(run_project, "run", "exp").stderr  # refused: a deviation
    amended = kit(run_project, "amend", "q-binary", "q-cat", "q-num", "--why", "retrained")
    assert amended.returncode == 0, amended.stderr
    changed = kit(run_project, "run", "exp")
    assert changed.returncode == 0 and "1 runs ok" in changed.stderr, changed.stderr


def test_inputs_are_keyed_by_content_and_bad_declarations_refused(run_project):
    from kit.errors import UsageError

    weights = run_project.notebooks_dir / "weights.bin"
    run_project.ledger_path.unlink()  # nothing sealed: the inputs may change freely

    def key():
        specs, _ = plan(predictions_of(run_project), "exp", allow_unsealed=True)
        return specs[0]["cache_key"], specs[0]["inputs"]

    _declare_inputs(run_project, ["weights.bin"])
    missing, inputs = key()
    assert inputs["weights.bin"] is None
    weights.write_bytes(b"one")
    one, _ = key()
    weights.write_bytes(b"two")
    two, _ = key()
    weights.write_bytes(b"one")
    assert len({missing, one, two}) == 3 and key()[0] == one
    _declare_inputs(run_project, "weights.bin")
    with pytest.raises(UsageError, match="kit.inputs must be a list of file paths"):
        key()


@pytest.mark.slow
def test_failure_timeout_and_dead_kernel_are_recorded(run_project):
    out = kit(
        run_project,
        "run",
        "exp",
        "--grid",
        "mode=fail,slow,die,ok",
        "--timeout",
        "4",
        "--workers",
        "2",
        "--json",
    )
    assert out.returncode == 1, out.stderr
    records = {r["parameters"]["mode"]: r for r in json.loads(out.stdout)}
    assert {m: r["status"] for m, r in records.items()} == {
        "fail": "failed",
        "slow": "timeout",
        "die": "died",
        "ok": "ok",
    }
    fail = records["fail"]
    assert fail["error"]["ename"] == "ValueError" and "boom on purpose" in fail["error"]["evalue"]
    # the failing cell is the notebook's third (papermill's injected cell is not counted)
    assert fail["error"]["cell"] == 3
    assert fail["error"]["source"] == "import os, time"
    assert records["slow"]["error"]["cell"] == 3
    for r in records.values():  # partial notebooks keep what ran before the failure
        assert r["results"]["x"] == 1
    assert "3 not ok" in out.stderr and "boom on purpose" in out.stderr
    assert "failed in cell 3 (import os, time): ValueError: boom on purpose" in out.stderr
    assert "evidence: runs/exp/" in out.stderr


def test_bad_parameters_are_refused_before_any_kernel(run_project):
    out = kit(run_project, "run", "exp", "-p", "nn=3")
    assert out.returncode == 2
    assert "exp.ipynb has no parameter 'nn'; did you mean n" in out.stderr
    out = kit(run_project, "run", "exp", "-p", "n=lots")
    assert (
        out.returncode == 2
        and "parameter 'n' takes an integer (its default is 1), got 'lots'" in out.stderr
    )
    assert not run_project.runs_dir.exists()


def test_unknown_target_lists_experiments(run_project):
    out = kit(run_project, "run", "nope")
    assert out.returncode == 3 and "experiments: exp" in out.stderr


def _add_unsealed_forecast(project) -> None:
    path = project.predictions_dir / "basic.yaml"
    path.write_text(
        path.read_text().replace(
            "      - {by: ana, at: 2026-01-01T00:00:00Z, p: 0.7}",
            "      - {by: ana, at: 2026-01-01T00:00:00Z, p: 0.7}\n      - {by: bo, p: 0.2}",
        )
    )


def test_unsealed_forecasts_block_the_run(run_project):
    _add_unsealed_forecast(run_project)
    out = kit(run_project, "run", "exp")
    assert out.returncode == 2
    assert "1 forecasts on these questions are not sealed" in out.stderr
    assert "basic.yaml: q-binary: bo" in out.stderr
    assert not run_project.runs_dir.exists()


@pytest.mark.slow
def test_allow_unsealed_runs_and_is_recorded(run_project):
    _add_unsealed_forecast(run_project)
    out = kit(run_project, "run", "exp", "--allow-unsealed", "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)[0]["allow_unsealed"] is True
    assert store.list_runs(run_project, "exp")[0].allow_unsealed is True


def _start_two_slow_runs(run_project, grid: str, **popen):
    """`kit run exp` in slow mode over `grid` on two workers, once both runs are running.

    Returns the process and its whole family (workers and kernels) at that moment.
    """
    import psutil

    proc = subprocess.Popen(
        [*KIT, "--project", str(run_project.root), "run", "exp", "-p", "mode=slow", "--grid", grid],
        start_new_session=True,
        # a shell's background jobs inherit SIGINT ignored, and Python then keeps ignoring it
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        **popen,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        running = [r for r in store.list_runs(run_project, "exp") if r.status == "running"]
        if len(running) == 2:
            break
        time.sleep(0.2)
    assert len(running) == 2, "two runs should be running on two workers"
    time.sleep(2)  # let the kernels reach the slow cell
    return proc, psutil.Process(proc.pid).children(recursive=True)


@pytest.mark.slow
def test_ctrl_c_interrupts_kernels_and_marks_runs(run_project):
    import psutil

    proc, family = _start_two_slow_runs(
        run_project, "n=1,2,3", stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    statuses = [r.status for r in store.list_runs(run_project, "exp")]
    assert statuses == ["interrupted", "interrupted"], err
    assert "1 never started" in err
    time.sleep(1)
    assert not [p for p in family if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


@pytest.mark.slow
def test_killed_runner_leaves_no_workers_starting_runs(run_project):
    """SIGKILL to `kit run` alone: its workers interrupt their runs and start no queued one."""
    import psutil

    proc, family = _start_two_slow_runs(
        run_project, "n=1,2,3,4", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    proc.kill()
    proc.wait(timeout=10)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        alive = [p for p in family if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
        if not alive:
            break
        time.sleep(0.5)
    assert not alive, [p.cmdline() for p in alive]
    statuses = [r.status for r in store.list_runs(run_project, "exp")]
    assert statuses == ["interrupted", "interrupted"]


def test_ui_notebooks_are_not_experiments(run_project):
    import shutil

    repo = Path(__file__).resolve().parents[2]
    shutil.copy(repo / "notebooks" / "predict.ipynb", run_project.notebooks_dir)
    out = kit(run_project, "run", "predict")
    assert out.returncode == 3
    assert "'predict' is not an experiment" in out.stderr and "not marked as one" in out.stderr
