"""Reveal blind forecasts: write their values from the private store into the question
sets (what `kit reveal` does). See `kit.predictions.blind` for commit–reveal.

Everything is checked before anything is written: each forecast to reveal must be a
sealed commitment, its store entry must exist and open the commitment, and its question
must not hold reveals (`reveal_after:`). Any refusal names the question and forecaster
and changes nothing. Each question-set file is then rewritten atomically under its lock,
so a crash leaves every file either as it was or fully revealed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pydantic import ValidationError

from kit.errors import InvalidInput, KitError, NotFound
from kit.fileio import atomic_write, locked
from kit.predictions import blind, edit, yamlsafe
from kit.predictions.registry import ForecastRef, Predictions, check, raise_for_errors
from kit.predictions.timefmt import now as utc_now
from kit.predictions.validate import validate_file
from kit.project import Project


class RevealRefused(KitError):
    """Nothing was revealed: each line says which forecast, why, and the fix."""

    exit_code = 1


@dataclass
class RevealReport:
    revealed: list[str] = field(default_factory=list)  # "question by forecaster"
    held: list[str] = field(default_factory=list)  # "question by forecaster: why"
    no_store: list[str] = field(default_factory=list)  # forecasters skipped: no store here


@dataclass
class _Reveal:
    ref: ForecastRef
    fields: dict  # what is added to the forecast's mapping


def _candidates(predictions: Predictions, by: str | None, ids: list[str]) -> list[ForecastRef]:
    """Committed, unrevealed forecasts chosen; a named question with none is refused."""
    refs = [
        r
        for r in predictions.forecasts()
        if r.forecast.blind
        and (by is None or r.forecast.by == by)
        and (not ids or r.question.id in ids)
    ]
    problems = []
    for qid in ids:
        predictions.question(qid)  # NotFound, with close ids
        mine = [r for r in refs if r.question.id == qid]
        who = by or "anyone"
        if not mine:
            problems.append(
                f"{qid}: {who} has no blind forecast on it: nothing was committed, so there "
                f"is nothing to reveal (a plain forecast needs no reveal)"
            )
        elif all(r.forecast.revealed for r in mine):
            problems.append(f"{qid}: {who}'s blind forecasts on it are already revealed")
    if by is not None and not ids and not refs:
        problems.append(f"{by} has no blind forecast: nothing was committed to reveal")
    if problems:
        raise RevealRefused("nothing revealed:\n  " + "\n  ".join(problems))
    return [r for r in refs if not r.forecast.revealed]


def _opened(ref: ForecastRef, secret: blind.Secret, shown: str) -> dict | str:
    """The fields that reveal `ref` from `secret`, or why the secret does not open it."""
    f, q = ref.forecast, ref.question
    if secret.commit != f.commit:
        return f"{shown} holds another commitment for it than the question set"
    try:
        value = yamlsafe.to_plain(yamlsafe.load(shown, f"v: {secret.value}\n").tree)["v"]
        fields = {secret.value_key: value, "salt": secret.salt}
        if secret.why and f.why is None:
            fields["why"] = secret.why
        raw = {"by": f.by, "at": f.at, "commit": f.commit, **fields}
        revealed = q.kind.forecast_model.model_validate(raw)
    except (yamlsafe.YamlProblems, ValidationError, KeyError) as e:
        return f"{shown}'s value {secret.value!r} is not a {q.type} forecast ({e})"
    if blind.commitment(q, revealed, secret.salt) != f.commit:
        return (
            f"{shown}'s value and salt do not open the commitment in {ref.set.file} "
            "(the store or the question set was changed)"
        )
    return fields


def reveal(
    project: Project,
    *,
    by: str | None = None,
    question_ids: list[str] | tuple[str, ...] = (),
    store_file: Path | None = None,
    now: datetime | None = None,
) -> RevealReport:
    """Reveal the chosen blind forecasts (all, one forecaster's, these questions')."""
    now = now or utc_now()
    ids = list(dict.fromkeys(question_ids))
    predictions = check(project)
    raise_for_errors(predictions)
    report = RevealReport()
    chosen = _candidates(predictions, by, ids)
    resolved = blind.resolved_ids(project)
    stores: dict[str, blind.Store | None] = {}
    problems: list[str] = []
    plan: list[_Reveal] = []
    for ref in chosen:
        f, q, s = ref.forecast, ref.question, ref.set
        who = f"{q.id} by {f.by}"
        if ref.seal is None:
            problems.append(f"{who}: its commitment is not sealed: `kit seal --by {f.by}` first")
            continue
        if q.id not in resolved:
            committed = {r.forecast.by for r in predictions.forecasts(q.id) if r.seal}
            if why := blind.held(s, q, committed, now):
                report.held.append(f"{who}: {why}")
                continue
        if f.by not in stores:
            path = store_file or blind.store_path(project, f.by)
            try:
                stores[f.by] = blind.read_store(path, project.relative(path))
            except blind.PrivateStoreError:
                if by is None and store_file is None and not path.exists():
                    stores[f.by] = None  # someone else's forecasts: their store is theirs
                    report.no_store.append(f.by)
                else:
                    raise
        store = stores[f.by]
        if store is None:
            continue
        shown = project.relative(store.path)
        secret = store.secrets.get(ref.key)
        if secret is None:
            problems.append(
                f"{who}: {shown} has no entry for it (made on another machine? copy that "
                "store here, or pass --store FILE)"
            )
            continue
        opened = _opened(ref, secret, shown)
        if isinstance(opened, str):
            problems.append(f"{who}: {opened}")
            continue
        plan.append(_Reveal(ref, opened))
    if ids and report.held:
        problems += report.held
    if problems:
        raise RevealRefused("nothing revealed:\n  " + "\n  ".join(problems))
    for path in sorted({r.ref.set.path for r in plan}):
        _write(project, path, [r for r in plan if r.ref.set.path == path])
        report.revealed += [
            f"{r.ref.question.id} by {r.ref.forecast.by}" for r in plan if r.ref.set.path == path
        ]
    return report


def _write(project: Project, path: Path, reveals: list[_Reveal]) -> None:
    """Add each reveal's fields to its forecast in one file, checked, in one atomic write."""
    with locked(path):
        source = edit.read_source(path, project.relative(path))
        text = source.text
        loaded, before = validate_file(project, path, text)
        if loaded is None:
            raise InvalidInput(before)
        where = {}
        for q in loaded.questions:
            for j, f in enumerate(q.forecasts):
                if f.at is not None:
                    where[(q.id, f.by, f.at)] = (loaded.question_index[q.id], j, f)
        steps = []
        for r in reveals:
            found = where.get((r.ref.question.id, r.ref.forecast.by, r.ref.forecast.at))
            if found is None or found[2].revealed or found[2].commit != r.ref.forecast.commit:
                raise NotFound(
                    f"{r.ref.question.id} by {r.ref.forecast.by}: the forecast changed while "
                    "revealing; nothing revealed in this file, run `kit reveal` again"
                )
            steps.append((found[0], found[1], r.fields))
        for qi, fj, fields in sorted(steps, key=lambda s: (s[0], s[1]), reverse=True):
            tree = yamlsafe.load(loaded.file, text).tree
            text = edit.add_fields(text, tree, qi, fj, fields)
        _, after = validate_file(project, path, text)
        old = {(p.field, p.message) for p in before if p.severity == "error"}
        new = [p for p in after if p.severity == "error" and (p.field, p.message) not in old]
        if new:
            raise InvalidInput(new)
        atomic_write(path, text)
