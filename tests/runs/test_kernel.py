"""A run's kernel: its environment and settings, its stderr, and stopping only it.

The fast tests start no kernel; the slow one runs two notebooks at once on threads of
this process, as a Dask worker does, and checks that nothing process-wide changed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import pytest

from kit.errors import UsageError
from kit.runs import runner
from kit.runs.execute import execute_run
from kit.runs.kernel import RunKernels, kernel_environment, notebook_settings
from kit.runs.plan import plan
from tests.runs.conftest import PROBE_VARIABLES, notebook, predictions_of


def test_notebook_settings_come_from_its_metadata(tmp_path):
    path = tmp_path / "n.ipynb"
    path.write_text(notebook("a = 1", metadata={"kit": {"env": {"X": "1"}, "inputs": []}}))
    assert notebook_settings(path).env == {"X": "1"}
    assert notebook_settings(path).record_versions == []
    path.write_text(notebook("a = 1"))
    assert notebook_settings(path).env == {}


@pytest.mark.parametrize(
    ("kit_meta", "message"),
    [
        ({"env": {"X": 1}}, "kit.env must map variable names to strings"),
        ({"env": ["X=1"]}, "kit.env must map"),
        ({"record_versions": "torch"}, "kit.record_versions must be a list"),
        ({"record_versions": [""]}, "kit.record_versions must be a list"),
    ],
)
def test_malformed_settings_are_refused(tmp_path, kit_meta, message):
    path = tmp_path / "n.ipynb"
    path.write_text(notebook("a = 1", metadata={"kit": kit_meta}))
    with pytest.raises(UsageError, match=message):
        notebook_settings(path)


def test_what_the_user_exported_wins_over_defaults_and_run_variables_win_over_all():
    env = kernel_environment(
        {"MKL_NUM_THREADS": "3", "PATH": "/bin", "KIT_RUN_DIR": "stale"},
        {"MKL_NUM_THREADS": "4", "OMP_NUM_THREADS": "4"},
        {"KIT_RUN_DIR": "/runs/exp/1"},
    )
    assert env == {
        "MKL_NUM_THREADS": "3",
        "OMP_NUM_THREADS": "4",
        "PATH": "/bin",
        "KIT_RUN_DIR": "/runs/exp/1",
    }


def test_the_core_share_goes_into_the_specs_not_into_this_process(monkeypatch):
    for name in runner.THREAD_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    before = dict(os.environ)
    specs = [{"id": "a"}, {"id": "b", "env": {"OMP_NUM_THREADS": "1", "GOMP_SPINCOUNT": "7"}}]
    shared = runner.with_core_share(specs, 2)
    assert dict(os.environ) == before
    assert shared[0]["env"] == dict.fromkeys(runner.THREAD_VARIABLES, "4")
    assert shared[1]["env"] == {
        "OMP_NUM_THREADS": "1",  # the notebook's own setting wins over the share
        "MKL_NUM_THREADS": "4",
        "OPENBLAS_NUM_THREADS": "4",
        "GOMP_SPINCOUNT": "7",
    }
    assert "env" not in specs[0]  # the caller's specs are left as they were


def test_plan_puts_the_notebooks_settings_in_the_spec(run_project):
    (probe,) = plan(predictions_of(run_project), "probe")[0]
    assert probe["env"] == {"GOMP_SPINCOUNT": "10000", "KIT_USER": "from-notebook"}
    assert probe["record_versions"] == ["pydantic"]
    (exp,) = plan(predictions_of(run_project), "exp")[0]
    assert exp["env"] == {} and exp["record_versions"] == []


def _sleeper(*extra: str) -> subprocess.Popen:
    code = "import subprocess, sys, time\n" + "".join(extra) + "time.sleep(60)"
    return subprocess.Popen([sys.executable, "-c", code])


def test_kill_stops_the_runs_kernel_and_its_children_and_nothing_else(tmp_path):
    kernel = _sleeper("subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n")
    bystander = _sleeper()
    try:
        deadline = time.monotonic() + 10
        while not psutil.Process(kernel.pid).children() and time.monotonic() < deadline:
            time.sleep(0.05)
        (grandchild,) = psutil.Process(kernel.pid).children()
        kernels = RunKernels({}, {}, tmp_path / "kernel.log")
        kernels.launched(kernel.pid)
        kernels.kill()
        assert kernel.wait(timeout=5) is not None
        grandchild.wait(timeout=5)
        assert not grandchild.is_running()
        assert bystander.poll() is None
        kernels.kill()  # again, with the kernel gone: nothing happens
    finally:
        for proc in (kernel, bystander):
            proc.kill()
            proc.wait()


@pytest.mark.slow
def test_two_runs_on_threads_of_one_process_keep_to_themselves(run_project, monkeypatch):
    """As on a Dask worker: each kernel gets its own environment and kernel.log; this
    process's environment and stderr stay as they were; a run kills no other process."""
    monkeypatch.setenv("KIT_USER", "exported")  # what the user exported wins
    monkeypatch.delenv("GOMP_SPINCOUNT", raising=False)
    specs, _ = plan(predictions_of(run_project), "probe", grid={"tag": ["a", "b"]})
    slow, _ = plan(predictions_of(run_project), "exp", overrides={"mode": "slow"}, timeout_s=2)
    specs = runner.with_core_share(specs, 2) + slow
    environ, stderr = dict(os.environ), os.fstat(2)
    bystander = _sleeper()
    try:
        with ThreadPoolExecutor(3) as pool:
            records = list(pool.map(execute_run, specs))
        assert bystander.poll() is None
    finally:
        bystander.kill()
        bystander.wait()
    assert dict(os.environ) == environ
    assert (os.fstat(2).st_ino, os.fstat(2).st_dev) == (stderr.st_ino, stderr.st_dev)
    *probes, timed_out = records
    assert timed_out.status == "timeout" and timed_out.error.ename == "CellTimeoutError"
    share = str(max(1, (os.cpu_count() or 1) // 2))
    for spec, record in zip(specs, probes, strict=False):
        assert record.status == "ok", record.error
        run_dir = Path(spec["run_dir"])
        assert record.results == {
            "kit_run_dir": str(run_dir),
            "kit_project": str(run_project.root.resolve()),
            "gomp_spincount": "10000",
            "omp_num_threads": os.environ.get("OMP_NUM_THREADS", share),
            "kit_user": "exported",
        }
        assert set(record.results) == {v.lower() for v in PROBE_VARIABLES}
        tag = spec["parameters"]["tag"]
        assert f"stderr of probe {tag}\n" in (run_dir / "kernel.log").read_text()
        assert record.versions["pydantic"] and "torch" not in record.versions
        assert json.loads((run_dir / "run.json").read_text()) == record.to_json()
    assert not [p for p in psutil.Process().children(recursive=True) if _is_kernel(p)]


def _is_kernel(proc: psutil.Process) -> bool:
    try:
        return proc.status() != psutil.STATUS_ZOMBIE and "ipykernel" in " ".join(proc.cmdline())
    except psutil.Error:
        return False
