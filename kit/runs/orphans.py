"""Runs whose process is gone: recognised by a later command and marked `interrupted`.

A run's record says `running` until the process executing it writes the outcome. If that
process is killed outright (`kill -9` of `kit run`'s whole process group, a machine
that runs out of memory), nobody does: the record would say `running` forever. `run.json`
holds `host` (`hostname:pid`) and `process_started`, so a later `kit run` or `kit
status` on the same machine can tell: no process has that pid, or the one that has it
started at another time (the pid was reused). Such a run is marked `interrupted`, with
`noticed` (when this was found) and an error naming the cell that was running. Runs of
another machine are left alone: nothing here can see its processes.
"""

from __future__ import annotations

import socket
from pathlib import Path

from kit.fileio import locked
from kit.project import Project
from kit.runs import store
from kit.runs.execute import error_at_running_cell
from kit.runs.store import RunRecord

#: Seconds two start times of one process may differ by (clock granularity, rounding).
START_TOLERANCE_S = 1.0


def process_gone(host: str | None, started: float | None) -> bool:
    """Whether the process `host` (`hostname:pid`) names, started at `started`, is gone.

    False when it cannot be told: another machine, or a host not in that form."""
    import psutil

    name, _, pid_text = (host or "").rpartition(":")
    if name != socket.gethostname() or not pid_text.isdigit():
        return False
    try:
        process = psutil.Process(int(pid_text))
        if process.status() == psutil.STATUS_ZOMBIE:
            return True
        now_started = process.create_time()
    except psutil.NoSuchProcess:
        return True
    except psutil.Error:  # e.g. access denied: it exists
        return False
    return started is not None and abs(now_started - started) > START_TOLERANCE_S


def is_orphan(record: RunRecord) -> bool:
    """A run recorded as running whose process is gone (see `process_gone`)."""
    return record.status == "running" and process_gone(record.host, record.process_started)


def mark_interrupted(run_dir: Path) -> RunRecord | None:
    """Mark the run in `run_dir` interrupted if it is an orphan; the new record, or None.

    Under the lock of its run.json, re-read, so that two commands noticing at once write
    it once."""
    path = Path(run_dir) / store.RUN_FILE
    with locked(path):
        record = store.read_run(run_dir)
        if record is None or not is_orphan(record):
            return None
        noticed = store.iso(store.utcnow())
        record.status = "interrupted"
        record.noticed = noticed
        record.error = error_at_running_cell(
            Path(run_dir) / store.NOTEBOOK_FILE,
            "ProcessGone",
            f"the process that ran it ({record.host}) was gone when noticed at {noticed}",
        )
        store.write_run(run_dir, record)
        return record


def mark_orphans(project: Project) -> list[RunRecord]:
    """Mark every orphaned run of the project interrupted; the runs marked."""
    marked = []
    for record in store.list_runs(project):
        if is_orphan(record) and record.dir is not None:
            updated = mark_interrupted(record.dir)
            if updated is not None:
                marked.append(updated)
    return marked
