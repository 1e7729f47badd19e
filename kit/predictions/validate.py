"""Check one question-set file: structure (pydantic) and whole-question rules.

Every problem is reported with its file, line, column and field, and all of them are
reported, not just the first: a question with errors is left out of the loaded set but
the others are still checked.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kit.errors import Problem
from kit.predictions import yamlsafe
from kit.predictions.models import SUM_TOLERANCE, Forecast, Question, QuestionSet
from kit.predictions.rules import RuleError, parse_rule
from kit.project import Project

_VALUE_FOR = {"binary": "p", "categorical": "probs", "numeric": "quantiles"}
_VALUE_HELP = {
    "p": "p (a probability)",
    "probs": "probs (option: probability)",
    "quantiles": "quantiles (level: value)",
}


@dataclass
class LoadedSet:
    """One valid question-set file with the positions of its questions and forecasts."""

    path: Path
    file: str  # as shown in messages
    spec: QuestionSet
    questions: list[Question]
    doc: yamlsafe.YamlDoc
    question_index: dict[str, int] = field(default_factory=dict)  # id -> index in the file
    complete: bool = True  # false when some question had errors and was left out

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def experiment(self) -> str:
        return self.spec.experiment

    @property
    def parameters(self) -> dict[str, Any]:
        return dict(self.spec.parameters)

    def where(self, loc: tuple) -> tuple[int, int]:
        return yamlsafe.position(self.doc.tree, loc)

    def question_loc(self, question_id: str) -> tuple:
        return ("questions", self.question_index[question_id])


def _fields(model: type) -> str:
    return ", ".join(model.model_fields)


def _model_for(loc: tuple) -> type:
    if len(loc) >= 4 and loc[-4] == "forecasts":
        return Forecast
    if len(loc) >= 3 and loc[0] == "questions":
        return Question
    return QuestionSet


def _field_name(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def _pydantic_problems(
    file: str, tree: Any, error: ValidationError, prefix: tuple
) -> list[Problem]:
    problems = []
    for err in error.errors(include_url=False):
        loc = prefix + tuple(p for p in err["loc"] if p not in ("[key]",))
        kind = err["type"]
        line, col = yamlsafe.position(tree, loc, key=kind == "extra_forbidden")
        if kind == "missing":
            message = "missing required field"
        elif kind == "extra_forbidden":
            message = f"unknown field; expected one of: {_fields(_model_for(loc))}"
        elif kind == "string_pattern_mismatch":
            message = "use letters, digits and - _ . only, starting with a letter or digit"
        else:
            message = err["msg"].removeprefix("Value error, ")
        value = err.get("input")
        if (
            kind not in ("missing", "extra_forbidden", "value_error")
            and isinstance(value, bool | int | float | str)
            and len(repr(value)) < 60
        ):
            message += f" (got {value!r})"
        problems.append(Problem(file, line, col, _field_name(loc), message))
    return problems


def _semantic(project: Project, file: str, tree: Any, q: Question, qloc: tuple) -> list[Problem]:
    """Checks that need the whole question: type-specific fields, rule, forecast values."""
    out: list[Problem] = []

    def add(loc: tuple, message: str, severity: str = "error", key: bool = False) -> None:
        line, col = yamlsafe.position(tree, qloc + loc, key=key)
        out.append(Problem(file, line, col, _field_name(qloc + loc), message, severity))

    if q.type == "categorical":
        if not q.options or len(q.options) < 2:
            add(
                ("options",) if q.options is not None else (),
                "a categorical question needs options: a list of at least two option names",
            )
        elif len(set(q.options)) != len(q.options):
            dupes = sorted({o for o in q.options if q.options.count(o) > 1})
            add(("options",), f"option names must be unique; repeated: {', '.join(dupes)}")
    else:
        if q.options is not None:
            add(("options",), f"options are only for categorical questions, not {q.type}", key=True)
        if q.ordered:
            add(("ordered",), "ordered is only for categorical questions", key=True)
    if q.type != "numeric":
        for name in ("bounds", "unit"):
            if getattr(q, name) is not None:
                add((name,), f"{name} is only for numeric questions, not {q.type}", key=True)
    elif q.bounds is not None and not q.bounds[0] < q.bounds[1]:
        add(("bounds",), f"bounds must be [low, high] with low < high, got {list(q.bounds)}")

    if q.experiment is not None and (why := experiment_problem(project, q.experiment)):
        add(("experiment",), why)
    try:
        if not q.manual:
            parse_rule(q.resolve)
    except RuleError as e:
        line, col = yamlsafe.position(tree, qloc + ("resolve",))
        out.append(
            Problem(file, line, col + e.column - 1, _field_name(qloc + ("resolve",)), e.message)
        )

    wanted = _VALUE_FOR[q.type]
    seen: dict[tuple, int] = {}
    for j, f in enumerate(q.forecasts):
        floc = ("forecasts", j)
        if f.kind != wanted:
            add(
                floc + (f.kind,),
                f"a {q.type} question needs {_VALUE_HELP[wanted]}, not {f.kind}",
                key=True,
            )
            continue
        if f.probs is not None and q.options:
            unknown = [o for o in f.probs if o not in q.options]
            for o in unknown:
                add(
                    floc + ("probs", o),
                    f"unknown option {o!r}; options are {', '.join(q.options)}",
                    key=True,
                )
            total = math.fsum(f.probs.values())
            if not unknown and abs(total - 1.0) > SUM_TOLERANCE:
                add(
                    floc + ("probs",),
                    f"probabilities sum to {total:.10g}, not 1 (tolerance {SUM_TOLERANCE:g})",
                )
        if f.quantiles is not None and q.bounds is not None:
            lo, hi = q.bounds
            for level, value in f.quantiles.items():
                if not lo <= value <= hi:
                    add(
                        floc + ("quantiles", level),
                        f"quantile {level:g} -> {value:g} is outside the bounds [{lo:g}, {hi:g}]",
                    )
        if f.at is None:
            add(floc, "no time yet: `kit seal` fills in `at`", severity="warning")
        else:
            key = (f.by, f.at)
            if key in seen:
                first = yamlsafe.position(tree, qloc + ("forecasts", seen[key]))[0]
                add(
                    floc,
                    f"duplicate forecast: {f.by} at {f.at.isoformat()} is already on line {first}",
                )
            else:
                seen[key] = j
    return out


def experiment_problem(project: Project, experiment: str) -> str | None:
    """Why `experiment` does not name a notebook in `notebooks/`, or None if it does."""
    base = project.notebooks_dir.resolve()
    if "\\" in experiment or experiment.startswith("/") or ":" in experiment:
        return f"experiment {experiment!r} must be a notebook name inside notebooks/"
    target = (project.notebooks_dir / f"{experiment}.ipynb").resolve()
    if not target.is_relative_to(base):
        return f"experiment {experiment!r} leaves notebooks/: give a notebook name inside it"
    if not target.is_file():
        known = sorted(p.stem for p in project.notebooks_dir.glob("*.ipynb"))
        return (
            f"no notebook notebooks/{experiment}.ipynb; notebooks here: "
            f"{', '.join(known) or 'none'}"
        )
    return None


def validate_file(
    project: Project,
    path: Path,
    data: bytes | str | None = None,
) -> tuple[LoadedSet | None, list[Problem]]:
    """Check one file (or `data` as if it were that file); the valid part and all problems."""
    file = project.relative(path)
    try:
        if data is None:
            data = Path(path).read_bytes()
        doc = yamlsafe.load(file, data)
    except yamlsafe.YamlProblems as e:
        return None, e.problems
    except OSError as e:
        return None, [Problem(file, 1, 1, "file", f"cannot read: {e.strerror}")]

    tree = doc.tree
    if not isinstance(tree, dict):
        return None, [
            Problem(
                file,
                1,
                1,
                "(top level)",
                "expected a mapping with experiment, parameters and questions",
            )
        ]
    plain = yamlsafe.to_plain(tree)
    problems: list[Problem] = []
    try:
        spec = QuestionSet.model_validate(plain)
    except ValidationError as e:
        problems += _pydantic_problems(file, tree, e, ())
        spec = None
    if spec is not None and (why := experiment_problem(project, spec.experiment)):
        line, col = yamlsafe.position(tree, ("experiment",))
        problems.append(Problem(file, line, col, "experiment", why))

    questions: list[Question] = []
    index: dict[str, int] = {}
    raw_questions = plain.get("questions")
    for i, raw in enumerate(raw_questions if isinstance(raw_questions, list) else []):
        qloc = ("questions", i)
        try:
            q = Question.model_validate(raw)
        except ValidationError as e:
            problems += _pydantic_problems(file, tree, e, qloc)
            continue
        found = _semantic(project, file, tree, q, qloc)
        problems += found
        if not any(p.severity == "error" for p in found):
            questions.append(q)
            index.setdefault(q.id, i)
    if spec is None:
        return None, problems
    complete = len(questions) == len(raw_questions or [])
    return LoadedSet(Path(path), file, spec, questions, doc, index, complete), problems
