"""A real Dask cluster: a `dask scheduler` and two `dask worker` processes (two threads each).

Several runs execute at once on threads of one worker process, so this also checks that a
run changes nothing process-wide and stops only its own kernel.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from kit.runs import runner, store
from kit.runs.plan import plan
from tests.runs.conftest import predictions_of
from tests.runs.test_runner import kit

REPO = Path(__file__).resolve().parents[2]
DASK = Path(sys.executable).parent / "dask"

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(args: list[str], cwd: Path, log: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with open(log, "wb") as out:
        return subprocess.Popen(
            [str(DASK), *args], cwd=cwd, env=env, stdout=out, stderr=out, start_new_session=True
        )


def _stop(procs: list[subprocess.Popen]) -> None:
    """SIGTERM to each process we started (and its group), SIGKILL to what is left."""
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    deadline = time.monotonic() + 15
    for proc in procs:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        with contextlib.suppress(ProcessLookupError):  # leftovers of its process group
            os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture
def cluster(tmp_path):
    """(scheduler address, the two `dask worker` processes); all stopped afterwards."""
    from distributed import Client

    if not DASK.is_file():
        pytest.skip(f"no dask command line at {DASK}")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    logs = tmp_path / "dask-logs"
    logs.mkdir()
    scheduler = _start(
        ["scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
        tmp_path,
        logs / "scheduler.log",
    )
    workers = [
        _start(
            [
                "worker",
                address,
                "--nthreads",
                "2",
                "--nworkers",
                "1",
                "--host",
                "127.0.0.1",
                "--no-dashboard",
                "--local-directory",
                str(tmp_path / f"dask-worker-{i}"),
            ],
            tmp_path,
            logs / f"worker-{i}.log",
        )
        for i in range(2)
    ]
    try:
        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=60)
        yield address, workers
    finally:
        _stop([*workers, scheduler])


def _kernels_under(procs: list[subprocess.Popen]) -> list[str]:
    found = []
    for proc in procs:
        try:
            family = psutil.Process(proc.pid).children(recursive=True)
        except psutil.Error:
            continue
        for child in family:
            try:
                if child.status() == psutil.STATUS_ZOMBIE:
                    continue
                line = " ".join(child.cmdline())
            except psutil.Error:
                continue
            if "ipykernel" in line:
                found.append(line)
    return found


def test_a_sweep_with_failures_on_a_two_worker_cluster(run_project, cluster):
    address, workers = cluster
    predictions = predictions_of(run_project)
    specs = [
        *plan(predictions, "exp", grid={"n": [1, 2, 3, 4]}, timeout_s=60)[0],
        *plan(predictions, "exp", overrides={"mode": "fail"})[0],
        *plan(predictions, "exp", overrides={"mode": "die"})[0],
        *plan(predictions, "exp", overrides={"mode": "slow"}, timeout_s=3)[0],
    ]
    assert len(specs) == 7
    updates = []
    records = runner.run_cluster(specs, address, lambda p: updates.append(p.done))
    assert updates[-1] == 7 and len(records) == 7

    by_case = {r.parameters.get("mode") or r.parameters["n"]: r for r in records}
    assert {case: r.status for case, r in by_case.items()} == {
        1: "ok",
        2: "ok",
        3: "ok",
        4: "ok",
        "fail": "failed",
        "die": "died",
        "slow": "timeout",
    }
    for n in (1, 2, 3, 4):
        assert by_case[n].error is None
        assert by_case[n].results == {"x": n - 2, "n_plus": [n, n + 1], "done": True}
    failed = by_case["fail"]
    assert (failed.error.cell, failed.error.ename) == (3, "ValueError")
    assert "boom on purpose" in failed.error.evalue
    timed_out = by_case["slow"]
    assert (timed_out.error.cell, timed_out.error.ename) == (3, "CellTimeoutError")
    assert by_case["die"].error.ename == "DeadKernelError"
    for case in ("fail", "slow", "die"):  # with n = 3; what ran before the failure is kept
        assert by_case[case].results == {"x": 1, "n_plus": [3, 4]}

    worker_pids = {str(p.pid) for w in workers for p in psutil.Process(w.pid).children(True)}
    for spec in specs:
        record = next(r for r in records if r.id == spec["id"])
        on_disk = store.read_run(Path(spec["run_dir"]))
        assert on_disk == record and on_disk.dir == Path(spec["run_dir"])
        assert json.loads((on_disk.dir / "run.json").read_text()) == record.to_json()
        assert record.host.rsplit(":", 1)[1] in worker_pids  # ran on a worker, not here
        assert (on_disk.dir / "kernel.log").exists()

    deadline = time.monotonic() + 10
    while (left := _kernels_under(workers)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not left, left

    out = kit(run_project, "run", "exp", "-p", "n=5", "--cluster", address, "--json")
    assert out.returncode == 0, out.stderr
    assert "1 runs ok, 0 not ok, 0 cached" in out.stderr
    assert json.loads(out.stdout)[0]["results"] == {"x": 3, "n_plus": [5, 6], "done": True}
