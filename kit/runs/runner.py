"""Execute planned runs on a local process pool or a Dask cluster, losing nothing.

Local: one worker process per core by default (spawned, so no thread state is forked);
each run starts its own kernel and shuts it down at once when done. On Ctrl-C workers
start no new run; the runner cancels what is queued, tells each worker to stop (SIGTERM:
the worker kills its kernel and writes `interrupted`), and marks any run still recorded as
running `interrupted` itself. A worker whose `kit run` is killed outright (SIGKILL, no
chance to clean up) notices within a second: it starts nothing more, interrupts its run
and exits. Dask: `execute_run` is submitted to the scheduler at
`cluster`; workers need the kit installed and the project on a shared path; only the run
record travels back. Ctrl-C cancels the queued runs; runs already on a worker finish there.

Nothing here changes the calling process's environment (`kit.ui.runs()` calls this from
the user's own kernel): each run's kernel gets its share of the cores through the spec's
`env`, applied to that kernel alone.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kit.runs import store
from kit.runs.execute import execute_run
from kit.runs.store import RunError, RunRecord

INTERRUPT_GRACE_S = 20.0
PARENT_POLL_S = 0.5


@dataclass
class Progress:
    total: int
    done: int = 0
    failed: int = 0
    running: int = 0
    records: list[RunRecord] = field(default_factory=list)


Callback = Callable[[Progress], None]

# Per local pool worker process: set on Ctrl-C (or when `kit run` is gone), after which
# the worker starts no queued run. Only `_worker_init` and `_watch_parent` set it.
_worker_stop = threading.Event()


def _stop_starting(signum=None, frame=None) -> None:  # pragma: no cover - in workers
    _worker_stop.set()


def _raise_interrupt(signum, frame):  # pragma: no cover - runs in worker processes
    raise KeyboardInterrupt


def _worker_init() -> None:  # pragma: no cover - runs in worker processes
    signal.signal(signal.SIGINT, _stop_starting)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()


def _execute_in_worker(spec: dict[str, Any]) -> RunRecord | None:  # pragma: no cover
    """`execute_run` in a local pool worker, which stops starting runs on Ctrl-C."""
    return execute_run(spec, _worker_stop)


def _watch_parent(parent: int) -> None:  # pragma: no cover - runs in worker processes
    """Stop this worker once the `kit run` that spawned it is gone (e.g. SIGKILLed).

    Spawned workers are not killed with their parent and would go on taking queued runs.
    """
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_S)
    _worker_stop.set()
    os.kill(os.getpid(), signal.SIGTERM)  # the running notebook is recorded as interrupted
    time.sleep(INTERRUPT_GRACE_S)
    os._exit(1)


def _finish(progress: Progress, record: RunRecord, on_update: Callback | None) -> None:
    progress.records.append(record)
    progress.done += 1
    progress.failed += record.status != "ok"
    if on_update:
        on_update(progress)


def _failed_record(spec: dict[str, Any], status: str, ename: str, message: str) -> RunRecord:
    """The record of a run whose worker could not report (it died or never started)."""
    run_dir = Path(spec["run_dir"])
    record = store.read_run(run_dir) or RunRecord.model_validate(spec).with_dir(run_dir)
    if record.status in store.FINISHED:
        return record
    now = store.iso(store.utcnow())
    record.status = status
    record.ended = now
    record.error = RunError(cell=None, ename=ename, evalue=message, source="")
    record.started = record.started or now
    if run_dir.exists():
        store.write_run(run_dir, record)
    return record


THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def core_share(workers: int) -> dict[str, str]:
    """Thread-count variables that give each of `workers` parallel kernels its share.

    Without them every kernel's torch/BLAS starts one thread per core, and N parallel runs
    oversubscribe the machine N times over, which is far slower than one run alone.
    """
    share = str(max(1, (os.cpu_count() or 1) // workers))
    return dict.fromkeys(THREAD_VARIABLES, share)


def with_core_share(specs: list[dict[str, Any]], workers: int) -> list[dict[str, Any]]:
    """Copies of `specs` whose kernel `env` also holds the core share.

    The notebook's own `env` wins over the share, and (in `execute_run`) a variable the
    user exported wins over both.
    """
    share = core_share(workers)
    return [{**spec, "env": {**share, **(spec.get("env") or {})}} for spec in specs]


def run_local(
    specs: list[dict[str, Any]], workers: int | None = None, on_update: Callback | None = None
) -> list[RunRecord]:
    """Execute on a local process pool; return the run records (interrupts re-raised)."""
    import multiprocessing

    progress = Progress(total=len(specs))
    if not specs:
        return []
    workers = max(1, min(workers or os.cpu_count() or 1, len(specs)))
    specs = with_core_share(specs, workers)
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_worker_init,
    )
    futures: dict[Future, dict[str, Any]] = {pool.submit(_execute_in_worker, s): s for s in specs}
    pending = set(futures)
    try:
        while pending:
            progress.running = min(workers, sum(f.running() for f in pending))
            if on_update:
                on_update(progress)
            finished, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
            for fut in finished:
                try:
                    record = fut.result()
                except Exception as e:  # noqa: BLE001 - the worker process itself died
                    record = _failed_record(futures[fut], "died", type(e).__name__, str(e))
                if record is not None:  # None: the worker was told to stop first
                    _finish(progress, record, on_update)
    except KeyboardInterrupt:
        _interrupt_local(pool, futures, progress)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    progress.running = 0
    if on_update:
        on_update(progress)
    return progress.records


def _interrupt_local(pool, futures: dict[Future, dict], progress: Progress) -> None:
    for fut in futures:
        fut.cancel()
    for proc in list(getattr(pool, "_processes", {}).values()):
        with contextlib.suppress(OSError):
            os.kill(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + INTERRUPT_GRACE_S
    for fut, spec in futures.items():
        if fut.cancelled():
            continue
        try:
            record = fut.result(timeout=max(0.1, deadline - time.monotonic()))
        except Exception as e:  # noqa: BLE001 - killed, broken pool or too slow
            record = _failed_record(spec, "interrupted", "KeyboardInterrupt", str(e) or "")
        if record is not None and record not in progress.records:
            progress.records.append(record)
    for proc in list(getattr(pool, "_processes", {}).values()):
        if proc.is_alive():
            proc.kill()


def run_cluster(
    specs: list[dict[str, Any]], address: str, on_update: Callback | None = None
) -> list[RunRecord]:
    """Execute on the Dask scheduler at `address`; return the run records."""
    from distributed import Client, as_completed

    progress = Progress(total=len(specs))
    if not specs:
        return []
    with Client(address, timeout="30s") as client:
        futures = {
            client.submit(execute_run, s, pure=False, key=f"kit-run-{s['id']}"): s for s in specs
        }
        slots = sum(client.nthreads().values())
        try:
            for fut in as_completed(list(futures)):
                try:
                    record = fut.result()
                except Exception as e:  # noqa: BLE001 - the worker was lost
                    record = _failed_record(futures[fut], "died", type(e).__name__, str(e))
                progress.running = min(progress.total - progress.done - 1, slots)
                _finish(progress, record, on_update)
        except KeyboardInterrupt:
            client.cancel(list(futures))
            raise
    return progress.records


def mark_unfinished(specs: list[dict[str, Any]]) -> list[RunRecord]:
    """After an interrupt: every started run still recorded as running becomes interrupted."""
    out = []
    for spec in specs:
        record = store.read_run(Path(spec["run_dir"]))
        if record is not None and record.status not in store.FINISHED:
            record = _failed_record(spec, "interrupted", "KeyboardInterrupt", "kit run stopped")
        if record is not None:
            out.append(record)
    return out
