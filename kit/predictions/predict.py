"""Add a forecast to the file that holds its question (what `kit predict` does)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kit import questions as kinds
from kit.errors import InvalidInput, KitError, Problem, UsageError
from kit.fileio import atomic_write, locked
from kit.predictions import edit, yamlsafe
from kit.predictions.registry import check
from kit.predictions.timefmt import now
from kit.predictions.validate import pattern_help, validate_file
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
            f"{key!r} is not a forecast value; use one of "
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


def add_forecast(project: Project, question_id: str, by: str, **value) -> Added:
    """Append a forecast to its question's file, atomically and under the file's lock.

    The whole file is re-validated with the new forecast before anything is written, so
    a forecast that does not fit the question (wrong kind, unknown option, probabilities
    that do not sum to 1, a duplicate) is refused and the file is untouched.
    """
    fields = forecast_fields(by, **value)
    predictions = check(project)
    loaded, question = predictions.question(question_id)
    path = loaded.path
    with locked(path):
        text = path.read_text(encoding="utf-8")
        try:
            doc = yamlsafe.load(loaded.file, text)
        except yamlsafe.YamlProblems as e:
            raise InvalidInput(e.problems) from None
        _, before = validate_file(project, path, text)
        index = _question_index(doc.tree, question_id)
        new_text = edit.append_forecast(text, doc.tree, index, fields)
        reloaded, after = validate_file(project, path, new_text)
        new_errors = _new_errors(before, after)
        if new_errors or reloaded is None:
            raise InvalidInput(
                [
                    Problem(
                        p.file, p.line, p.column, p.field, "refused, nothing written: " + p.message
                    )
                    for p in new_errors
                ]
            )
        atomic_write(path, new_text)
    saved = next(q for q in reloaded.questions if q.id == question_id)
    return Added(path, question_id, saved.forecasts[-1])


def _question_index(tree, question_id: str) -> int:
    for i, q in enumerate(tree.get("questions") or []):
        if isinstance(q, dict) and q.get("id") == question_id:
            return i
    raise KitError(f"question {question_id!r} vanished from its file while editing")


def _new_errors(before: list[Problem], after: list[Problem]) -> list[Problem]:
    old = {(p.field, p.message) for p in before if p.severity == "error"}
    return [p for p in after if p.severity == "error" and (p.field, p.message) not in old]
