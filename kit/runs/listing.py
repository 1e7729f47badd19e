"""Runs as rows: filtered, with the parameters that differ between them and chosen results.

What `kit runs` lists and `kit run` prints after each run. Pure functions over
`RunRecord`s (read by `kit.runs.store.list_runs`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import Any

from kit.runs.store import RunRecord, run_dir_of

BASE_COLUMNS = ("experiment", "id", "status", "started", "duration_s")


def select(
    records: Iterable[RunRecord],
    *,
    experiment: str | None = None,
    status: str | None = None,
    parameters: dict[str, Any] | None = None,
) -> list[RunRecord]:
    """The records of `experiment`, with `status`, whose parameters include `parameters`."""
    out = []
    for r in records:
        if experiment is not None and r.experiment != experiment:
            continue
        if status is not None and r.status != status:
            continue
        if parameters and any(
            name not in r.parameters or r.parameters[name] != value
            for name, value in parameters.items()
        ):
            continue
        out.append(r)
    return out


def differing(records: list[RunRecord]) -> list[str]:
    """Names of the parameters whose values are not the same in every record (a name
    missing from some records counts as differing), in first-seen order."""
    names: dict[str, None] = {}
    for r in records:
        names.update(dict.fromkeys(r.parameters))
    out = []
    for name in names:
        values = {json.dumps(r.parameters.get(name, "\0missing"), sort_keys=True) for r in records}
        if len(values) > 1:
            out.append(name)
    return out


def rows(records: list[RunRecord], results: Iterable[str] = ()) -> list[dict[str, Any]]:
    """One row per record: the base columns, then each parameter that differs between the
    records, then each chosen result (empty where a run did not record it). A parameter or
    result whose name is taken already is shown as `param:NAME` or `result:NAME`."""
    taken = set(BASE_COLUMNS)
    params = {}
    for p in differing(records):
        params[p] = p if p not in taken else f"param:{p}"
        taken.add(params[p])
    chosen = {}
    for n in results:
        chosen[n] = n if n not in taken else f"result:{n}"
        taken.add(chosen[n])
    out = []
    for r in records:
        row: dict[str, Any] = {c: getattr(r, c) for c in BASE_COLUMNS}
        row |= {column: r.parameters.get(p) for p, column in params.items()}
        row |= {column: r.results.get(n) for n, column in chosen.items()}
        out.append(row)
    return out


def short_value(value: Any, width: int = 24) -> str:
    """A recorded value in a few characters: 4 significant digits, `[n values]`, ..."""
    if isinstance(value, bool) or value is None:
        text = json.dumps(value)
    elif isinstance(value, float):
        text = f"{value:.4g}" if math.isfinite(value) else str(value)
    elif isinstance(value, int):
        text = str(value) if abs(value) < 10**12 else f"{value:.4g}"
    elif isinstance(value, list):
        text = f"[{len(value)} values]"
    elif isinstance(value, dict):
        text = f"{{{len(value)} keys}}"
    else:
        text = json.dumps(str(value), ensure_ascii=False)
    return text if len(text) <= width else text[: width - 3] + "..."


def short_results(record: RunRecord, width: int = 120) -> str:
    """`name=value ...` of a run's results, cut to `width` characters."""
    parts = [f"{k}={short_value(v)}" for k, v in record.results.items()]
    text = " ".join(parts)
    return text if len(text) <= width else text[: width - 3] + "..."


def folder(project, record: RunRecord) -> str:
    """The run's folder as shown: relative to the project."""
    return project.relative(run_dir_of(project, record))
