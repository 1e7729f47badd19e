"""`kit resolve`: evaluate each question's rule on the latest successful runs that answer it.

A question is answered by a run of its experiment with its set's `parameters`, or, when it
has `replicates`, by one run per replicate (the set's parameters with that replicate's
values); it resolves only when every replicate has a successful run, and a replicate
whose latest run failed is named. The rule is evaluated by the safe evaluator on the
recorded results (with replicates: each result as the vector of its values over the
replicates) and the run's parameters (`params_NAME`); the outcome must fit the question
(binary: true/false; categorical: an option; numeric: a number), or be
`ambiguous`/`annulled`. Problems name the question and where its rule is; the other
questions still resolve and are written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from kit.errors import KitError, UsageError
from kit.predictions.registry import Predictions
from kit.predictions.resolutions import (
    ReplicateRead,
    Resolution,
    check_outcome,
    load_resolutions,
    write_resolutions,
)
from kit.predictions.rules import Rule, RuleError, Vector, parse_rule
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
    incomplete: list[str] = field(default_factory=list)  # "question: which replicates lack"
    manual: list[str] = field(default_factory=list)  # resolve: manual, not yet resolved
    problems: list[str] = field(default_factory=list)  # "where: question: why"


def _rule_outcome(question, value: Any) -> Any:
    value = question.kind.rule_value(question, value)
    if why := check_outcome(question, value):
        raise RuleError(f"rule gave {value!r}: {why}", 1)
    return value


def describe(parameters: dict[str, Any]) -> str:
    """`seed=3, lr=0.1` (for messages)."""
    return ", ".join(f"{k}={json.dumps(v)}" for k, v in parameters.items()) or "(no parameters)"


def describe_failure(record: store.RunRecord) -> str:
    err = record.error
    where = f" in {err.where}" if err else ""
    what = f": {err.ename}: {err.evalue}".rstrip(": ") if err and err.ename else ""
    return f"run {record.experiment}/{record.id} {record.status}{where}{what}"[:300]


class _Runs:
    """Each experiment's runs, read once, and each parameter set as its notebook takes it."""

    def __init__(self, predictions: Predictions):
        self.project = predictions.project
        self._runs: dict[str, list[store.RunRecord]] = {}
        self._expected: dict[tuple[str, str], dict[str, Any]] = {}

    def runs(self, experiment: str) -> list[store.RunRecord]:
        if experiment not in self._runs:
            self._runs[experiment] = store.list_runs(self.project, experiment)
        return self._runs[experiment]

    def expected(self, experiment: str, parameters: dict[str, Any], where: str) -> dict:
        key = (experiment, json.dumps(parameters, sort_keys=True))
        if key not in self._expected:
            nb_path = self.project.notebook_path(experiment)
            self._expected[key] = params_mod.check_parameters(parameters, nb_path, where)
        return self._expected[key]


def _recorded(name: str, results: dict[str, Any]) -> str:
    """`it recorded: a, b (did you mean 'acc'?)`: what a run has instead of `name`."""
    import difflib

    close = difflib.get_close_matches(name, list(results), n=1, cutoff=0.5)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"it recorded: {', '.join(sorted(results)) or 'nothing'}{hint}"


def unrecorded(names: frozenset[str] | set[str], results: dict[str, Any]) -> str | None:
    """Why a rule reading `names` cannot be evaluated on a run that recorded `results`:
    the missing names, every name recorded and the nearest one; or None."""
    missing = sorted(n for n in names if n not in results)
    if not missing:
        return None
    return (
        f"result {', '.join(map(repr, missing))} was not recorded by the run; "
        f"{_recorded(missing[0], results)}. Fix the rule, or record the result in the "
        'notebook (`record("name", value)`) and run it again'
    )


