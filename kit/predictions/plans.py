"""Analysis plans: what decides a question's outcome, sealed like its forecasts.

A question's plan is everything that decides its outcome besides the world: its rule,
its type and its kind's fields (options, ordering, bounds, unit, ...), its experiment,
the set's parameters as they reach that experiment (checked against the notebook's
`parameters` cell when the notebook exists), the notebook's digest (cell types and
sources) and the digests of the input files its metadata declares (`kit.inputs`, e.g. a
policy checkpoint). `kit seal` seals each question's plan in the ledger (`kind: plan`)
and each forecast's seal names the plan version it was made under.

A plan that differs from its latest sealed version is a *deviation*: `kit check` says
what changed and it blocks `kit run` and `kit resolve` for that question until the
change is reverted or recorded with a reason (`kit amend`, `kind: amend` in the ledger).
Blindness settings are not part of the plan: they rule how forecasts are made, not how
the outcome is decided.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kit import notebooks
from kit.errors import KitError, Problem
from kit.predictions.ledger import PlanSeal
from kit.predictions.validate import combinations
from kit.project import Project

if TYPE_CHECKING:
    from kit.predictions.validate import LoadedSet
    from kit.questions import QuestionBase

PLAN_FORMAT = 1


def rule_text(rule: str) -> str:
    """A rule on one line, its whitespace collapsed (how plans and resolutions store it)."""
    return " ".join(rule.split())


@dataclass(frozen=True)
class NotebookFacts:
    """What a plan takes from an experiment's notebook (None: no readable notebook)."""

    digest: str | None
    inputs: dict[str, str | None]
    parameters: dict[str, Any]


class FactsCache:
    """Each notebook read once per check, each (experiment, parameters) checked once."""

    def __init__(self, project: Project):
        self.project = project
        self._facts: dict[tuple[str, str], NotebookFacts] = {}

    def facts(self, experiment: str, parameters: dict[str, Any], where: str) -> NotebookFacts:
        key = (experiment, json.dumps(parameters, sort_keys=True, default=str))
        if key not in self._facts:
            self._facts[key] = _facts(self.project.notebook_path(experiment), parameters, where)
        return self._facts[key]


def _facts(nb_path: Path, parameters: dict[str, Any], where: str) -> NotebookFacts:
    try:
        digest = notebooks.notebook_digest(nb_path)
    except KitError:
        return NotebookFacts(None, {}, dict(parameters))  # no notebook yet: sealed as such
    try:
        inputs = notebooks.declared_inputs(nb_path)
    except KitError:
        inputs = {}
    try:
        checked = notebooks.check_parameters(parameters, nb_path, where)
    except KitError:
        checked = dict(parameters)  # `kit run` names the bad parameter
    return NotebookFacts(digest, inputs, checked)


def question_plan(loaded: LoadedSet, question: QuestionBase, cache: FactsCache) -> dict[str, Any]:
    """The plan of `question` as it stands in the files now (plain JSON data)."""
    experiment = question.experiment or loaded.experiment
    facts = cache.facts(experiment, loaded.parameters, f"{loaded.file}: parameters")
    body = {
        "format": PLAN_FORMAT,
        "question": question.id,
        "type": question.type,
        "resolve": rule_text(question.resolve),
        "fields": question.kind.plan_fields(question),
        "experiment": experiment,
        "parameters": facts.parameters,
        "notebook": facts.digest,
        "inputs": facts.inputs,
    }
    if replicates := loaded.replicates(question):
        body["replicates"] = replicates  # a run per combination of these values
    return body


