"""`kit resolve`: evaluate each question's rule on the first runs its sealed plan asks for.

A question is answered by successful runs of its plan (`kit.predictions.plans`): its
experiment, with its set's `parameters`, the plan's notebook and declared inputs; when it
has `replicates`, one run per replicate (the set's parameters with that replicate's
values), and it resolves only when every replicate has one (a replicate whose latest run
failed is named). For each, the *first* such run counts: re-running with `--force` cannot
pick a luckier one. The rule is evaluated by the safe evaluator on the recorded results
(with replicates: each result as the vector of its values over the replicates) and the
run's parameters (`params_NAME`); the outcome must fit the question (binary: true/false;
categorical: an option; numeric: a number), or be `ambiguous`/`annulled`. Each
resolution records the plan version and the SHA-256 of the run records and executed
notebooks it read, so `kit check` can verify it.

A question whose plan deviates from its sealed version is not resolved (`kit amend`
first). A rule outcome whose run no longer matches the plan is stale: re-derived from a
run that does, or dropped, and said so. Problems name the question and where its rule
is; the other questions still resolve and are written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from kit.errors import UsageError, quote
from kit.predictions import plans as plans_mod
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
from kit.runs import store


@dataclass
class ResolveReport:
    resolved: dict[str, Resolution] = field(default_factory=dict)
    pending: list[str] = field(default_factory=list)  # no successful run yet
    incomplete: list[str] = field(default_factory=list)  # "question: which replicates lack"
    manual: list[str] = field(default_factory=list)  # resolve: manual, not yet resolved
    problems: list[str] = field(default_factory=list)  # "where: question: why"
    blocked: list[str] = field(default_factory=list)  # plan deviations: what changed, the fix
    dropped: dict[str, str] = field(default_factory=dict)  # stale outcome removed: why
    rederived: dict[str, str] = field(default_factory=dict)  # stale outcome replaced: why


def plan_runs(runs: list[store.RunRecord], body: dict[str, Any]) -> list[store.RunRecord]:
    """Successful runs that are exactly what plan `body` asks for (any of its replicates),
    oldest first (a run that did not record its notebook's digest cannot be shown to be
    one)."""
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
        raise RuleError(f"rule gave {quote(value)}: {why}", 1)
    return value


def describe(parameters: dict[str, Any]) -> str:
    """`seed=3, lr=0.1` (for messages)."""
    return ", ".join(f"{k}={json.dumps(v)}" for k, v in parameters.items()) or "(no parameters)"


def describe_failure(record: store.RunRecord) -> str:
    err = record.error
    where = f" in {err.where}" if err else ""
    what = f": {err.ename}: {err.evalue}".rstrip(": ") if err and err.ename else ""
    return f"run {record.experiment}/{record.id} {record.status}{where}{what}"[:300]


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


def rule_inputs(
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


def _replicate_runs(
    runs: list[store.RunRecord], body: dict[str, Any], experiment: str
) -> tuple[list[store.RunRecord | None], list[str], int]:
    """For each run the plan asks for: its first successful run (or None); the replicates
    lacking one, with why; and how many of those have a failed latest run."""
    matching = plan_runs(runs, body)
    found: list[store.RunRecord | None] = []
    lacking: list[str] = []
    failed = 0
    names = list(body.get("replicates") or {})
    for parameters in plans_mod.run_parameters(body):
        first = next((r for r in matching if r.parameters == parameters), None)
        found.append(first)
        if first is None:
            label = describe({k: parameters[k] for k in names})
            tried = [r for r in runs if r.experiment == experiment and r.parameters == parameters]
            last = tried[-1] if tried else None
            lacking.append(f"{label}: {describe_failure(last)}" if last else label)
            failed += last is not None and last.status != "ok"
    return found, lacking, failed


def resolve_all(predictions: Predictions, *, write: bool = True) -> ResolveReport:
    """Resolve every rule question whose plan's runs are all there; write
    `_resolutions.yaml` (dropping stale rule outcomes that no run of the plan can replace)."""
    project = predictions.project
    existing = load_resolutions(predictions)
    report = ResolveReport()
    now = iso(now_ms())
    runs = store.all_runs(project)
    for s, q in predictions.questions():
        status = predictions.plans[q.id]
        if status.deviation:
            report.blocked.append(status.explain())
            continue
        if q.manual:
            if q.id not in existing:
                report.manual.append(q.id)
            continue
        line, col = s.where(s.question_loc(q.id) + ("resolve",))
        where = f"{s.file}:{line}:{col}: {q.id}"
        body = status.sealed_body or status.body
        experiment = body.get("experiment")
        if experiment is None:
            report.problems.append(f"{where}: a rule needs an experiment (run `kit check`)")
            continue
        nb_path = project.notebook_path(experiment)
        if not nb_path.is_file():
            report.problems.append(
                f"{where}: experiment {quote(experiment)} has no notebook "
                f"{project.relative(nb_path)} yet: write it and `kit run {experiment}`"
            )
            continue
        old = existing.get(q.id)
        old_run = store.find_run(project, old.run) if old and old.run else None
        was_stale = plans_mod.stale(old, status, old_run) if old else None
        replicates = body.get("replicates") or {}
        found, lacking, failed = _replicate_runs(runs, body, experiment)
        if lacking:
            if was_stale and old.how == "rule":
                report.dropped[q.id] = was_stale
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
        labels = [describe({k: r.parameters.get(k) for k in replicates}) for r in found]
        try:
            rule = parse_rule(q.resolve)
            if not replicates and (why := unrecorded(rule.names, found[0].results)):
                raise RuleError(why, 1)
            results, params = rule_inputs(rule, found, replicates, labels)
            outcome = _rule_outcome(q, rule.evaluate(results, params))
        except RuleError as e:
            column = col + (e.column or 1) - 1
            shown = (
                f"{found[0].experiment}/{found[0].id}"
                if len(found) == 1
                else f"{len(found)} replicate runs of {experiment}"
            )
            report.problems.append(
                f"{s.file}:{line}:{column}: {q.id}: {e.message} (rule {quote(q.resolve)}, {shown})"
            )
            continue
        report.resolved[q.id] = _resolution(
            project, q, rule, found, replicates, results, params, outcome, now, status
        )
        if was_stale and old.how == "rule":
            report.rederived[q.id] = was_stale
    if write and (report.resolved or report.dropped):
        write_resolutions(project, report.resolved, drop=set(report.dropped))
    return report


def _resolution(
    project, q, rule, runs, replicates, results, params, outcome, now, status
) -> Resolution:
    first = min(runs, key=lambda r: (r.started or "", r.id))
    read = {n: _plain(results[n]) for n in sorted(rule.names)}
    read |= {f"params_{n}": _plain(params[n]) for n in sorted(rule.params) if n in params}
    per_replicate = None
    if replicates:
        per_replicate = []
        for r in runs:
            run_sha, notebook_sha = digests(r)
            per_replicate.append(
                ReplicateRead(
                    parameters={k: r.parameters.get(k) for k in replicates},
                    run=f"{r.experiment}/{r.id}",
                    read={n: r.results[n] for n in sorted(rule.names)},
                    run_sha256=run_sha,
                    notebook_sha256=notebook_sha,
                )
            )
    run_sha, notebook_sha = digests(first)
    run_dir = first.dir or store.run_dir_of(project, first)
    return Resolution(
        question=q.id,
        outcome=outcome,
        how="rule",
        evidence_at=parse_iso(first.started),
        resolved_at=now,
        run=f"{first.experiment}/{first.id}",
        notebook=project.relative(run_dir / store.NOTEBOOK_FILE),
        rule=plans_mod.rule_text(q.resolve),
        read=read,
        replicates=per_replicate,
        plan=status.latest.plan if status.sealed else None,
        run_sha256=run_sha,
        notebook_sha256=notebook_sha,
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
