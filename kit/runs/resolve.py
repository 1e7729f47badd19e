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
from kit.runs import params as params_mod
from kit.runs import store
from kit.runs.plan import question_experiment


@dataclass
class ResolveReport:
    resolved: dict[str, Resolution] = field(default_factory=dict)
    pending: list[str] = field(default_factory=list)  # no successful run yet
    manual: list[str] = field(default_factory=list)  # resolve: manual, not yet resolved
    problems: list[str] = field(default_factory=list)  # "question: why"


def _rule_outcome(question, value: Any) -> Any:
    value = question.kind.rule_value(question, value)
    if why := check_outcome(question, value):
        raise RuleError(f"rule gave {value!r}: {why}")
    return value


def unrecorded(names: frozenset[str] | set[str], results: dict[str, Any]) -> str | None:
    """Why a rule reading `names` cannot be evaluated on a run that recorded `results`:
    each missing name with the nearest recorded one, and every name recorded; or None."""
    import difflib

    missing = sorted(n for n in names if n not in results)
    if not missing:
        return None
    parts = []
    for name in missing:
        close = difflib.get_close_matches(name, list(results), n=1, cutoff=0.5)
        parts.append(f"{name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    recorded = ", ".join(sorted(results)) or "nothing"
    return (
        f"the run recorded no result {' or '.join(parts)}; it recorded: {recorded}. "
        'Fix the rule, or record the result in the notebook (`record("name", value)`) '
        "and run it again"
    )


def resolve_all(predictions: Predictions, *, write: bool = True) -> ResolveReport:
    """Resolve every rule question that has a run; write them to `_resolutions.yaml`."""
    project = predictions.project
    existing = load_resolutions(predictions)
    report = ResolveReport()
    now = iso(now_ms())
    expected_cache: dict[tuple[str, str], dict | None] = {}
    for s, q in predictions.questions():
        if q.manual:
            if q.id not in existing:
                report.manual.append(q.id)
            continue
        experiment = question_experiment(s, q)
        nb_path = project.notebook_path(experiment)
        if not nb_path.is_file():
            report.problems.append(
                f"{q.id}: experiment {experiment!r} has no notebook "
                f"{project.relative(nb_path)} yet: write it and `kit run {experiment}`"
            )
            continue
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
            if why := unrecorded(rule.names, run.results):
                raise RuleError(why)
            outcome = _rule_outcome(q, rule.evaluate(run.results))
        except RuleError as e:
            report.problems.append(
                f"{q.id}: {e.message} (rule {q.resolve!r}, run {experiment}/{run.id})"
            )
            continue
        notebook = project.relative(store.run_dir_of(project, run) / store.NOTEBOOK_FILE)
        report.resolved[q.id] = Resolution(
            question=q.id,
            outcome=outcome,
            how="rule",
            evidence_at=parse_iso(run.started),
            resolved_at=now,
            run=f"{experiment}/{run.id}",
            notebook=notebook,
            rule=" ".join(q.resolve.split()),
            read={n: run.results[n] for n in sorted(rule.names)},
        )
    if write and report.resolved:
        write_resolutions(project, report.resolved)
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
    """Record a person's resolution of one question, with the reason."""
    if not why or not why.strip():
        raise UsageError("a manual resolution needs --why: the reason, kept as evidence")
    s, q = predictions.question(question_id)
    now = now_ms()
    latest = store.latest_ok(predictions.project, question_experiment(s, q))
    res = Resolution(
        question=q.id,
        outcome=parse_manual_value(q, value),
        how="manual",
        evidence_at=now,
        resolved_at=iso(now),
        run=f"{latest.experiment}/{latest.id}" if latest else None,
        why=why.strip(),
    )
    write_resolutions(predictions.project, {q.id: res}, replace_manual=True)
    return res
