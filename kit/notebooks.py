"""What an experiment notebook's file says, read without running it.

The cells' digest (types and sources: outputs and metadata do not count), the `kit`
entry of its metadata (e.g. the input files it declares), and its `parameters` cell with
the check of the values a question set gives. Both the runner (`kit.runs`) and the
sealed analysis plans (`kit.predictions.plans`) read notebooks through this module, so a
run and a plan agree on what "the same notebook" and "the same parameters" mean.

papermill only warns about unknown names and never checks types; the kit refuses both.
Notebook files are read through the kit's one reader (`kit.fileio`): a notebook that is
missing is `NotFound`; one that is not a regular file, larger than
`fileio.NOTEBOOK_BYTES`, not UTF-8, not JSON (or nested too deep to parse) or not a JSON
object is a `UsageError` naming the notebook.

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

from kit import fileio
from kit.errors import InvalidInput, NotFound, UsageError, listed, printable, quote


@dataclass(frozen=True)
class Parameter:
    name: str
    default: Any
    line: int  # in the parameters cell, 1-based


def read_text(nb_path: Path) -> str:
    """The text of a notebook file (see the module's docstring for the refusals)."""
    try:
        text = fileio.read_text(nb_path, fileio.NOTEBOOK_BYTES, str(nb_path), optional=True)
    except InvalidInput as e:
        raise UsageError(f"{nb_path}: not a readable notebook: {e.problems[0].message}") from None
    if text is None:
        raise NotFound(f"{nb_path}: no such notebook")
    return text


def read_json(nb_path: Path) -> dict[str, Any]:
    """A notebook file as a JSON object (its `cells` and `metadata` not yet checked)."""
    try:
        nb = json.loads(read_text(nb_path))
    except (ValueError, RecursionError) as e:
        why = printable(str(e), 200) or type(e).__name__
        raise UsageError(f"{nb_path}: not a readable notebook ({why})") from None
    if not isinstance(nb, dict):
        raise UsageError(f"{nb_path}: not a notebook (expected a JSON object)")
    return nb


def read_executed(nb_path: Path) -> Any:
    """An executed notebook as an nbformat node (for its outputs)."""
    import nbformat

    return nbformat.reads(read_text(nb_path), as_version=4)


def cells(nb_path: Path) -> list[dict[str, Any]]:
    """The notebook's cells that are JSON objects (anything else in `cells` is skipped)."""
    found = read_json(nb_path).get("cells")
    return [c for c in found if isinstance(c, dict)] if isinstance(found, list) else []


def source(cell: dict) -> str:
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
    body = [[c.get("cell_type"), source(c)] for c in cells(nb_path)]
    text = json.dumps(body, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def kit_metadata(nb_path: Path) -> dict[str, Any]:
    """The notebook's metadata entry `kit` ({} if none); UsageError if it is not an object."""
    meta = read_json(nb_path).get("metadata")
    found = meta.get("kit") if isinstance(meta, dict) else None
    if found is None:
        return {}
    if not isinstance(found, dict):
        raise UsageError(f"{nb_path}: metadata kit must be an object, got {quote(found)}")
    return found


def file_digest(path: Path) -> str | None:
    """SHA-256 (hex) of a file's bytes, streamed through the one reader (None: missing)."""
    try:
        return fileio.digest(Path(path), fileio.INPUT_BYTES)
    except InvalidInput:
        return None


def declared_inputs(nb_path: Path) -> dict[str, str | None]:
    """Digests of the files the notebook's metadata `kit.inputs` names (None: missing).

    Paths are relative to the notebook's folder, e.g. `["maze_policy.pt"]`; each is
    streamed through the one reader (`fileio.INPUT_BYTES` at most)."""
    names = kit_metadata(nb_path).get("inputs", [])
    if not isinstance(names, list) or not all(
        isinstance(n, str) and n and "\0" not in n for n in names
    ):
        raise UsageError(
            f"{nb_path}: metadata kit.inputs must be a list of file paths relative to the "
            f"notebook's folder, got {quote(names)}"
        )
    digests = {}
    for name in names:
        try:
            digests[name] = fileio.digest(Path(nb_path).parent / name, fileio.INPUT_BYTES)
        except InvalidInput as e:
            why = e.problems[0].message
            raise UsageError(f"{nb_path}: declared input {quote(name)} {why}") from None
    return digests


def notebook_parameters(nb_path: Path) -> dict[str, Parameter]:
    """The names and defaults of the cell tagged `parameters` (empty if there is none)."""
    for cell in cells(nb_path):
        if cell.get("cell_type") != "code" or "parameters" not in _tags(cell):
            continue
        try:
            tree = ast.parse(source(cell))
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
            f"{prefix}parameter {quote(name)} takes {type_words(default)} (its default is "
            f"{quote(default)}), got {quote(value)}, which is {type_words(value)}"
        )
    return value


def unknown_parameter(name: str, known: dict[str, Parameter], nb_path: Path) -> str:
    """Why `name` is refused: the notebook's parameters cell does not set it."""
    short = isinstance(name, str) and len(name) <= 100
    close = difflib.get_close_matches(name, list(known), n=3) if short else []
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    names = listed(sorted(known)) or "none (no cell tagged 'parameters')"
    return f"{nb_path.name} has no parameter {quote(name)}{hint} (its parameters: {names})"


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
