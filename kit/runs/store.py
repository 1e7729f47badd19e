"""Where runs live and what `run.json` holds: the `RunRecord` model.

Each run is a folder `runs/<experiment>/<run-id>/` with the executed `notebook.ipynb`,
the kernel's stderr `kernel.log` and `run.json`, written atomically (a reader sees the
previous version or the next, never half of one). Run ids sort by start time:
`20261123T101500Z-3f9a1c`.

`RunRecord` is the one schema of `run.json`; `RunRecord.field_table()` lists its fields
with their descriptions (the README's run.json table is checked against it). Reading
is lenient: unknown fields are ignored and missing optional ones take their defaults, so
every run.json an older kit wrote stays readable.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import types
import typing
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_serializer,
    field_validator,
)

from kit.fileio import atomic_write
from kit.project import Project
from kit.runs.record import decode as decode_floats
from kit.runs.record import encode as encode_floats

RUN_FILE = "run.json"
NOTEBOOK_FILE = "notebook.ipynb"
KERNEL_LOG = "kernel.log"

Status = Literal["running", "ok", "failed", "timeout", "died", "interrupted"]
FINISHED = ("ok", "failed", "timeout", "died", "interrupted")


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """UTC ISO 8601 with milliseconds and a `Z`: `2026-11-23T10:15:00.123Z`."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def new_run_id(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y%m%dT%H%M%S}Z-{secrets.token_hex(3)}"


class RunError(BaseModel):
    """Where and how a run stopped short."""

    model_config = ConfigDict(extra="ignore")

    cell: int | None = Field(
        None,
        description="the cell's number in your notebook (from 1, every cell counted, "
        "papermill's injected parameters cell not); null when that cell failed or none "
        "had started",
    )
    ename: str = Field("", description="exception name, e.g. ValueError, CellTimeoutError")
    evalue: str = Field("", description="exception message")
    source: str = Field("", description="first source line of that cell")

    @property
    def where(self) -> str:
        """The cell as a person finds it in their notebook: `cell 3 (x = f(y))`."""
        if self.cell is None:
            return self.source or "startup, before any cell ran"
        shown = f" ({self.source.strip()[:60]})" if self.source.strip() else ""
        return f"cell {self.cell}{shown}"


#: `RunError.source` when papermill's own injected cell failed (it has no number).
INJECTED_CELL = "the parameters cell papermill injected (the values the run was given)"


class RunRecord(BaseModel):
    """One run, as `run.json` holds it.

    `dir` (the run's folder) is known after reading or creating a record and is never
    written. `record["status"]` and `record.get("status")` still work like the dicts of
    earlier versions: transitional, for callers not yet using attributes.
    """

    model_config = ConfigDict(extra="ignore", validate_assignment=True)

    id: str = Field(description="run id: UTC start time and a random suffix")
    experiment: str = Field(description="the experiment (notebook name without .ipynb)")
    notebook: str = Field("", description="source notebook, relative to the project")
    notebook_digest: str | None = Field(
        None, description="SHA-256 of the notebook's cell types and sources"
    )
    parameters: dict[str, Any] = Field(default_factory=dict, description="parameters run with")
    cache_key: str | None = Field(
        None, description="digest of notebook_digest, parameters and inputs"
    )
    git_commit: str | None = Field(None, description="commit of the project at planning")
    ledger_digest: str | None = Field(None, description="SHA-256 of the seal ledger at the start")
    allow_unsealed: bool = Field(False, description="run although forecasts were unsealed")
    timeout_s: float | None = Field(None, description="seconds any one cell could run")
    inputs: dict[str, str | None] = Field(
        default_factory=dict,
        description="content digests of the notebook's declared input files and of the "
        "kernel-side kit source (`kit`)",
    )
    status: Status = Field(
        "running", description="running, ok, failed, timeout, died or interrupted"
    )
    started: str | None = Field(None, description="start time (UTC, ISO 8601)")
    ended: str | None = Field(None, description="end time (UTC, ISO 8601); null while running")
    duration_s: float | None = Field(None, description="seconds from kernel start to end")
    error: RunError | None = Field(
        None,
        description="{cell, ename, evalue, source} (cell: its number in your notebook, from "
        "1, papermill's injected cell not counted), or null when the run did not fail",
    )
    results: dict[str, Any] = Field(
        default_factory=dict,
        description='the results the notebook recorded (NaN and infinities as {"$float": '
        '"nan"}, {"$float": "inf"}, {"$float": "-inf"})',
    )
    warnings: list[str] = Field(default_factory=list, description="e.g. a result recorded twice")
    versions: dict[str, str | None] = Field(
        default_factory=dict,
        description="python, kit, papermill and the distributions the notebook's metadata "
        "`kit.record_versions` names",
    )
    host: str | None = Field(None, description="hostname:pid of the process that ran it")

    _dir: Path | None = PrivateAttr(None)

    @field_validator("results", mode="before")
    @classmethod
    def _floats_in(cls, results: Any) -> Any:
        return decode_floats(results)

    @field_serializer("results")
    def _floats_out(self, results: dict[str, Any]) -> dict[str, Any]:
        return encode_floats(results)

    @property
    def dir(self) -> Path | None:
        """The run's folder (not part of run.json)."""
        return self._dir

    def with_dir(self, run_dir: Path | str | None) -> RunRecord:
        """This record, knowing its folder (returns self)."""
        self._dir = Path(run_dir) if run_dir is not None else None
        return self

    def to_json(self) -> dict[str, Any]:
        """The record as run.json holds it (plain JSON data)."""
        return self.model_dump(mode="json")

    @classmethod
    def field_table(cls) -> list[tuple[str, str, str]]:
        """(field, type, description) of every run.json field, in file order."""
        return [
            (name, _type_name(info.annotation), info.description or "")
            for name, info in cls.model_fields.items()
        ]

    # Transitional dict-style reads (`run["id"]`, `run.get("status")`, `run["_dir"]`) for
    # callers written when records were dicts. New code uses attributes.
    def __getitem__(self, key: str) -> Any:
        if key == "_dir":
            return str(self._dir) if self._dir is not None else None
        if key not in type(self).model_fields:
            raise KeyError(key)
        value = getattr(self, key)
        return value.model_dump() if isinstance(value, BaseModel) else value

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default


