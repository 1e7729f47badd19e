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

from kit.errors import NotFound, UsageError


@dataclass(frozen=True)
class Parameter:
    name: str
    default: Any
    line: int  # in the parameters cell, 1-based


def _cells(nb_path: Path) -> list[dict]:
    try:
        nb = json.loads(Path(nb_path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NotFound(f"{nb_path}: no such notebook") from None
    except (OSError, ValueError) as e:
        raise UsageError(f"{nb_path}: not a readable notebook ({e})") from None
    return nb.get("cells", []) if isinstance(nb, dict) else []


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def notebook_digest(nb_path: Path) -> str:
    """SHA-256 of the notebook's cell types and sources: outputs and metadata do not count."""
    import hashlib

    cells = [[c.get("cell_type"), _source(c)] for c in _cells(nb_path)]
    return hashlib.sha256(json.dumps(cells, ensure_ascii=False).encode()).hexdigest()


def notebook_parameters(nb_path: Path) -> dict[str, Parameter]:
    """The names and defaults of the cell tagged `parameters` (empty if there is none)."""
    for cell in _cells(nb_path):
        tags = (cell.get("metadata") or {}).get("tags") or []
        if cell.get("cell_type") != "code" or "parameters" not in tags:
            continue
        try:
            tree = ast.parse(_source(cell))
        except SyntaxError as e:
            raise UsageError(f"{nb_path}: parameters cell line {e.lineno}: {e.msg}") from None
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
            except ValueError:
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


#: How a parameter's type is named in messages (by the type of its default).
_TYPE_WORDS = {
    "bool": "true or false",
    "int": "an integer",
    "float": "a number",
    "str": "text",
    "list": "a list",
    "tuple": "a list",
    "dict": "a mapping",
}


def type_words(value: Any) -> str:
    """`an integer`, `a number`, `text`...: the type of `value` as a message names it."""
    name = type(value).__name__
    return _TYPE_WORDS.get(name, f"{'an' if name[:1] in 'aeiou' else 'a'} {name}")


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
        prefix = f"{where}: " if where else ""
        raise UsageError(
            f"{prefix}parameter {name!r} takes {type_words(default)} (its default is "
            f"{default!r}), got {value!r}, which is {type_words(value)}"
        )
    return value


def unknown_parameter(name: str, known: dict[str, Parameter], nb_path: Path) -> str:
    """Why `name` is refused: the notebook's parameters cell does not set it."""
    import difflib

    close = difflib.get_close_matches(name, list(known), n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    listed = ", ".join(sorted(known)) or "none (no cell tagged 'parameters')"
    return f"{nb_path.name} has no parameter {name!r}{hint} (its parameters: {listed})"


def parameter_problems(values: dict[str, Any], nb_path: Path) -> dict[str, str]:
    """Each refused parameter with the reason (empty when all fit the notebook)."""
    known = notebook_parameters(nb_path)
    problems = {}
    for name, value in values.items():
        if name not in known:
            problems[name] = unknown_parameter(name, known, nb_path)
            continue
        try:
            coerce(name, value, known[name], "")
        except UsageError as e:
            problems[name] = str(e)
    return problems


def check_parameters(values: dict[str, Any], nb_path: Path, where: str) -> dict[str, Any]:
    """Checked and converted `values`; unknown names or wrong types raise `UsageError`."""
    known = notebook_parameters(nb_path)
    out = {}
    for name, value in values.items():
        if name not in known:
            raise UsageError(f"{where}: {unknown_parameter(name, known, nb_path)}")
        out[name] = coerce(name, value, known[name], where)
    return out


def expand_grid(grid: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """Every combination of the grid's values, in the order given (one empty dict if none)."""
    names = list(grid)
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*grid.values())]