def run_parameters(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The parameters of each run plan `body` asks for: its parameters with each
    combination of its replicates (one run without them)."""
    base = body.get("parameters") or {}
    return [{**base, **combo} for combo in combinations(body.get("replicates") or {})]


def plan_digest(body: dict[str, Any]) -> str:
    """The name of a plan version: sha256: of its sorted-key compact JSON."""
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def _short(value: Any) -> str:
    if isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value):
        return value[:12]  # a digest
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)


def changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What changed from plan `old` to plan `new`, one phrase per change."""
    out: list[str] = []
    if old.get("type") != new.get("type"):
        out.append(f"type: {old.get('type')} -> {new.get('type')}")
    if old.get("resolve") != new.get("resolve"):
        out.append(f"rule: {old.get('resolve')!r} -> {new.get('resolve')!r}")
    old_fields, new_fields = old.get("fields") or {}, new.get("fields") or {}
    for name in sorted(set(old_fields) | set(new_fields)):
        if old_fields.get(name) != new_fields.get(name):
            out.append(f"{name}: {_short(old_fields.get(name))} -> {_short(new_fields.get(name))}")
    if old.get("experiment") != new.get("experiment"):
        out.append(f"experiment: {old.get('experiment')} -> {new.get('experiment')}")
    out += _mapping_changes("parameter", old.get("parameters") or {}, new.get("parameters") or {})
    if old.get("replicates") != new.get("replicates"):
        out.append(
            f"replicates: {_short(old.get('replicates'))} -> {_short(new.get('replicates'))}"
        )
    if old.get("notebook") != new.get("notebook"):
        before = _short(old["notebook"]) if old.get("notebook") else "no notebook"
        after = _short(new["notebook"]) if new.get("notebook") else "no notebook"
        out.append(f"notebook digest: {before} -> {after} (its code changed)")
    out += _mapping_changes("input", old.get("inputs") or {}, new.get("inputs") or {})
    return out or ["the plan's form (sealed by another version of the kit)"]


def _mapping_changes(what: str, old: dict, new: dict) -> list[str]:
    out = []
    for name in sorted(set(old) | set(new)):
        if name not in new:
            out.append(f"{what} {name} removed (was {_short(old[name])})")
        elif name not in old:
            shown = _short(new[name]) if new[name] is not None else "missing"
            out.append(f"{what} {name} added ({shown})")
        elif old[name] != new[name]:
            before = _short(old[name]) if old[name] is not None else "missing"
            after = _short(new[name]) if new[name] is not None else "missing"
            out.append(f"{what} {name}: {before} -> {after}")
    return out


@dataclass
class PlanStatus:
    """A question's plan now, and its sealed versions (oldest first)."""

    question: str
    file: str
    body: dict[str, Any]
    digest: str
    versions: list[PlanSeal] = field(default_factory=list)

    @property
    def latest(self) -> PlanSeal | None:
        return self.versions[-1] if self.versions else None

    @property
    def sealed(self) -> bool:
        """Some version of the plan is sealed."""
        return bool(self.versions)

    @property
    def deviation(self) -> bool:
        """The plan differs from its latest sealed version (not yet amended)."""
        return self.latest is not None and self.latest.plan != self.digest

    @property
    def sealed_body(self) -> dict[str, Any] | None:
        """The plan that rules the question: its latest sealed version (None: none)."""
        return self.latest.body if self.latest else None

    def changes(self) -> list[str]:
        return changes(self.latest.body, self.body) if self.latest else []

    def version(self, digest: str | None) -> int | None:
        """The 1-based number of a sealed version, or None."""
        for n, v in enumerate(self.versions, start=1):
            if v.plan == digest:
                return n
        return None

    @property
    def amendments(self) -> list[PlanSeal]:
        return [v for v in self.versions if v.amended]

    def explain(self) -> str:
        """A deviation in words: what changed and how to fix it."""
        latest = self.latest
        n = len(self.versions)
        when = latest.sealed_at.strftime("%Y-%m-%d %H:%M UTC") if latest else ""
        return (
            f"{self.question}: plan changed since it was sealed (version {n}, {when}): "
            f"{'; '.join(self.changes())}; revert the change, or record it with "
            f"`kit amend {self.question} --why TEXT` (post-hoc if evidence already exists)"
        )


def statuses(
    project: Project, sets: list[LoadedSet], versions: dict[str, list[PlanSeal]]
) -> dict[str, PlanStatus]:
    """Every question's plan status (questions in `sets`; versions from the ledger)."""
    cache = FactsCache(project)
    out: dict[str, PlanStatus] = {}
    for s in sets:
        for q in s.questions:
            body = question_plan(s, q, cache)
            out[q.id] = PlanStatus(q.id, s.file, body, plan_digest(body), versions.get(q.id, []))
    return out


def plan_problems(
    sets: list[LoadedSet], plans: dict[str, PlanStatus], unsealed_forecasts: set[str]
) -> list[Problem]:
    """A deviation is an error at its question; a plan never sealed is a warning (unless
    the question has unsealed forecasts: their warning already says `kit seal`)."""
    problems = []
    for s in sets:
        for q in s.questions:
            status = plans.get(q.id)
            if status is None:
                continue
            i = s.question_index[q.id]
            line, col = s.where(("questions", i, "id"))
            where = f"questions[{i}]"
            if status.deviation:
                problems.append(
                    Problem(s.file, line, col, where, status.explain(), "error", "deviation")
                )
            elif not status.sealed and q.id not in unsealed_forecasts:
                problems.append(
                    Problem(
                        s.file,
                        line,
                        col,
                        where,
                        f"{q.id}: analysis plan not yet sealed: `kit seal` seals it (or "
                        f"`kit amend {q.id} --why TEXT` records why it is sealed only now)",
                        "warning",
                        "unsealed-plan",
                    )
                )
    return problems


def mismatches(
    body: dict[str, Any],
    experiment: str,
    parameters: dict[str, Any],
    notebook_digest: str | None,
    inputs: dict[str, str | None] | None,
) -> list[str]:
    """How a run (its experiment, parameters, notebook digest, input digests) differs from
    plan `body`; empty when the run is one the plan asks for. A run records all of its
    inputs; only those the plan declares are compared."""
    out = []
    if experiment != body.get("experiment"):
        out.append(f"experiment {experiment}, the plan says {body.get('experiment')}")
    wanted = run_parameters(body)
    if parameters not in wanted:
        diff = _mapping_changes("parameter", parameters, wanted[0])
        out.append("ran with other parameters (" + "; ".join(diff) + ")")
    if notebook_digest != body.get("notebook"):
        out.append("ran another version of the notebook")
    recorded = inputs or {}
    for name, digest in (body.get("inputs") or {}).items():
        if name in recorded and recorded[name] != digest:
            out.append(f"ran with another {name}")
    return out


def stale(resolution: Any, status: PlanStatus, run: Any | None) -> str | None:
    """Why a rule resolution no longer answers its question's sealed plan, or None.

    Resolved under another plan version or rule, or on a run (its record, when there is
    one to read) that the plan does not ask for. A manual resolution is a person's
    judgement and never stale. `run` is the resolution's run record or None."""
    if resolution.how != "rule":
        return None
    body = status.sealed_body or status.body
    if resolution.plan is not None and status.sealed and resolution.plan != status.latest.plan:
        then = status.version(resolution.plan)
        return (
            f"resolved under plan version {then or 'unknown'}, the plan is now version "
            f"{len(status.versions)}"
        )
    if resolution.rule is not None and resolution.rule != body["resolve"]:
        return f"resolved by the rule {resolution.rule!r}, the rule is now {body['resolve']!r}"
    if run is not None:
        digest = run.notebook_digest if run.notebook_digest is not None else body["notebook"]
        wrong = mismatches(body, run.experiment, run.parameters, digest, run.inputs)
        if wrong:
            return f"its run {resolution.run} {'; '.join(wrong)}"
    return None
