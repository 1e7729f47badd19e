"""`kit init`: a new project that works at once, from templates shipped with the kit.

The templates are package data under `kit/init/templates/`: `project/` is copied as it
is (`gitignore` becomes `.gitignore`), and `questions/<type>.yaml` are the commented
questions `kit new-question` appends. Nothing that exists is overwritten unless asked
(`force`); an existing `.gitignore` only gets the lines it lacks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from kit.errors import KitError, UsageError
from kit.fileio import TEXT_BYTES, atomic_write, read_text

#: The loop a new project runs right away (also what its README and the guide show).
LOOP = ("check", "seal", "run all", "resolve", "score", "report")


@dataclass
class Created:
    """What `init` did: the files written, and the lines added to an existing .gitignore."""

    root: Path
    written: list[Path] = field(default_factory=list)
    gitignore_added: list[str] = field(default_factory=list)


def _templates():
    return resources.files("kit.init") / "templates"


def template(*parts: str) -> str:
    """The text of a shipped template, e.g. `template("questions", "binary.yaml")`."""
    node = _templates().joinpath(*parts)
    if not node.is_file():
        raise KitError(f"the kit has no template {'/'.join(parts)} (a broken install?)")
    return node.read_text(encoding="utf-8")


def question_types() -> list[str]:
    """The question types `kit new-question` has a template for."""
    folder = _templates() / "questions"
    return sorted(p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name[0] != ".")


def _project_files() -> dict[str, str]:
    """Relative path in the new project -> text, for every file of `templates/project`."""
    out: dict[str, str] = {}

    def walk(node, prefix: str) -> None:
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            if child.name.startswith((".", "__")):
                continue
            if child.is_dir():
                walk(child, f"{prefix}{child.name}/")
            else:
                name = ".gitignore" if child.name == "gitignore" else child.name
                out[prefix + name] = child.read_text(encoding="utf-8")

    walk(_templates() / "project", "")
    return out


def init(folder: Path | str = ".", *, force: bool = False) -> Created:
    """Create a working project in `folder` (made if missing): an example question set,
    its notebook, a README and a .gitignore. Refuses, writing nothing, when one of those
    files exists, unless `force` (then they are replaced)."""
    root = Path(folder)
    if root.exists() and not root.is_dir():
        raise UsageError(f"{root} is a file, not a folder")
    files = _project_files()
    ignore = files.pop(".gitignore")
    clash = sorted(rel for rel in files if (root / rel).exists())
    if clash and not force:
        where = "this folder" if root.resolve() == Path.cwd().resolve() else str(root)
        raise UsageError(
            f"{where}: refused, nothing written: {', '.join(clash)} already "
            f"{'exists' if len(clash) == 1 else 'exist'} (--force replaces "
            f"{'it' if len(clash) == 1 else 'them'})"
        )
    created = Created(root)
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, text)
        created.written.append(path)
    ignore_path = root / ".gitignore"
    if ignore_path.exists():  # the user's own: kept, only completed
        created.gitignore_added = _add_missing_lines(ignore_path, ignore)
    else:
        atomic_write(ignore_path, ignore)
        created.written.append(ignore_path)
    return created


def _add_missing_lines(path: Path, template_text: str) -> list[str]:
    """Append to the file at `path` the template's patterns it lacks (with their
    comments); the patterns added."""
    text = read_text(path, TEXT_BYTES, str(path))
    have = {ln.strip() for ln in text.splitlines()}
    missing = [ln for ln in template_text.splitlines() if ln.strip() and ln.strip() not in have]
    patterns = [ln for ln in missing if not ln.startswith("#")]
    if patterns:
        body = text if not text or text.endswith("\n") else text + "\n"
        atomic_write(path, body + "\n".join(missing) + "\n")
    return patterns
