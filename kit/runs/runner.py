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
from kit.runs.execute import NOT_STARTED, execute_run, stop_starting

INTERRUPT_GRACE_S = 20.0
PARENT_POLL_S = 0.5


@dataclass
class Progress:
    total: int
    done: int = 0
    failed: int = 0
    running: int = 0
    records: list[dict[str, Any]] = field(default_factory=list)


Callback = Callable[[Progress], None]


def _raise_interrupt(signum, frame):  # pragma: no cover - runs in worker processes
    raise KeyboardInterrupt


def _worker_init() -> None:  # pragma: no cover - runs in worker processes
    signal.signal(signal.SIGINT, stop_starting)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()


def _watch_parent(parent: int) -> None:  # pragma: no cover - runs in worker processes
    """Stop this worker once the `kit run` that spawned it is gone (e.g. SIGKILLed).

    Spawned workers are not killed with their parent and would go on taking queued runs.
    """
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_S)
    stop_starting()
    os.kill(os.getpid(), signal.SIGTERM)  # the running notebook is recorded as interrupted
    time.sleep(INTERRUPT_GRACE_S)
    os._exit(1)


def _finish(progress: Progress, record: dict[str, Any], on_update: Callback | None) -> None:
    progress.records.append(record)
    progress.done += 1
    progress.failed += record.get("status") != "ok"
    if on_update:
        on_update(progress)


def _failed_record(spec: dict[str, Any], status: str, ename: str, message: str) -> dict:
    """The record of a run whose worker could not report (it died or never started)."""
    run_dir = Path(spec["run_dir"])
    record = store.read_run(run_dir) or {
        **{k: spec[k] for k in ("id", "experiment", "notebook", "parameters", "cache_key")},
        "results": {},
        "warnings": [],
    }
    if record.get("status") in store.FINISHED:
        return record
    now = store.iso(store.utcnow())
    record.update(
        status=status,
        ended=now,
        error={"cell": None, "ename": ename, "evalue": message, "source": ""},
    )
    record.setdefault("started", now)
    if run_dir.exists():
        store.write_run(run_dir, record)
    return record


THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
# libgomp's threads spin 300,000 times (milliseconds) after each parallel region before
# they sleep; between torch passes that starves procgen's own stepping threads of cores.
# 10,000 spins keep torch's passes as fast and make maze rollouts ~8 % faster on 2 cores.
SPIN_VARIABLES = {"GOMP_SPINCOUNT": "10000"}


def _share_cores(workers: int) -> None:
    """Give each worker's kernel its share of the cores (unless the user chose).

    Without this, every kernel's torch/BLAS starts one thread per core, and N parallel
    runs oversubscribe the machine N times over, which is far slower than one run alone.
    """
    share = str(max(1, (os.cpu_count() or 1) // workers))
    for name in THREAD_VARIABLES:
        os.environ.setdefault(name, share)
    for name, value in SPIN_VARIABLES.items():
        os.environ.setdefault(name, value)


def run_local(
    specs: list[dict[str, Any]], workers: int | None = None, on_update: Callback | None = None
) -> list[dict[str, Any]]:
    """Execute on a local process pool; return the run records (interrupts re-raised)."""
    import multiprocessing

    progress = Progress(total=len(specs))
    if not specs:
        return []
    workers = max(1, min(workers or os.cpu_count() or 1, len(specs)))
    _share_cores(workers)
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_worker_init,
    )
    futures: dict[Future, dict[str, Any]] = {pool.submit(execute_run, s): s for s in specs}
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
        if record not in progress.records and record.get("status") != NOT_STARTED:
            progress.records.append(record)
    for proc in list(getattr(pool, "_processes", {}).values()):
        if proc.is_alive():
            proc.kill()


def run_cluster(
    specs: list[dict[str, Any]], address: str, on_update: Callback | None = None
) -> list[dict[str, Any]]:
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


def mark_unfinished(specs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """After an interrupt: every started run still recorded as running becomes interrupted."""
    out = []
    for spec in specs:
        record = store.read_run(Path(spec["run_dir"]))
        if record is not None and record.get("status") not in store.FINISHED:
            record = _failed_record(spec, "interrupted", "KeyboardInterrupt", "kit run stopped")
        if record is not None:
            out.append(record)
    return out
