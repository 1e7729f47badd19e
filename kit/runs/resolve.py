"""`kit resolve`: evaluate each question's rule on the latest successful run that answers it.

A question is answered by a run of its experiment with its set's `parameters`. Its rule
is evaluated by the safe evaluator on that run's recorded results; the outcome must fit
the question (binary: true/false; categorical: an option; numeric: a number), or be
`ambiguous`/`annulled`. Problems name the question; other questions still resolve.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kit.errors import KitError, UsageError
from kit.predictions.registry import Predictions
from kit.predictions.rules import RuleError, parse_rule
from kit.runs import params as params_mod
from kit.runs import store
from kit.runs.plan import question_experiment
from kit.runs.resolutions import Resolution, write_resolutions


@dataclass
class ResolveReport:
    resolved: dict[str, Resolution] = field(default_factory=dict)
    pending: list[str] = field(default_factory=list)  # no successful run yet
    manual: list[str] = field(default_factory=list)  # resolve: manual, not yet resolved
    problems: list[str] = field(default_factory=list)  # "question: why"


def _rule_outcome(question, value: Any) -> Any:
    from kit.scoring.outcomes import check_outcome

    if question.type == "numeric" and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if why := check_outcome(question, value):
        raise RuleError(f"rule gave {value!r}: {why}")
    return value


def resolve_all(predictions: Predictions, *, write: bool = True) -> ResolveReport:
    """Resolve every rule question that has a run; write them to `_resolutions.yaml`."""
    from kit.runs.resolutions import load_resolutions

    project = predictions.project
    existing = load_resolutions(predictions)
    report = ResolveReport()
    now = store.iso(store.utcnow())
    expected_cache: dict[tuple[str, str], dict | None] = {}
    for s, q in predictions.questions():
        if q.manual:
            if q.id not in existing:
                report.manual.append(q.id)
            continue
        experiment = question_experiment(s, q)
        nb_path = project.notebook_path(experiment)
        try:
            cache_id = (experiment, s.file)
            if cache_id not in expected_cache:
                expected_cache[cache_id] = params_mod.check_parameters(
                    s.parameters, nb_path, f"{s.file}: parameters"
                )
            run = store.latest_ok(project, experiment, parameters=expected_cache[cache_id])
        except KitError as e:
            report.problems.append(f"{q.id}: {e}")
            continue
        if run is None:
            report.pending.append(q.id)
            continue
        try:
            rule = parse_rule(q.resolve)
            outcome = _rule_outcome(q, rule.evaluate(run.get("results", {})))
        except RuleError as e:
            report.problems.append(
                f"{q.id}: {e.message} (rule {q.resolve!r}, run {experiment}/{run['id']})"
            )
            continue
        notebook = project.relative(store.run_dir_of(project, run) / store.NOTEBOOK_FILE)
        report.resolved[q.id] = Resolution(
            question=q.id,
            outcome=outcome,
            how="rule",
            evidence_at=store.parse_iso(run["started"]),
            resolved_at=now,
            run=f"{experiment}/{run['id']}",
            notebook=notebook,
            rule=" ".join(q.resolve.split()),
            read={n: run["results"][n] for n in sorted(rule.names)},
        )
    if write and report.resolved:
        write_resolutions(project, report.resolved)
    return report


def parse_manual_value(question, text: str) -> Any:
    """A `--value` for `question`: true/false, an option, a number, ambiguous or annulled."""
    from kit.scoring.outcomes import NOT_SCORED

    if text in NOT_SCORED:
        return text
    if question.type == "binary":
        low = text.strip().lower()
        if low in ("true", "yes", "1"):
            return True
        if low in ("false", "no", "0"):
            return False
        raise UsageError(f"{question.id}: binary question: --value is true or false, not {text!r}")
    if question.type == "categorical":
        if text not in (question.options or []):
            raise UsageError(
                f"{question.id}: --value {text!r} is not an option "
                f"({', '.join(question.options or [])}), ambiguous or annulled"
            )
        return text
    try:
        value = float(text)
    except ValueError:
        raise UsageError(
            f"{question.id}: numeric question: --value {text!r} is not a number"
        ) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise UsageError(f"{question.id}: --value must be a finite number")
    return value


def resolve_manual(predictions: Predictions, question_id: str, value: str, why: str) -> Resolution:
    """Record a person's resolution of one question, with the reason."""
    if not why or not why.strip():
        raise UsageError("a manual resolution needs --why: the reason, kept as evidence")
    from kit.predictions.timefmt import now as now_ms

    s, q = predictions.question(question_id)
    now = now_ms()
    latest = store.latest_ok(predictions.project, question_experiment(s, q))
    res = Resolution(
        question=q.id,
        outcome=parse_manual_value(q, value),
        how="manual",
        evidence_at=now,
        resolved_at=store.iso(now),
        run=f"{latest['experiment']}/{latest['id']}" if latest else None,
        why=why.strip(),
    )
    write_resolutions(predictions.project, {q.id: res}, replace_manual=True)
    return res
