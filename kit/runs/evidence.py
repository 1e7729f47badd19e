"""`kit evidence`: copy the runs that resolved questions into the committed `evidence/`.

`runs/` is git-ignored (runs are many and large); the runs that decided outcomes are
the evidence a reader of the repository needs. Each resolving run's `run.json` and
executed `notebook.ipynb` (outputs kept) are copied byte for byte to
`evidence/<experiment>/<run-id>/`, so the digests in `_resolutions.yaml` match the copies
and `kit check` verifies every outcome from a fresh clone. Copies are never removed or
overwritten with other bytes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from kit import fileio
from kit.errors import KitError
from kit.fileio import atomic_write
from kit.predictions.registry import Predictions
from kit.predictions.resolutions import load_resolutions
from kit.runs import store

ARCHIVED = (store.RUN_FILE, store.NOTEBOOK_FILE)
LIMITS = {store.RUN_FILE: fileio.RUN_RECORD_BYTES, store.NOTEBOOK_FILE: fileio.NOTEBOOK_BYTES}


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class ArchiveReport:
    copied: list[str] = field(default_factory=list)  # EXPERIMENT/RUN-ID newly copied
    present: list[str] = field(default_factory=list)  # already in evidence/
    missing: list[str] = field(default_factory=list)  # "question: run" found nowhere
    copied_bytes: int = 0
    total_bytes: int = 0  # of evidence/ after copying


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else 0


def archive(predictions: Predictions) -> ArchiveReport:
    """Copy every resolving run not yet in `evidence/` there; report sizes."""
    project = predictions.project
    report = ArchiveReport()
    runs = {res.run: qid for qid, res in load_resolutions(predictions).items() if res.run}
    for run, qid in sorted(runs.items()):
        experiment, _, run_id = run.partition("/")
        if store.find_run(project, run) is None:  # also refuses ids leading out (`../x`)
            report.missing.append(f"{qid}: {run}")
            continue
        target = project.evidence_dir / experiment / run_id
        if all((target / name).is_file() for name in ARCHIVED):
            report.present.append(run)
            continue
        source = project.runs_dir / experiment / run_id
        if store.read_run(source) is None:
            report.missing.append(f"{qid}: {run}")
            continue
        target.mkdir(parents=True, exist_ok=True)
        for name in ARCHIVED:
            if not (source / name).is_file():
                raise KitError(f"{source / name}: missing; the run cannot be archived")
            data = fileio.read_bytes(source / name, LIMITS[name], project.relative(source / name))
            if (target / name).exists() and fileio.digest(target / name) != _sha256(data):
                raise KitError(f"{target / name} exists with other content; nothing overwritten")
            atomic_write(target / name, data)
            report.copied_bytes += len(data)
        report.copied.append(run)
    report.total_bytes = _size(project.evidence_dir)
    return report
