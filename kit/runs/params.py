"""A notebook's parameters: read from its `parameters` cell, checked before a kernel starts.

Reading and checking live in `kit.notebooks` (the sealed analysis plans read notebooks
too); this module keeps the names the runner has always used, and what only the command
line needs: parsing `-p NAME=VALUE` values and expanding `--grid`.
"""

from __future__ import annotations

import ast
import itertools
import json
from typing import Any

from kit.notebooks import (
    Parameter,
    check_parameters,
    coerce,
    notebook_digest,
    notebook_parameters,
    parameter_problems,
    type_words,
    unknown_parameter,
)

__all__ = [
    "Parameter",
    "check_parameters",
    "coerce",
    "expand_grid",
    "notebook_digest",
    "notebook_parameters",
    "parameter_problems",
    "parse_value",
    "type_words",
    "unknown_parameter",
]


def parse_value(text: str) -> Any:
    """A command-line value: JSON or a Python literal when it parses as one, else the text."""
    low = text.strip().lower()
    if low in ("true", "false"):
        return low == "true"
    if low in ("none", "null"):
        return None
    for parse in (json.loads, ast.literal_eval):
        try:
            return parse(text)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
    return text


def expand_grid(grid: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """Every combination of the grid's values, in the order given (one empty dict if none)."""
    names = list(grid)
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*grid.values())]
