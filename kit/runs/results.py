"""Read the results a notebook recorded with `kit.record` (NaN and infinities as floats)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kit.errors import quote
from kit.runs.record import MIME, decode

#: The tag papermill gives the cell it injects after the `parameters` cell.
INJECTED_TAG = "injected-parameters"
#: The tag of the notes papermill adds to a saved notebook when a cell failed.
ERROR_NOTE_TAG = "papermill-error-cell-tag"


def _tags(cell: Any) -> list:
    return (cell.get("metadata") or {}).get("tags") or []


def executed_cells(nb: Any) -> list:
    """The cells the kernel ran, in order: papermill's error notes left out, so that an
    index here is papermill's own (`PapermillExecutionError.cell_index`)."""
    return [c for c in nb.get("cells", []) if ERROR_NOTE_TAG not in _tags(c)]


def user_cell(nb: Any, index: int | None) -> tuple[int | None, bool]:
    """Cell `index` (of `executed_cells`) as the notebook's author counts it: (number
    from 1, papermill's injected cell not counted, or None; whether it is that cell)."""
    cells = executed_cells(nb)
    if index is None or not 0 <= index < len(cells):
        return None, False
    injected = [i for i, c in enumerate(cells) if INJECTED_TAG in _tags(c)]
    if index in injected:
        return None, True
    return index + 1 - sum(i < index for i in injected), False


def read_results(nb: Any) -> tuple[dict[str, Any], list[str]]:
    """Results in a notebook node (in recording order; the last of a name wins) and warnings."""
    values: dict[str, Any] = {}
    warnings: list[str] = []
    for index, cell in enumerate(executed_cells(nb)):
        for output in cell.get("outputs", []) or []:
            data = output.get("data") or {}
            if MIME not in data:
                continue
            item = data[MIME]
            if isinstance(item, str):  # some writers store JSON MIME data as text
                item = json.loads(item)
            name = item.get("name")
            if name in values:
                number, _ = user_cell(nb, index)
                warnings.append(
                    f"result {quote(name)} recorded more than once (again in cell {number}): "
                    "the last value wins"
                )
            values.pop(name, None)
            values[name] = decode(item.get("value"))
    return values, warnings


def results(notebook_path: Path | str) -> dict[str, Any]:
    """Named results recorded in an (executed) notebook file."""
    from kit.notebooks import read_executed

    return read_results(read_executed(Path(notebook_path)))[0]
