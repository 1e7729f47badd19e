"""What an experiment notebook's file says, read without running it.

The cells' digest (types and sources: outputs and metadata do not count), the `kit`
entry of its metadata (e.g. the input files it declares), and its `parameters` cell with
the check of the values a question set gives. Both the runner (`kit.runs`) and the
sealed analysis plans (`kit.predictions.plans`) read notebooks through this module, so a
run and a plan agree on what "the same notebook" and "the same parameters" mean.

papermill only warns about unknown names and never checks types; the kit refuses both.
A parameter's type is the type of its default in the `parameters` cell: an int default
takes ints, a float default takes ints or floats, a None default takes anything, and
lists and tuples take lists.
"""

from __future__ import annotations

import ast
import difflib
import hashlib
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


def _read(nb_path: Path) -> dict:
    try:
        nb = json.loads(Path(nb_path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NotFound(f"{nb_path}: no such notebook") from None
    except (OSError, ValueError) as e:
        raise UsageError(f"{nb_path}: not a readable notebook ({e})") from None
    return nb if isinstance(nb, dict) else {}


def cells(nb_path: Path) -> list[dict]:
    """The notebook's cells (NotFound or UsageError when it cannot be read)."""
    found = _read(nb_path).get("cells", [])
    return found if isinstance(found, list) else []


def source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def notebook_digest(nb_path: Path) -> str:
    """SHA-256 of the notebook's cell types and sources: outputs and metadata do not count."""
    body = [[c.get("cell_type"), source(c)] for c in cells(nb_path)]
    return hashlib.sha256(json.dumps(body, ensure_ascii=False).encode()).hexdigest()


def kit_metadata(nb_path: Path) -> dict[str, Any]:
    """The notebook's metadata entry `kit` ({} if none); NotFound/UsageError if unreadable."""
    meta = _read(nb_path).get("metadata", {})
    found = meta.get("kit") if isinstance(meta, dict) else None
    return found if isinstance(found, dict) else {}


def file_digest(path: Path) -> str | None:
    """SHA-256 (hex) of a file's bytes, or None when there is no such file."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except (FileNotFoundError, IsADirectoryError):
        return None


def declared_inputs(nb_path: Path) -> dict[str, str | None]:
    """Digests of the files the notebook's metadata `kit.inputs` names (None: missing).

    Paths are relative to the notebook's folder, e.g. `["maze_policy.pt"]`."""
    names = kit_metadata(nb_path).get("inputs", [])
    if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
        raise UsageError(
            f"{nb_path}: metadata kit.inputs must be a list of file paths relative to the "
            f"notebook's folder, got {names!r}"
        )
    return {name: file_digest(Path(nb_path).parent / name) for name in names}


def notebook_parameters(nb_path: Path) -> dict[str, Parameter]:
    """The names and defaults of the cell tagged `parameters` (empty if there is none)."""
    for cell in cells(nb_path):
        tags = (cell.get("metadata") or {}).get("tags") or []
        if cell.get("cell_type") != "code" or "parameters" not in tags:
            continue
        try:
            tree = ast.parse(source(cell))
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
            f"{where}: parameter {name!r} takes a {_type_name(default)} (default "
            f"{default!r}), got {value!r} ({_type_name(value)})"
        )
    return value


def check_parameters(values: dict[str, Any], nb_path: Path, where: str) -> dict[str, Any]:
    """Checked and converted `values`; unknown names or wrong types raise `UsageError`."""
    known = notebook_parameters(nb_path)
    out = {}
    for name, value in values.items():
        if name not in known:
            close = difflib.get_close_matches(name, list(known), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            listed = ", ".join(sorted(known)) or "none (no cell tagged 'parameters')"
            raise UsageError(
                f"{where}: {nb_path.name} has no parameter {name!r}{hint} (its parameters: "
                f"{listed})"
            )
        out[name] = coerce(name, value, known[name], where)
    return out
