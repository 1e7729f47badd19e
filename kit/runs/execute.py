"""Execute one run: papermill into the run folder, then the final `run.json`.

This is what a worker (local process or Dask worker) calls. It never raises for a
notebook's own failure: the outcome is in the returned record (and in `run.json`):
`failed` (a cell raised; cell index, exception name and message kept), `timeout` (a cell
ran past the limit: nbclient's CellTimeoutError, which papermill does not mark), `died`
(the kernel died: `os._exit`, out of memory, a segfault) or `interrupted`.
The executed notebook is saved after every cell, so a failed run keeps what it did.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path
from typing import Any

from kit.runs import store
from kit.runs.results import read_results

KERNEL_LOG = "kernel.log"  # the kernel's own stderr, kept beside the notebook
NOT_STARTED = "not started"

# Set in a worker process when the user pressed Ctrl-C: queued runs then do not start.
stopping = False


def stop_starting(signum=None, frame=None) -> None:
    global stopping
    stopping = True


def _running_cell(nb_path: Path) -> tuple[int | None, str]:
    """Index and first source line of the last cell papermill started (the one that hung)."""
    import nbformat

    try:
        nb = nbformat.read(str(nb_path), as_version=4)
    except Exception:  # noqa: BLE001 - no notebook yet: the kernel never started
        return None, ""
    started = [
        i
        for i, c in enumerate(nb.cells)
        if c.get("metadata", {}).get("papermill", {}).get("start_time")
    ]
    if not started:
        return None, ""
    cell = nb.cells[started[-1]]
    return started[-1], cell.source.splitlines()[0] if cell.source else ""


def _stderr_to(path: Path) -> int | None:
    """Send this process's stderr (inherited by the kernel) to `path`; the old fd back."""
    import sys

    try:
        sys.stderr.flush()
        saved = os.dup(2)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    except OSError:
        return None
    os.dup2(fd, 2)
    os.close(fd)
    return saved


def _restore_stderr(saved: int | None) -> None:
    if saved is not None:
        os.dup2(saved, 2)
        os.close(saved)


def _ipc_kernel_manager():
    """A kernel manager that talks to its kernel over Unix sockets, not TCP ports.

    Kernels started at once by parallel workers pick TCP ports independently and can
    collide, leaving one kernel that never answers ("Kernel didn't respond in 60
    seconds"). Socket files with a unique name in the temporary folder cannot collide.
    """
    import tempfile
    import uuid

    from jupyter_client.manager import AsyncKernelManager

    class IpcKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs: Any) -> None:
            ip = os.path.join(tempfile.gettempdir(), f"kit-kernel-{uuid.uuid4().hex}")
            super().__init__(**{**kwargs, "transport": "ipc", "ip": ip})

    return IpcKernelManager


def _kill_kernels() -> None:
    """Kill this process's children (the kernels papermill started)."""
    try:
        import psutil
    except ImportError:
        return
    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            child.kill()


STARTUP_FAILURES = ("Kernel didn't respond", "Kernel died before replying to kernel_info")


def _execute_notebook(spec: dict[str, Any], out_nb: Path, attempts: int = 2) -> None:
    """papermill into `out_nb`; a kernel that never started is started again once."""
    import papermill

    for attempt in range(attempts):
        try:
            papermill.execute_notebook(
                spec["notebook_path"],
                str(out_nb),
                parameters=spec["parameters"],
                kernel_name="python3",
                progress_bar=False,
                cwd=str(Path(spec["notebook_path"]).parent),
                execution_timeout=spec.get("timeout_s"),
                shutdown_kernel="immediate",
                kernel_manager_class=_ipc_kernel_manager(),
            )
            return
        except RuntimeError as e:
            if attempt + 1 == attempts or not str(e).startswith(STARTUP_FAILURES):
                raise
            _kill_kernels()


def execute_run(spec: dict[str, Any]) -> dict[str, Any]:
    """Run `spec` (from `runner.plan`); return the finished run record."""
    import nbformat
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    if stopping:
        return {**{k: spec[k] for k in ("id", "experiment", "parameters")}, "status": NOT_STARTED}
    run_dir = Path(spec["run_dir"])
    run_dir.mkdir(parents=True, exist_ok=True)
    out_nb = run_dir / store.NOTEBOOK_FILE
    started = store.utcnow()
    record = {
        key: spec[key]
        for key in (
            "id",
            "experiment",
            "notebook",
            "notebook_digest",
            "parameters",
            "cache_key",
            "git_commit",
            "ledger_digest",
            "allow_unsealed",
            "timeout_s",
        )
    }
    record.update(
        inputs=spec.get("inputs", {}),
        status="running",
        started=store.iso(started),
        ended=None,
        duration_s=None,
        error=None,
        results={},
        warnings=[],
        versions=store.versions(),
        host=store.host(),
    )
    store.write_run(run_dir, record)
    os.environ["KIT_PROJECT"] = spec["root"]
    os.environ["KIT_RUN_DIR"] = str(run_dir)
    t0 = time.perf_counter()
    status, error = "ok", None
    saved_stderr = _stderr_to(run_dir / KERNEL_LOG)
    try:
        _execute_notebook(spec, out_nb)
    except PapermillExecutionError as e:
        status = "interrupted" if e.ename == "KeyboardInterrupt" else "failed"
        error = {"cell": e.cell_index, "ename": e.ename, "evalue": e.evalue, "source": ""}
        error["source"] = (e.source or "").splitlines()[0] if e.source else ""
    except CellTimeoutError as e:
        cell, source = _running_cell(out_nb)
        status = "timeout"
        error = {"cell": cell, "ename": "CellTimeoutError", "evalue": str(e), "source": source}
    except DeadKernelError as e:
        cell, source = _running_cell(out_nb)
        status = "died"
        error = {"cell": cell, "ename": "DeadKernelError", "evalue": str(e), "source": source}
    except KeyboardInterrupt:
        _kill_kernels()
        cell, source = _running_cell(out_nb)
        status = "interrupted"
        error = {"cell": cell, "ename": "KeyboardInterrupt", "evalue": "", "source": source}
    except Exception as e:  # noqa: BLE001 - e.g. the kernel would not start
        cell, source = _running_cell(out_nb)
        status = "failed"
        error = {"cell": cell, "ename": type(e).__name__, "evalue": str(e), "source": source}
    finally:
        _restore_stderr(saved_stderr)
    if out_nb.exists():
        with contextlib.suppress(Exception):
            values, warnings = read_results(nbformat.read(str(out_nb), as_version=4))
            record["results"], record["warnings"] = values, warnings
    ended = store.utcnow()
    record.update(
        status=status,
        ended=store.iso(ended),
        duration_s=round(time.perf_counter() - t0, 3),
        error=error,
    )
    store.write_run(run_dir, record)
    return record
