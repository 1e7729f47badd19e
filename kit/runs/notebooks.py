"""Reading notebook files: through the kit's one reader, as JSON shaped like a notebook.

Experiment notebooks are read before a run (parameters, metadata, digests) and executed
ones after it (recorded results). A notebook that is missing is `NotFound`; one that is
not a regular file, larger than `fileio.NOTEBOOK_BYTES`, not UTF-8, not JSON (or nested
too deep to parse) or not a JSON object is a `UsageError` naming the notebook.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kit import fileio
from kit.errors import InvalidInput, NotFound, UsageError, printable, quote


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


def kit_metadata(nb_path: Path) -> dict[str, Any]:
    """The notebook's metadata entry `kit` ({} if none); UsageError if it is not an object."""
    meta = read_json(nb_path).get("metadata")
    found = meta.get("kit") if isinstance(meta, dict) else None
    if found is None:
        return {}
    if not isinstance(found, dict):
        raise UsageError(f"{nb_path}: metadata kit must be an object, got {quote(found)}")
    return found


def cells(nb_path: Path) -> list[dict[str, Any]]:
    """The notebook's cells that are JSON objects (anything else in `cells` is skipped)."""
    found = read_json(nb_path).get("cells")
    return [c for c in found if isinstance(c, dict)] if isinstance(found, list) else []


def read_executed(nb_path: Path) -> Any:
    """An executed notebook as an nbformat node (for its outputs)."""
    import nbformat

    return nbformat.reads(read_text(nb_path), as_version=4)
