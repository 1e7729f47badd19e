"""What a command leaves out, and why: problems stay where they are.

A question with errors is left out of its set (the others load), and a file whose top
is invalid (its `experiment`, `parameters` or `questions` list) is left out whole. A
question with a tampered forecast, or a sealed forecast that is gone, is *blocked*: its
forecasts can no longer be trusted, so nothing is scored, traded or pooled on it, while
every other question goes on. Only a damaged ledger (a broken chain, a corrupt line)
stops everything, since then no seal can be trusted.

Every command prints what it skipped with `Skip.__str__`.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, replace

from kit.predictions.registry import DAMAGED, Predictions

_QUESTION_FIELD = re.compile(r"^questions\[(\d+)\]")


@dataclass(frozen=True)
class Skip:
    """One thing a command leaves out: what (a file, or a question in it) and why."""

    file: str
    why: str
    question: str | None = None  # the question's id, when one question is left out
    line: int = 0

    @property
    def what(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"question {self.question} ({where})" if self.question else f"all of {where}"

    def __str__(self) -> str:
        return f"skipped {self.what}: {self.why}"


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def left_out(predictions: Predictions) -> list[Skip]:
    """Question-set files and questions not loaded because of their errors."""
    project = predictions.project
    loaded = {s.file: s for s in predictions.sets}
    errors: dict[str, list] = {}
    for p in predictions.errors:
        errors.setdefault(p.file, []).append(p)
    out: list[Skip] = []
    for path in project.question_set_files():
        file = project.relative(path)
        mine = errors.get(file, [])
        if file not in loaded:
            if mine:
                first = min(mine)
                out.append(
                    Skip(
                        file,
                        f"{_count(len(mine), 'error')}, the first on line {first.line}: "
                        f"{first.message} (`kit check` lists them)",
                    )
                )
            continue
        s = loaded[file]
        kept = {s.question_index[q.id] for q in s.questions}
        raw = s.doc.tree.get("questions") or []
        by_index: dict[int, list] = {}
        for p in mine:
            if m := _QUESTION_FIELD.match(p.field):
                by_index.setdefault(int(m.group(1)), []).append(p)
        for i, item in enumerate(raw):
            if i in kept:
                continue
            found = by_index.get(i, [])
            qid = item.get("id") if isinstance(item, dict) else None
            line = s.where(("questions", i))[0]
            why = (
                f"{_count(len(found), 'error')}: {min(found).message} (`kit check` lists them)"
                if found
                else "it has errors (`kit check` lists them)"
            )
            out.append(Skip(file, why, str(qid) if qid is not None else f"#{i + 1}", line))
    return out


def blocked(predictions: Predictions) -> dict[str, Skip]:
    """Questions whose forecasts no longer match the ledger: a forecast (or the question's
    text or type) changed after its seal, or a sealed forecast is gone."""
    seals = predictions.ledger.by_key()
    out: dict[str, Skip] = {}
    present = set()
    for ref in predictions.forecasts():
        present.add(ref.key)
        if ref.key in seals and ref.seal is None and ref.question.id not in out:
            line = ref.set.where(ref.set.question_loc(ref.question.id))[0]
            out[ref.question.id] = Skip(
                ref.set.file,
                f"{ref.forecast.by}'s forecast (or the question's text or type) changed after "
                "it was sealed (tampered): restore what was sealed to use this question again",
                ref.question.id,
                line,
            )
    questions = {q.id: s for s, q in predictions.questions()}
    for seal in predictions.ledger.seals:
        if seal.key in present or seal.question not in questions or seal.question in out:
            continue
        s = questions[seal.question]
        out[seal.question] = Skip(
            s.file,
            f"{seal.by}'s forecast sealed for {seal.at} is gone from the file (deleted, or "
            "its time changed): restore it to use this question again",
            seal.question,
            s.where(s.question_loc(seal.question))[0],
        )
    return out


def skipped(predictions: Predictions) -> list[Skip]:
    """Everything left out or blocked, in file order."""
    found = left_out(predictions) + list(blocked(predictions).values())
    return sorted(found, key=lambda k: (k.file, k.line))


def damaged(predictions: Predictions) -> bool:
    """The ledger itself is damaged: no seal can be trusted (exit 4)."""
    return any(p.code in DAMAGED for p in predictions.errors)


def without(predictions: Predictions, question_ids: set[str]) -> Predictions:
    """The same predictions with these questions left out (for scores, markets, pools)."""
    if not question_ids:
        return predictions
    sets = []
    for s in predictions.sets:
        view = copy.copy(s)
        view.questions = [q for q in s.questions if q.id not in question_ids]
        sets.append(view)
    return replace(predictions, sets=sets)
