"""Record a change to a sealed analysis plan, with its reason (what `kit amend` does).

An amendment seals the question's plan as it stands now as a new version (`kind: amend`
in the ledger) with the reason, the version it replaces, and whether evidence for the
question already existed: made before any evidence, it is a clean amendment; made after,
a *post-hoc deviation*, which the question keeps for good (status, score and the report
mark it). A question whose plan was never sealed gets its first version this way, with
the reason on record (e.g. plans sealed after the forecasts).

Nothing is written unless every named question can be amended. The ledger gets all the
records in one append, so a crash leaves either none or a torn last line that `kit
check` reports and the next `kit seal` or `kit amend` moves aside.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from kit.errors import LedgerError, UsageError
from kit.fileio import locked
from kit.predictions import ledger as ledger_mod
from kit.predictions.registry import check
from kit.predictions.timefmt import now as utc_now
from kit.project import Project

#: question id -> (time of the first evidence for it, its run), both None if none.
EvidenceLookup = Callable[[str], tuple[datetime | None, str | None]]


@dataclass
class AmendReport:
    amended: list[dict] = field(default_factory=list)  # the ledger records written
    changes: dict[str, list[str]] = field(default_factory=dict)  # question -> what changed
    torn_bytes: int = 0


def amend(
    project: Project,
    question_ids: list[str],
    why: str,
    evidence: EvidenceLookup | None = None,
) -> AmendReport:
    """Seal the current plan of each question as a new version, with `why`.

    Refuses (nothing written) without a reason, for an unknown question, and for a
    question whose plan equals its latest sealed version. `evidence` tells whether
    evidence existed (default: none known, every amendment clean).
    """
    why = (why or "").strip()
    if not why:
        raise UsageError(
            "an amendment needs a reason: `kit amend ID... --why TEXT` (it is kept in the "
            "ledger and shown in the report); nothing changed"
        )
    if not question_ids:
        raise UsageError("name the questions to amend: `kit amend ID... --why TEXT`")
    report = AmendReport()
    with locked(project.ledger_path):
        predictions = check(project)
        ledger = predictions.ledger
        if any(p.code in ("chain", "corrupt") for p in ledger.problems):
            raise LedgerError(
                "the ledger is damaged (see `kit check`); restore it from git "
                "(`git checkout predictions/_seals.jsonl`) before amending plans"
            )
        statuses = []
        for qid in dict.fromkeys(question_ids):
            predictions.question(qid)  # NotFound, with close ids, for an unknown one
            status = predictions.plans.get(qid)
            if status is None:
                raise UsageError(f"{qid}: its question set has errors (see `kit check`)")
            if status.sealed and not status.deviation:
                raise UsageError(
                    f"{qid}: its plan is unchanged since its latest sealed version "
                    f"({len(status.versions)}): nothing to amend; nothing changed"
                )
            statuses.append(status)
        if ledger.torn:
            report.torn_bytes = ledger_mod.set_aside_torn_tail(ledger)
            ledger = ledger_mod.read(project.ledger_path, project.relative(project.ledger_path))
        now = utc_now()
        commit = ledger_mod.git_commit(project.root)
        for status in statuses:
            at, run = evidence(status.question) if evidence else (None, None)
            posthoc = at is not None and at <= now
            report.amended.append(
                {
                    "kind": "amend",
                    "question": status.question,
                    "plan": status.digest,
                    "body": status.body,
                    "previous": status.latest.plan if status.latest else None,
                    "why": why,
                    "posthoc": posthoc,
                    "evidence_at": ledger_mod.iso(at) if posthoc else None,
                    "evidence_run": run if posthoc else None,
                    "sealed_at": ledger_mod.iso(now),
                    "commit": commit,
                    "file": status.file,
                }
            )
            report.changes[status.question] = (
                status.changes() if status.sealed else ["first sealed version of the plan"]
            )
        ledger_mod.append(project.ledger_path, report.amended, ledger.last_hash)
    return report
