"""Where runs live and what `run.json` holds.

Each run is a folder `runs/<experiment>/<run-id>/` with the executed `notebook.ipynb` and
`run.json`, written atomically (a reader sees the previous version or the next, never
half of one). Run ids sort by start time: `20261123T101500Z-3f9a1c`.

run.json fields: id, experiment, notebook (source path), notebook_digest (cell types and
sources), parameters, cache_key, status (running | ok | failed | timeout | died |
interrupted), started, ended (UTC, ISO 8601), duration_s, error ({cell, ename, evalue,
source} or null), results, warnings, versions (python, kit, papermill, torch, procgen),
git_commit, ledger_digest (SHA-256 of the seal ledger at start), allow_unsealed, timeout_s,
host, pid.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kit.fileio import atomic_write
from kit.project import Project

RUN_FILE = "run.json"
NOTEBOOK_FILE = "notebook.ipynb"
FINISHED = ("ok", "failed", "timeout", "died", "interrupted")


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def new_run_id(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y%m%dT%H%M%S}Z-{secrets.token_hex(3)}"


def cache_key(
    notebook_digest: str, parameters: dict[str, Any], inputs: dict[str, str | None] | None = None
) -> str:
    """Same notebook code, same parameters and same input files: same key."""
    text = json.dumps(
        [notebook_digest, parameters, inputs or {}], sort_keys=True, ensure_ascii=False
    )
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def file_digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def versions() -> dict[str, str | None]:
    """Versions that matter for reproducing a run (read from metadata: nothing imported)."""
    import platform
    from importlib import metadata

    def version(dist: str) -> str | None:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return None

    return {
        "python": platform.python_version(),
        "kit": version("prediction-kit"),
        "papermill": version("papermill"),
        "torch": version("torch"),
        "procgen": version("procgen-mirror") or version("procgen"),
    }


def write_run(run_dir: Path, record: dict[str, Any]) -> None:
    atomic_write(Path(run_dir) / RUN_FILE, json.dumps(record, indent=2, ensure_ascii=False) + "\n")


def read_run(run_dir: Path) -> dict[str, Any] | None:
    """The run record of a folder, or None when it has none or it is unreadable."""
    try:
        return json.loads((Path(run_dir) / RUN_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def list_runs(project: Project, experiment: str | None = None) -> list[dict[str, Any]]:
    """Every run record (of one experiment or all), oldest first."""
    root = project.runs_dir
    if not root.is_dir():
        return []
    folders = [root / experiment] if experiment else sorted(p for p in root.iterdir())
    runs = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for run_dir in sorted(folder.iterdir()):
            record = read_run(run_dir) if run_dir.is_dir() else None
            if record is not None:
                record["_dir"] = str(run_dir)
                runs.append(record)
    runs.sort(key=lambda r: (r.get("started", ""), r.get("id", "")))
    return runs


def latest_ok(
    project: Project, experiment: str, *, key: str | None = None, parameters: dict | None = None
) -> dict[str, Any] | None:
    """The latest successful run of `experiment` with this cache key or these parameters."""
    for record in reversed(list_runs(project, experiment)):
        if record.get("status") != "ok":
            continue
        if key is not None and record.get("cache_key") != key:
            continue
        if parameters is not None and record.get("parameters") != parameters:
            continue
        return record
    return None


def run_dir_of(project: Project, record: dict[str, Any]) -> Path:
    return project.runs_dir / record["experiment"] / record["id"]


def host() -> str:
    import socket

    return f"{socket.gethostname()}:{os.getpid()}"
