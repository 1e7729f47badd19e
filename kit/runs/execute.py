"""Execute one run: papermill into the run folder, then the final `run.json`.

This is what a worker (local process or Dask worker) calls, possibly on several threads
at once: it changes nothing process-wide (no `os.environ`, no stderr redirection, no
module flags) and stops only the kernels it started (see `kit.runs.kernel`).

It never raises for a notebook's own failure: the outcome is in the returned record (and
in `run.json`): `failed` (a cell raised; the cell, exception name and message kept),
`timeout` (a cell ran past the limit: nbclient's CellTimeoutError, which papermill does
not mark), `died` (the kernel died: `os._exit`, out of memory, a segfault) or
`interrupted`. The executed notebook is saved after every cell, so a failed run keeps
what it did.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from kit import notebooks
from kit.errors import quote
from kit.runs import store
from kit.runs.kernel import RunKernels
from kit.runs.results import executed_cells, read_results, user_cell
from kit.runs.store import INJECTED_CELL, KERNEL_LOG, RunError, RunRecord

STARTUP_FAILURES = ("Kernel didn't respond", "Kernel died before replying to kernel_info")


def _read(nb_path: Path) -> Any:
    try:
        return notebooks.read_executed(nb_path)
    except Exception:  # noqa: BLE001 - no notebook yet (the kernel never started), or unreadable
        return None


def _error_at(nb: Any, index: int | None, ename: str, evalue: str) -> RunError:
    """The error located at cell `index` of the executed notebook, numbered as its author
    counts cells (papermill's index counts its injected cell and starts at 0)."""
    source, number = "", None
    cells = executed_cells(nb) if nb is not None else []
    if index is not None and 0 <= index < len(cells):
        text = cells[index].source
        number, injected = user_cell(nb, index)
        source = INJECTED_CELL if injected else (text.splitlines()[0] if text else "")
    return RunError(cell=number, ename=ename, evalue=evalue, source=source)


def error_at_running_cell(out_nb: Path, ename: str, evalue: str) -> RunError:
    """The error at the last cell papermill started (the one that hung or died)."""
    nb = _read(out_nb)
    started = [
        i
        for i, c in enumerate(executed_cells(nb) if nb is not None else [])
        if c.get("metadata", {}).get("papermill", {}).get("start_time")
    ]
    return _error_at(nb, started[-1] if started else None, ename, evalue)


def _execute_notebook(
    spec: dict[str, Any], out_nb: Path, kernels: RunKernels, attempts: int = 2
) -> None:
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
                kernel_manager_class=kernels.manager_class,
            )
            return
        except RuntimeError as e:
            if attempt + 1 == attempts or not str(e).startswith(STARTUP_FAILURES):
                raise
            kernels.kill()


def execute_run(spec: dict[str, Any], stop: threading.Event | None = None) -> RunRecord | None:
    """Run `spec` (from `plan.plan`); return the finished record, or None when `stop` was
    set before it started (nothing is written then).

    The spec holds the record's fields by name (id, experiment, parameters, ...) and
    what executing needs: `root`, `notebook_path`, `run_dir`, and optionally `env` (kernel
    variables, the user's own environment wins) and `record_versions`.
    """
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    if stop is not None and stop.is_set():
        return None
    run_dir = Path(spec["run_dir"])
    run_dir.mkdir(parents=True, exist_ok=True)
    out_nb = run_dir / store.NOTEBOOK_FILE
    record = RunRecord.model_validate(
        {
            **spec,
            "status": "running",
            "started": store.iso(store.utcnow()),
            "versions": store.versions(spec.get("record_versions", ())),
            "host": store.host(),
            "process_started": store.process_started(),
        }
    ).with_dir(run_dir)
    store.write_run(run_dir, record)
    kernels = RunKernels(
        env_defaults=spec.get("env") or {},
        env_forced={"KIT_PROJECT": spec["root"], "KIT_RUN_DIR": str(run_dir)},
        stderr_path=run_dir / KERNEL_LOG,
    )
    t0 = time.perf_counter()
    status, error = "ok", None
    try:
        _execute_notebook(spec, out_nb, kernels)
    except PapermillExecutionError as e:
        status = "interrupted" if e.ename == "KeyboardInterrupt" else "failed"
        error = _error_at(_read(out_nb), e.cell_index, e.ename, e.evalue)
    except CellTimeoutError as e:
        status, error = "timeout", error_at_running_cell(out_nb, "CellTimeoutError", str(e))
    except DeadKernelError as e:
        status, error = "died", error_at_running_cell(out_nb, "DeadKernelError", str(e))
    except KeyboardInterrupt:
        status, error = "interrupted", error_at_running_cell(out_nb, "KeyboardInterrupt", "")
    except Exception as e:  # noqa: BLE001 - e.g. the kernel would not start
        status, error = "failed", error_at_running_cell(out_nb, type(e).__name__, str(e))
    finally:
        kernels.kill()  # only what this run started and did not shut down
    if out_nb.exists():
        try:
            record.results, record.warnings = read_results(notebooks.read_executed(out_nb))
        except Exception as e:  # noqa: BLE001 - the run's outcome stands; say why none were read
            record.warnings = [f"results not read from {store.NOTEBOOK_FILE}: {quote(str(e), 200)}"]
    record.status = status
    record.error = error
    record.ended = store.iso(store.utcnow())
    record.duration_s = round(time.perf_counter() - t0, 3)
    store.write_run(run_dir, record)
    return record
