"""Add a forecast to the file that holds its question (what `kit predict` does).

A blind forecast (`blind=True`) is checked with its value like any other, then only its
commitment is written to the file; value, salt and reasoning go first to the
forecaster's private store (`kit.predictions.blind`), so that a crash leaves at worst a
store entry with no commitment, never a commitment nobody can open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kit import questions as kinds
from kit.errors import InvalidInput, KitError, Problem, UsageError, quote
from kit.fileio import locked
from kit.predictions import blind as blind_mod
from kit.predictions import edit, yamlsafe
from kit.predictions.registry import check
from kit.predictions.timefmt import now
from kit.predictions.validate import ALIAS_HELP, pattern_help, validate_file
from kit.project import Project
from kit.questions import ForecastBase


@dataclass(frozen=True)
class Added:
    path: Path
    question_id: str
    forecast: ForecastBase


def forecast_fields(
    by: str, *, why: str | None = None, at: datetime | None = None, **value: Any
) -> dict:
    """The new forecast's fields, validated on their own (raises `UsageError`).

    `value` is one `key=value` pair under a kind's value key: `p=0.7`,
    `probs={...}`, `quantiles={...}`.
    """
    if len(value) != 1:
        keys = ", ".join(k.value_key for k in kinds.kinds())
        raise UsageError(f"give exactly one forecast value: one of {keys}")
    ((key, given),) = value.items()
    kind = kinds.by_value_key(key)
    if kind is None:
        raise UsageError(
            f"{quote(key)} is not a forecast value; use one of "
            f"{', '.join(k.value_key for k in kinds.kinds())}"
        )
    fields = {"by": by, "at": at or now(), key: given, "why": why or None}
    fields = {k: v for k, v in fields.items() if v is not None}
    try:
        kind.forecast_model.model_validate(fields)
    except ValidationError as e:
        lines = []
        for err in e.errors(include_url=False):
            where = ".".join(str(x) for x in err["loc"]) or "forecast"
            if err["type"] == "string_pattern_mismatch":
                message = f"{pattern_help(err['loc'])} (got {err['input']!r})"
            else:
                message = err["msg"].removeprefix("Value error, ")
            lines.append(f"{where}: {message}")
        raise UsageError("refused, nothing written:\n" + "\n".join(lines)) from None
    return fields


def add_forecast(
    project: Project, question_id: str, by: str, *, blind: bool = False, **value
) -> Added:
    """Append a forecast to its question's file, atomically and under the file's lock.

    The whole file is re-validated with the new forecast before anything is written, so
    a forecast that does not fit the question (wrong kind, unknown option, probabilities
    that do not sum to 1, a duplicate) is refused and the file is untouched. A plain
    forecast on a question that requires blindness (and has not resolved) is refused.
    With `blind`, only the commitment is written (see the module's docstring).
    """
    fields = forecast_fields(by, **value)
    predictions = check(project)
    loaded, question = predictions.question(question_id)
    plain_refused = not blind and blind_mod.blind_required(loaded, question)
    if plain_refused and question_id not in blind_mod.resolved_ids(project):
        raise UsageError(
            f"{question_id} requires blind forecasts (blind: true) until it resolves: "
            f"refused, nothing written; use `kit predict {question_id} --by {by} --blind "
            "...` (the value stays in your private store until `kit reveal`)"
        )
    path = loaded.path
    with locked(path):
        source = edit.read_source(path, loaded.file)
        text = source.text
        try:
            doc = yamlsafe.load(loaded.file, text)
        except yamlsafe.YamlProblems as e:
            raise InvalidInput(e.problems) from None
        _, before = validate_file(project, path, text)
        if aliased := [p for p in before if p.message == ALIAS_HELP]:
            raise InvalidInput(aliased)  # where the new line would go is unclear: fix first
        index = _question_index(doc.tree, question_id)
        new_text = edit.append_forecast(text, doc.tree, index, fields)
        reloaded = _checked(project, path, new_text, before)
        if blind:
            saved = next(q for q in reloaded.questions if q.id == question_id)
            committed = _commit(project, loaded.file, saved, saved.forecasts[-1])
            new_text = edit.append_forecast(text, doc.tree, index, committed)
            reloaded = _checked(project, path, new_text, before)
        edit.write_source(path, source, new_text)
    saved = next(q for q in reloaded.questions if q.id == question_id)
    new = [f for f in saved.forecasts if f.by == fields["by"] and f.at == fields["at"]]
    return Added(path, question_id, new[-1] if new else saved.forecasts[-1])


def _checked(project: Project, path: Path, text: str, before: list[Problem]):
    """The file as `text` would load, or InvalidInput with the errors it would add."""
    reloaded, after = validate_file(project, path, text)
    new_errors = _new_errors(before, after)
    if new_errors or reloaded is None:
        raise InvalidInput(
            [
                Problem(p.file, p.line, p.column, p.field, "refused, nothing written: " + p.message)
                for p in new_errors
            ]
        )
    return reloaded


def _commit(project: Project, file: str, question, forecast: ForecastBase) -> dict:
    """Store what opens a blind forecast privately; the fields the question set gets."""
    from kit.predictions.ledger import key

    salt = blind_mod.new_salt()
    commit = blind_mod.commitment(question, forecast, salt)
    secret = blind_mod.Secret(
        question=question.id,
        by=forecast.by,
        at=key(question.id, forecast.by, forecast.at)[2],
        commit=commit,
        salt=salt,
        value_key=forecast.value_key,
        value=edit.scalar(forecast.value),
        why=forecast.why,
        file=file,
    )
    blind_mod.append_secret(blind_mod.store_path(project, forecast.by), secret)
    return {"by": forecast.by, "at": forecast.at, "commit": commit}


def _question_index(tree, question_id: str) -> int:
    for i, q in enumerate(tree.get("questions") or []):
        if isinstance(q, dict) and q.get("id") == question_id:
            return i
    raise KitError(f"question {quote(question_id)} vanished from its file while editing")


def _new_errors(before: list[Problem], after: list[Problem]) -> list[Problem]:
    old = {(p.field, p.message) for p in before if p.severity == "error"}
    return [p for p in after if p.severity == "error" and (p.field, p.message) not in old]
