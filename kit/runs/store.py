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
from dataclasses import dataclass, field
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

from kit import fileio
from kit.errors import InvalidInput, Problem, quote
from kit.fileio import atomic_write
from kit.predictions.yamlscan import text_problem
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


#: run.json fields written only when they have a value.
OMITTED_WHEN_NULL = ("process_started", "noticed")


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
    process_started: float | None = Field(
        None,
        description="when that process started (seconds since 1970), to tell it from a later "
        "process given the same pid",
    )
    noticed: str | None = Field(
        None,
        description="when a later `kit run` or `kit status` found that process gone and "
        "marked the run interrupted (UTC, ISO 8601); null otherwise",
    )

    _dir: Path | None = PrivateAttr(None)

    @field_validator("results", mode="before")
    @classmethod
    def _floats_in(cls, results: Any) -> Any:
        return decode_floats(results)

    @field_serializer("results")
    def _floats_out(self, results: dict[str, Any]) -> dict[str, Any]:
        return encode_floats(results)

    @field_validator("started", "ended", "noticed")
    @classmethod
    def _time(cls, value: str | None) -> str | None:
        if value is not None:
            moment = parse_iso(value)  # ValueError: the record is unreadable
            if moment.tzinfo is None:
                raise ValueError(f"{quote(value)} has no time zone")
        return value

    @property
    def dir(self) -> Path | None:
        """The run's folder (not part of run.json)."""
        return self._dir

    def with_dir(self, run_dir: Path | str | None) -> RunRecord:
        """This record, knowing its folder (returns self)."""
        self._dir = Path(run_dir) if run_dir is not None else None
        return self

    def to_json(self) -> dict[str, Any]:
        """The record as run.json holds it (plain JSON data). Fields added after the
        first format are left out while null, so older files are written back as read."""
        data = self.model_dump(mode="json")
        for name in OMITTED_WHEN_NULL:
            if data.get(name) is None:
                data.pop(name, None)
        return data

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
    """SHA-256 of a file, streamed (`kit.fileio.digest`); None when it is missing."""
    return fileio.digest(path, fileio.INPUT_BYTES)


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


def _text_problem(data: Any) -> str | None:
    """The first NUL, control character or lone surrogate in a JSON value's text."""
    todo = [data]
    while todo:
        item = todo.pop()
        if isinstance(item, str):
            if why := text_problem(item):
                return why
        elif isinstance(item, dict):
            todo.extend(item.keys())
            todo.extend(item.values())
        elif isinstance(item, list):
            todo.extend(item)
    return None


def load_run(run_dir: Path, shown: str | None = None) -> RunRecord:
    """The run record of a folder; `InvalidInput` located at its run.json when it cannot
    be read (not a regular file, too large, not JSON, not a run record, hostile text)."""
    path = Path(run_dir) / RUN_FILE
    shown = shown or str(path)
    text = fileio.read_text(path, fileio.RUN_RECORD_BYTES, shown)
    try:
        data = json.loads(text)
        if why := _text_problem(data):
            raise ValueError(why)
        return RunRecord.model_validate(data).with_dir(run_dir)
    except ValidationError as e:
        first = e.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"]) or "run"
        message = f"{where}: {first['msg'].removeprefix('Value error, ')}"
    except (ValueError, RecursionError) as e:
        message = str(e)[:300] or type(e).__name__
    raise InvalidInput([Problem(shown, 1, 1, "run", f"not a run record: {message}")])


def read_run(run_dir: Path) -> RunRecord | None:
    """The run record of a folder, or None when it has none or it is unreadable."""
    try:
        return load_run(run_dir)
    except InvalidInput:
        return None


@dataclass
class RunScan:
    """The run records found, and a problem for each run.json that could not be read."""

    records: list[RunRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def scan_runs(project: Project, experiment: str | None = None) -> RunScan:
    """Every run record (of one experiment or all), oldest first, and what was unreadable."""
    found = RunScan()
    root = project.runs_dir
    if not root.is_dir():
        return found
    folders = [root / experiment] if experiment else sorted(p for p in root.iterdir())
    for folder in folders:
        if not folder.is_dir():
            continue
        for run_dir in sorted(folder.iterdir()):
            if not run_dir.is_dir() or not (run_dir / RUN_FILE).exists():
                continue
            try:
                found.records.append(load_run(run_dir, project.relative(run_dir / RUN_FILE)))
            except InvalidInput as e:
                found.problems += e.problems
    found.records.sort(key=lambda r: (r.started or "", r.id))
    return found


def list_runs(project: Project, experiment: str | None = None) -> list[RunRecord]:
    """Every readable run record (of one experiment or all), oldest first."""
    return scan_runs(project, experiment).records


def archived_runs(project: Project) -> list[RunRecord]:
    """Run records copied into the committed `evidence/` folder (`kit evidence`)."""
    root = project.evidence_dir
    if not root.is_dir():
        return []
    runs = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        for run_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
            record = read_run(run_dir)
            if record is not None:
                runs.append(record)
    runs.sort(key=lambda r: (r.started or "", r.id))
    return runs


def all_runs(project: Project) -> list[RunRecord]:
    """Runs in `runs/`, and the `evidence/` copies of runs no longer there, oldest first."""
    return with_archived(project, list_runs(project))


def with_archived(project: Project, local: list[RunRecord]) -> list[RunRecord]:
    """`local` runs and the `evidence/` copies of runs not among them, oldest first."""
    ids = {(r.experiment, r.id) for r in local}
    archived = [r for r in archived_runs(project) if (r.experiment, r.id) not in ids]
    return sorted(local + archived, key=lambda r: (r.started or "", r.id))


def find_run(project: Project, run: str) -> RunRecord | None:
    """The record of run `EXPERIMENT/RUN-ID`: from `runs/`, else from `evidence/`."""
    experiment, _, run_id = run.partition("/")
    if not experiment or not run_id or "/" in run_id or experiment in (".", ".."):
        return None
    if run_id in (".", ".."):
        return None
    for root in (project.runs_dir, project.evidence_dir):
        record = read_run(root / experiment / run_id)
        if record is not None:
            return record
    return None


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
    """The run's folder: where it was read from, else where its ids place it."""
    return record.dir or project.runs_dir / record.experiment / record.id


def host() -> str:
    import socket

    return f"{socket.gethostname()}:{os.getpid()}"


def process_started(pid: int | None = None) -> float | None:
    """When process `pid` (default: this one) started, seconds since 1970; None if unknown."""
    import psutil

    try:
        return psutil.Process(pid).create_time()
    except psutil.Error:
        return None
