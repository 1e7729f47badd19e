"""Read the results a notebook recorded with `kit.record`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kit.runs.record import MIME

#: The tag papermill gives the cell it injects after the `parameters` cell.
INJECTED_TAG = "injected-parameters"


def user_cell(nb: Any, index: int | None) -> tuple[int | None, bool]:
    """Cell `index` of an executed notebook as its author counts it: (number from 1, not
    counting papermill's injected cell, or None; whether it is the injected cell)."""
    cells = nb.get("cells", [])
    if index is None or not 0 <= index < len(cells):
        return None, False
    injected = [
        i
        for i, c in enumerate(cells)
        if INJECTED_TAG in ((c.get("metadata") or {}).get("tags") or [])
    ]
    if index in injected:
        return None, True
    return index + 1 - sum(i < index for i in injected), False


def read_results(nb: Any) -> tuple[dict[str, Any], list[str]]:
    """Results in a notebook node (in recording order; the last of a name wins) and warnings."""
    values: dict[str, Any] = {}
    warnings: list[str] = []
    for index, cell in enumerate(nb.get("cells", [])):
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
                    f"result {name!r} recorded more than once (again in cell {number}): "
                    "the last value wins"
                )
            values.pop(name, None)
            values[name] = item.get("value")
    return values, warnings


def results(notebook_path: Path | str) -> dict[str, Any]:
    """Named results recorded in an (executed) notebook file."""
    import nbformat

    nb = nbformat.read(str(notebook_path), as_version=4)
    return read_results(nb)[0]
