"""Seal forecasts not yet sealed, and the plans of their questions (what `kit seal` does).

Plain `kit seal` seals every unsealed forecast and every question's plan that was never
sealed; `kit seal --by NAME` only that forecaster's forecasts (and the plans of their
questions); `kit predict --seal` only the new forecast. A question whose plan differs
from its sealed version (a deviation) gets nothing sealed until `kit amend` records the
change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from kit.errors import InvalidInput, LedgerError
from kit.fileio import locked
from kit.predictions import edit, skips, yamlsafe
from kit.predictions import ledger as ledger_mod
from kit.predictions.registry import DAMAGED, ForecastRef, Predictions, check
from kit.predictions.timefmt import now as utc_now
from kit.predictions.validate import validate_file
from kit.project import Project


@dataclass
class SealReport:
    sealed: list[ForecastRef] = field(default_factory=list)
    plans: list[str] = field(default_factory=list)  # questions whose plan was first sealed
    timed: int = 0  # forecasts whose missing `at` was filled in
    torn_bytes: int = 0  # bytes of a torn ledger tail moved aside
    tampered: list[str] = field(default_factory=list)  # problems left unsealed on purpose
    deviations: list[str] = field(default_factory=list)  # deviating questions, and why
    held: list[str] = field(default_factory=list)  # forecasts not sealed for a deviation
    skipped: list[skips.Skip] = field(default_factory=list)  # questions with errors, not sealed
    predictions: Predictions | None = None


@dataclass(frozen=True)
class Selection:
    """Which forecasts to seal: all (the default), one forecaster's, or given keys."""

    by: str | None = None
    keys: frozenset[tuple[str, str, str]] | None = None

    def wants(self, ref: ForecastRef) -> bool:
        if self.by is not None and ref.forecast.by != self.by:
            return False
        return self.keys is None or ref.key in self.keys

    @property
    def everything(self) -> bool:
        return self.by is None and self.keys is None


def _fill_times(
    project: Project,
    predictions: Predictions,
    at: datetime,
    selection: Selection,
    broken: set[str] = frozenset(),
) -> int:
    """Write the missing times of the chosen forecasts; files with errors (`broken`) are
    left as they are (an alias, say, would get its time twice)."""
    filled = 0
    for s in predictions.sets:
        if s.file in broken:
            continue
        missing = [
            (s.question_index[q.id], j)
            for q in s.questions
            for j, f in enumerate(q.forecasts)
            if f.at is None and (selection.by is None or f.by == selection.by)
        ]
        if not missing:
            continue
        with locked(s.path):
            source = edit.read_source(s.path, s.file)
            try:
                tree = yamlsafe.load(s.file, source.text).tree
            except yamlsafe.YamlProblems as e:
                raise InvalidInput(e.problems) from None
            _, before = validate_file(project, s.path, source.text)
            text = edit.insert_times(source.text, tree, missing, at)
            _, problems = validate_file(project, s.path, text)
            old = {(p.field, p.message) for p in before if p.severity == "error"}
            errors = [
                p for p in problems if p.severity == "error" and (p.field, p.message) not in old
            ]
            if errors:
                raise InvalidInput(errors)
            edit.write_source(s.path, source, text)
        filled += len(missing)
    return filled


def seal(
    project: Project,
    now: datetime | None = None,
    *,
    by: str | None = None,
    keys: set[tuple[str, str, str]] | None = None,
) -> SealReport:
    """Fill in missing forecast times, then append a seal for each unsealed forecast
    chosen (all; `by` one forecaster's; `keys` these), and each of their questions' plans
    never sealed before (plain `kit seal`: every question's).

    Questions with errors are left out (listed in `skipped`) and the others sealed; a
    missing notebook does not matter here. A forecast whose (question, forecaster, time)
    is already sealed with another digest was tampered with: it is reported, not
    re-sealed (re-sealing would launder the change). A question whose plan deviates from
    its sealed version is held back whole: `kit amend` first.
    """
    at = now or utc_now()
    selection = Selection(by, frozenset(keys) if keys is not None else None)
    report = SealReport()
    with locked(project.ledger_path):
        predictions = check(project)
        report.skipped = skips.left_out(predictions)
        tolerated = {"tampered", "gone", "torn", "deviation", *DAMAGED}
        broken = {p.file for p in predictions.errors if p.code not in tolerated}
        report.timed = _fill_times(project, predictions, at, selection, broken)
        if report.timed:
            predictions = check(project)
        ledger = predictions.ledger
        if ledger.torn:
            report.torn_bytes = ledger_mod.set_aside_torn_tail(ledger)
            predictions = check(project)
            ledger = predictions.ledger
        if any(p.code in DAMAGED for p in ledger.problems):
            raise LedgerError(
                "the ledger is damaged (see `kit check`); restore it from git "
                "(`git checkout predictions/_seals.jsonl`) before sealing more forecasts"
            )
        existing = ledger.by_key()
        commit = ledger_mod.git_commit(project.root)
        sealed_at = ledger_mod.iso(utc_now())
        plans = predictions.plans
        forecasts, touched, held = [], set(), set()
        for ref in predictions.forecasts():
            if not selection.wants(ref) or ref.key is None:
                continue
            if ref.key in existing:
                if ref.seal is None:
                    report.tampered.append(
                        f"{ref.set.file}: {ref.question.id} by {ref.forecast.by}"
                    )
                continue
            status = plans[ref.question.id]
            if status.deviation:
                held.add(ref.question.id)  # nothing sealed on it until `kit amend`
                report.held.append(f"{ref.set.file}: {ref.question.id} by {ref.forecast.by}")
                continue
            touched.add(ref.question.id)
            forecasts.append(
                {
                    "question": ref.question.id,
                    "by": ref.forecast.by,
                    "at": ref.key[2],
                    "digest": ledger_mod.digest(ref.question, ref.forecast),
                    "sealed_at": sealed_at,
                    "commit": commit,
                    "file": ref.set.file,
                    "plan": status.digest,
                }
            )
            report.sealed.append(ref)
        wanted = set(plans) if selection.everything else touched | held
        plan_records = []
        for qid in sorted(wanted, key=list(plans).index):
            status = plans[qid]
            if status.deviation:
                report.deviations.append(status.explain())
            elif not status.sealed:
                plan_records.append(
                    {
                        "kind": "plan",
                        "question": qid,
                        "plan": status.digest,
                        "body": status.body,
                        "sealed_at": sealed_at,
                        "commit": commit,
                        "file": status.file,
                    }
                )
                report.plans.append(qid)
        records = plan_records + forecasts
        ledger_mod.append(project.ledger_path, records, ledger.last_hash)
        report.predictions = check(project) if records else predictions
    return report
