"""Seal every forecast not yet sealed (what `kit seal` does)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from kit.errors import InvalidInput, LedgerError
from kit.fileio import atomic_write, locked
from kit.predictions import edit, skips, yamlsafe
from kit.predictions import ledger as ledger_mod
from kit.predictions.registry import ForecastRef, Predictions, check
from kit.predictions.timefmt import now as utc_now
from kit.predictions.validate import validate_file
from kit.project import Project


@dataclass
class SealReport:
    sealed: list[ForecastRef] = field(default_factory=list)
    timed: int = 0  # forecasts whose missing `at` was filled in
    torn_bytes: int = 0  # bytes of a torn ledger tail moved aside
    tampered: list[str] = field(default_factory=list)  # problems left unsealed on purpose
    skipped: list[skips.Skip] = field(default_factory=list)  # questions with errors, not sealed
    predictions: Predictions | None = None


def _fill_times(project: Project, predictions: Predictions, at: datetime) -> int:
    filled = 0
    for s in predictions.sets:
        missing = [
            (s.question_index[q.id], j)
            for q in s.questions
            for j, f in enumerate(q.forecasts)
            if f.at is None
        ]
        if not missing:
            continue
        with locked(s.path):
            text = s.path.read_text(encoding="utf-8")
            _, before = validate_file(project, s.path, text)
            for qi, fj in sorted(missing, reverse=True):  # bottom-up: positions stay valid
                tree = yamlsafe.load(s.file, text).tree
                text = edit.insert_time(text, tree, qi, fj, at)
            _, problems = validate_file(project, s.path, text)
            old = {(p.field, p.message) for p in before if p.severity == "error"}
            errors = [
                p for p in problems if p.severity == "error" and (p.field, p.message) not in old
            ]
            if errors:
                raise InvalidInput(errors)
            atomic_write(s.path, text)
        filled += len(missing)
    return filled


def seal(project: Project, now: datetime | None = None) -> SealReport:
    """Fill in missing forecast times, then append a seal for every unsealed forecast.

    Questions with errors are left out (listed in `skipped`) and the others sealed; a
    missing notebook does not matter here. A forecast whose (question, forecaster, time)
    is already sealed with another digest was tampered with: it is reported, not
    re-sealed (re-sealing would launder the change).
    """
    at = now or utc_now()
    report = SealReport()
    with locked(project.ledger_path):
        predictions = check(project)
        report.skipped = skips.left_out(predictions)
        report.timed = _fill_times(project, predictions, at)
        if report.timed:
            predictions = check(project)
        ledger = predictions.ledger
        if ledger.torn:
            report.torn_bytes = ledger_mod.set_aside_torn_tail(ledger)
            predictions = check(project)
            ledger = predictions.ledger
        if any(p.code in ("chain", "corrupt") for p in ledger.problems):
            raise LedgerError(
                "the ledger is damaged (see `kit check`); restore it from git "
                "(`git checkout predictions/_seals.jsonl`) before sealing more forecasts"
            )
        existing = ledger.by_key()
        commit = ledger_mod.git_commit(project.root)
        sealed_at = ledger_mod.iso(utc_now())
        records = []
        for ref in predictions.forecasts():
            if ref.key in existing:
                if ref.seal is None:
                    report.tampered.append(
                        f"{ref.set.file}: {ref.question.id} by {ref.forecast.by}"
                    )
                continue
            records.append(
                {
                    "question": ref.question.id,
                    "by": ref.forecast.by,
                    "at": ref.key[2],
                    "digest": ledger_mod.digest(ref.question, ref.forecast),
                    "sealed_at": sealed_at,
                    "commit": commit,
                    "file": ref.set.file,
                }
            )
            report.sealed.append(ref)
        ledger_mod.append(project.ledger_path, records, ledger.last_hash)
        report.predictions = check(project) if records else predictions
    return report
