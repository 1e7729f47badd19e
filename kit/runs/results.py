"""Read the results a notebook recorded with `kit.record` (NaN and infinities as floats)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kit.errors import quote
from kit.runs.record import MIME, decode


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
                warnings.append(
                    f"result {quote(name)} recorded more than once (cell {index}): last wins"
                )
            values.pop(name, None)
            values[name] = decode(item.get("value"))
    return values, warnings


def results(notebook_path: Path | str) -> dict[str, Any]:
    """Named results recorded in an (executed) notebook file."""
    from kit.runs.notebooks import read_executed

    return read_results(read_executed(Path(notebook_path)))[0]
