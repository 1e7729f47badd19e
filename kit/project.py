"""Where a kit project keeps its files.

A project is a folder holding `predictions/` (question sets and the kit's own files,
whose names start with `_`), `notebooks/` (experiments) and `runs/` (evidence).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from kit.errors import NotFound

LEDGER_NAME = "_seals.jsonl"


def printable_path(text: str) -> str:
    """A file name as text that can always be printed and written to the ledger."""
    raw = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in raw)


RESOLUTIONS_NAME = "_resolutions.yaml"


@dataclass(frozen=True)
class Project:
    root: Path

    def __post_init__(self) -> None:
        object.__setattr__(self, "root", Path(self.root))

    @property
    def predictions_dir(self) -> Path:
        return self.root / "predictions"

    @property
    def notebooks_dir(self) -> Path:
        return self.root / "notebooks"

    @property
    def runs_dir(self) -> Path:
        return self.root / "runs"

    @property
    def evidence_dir(self) -> Path:
        """Committed copies of the runs that resolved questions (`kit evidence`)."""
        return self.root / "evidence"

    @property
    def ledger_path(self) -> Path:
        return self.predictions_dir / LEDGER_NAME

    @property
    def resolutions_path(self) -> Path:
        return self.predictions_dir / RESOLUTIONS_NAME

    def question_set_files(self) -> list[Path]:
        """Every `predictions/*.yaml` (and `.yml`) that is not one of the kit's own `_` files."""
        if not self.predictions_dir.is_dir():
            return []
        files = [
            p
            for p in self.predictions_dir.iterdir()
            if p.suffix in (".yaml", ".yml") and not p.name.startswith("_") and p.is_file()
        ]
        return sorted(files)

    def notebook_path(self, experiment: str) -> Path:
        return self.notebooks_dir / f"{experiment}.ipynb"

    def relative(self, path: Path) -> str:
        """A path as shown in messages: relative to the root when inside it, and printable
        (bytes that are not UTF-8 and control characters in names escaped, `\\xff`)."""
        try:
            text = os.path.relpath(path.resolve(), self.root.resolve())
        except ValueError:  # another drive on Windows
            text = str(path)
        return printable_path(text)

    @classmethod
    def find(cls, start: Path | str | None = None) -> Project:
        """The project holding `start` (default: the current folder or `$KIT_PROJECT`)."""
        if start is None:
            start = os.environ.get("KIT_PROJECT") or Path.cwd()
        here = Path(start).resolve()
        if here.is_file():
            here = here.parent
        for folder in (here, *here.parents):
            if (folder / "predictions").is_dir():
                return cls(folder)
        raise NotFound(
            f"{start}: no kit project here (no predictions/ folder in it or above it); "
            "create predictions/ or pass --project"
        )
