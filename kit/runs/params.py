"""A notebook's parameters: read from its `parameters` cell, checked before a kernel starts.

papermill only warns about unknown names and never checks types; the kit refuses both.
A parameter's type is the type of its default in the `parameters` cell: an int default
takes ints, a float default takes ints or floats, a None default takes anything, and
lists and tuples take lists.
"""

from __future__ import annotations

import ast
import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kit.errors import UsageError, listed, quote
from kit.runs import notebooks


@dataclass(frozen=True)
class Parameter:
    name: str
    default: Any
    line: int  # in the parameters cell, 1-based


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    if isinstance(src, list):
        return "".join(s if isinstance(s, str) else str(s) for s in src)
    return src if isinstance(src, str) else str(src)


def _tags(cell: dict) -> list:
    meta = cell.get("metadata")
    tags = meta.get("tags") if isinstance(meta, dict) else None
    return tags if isinstance(tags, list) else []


def notebook_digest(nb_path: Path) -> str:
    """SHA-256 of the notebook's cell types and sources: outputs and metadata do not count."""
    import hashlib

    cells = [[c.get("cell_type"), _source(c)] for c in notebooks.cells(nb_path)]
    text = json.dumps(cells, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def notebook_parameters(nb_path: Path) -> dict[str, Parameter]:
    """The names and defaults of the cell tagged `parameters` (empty if there is none)."""
    for cell in notebooks.cells(nb_path):
        if cell.get("cell_type") != "code" or "parameters" not in _tags(cell):
            continue
        try:
            tree = ast.parse(_source(cell))
        except SyntaxError as e:
            raise UsageError(f"{nb_path}: parameters cell line {e.lineno}: {e.msg}") from None
        except (RecursionError, MemoryError, ValueError) as e:  # nested too deep, NUL bytes
            raise UsageError(f"{nb_path}: parameters cell: {type(e).__name__}") from None
        found: dict[str, Parameter] = {}
        for node in tree.body:
            target = None
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                target = node.target
            if not isinstance(target, ast.Name):
                continue
            try:
                default = ast.literal_eval(node.value)
            except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
                default = None  # computed default: accept any value
            found[target.id] = Parameter(target.id, default, node.lineno)
        return found
    return {}


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


def _type_name(value: Any) -> str:
    return type(value).__name__


def coerce(name: str, value: Any, param: Parameter, where: str) -> Any:
    """`value` for `param`, converted where harmless (int to float, text to str)."""
    default = param.default
    if default is None:
        return value
    if isinstance(default, bool):
        ok = isinstance(value, bool)
    elif isinstance(default, int):
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif isinstance(default, float):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        value = float(value) if ok else value
    elif isinstance(default, str):
        ok = not isinstance(value, list | dict)
        value = str(value) if ok and not isinstance(value, str) else value
        ok = ok and not isinstance(value, bool)
    elif isinstance(default, list | tuple):
        ok = isinstance(value, list | tuple)
        value = list(value) if ok else value
    else:
        ok = isinstance(value, type(default))
    if not ok:
        raise UsageError(
            f"{where}: parameter {quote(name)} takes a {_type_name(default)} (default "
            f"{quote(default)}), got {quote(value)} ({_type_name(value)})"
        )
    return value


def check_parameters(values: dict[str, Any], nb_path: Path, where: str) -> dict[str, Any]:
    """Checked and converted `values`; unknown names or wrong types raise `UsageError`."""
    import difflib

    known = notebook_parameters(nb_path)
    out = {}
    for name, value in values.items():
        if name not in known:
            short = isinstance(name, str) and len(name) <= 100
            close = difflib.get_close_matches(name, list(known), n=3) if short else []
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            names = listed(sorted(known)) or "none (no cell tagged 'parameters')"
            raise UsageError(
                f"{where}: {nb_path.name} has no parameter {quote(name)}{hint} (its "
                f"parameters: {names})"
            )
        out[name] = coerce(name, value, known[name], where)
    return out


def expand_grid(grid: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """Every combination of the grid's values, in the order given (one empty dict if none)."""
    names = list(grid)
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*grid.values())]