def _type_name(annotation: Any) -> str:
    """A short readable name of a field's type: `str | None`, `dict[str, Any]`."""
    if annotation is type(None):
        return "None"
    if isinstance(annotation, type) and not typing.get_args(annotation):
        return annotation.__name__
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is Literal:
        return " | ".join(repr(a) for a in args)
    if origin in (types.UnionType, typing.Union):
        return " | ".join(_type_name(a) for a in args)
    if origin is not None:
        return f"{origin.__name__}[{', '.join(_type_name(a) for a in args)}]"
    return "Any" if annotation is Any else str(annotation)


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


def versions(extra: Iterable[str] = ()) -> dict[str, str | None]:
    """python, kit, papermill, then each distribution in `extra` (None when not installed).

    Read from package metadata: nothing is imported.
    """
    import platform
    from importlib import metadata

    def version(dist: str) -> str | None:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return None

    found = {
        "python": platform.python_version(),
        "kit": version("prediction-kit"),
        "papermill": version("papermill"),
    }
    return {**found, **{dist: version(dist) for dist in extra}}


def write_run(run_dir: Path, record: RunRecord) -> None:
    """Write `record` to `run_dir/run.json` atomically."""
    text = json.dumps(record.to_json(), indent=2, ensure_ascii=False) + "\n"
    atomic_write(Path(run_dir) / RUN_FILE, text)


def read_run(run_dir: Path) -> RunRecord | None:
    """The run record of a folder, or None when it has none or it is unreadable."""
    try:
        text = (Path(run_dir) / RUN_FILE).read_text(encoding="utf-8")
        return RunRecord.model_validate_json(text).with_dir(run_dir)
    except (OSError, ValueError, ValidationError):
        return None


def list_runs(project: Project, experiment: str | None = None) -> list[RunRecord]:
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
                runs.append(record)
    runs.sort(key=lambda r: (r.started or "", r.id))
    return runs


def latest_ok(
    project: Project, experiment: str, *, key: str | None = None, parameters: dict | None = None
) -> RunRecord | None:
    """The latest successful run of `experiment` with this cache key or these parameters."""
    return latest(list_runs(project, experiment), key=key, parameters=parameters)


def latest(
    records: list[RunRecord],
    *,
    key: str | None = None,
    parameters: dict | None = None,
    ok: bool = True,
) -> RunRecord | None:
    """The latest of `records` (oldest first) with this cache key or these parameters:
    successful ones only, or (`ok=False`) finished ones of any status."""
    wanted = ("ok",) if ok else FINISHED
    for record in reversed(records):
        if record.status not in wanted:
            continue
        if key is not None and record.cache_key != key:
            continue
        if parameters is not None and record.parameters != parameters:
            continue
        return record
    return None


def run_dir_of(project: Project, record: RunRecord) -> Path:
    return project.runs_dir / record.experiment / record.id


def host() -> str:
    import socket

    return f"{socket.gethostname()}:{os.getpid()}"
