"""`kit resolve`: evaluate each question's rule on the first run its sealed plan asks for.

A question is answered by a successful run of its plan: its experiment, with its set's
`parameters`, the plan's notebook and declared inputs (`kit.predictions.plans`). Its
rule is evaluated by the safe evaluator on the *first* such run's recorded results
(re-running with `--force` cannot pick a luckier run); the outcome must fit the question
(binary: true/false; categorical: an option; numeric: a number), or be
`ambiguous`/`annulled`. Each resolution records the plan version and the SHA-256 of the
run record and executed notebook it read, so `kit check` can verify it.

A question whose plan deviates from its sealed version is not resolved (`kit amend`
first). A rule outcome whose run no longer matches the plan is stale: re-derived from a
run that does, or dropped, and said so. Problems name the question; other questions
still resolve.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kit.errors import UsageError
from kit.predictions import plans as plans_mod
from kit.predictions.registry import Predictions
from kit.predictions.resolutions import (
    Resolution,
    check_outcome,
    load_resolutions,
    write_resolutions,
)
from kit.predictions.rules import RuleError, parse_rule
from kit.predictions.timefmt import iso, parse_iso
from kit.predictions.timefmt import now as now_ms
from kit.questions import NOT_SCORED
from kit.runs import store


@dataclass
class ResolveReport:
    resolved: dict[str, Resolution] = field(default_factory=dict)
    pending: list[str] = field(default_factory=list)  # no successful run yet
    manual: list[str] = field(default_factory=list)  # resolve: manual, not yet resolved
    problems: list[str] = field(default_factory=list)  # "question: why"
    blocked: list[str] = field(default_factory=list)  # plan deviations: what changed, the fix
    dropped: dict[str, str] = field(default_factory=dict)  # stale outcome removed: why
    rederived: dict[str, str] = field(default_factory=dict)  # stale outcome replaced: why


def plan_runs(runs: list[store.RunRecord], body: dict[str, Any]) -> list[store.RunRecord]:
    """Successful runs that are exactly what plan `body` asks for, oldest first (a run
    that did not record its notebook's digest cannot be shown to be one)."""
    return [
        r
        for r in runs
        if r.status == "ok"
        and r.notebook_digest is not None
        and not plans_mod.mismatches(body, r.experiment, r.parameters, r.notebook_digest, r.inputs)
    ]


def digests(record: store.RunRecord) -> tuple[str | None, str | None]:
    """SHA-256 of a run's run.json and of its executed notebook (None: missing)."""
    if record.dir is None:
        return None, None
    return (
        store.file_digest(record.dir / store.RUN_FILE),
        store.file_digest(record.dir / store.NOTEBOOK_FILE),
    )


def _rule_outcome(question, value: Any) -> Any:
    value = question.kind.rule_value(question, value)
    if why := check_outcome(question, value):
        raise RuleError(f"rule gave {value!r}: {why}")
    return value


def resolve_all(predictions: Predictions, *, write: bool = True) -> ResolveReport:
    """Resolve every rule question that has a run of its plan; write `_resolutions.yaml`
    (dropping stale rule outcomes that no run of the plan can replace)."""
    project = predictions.project
    existing = load_resolutions(predictions)
    report = ResolveReport()
    now = iso(now_ms())
    runs = store.all_runs(project)
    for _, q in predictions.questions():
        status = predictions.plans[q.id]
        if status.deviation:
            report.blocked.append(status.explain())
            continue
        if q.manual:
            if q.id not in existing:
                report.manual.append(q.id)
            continue
        body = status.sealed_body or status.body
        old = existing.get(q.id)
        old_run = store.find_run(project, old.run) if old and old.run else None
        was_stale = plans_mod.stale(old, status, old_run) if old else None
        found = plan_runs(runs, body)
        if not found:
            if was_stale and old.how == "rule":
                report.dropped[q.id] = was_stale
            report.pending.append(q.id)
            continue
        run = found[0]
        try:
            rule = parse_rule(q.resolve)
            outcome = _rule_outcome(q, rule.evaluate(run.results))
        except RuleError as e:
            report.problems.append(
                f"{q.id}: {e.message} (rule {q.resolve!r}, run {run.experiment}/{run.id})"
            )
            continue
        run_sha, notebook_sha = digests(run)
        notebook = project.relative(store.run_dir_of(project, run) / store.NOTEBOOK_FILE)
        if run.dir is not None:
            notebook = project.relative(run.dir / store.NOTEBOOK_FILE)
        report.resolved[q.id] = Resolution(
            question=q.id,
            outcome=outcome,
            how="rule",
            evidence_at=parse_iso(run.started),
            resolved_at=now,
            run=f"{run.experiment}/{run.id}",
            notebook=notebook,
            rule=plans_mod.rule_text(q.resolve),
            read={n: run.results[n] for n in sorted(rule.names)},
            plan=status.latest.plan if status.sealed else None,
            run_sha256=run_sha,
            notebook_sha256=notebook_sha,
        )
        if was_stale and old.how == "rule":
            report.rederived[q.id] = was_stale
    if write and (report.resolved or report.dropped):
        write_resolutions(project, report.resolved, drop=set(report.dropped))
    return report


def parse_manual_value(question, text: str) -> Any:
    """A `--value` for `question`: its kind's outcome, `ambiguous` or `annulled`."""
    if text in NOT_SCORED:
        return text
    try:
        return question.kind.parse_outcome(question, text)
    except ValueError as e:
        raise UsageError(
            f"{question.id}: {question.type} question: --value {e} (or ambiguous, annulled)"
        ) from None


def resolve_manual(predictions: Predictions, question_id: str, value: str, why: str) -> Resolution:
    """Record a person's resolution of one question, with the reason. The run it names,
    if any, is the latest successful run of the question's sealed plan; none otherwise."""
    if not why or not why.strip():
        raise UsageError("a manual resolution needs --why: the reason, kept as evidence")
    s, q = predictions.question(question_id)
    status = predictions.plans[q.id]
    if status.deviation:
        raise UsageError(f"refused, nothing written: {status.explain()}")
    now = now_ms()
    found = plan_runs(store.all_runs(predictions.project), status.sealed_body or status.body)
    latest = found[-1] if found else None
    run_sha, notebook_sha = digests(latest) if latest else (None, None)
    res = Resolution(
        question=q.id,
        outcome=parse_manual_value(q, value),
        how="manual",
        evidence_at=now,
        resolved_at=iso(now),
        run=f"{latest.experiment}/{latest.id}" if latest else None,
        why=why.strip(),
        plan=status.latest.plan if status.sealed else None,
        run_sha256=run_sha,
        notebook_sha256=notebook_sha,
    )
    write_resolutions(predictions.project, {q.id: res}, replace_manual=True)
    return res