def _rule_inputs(
    rule: Rule, runs: list[store.RunRecord], replicates: dict[str, list[Any]], labels: list[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The results and parameters the rule sees: a single run's, or vectors over replicates."""
    if not replicates:
        if why := unrecorded(rule.names, runs[0].results):
            raise RuleError(why, 1)
        return runs[0].results, runs[0].parameters
    results = {}
    for name in rule.names:
        lacking = [label for label, r in zip(labels, runs, strict=True) if name not in r.results]
        if lacking:
            first = next(r for r in runs if name not in r.results)
            raise RuleError(
                f"result {name!r} was not recorded by the run of replicate {lacking[0]}"
                + (f" (and {len(lacking) - 1} more)" if len(lacking) > 1 else "")
                + f"; {_recorded(name, first.results)}",
                1,
            )
        results[name] = Vector(r.results[name] for r in runs)
    params: dict[str, Any] = {}
    for name in rule.params:
        values = [r.parameters.get(name) for r in runs]
        if all(name in r.parameters for r in runs):
            params[name] = Vector(values) if name in replicates else values[0]
    return results, params


def resolve_all(predictions: Predictions, *, write: bool = True) -> ResolveReport:
    """Resolve every rule question whose runs are all there; write them to `_resolutions.yaml`."""
    project = predictions.project
    existing = load_resolutions(predictions)
    report = ResolveReport()
    now = iso(now_ms())
    cache = _Runs(predictions)
    for s, q in predictions.questions():
        if q.manual:
            if q.id not in existing:
                report.manual.append(q.id)
            continue
        experiment = question_experiment(s, q)
        line, col = s.where(s.question_loc(q.id) + ("resolve",))
        where = f"{s.file}:{line}:{col}: {q.id}"
        replicates = s.replicates(q)
        labels = [describe({k: p[k] for k in replicates}) for p in s.run_parameters(q)]
        found: list[store.RunRecord | None] = []
        lacking: list[str] = []  # replicates without a successful run, and why
        failed = 0  # of those, the ones whose latest run failed
        nb_path = project.notebook_path(experiment) if experiment else None
        if nb_path is not None and not nb_path.is_file():
            report.problems.append(
                f"{where}: experiment {experiment!r} has no notebook "
                f"{project.relative(nb_path)} yet: write it and `kit run {experiment}`"
            )
            continue
        try:
            if experiment is None:
                raise KitError("a rule needs an experiment (run `kit check`)")
            runs = cache.runs(experiment)
            for label, parameters in zip(labels, s.run_parameters(q), strict=True):
                expected = cache.expected(experiment, parameters, f"{s.file}: parameters")
                found.append(store.latest(runs, parameters=expected))
                if found[-1] is None:
                    last = store.latest(runs, parameters=expected, ok=False)
                    lacking.append(f"{label}: {describe_failure(last)}" if last else label)
                    failed += last is not None
            rule = parse_rule(q.resolve)
        except RuleError as e:
            report.problems.append(f"{s.file}:{line}:{col + (e.column or 1) - 1}: {q.id}: {e}")
            continue
        except KitError as e:
            report.problems.append(f"{where}: {e}")
            continue
        if lacking:
            if not replicates or (not any(found) and not failed):
                report.pending.append(q.id)
            else:
                shown = "; ".join(lacking[:5]) + (
                    f"; {len(lacking) - 5} more" if len(lacking) > 5 else ""
                )
                report.incomplete.append(
                    f"{q.id}: {len(found) - len(lacking)} of {len(found)} replicates have a "
                    f"successful run; missing {shown}"
                )
            continue
        try:
            results, params = _rule_inputs(rule, found, replicates, labels)
            outcome = _rule_outcome(q, rule.evaluate(results, params))
        except RuleError as e:
            column = col + (e.column or 1) - 1
            runs_shown = found[0].id if len(found) == 1 else f"{len(found)} replicate runs"
            report.problems.append(
                f"{s.file}:{line}:{column}: {q.id}: {e.message} (rule {q.resolve!r}, "
                f"{experiment}/{runs_shown})"
            )
            continue
        report.resolved[q.id] = _resolution(
            project, q, rule, found, replicates, results, params, outcome, now
        )
    if write and report.resolved:
        write_resolutions(project, report.resolved)
    return report


def _resolution(project, q, rule, runs, replicates, results, params, outcome, now) -> Resolution:
    first = min(runs, key=lambda r: (r.started or "", r.id))
    read = {n: _plain(results[n]) for n in sorted(rule.names)}
    read |= {f"params_{n}": _plain(params[n]) for n in sorted(rule.params) if n in params}
    per_replicate = None
    if replicates:
        per_replicate = [
            ReplicateRead(
                parameters={k: r.parameters.get(k) for k in replicates},
                run=f"{r.experiment}/{r.id}",
                read={n: r.results[n] for n in sorted(rule.names)},
            )
            for r in runs
        ]
    return Resolution(
        question=q.id,
        outcome=outcome,
        how="rule",
        evidence_at=parse_iso(first.started),
        resolved_at=now,
        run=f"{first.experiment}/{first.id}",
        notebook=project.relative(store.run_dir_of(project, first) / store.NOTEBOOK_FILE),
        rule=" ".join(q.resolve.split()),
        read=read,
        replicates=per_replicate,
    )


def _plain(value: Any) -> Any:
    return value.plain() if isinstance(value, Vector) else value


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
    experiment = question_experiment(s, q)
    latest = store.latest_ok(predictions.project, experiment) if experiment else None
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
