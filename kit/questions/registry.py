"""The registry of question kinds: the one place that maps a `type:` to its strategy."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kit.errors import quote

if TYPE_CHECKING:
    from kit.questions.base import QuestionKind

_KINDS: dict[str, QuestionKind] = {}


def register(kind: QuestionKind) -> QuestionKind:
    """Add a kind (replacing one of the same name); returns it, so it can decorate."""
    taken = {k.value_key: k.name for k in _KINDS.values() if k.name != kind.name}
    if kind.value_key in taken:
        raise ValueError(
            f"kind {kind.name!r}: value key {kind.value_key!r} is already used by "
            f"{taken[kind.value_key]!r}"
        )
    _KINDS[kind.name] = kind
    return kind


def unregister(name: str) -> None:
    """Remove a kind (for tests that register a kind of their own)."""
    _KINDS.pop(name, None)


def get(name: str) -> QuestionKind:
    """The kind called `name`; KeyError names the known ones."""
    try:
        return _KINDS[name]
    except KeyError:
        raise KeyError(
            f"unknown question type {quote(name)}; known: {', '.join(names())}"
        ) from None


def names() -> list[str]:
    return list(_KINDS)


def kinds() -> list[QuestionKind]:
    return list(_KINDS.values())


def by_value_key(key: str) -> QuestionKind | None:
    """The kind whose forecasts hold their value under `key` ('p', 'probs', ...)."""
    return next((k for k in _KINDS.values() if k.value_key == key), None)


def fields_of_other_kinds(kind: QuestionKind) -> dict[str, str]:
    """Question fields that some other kind has and `kind` lacks: field -> that kind."""
    mine = set(kind.question_model.model_fields)
    out: dict[str, str] = {}
    for other in _KINDS.values():
        for name in other.question_model.model_fields:
            if name not in mine:
                out.setdefault(name, other.name)
    return out
