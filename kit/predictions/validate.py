"""Check one question-set file: structure (pydantic) and whole-question rules.

Every problem is reported with its file, line, column and field, and all of them are
reported, not just the first: a question with errors is left out of the loaded set but
the others are still checked.
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kit import questions as kinds
from kit.errors import Problem, listed, quote, shown_name
from kit.predictions import yamlsafe
from kit.predictions.models import QuestionSet
from kit.predictions.rules import RuleError, parse_rule
from kit.project import Project, printable_path
from kit.questions import ForecastBase, QuestionBase


@dataclass
class LoadedSet:
    """One valid question-set file with the positions of its questions and forecasts."""

    path: Path
    file: str  # as shown in messages
    spec: QuestionSet
    questions: list[QuestionBase]
    doc: yamlsafe.YamlDoc
    question_index: dict[str, int] = field(default_factory=dict)  # id -> index in the file
    complete: bool = True  # false when some question had errors and was left out

    @property
    def name(self) -> str:
        return printable_path(self.path.stem)

    @property
    def experiment(self) -> str | None:
        """The set's experiment; None for a set of manual questions only."""
        return self.spec.experiment

    @property
    def parameters(self) -> dict[str, Any]:
        return dict(self.spec.parameters)

    def replicates(self, question: QuestionBase) -> dict[str, list[Any]]:
        """The question's replicates (its own, else the set's): parameter -> values."""
        own = question.replicates
        return dict(self.spec.replicates if own is None else own)

    def run_parameters(self, question: QuestionBase) -> list[dict[str, Any]]:
        """The parameters of each run the question is resolved from: the set's
        parameters with each combination of its replicates (one run without them)."""
        return [{**self.parameters, **combo} for combo in combinations(self.replicates(question))]

    def where(self, loc: tuple) -> tuple[int, int]:
        return yamlsafe.position(self.doc.tree, loc)

    def question_loc(self, question_id: str) -> tuple:
        return ("questions", self.question_index[question_id])


def combinations(replicates: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """Every combination of the replicates' values, in the order given ([{}] if none)."""
    names = list(replicates)
    return [
        dict(zip(names, combo, strict=True)) for combo in itertools.product(*replicates.values())
    ]


def field_name(loc: tuple) -> str:
    """A location as shown in messages: `questions[0].forecasts[1].p`."""
    out = ""
    for part in loc:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + shown_name(part)
    return out or "(top level)"


_PATTERN_HELP = {
    "id": "use lowercase letters, digits and - _ . only (at most 100), starting with a lowercase "
    "letter or digit",
    "commit": "a commitment is sha256: and 64 lowercase hex digits (written by "
    "`kit predict --blind`)",
    "salt": "a salt is 64 lowercase hex digits (32 bytes), as `kit reveal` writes it",
}
_NAME_HELP = "use letters, digits and - _ . @ + only (at most 64), starting with a letter or digit"


def pattern_help(loc: tuple) -> str:
    """What a name at `loc` may hold, in words (pydantic would show the regular expression)."""
    last = next((p for p in reversed(loc) if isinstance(p, str)), "")
    return _PATTERN_HELP.get(last, _NAME_HELP)


def pydantic_problems(
    file: str,
    tree: Any,
    error: ValidationError,
    prefix: tuple,
    model: type,
    others: dict[str, str] | None = None,
    kind_name: str = "",
) -> list[Problem]:
    """Located problems from one model's ValidationError (`prefix`: where the model sits)."""
    problems = []
    for err in error.errors(include_url=False):
        inner = tuple(p for p in err["loc"] if p not in ("[key]",))
        loc = prefix + inner
        kind = err["type"]
        line, col = yamlsafe.position(tree, loc, key=kind == "extra_forbidden")
        if kind == "missing":
            message = "missing required field"
        elif kind == "extra_forbidden" and others and len(inner) == 1 and inner[0] in others:
            verb = "are" if inner[0] == "options" else "is"
            message = f"{inner[0]} {verb} only for {others[inner[0]]} questions, not {kind_name}"
        elif kind == "extra_forbidden":
            message = f"unknown field; expected one of: {', '.join(model.model_fields)}"
        elif kind == "string_pattern_mismatch":
            message = pattern_help(inner)
        else:
            message = err["msg"].removeprefix("Value error, ")
        value = err.get("input")
        if kind not in ("missing", "extra_forbidden", "value_error") and isinstance(
            value, bool | int | float | str
        ):
            message += f" (got {quote(value, 40)})"
        problems.append(Problem(file, line, col, field_name(loc), message))
    return problems


def article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


class _Checker:
    """Checks the questions of one file, collecting located problems."""

    def __init__(self, project: Project, file: str, tree: Any, header: dict[str, Any]):
        self.project, self.file, self.tree = project, file, tree
        self.problems: list[Problem] = []
        self.experiment = header.get("experiment")
        self.parameters = header.get("parameters") or {}
        self.replicates = header.get("replicates") or {}

    def add(self, loc: tuple, message: str, severity: str = "error", key: bool = False) -> None:
        line, col = yamlsafe.position(self.tree, loc, key=key)
        self.problems.append(Problem(self.file, line, col, field_name(loc), message, severity))

    def question(self, raw: Any, qloc: tuple) -> QuestionBase | None:
        """The valid question at `qloc`, or None (its problems recorded)."""
        if not isinstance(raw, dict):
            self.add(qloc, "expected a mapping with id, text, type, resolve and forecasts")
            return None
        type_name = raw.get("type")
        if type_name is None:
            self.add(qloc, f"missing required field type (one of: {', '.join(kinds.names())})")
            return None
        if not isinstance(type_name, str) or type_name not in kinds.names():
            self.add(
                qloc + ("type",),
                f"unknown question type {quote(type_name)}; use one of: {', '.join(kinds.names())}",
            )
            return None
        kind = kinds.get(type_name)
        forecasts = self.forecasts(kind, raw.get("forecasts"), qloc + ("forecasts",))
        before = len(self.problems)
        fields = {k: v for k, v in raw.items() if k != "forecasts"}
        try:
            q = kind.question_model.model_validate({**fields, "forecasts": []})
        except ValidationError as e:
            self.problems += pydantic_problems(
                self.file,
                self.tree,
                e,
                qloc,
                kind.question_model,
                kinds.fields_of_other_kinds(kind),
                kind.name,
            )
            return None
        for issue in kind.check_question(q):
            self.add(qloc + issue.loc, issue.message, issue.severity, issue.key)
        if q.experiment is not None and (why := experiment_problem(self.project, q.experiment)):
            severity = "warning" if why.startswith(NO_NOTEBOOK) else "error"
            self.add(qloc + ("experiment",), why, severity)
        if not q.manual:
            self.rule(q, qloc)
        valid, all_valid = forecasts
        self.forecast_checks(kind, q, valid, qloc)
        if not all_valid or any(p.severity == "error" for p in self.problems[before:]):
            return None
        return q.model_copy(update={"forecasts": [f for _, f in valid]})

    def rule(self, q: QuestionBase, qloc: tuple) -> None:
        """The question's rule: its grammar, its shapes over replicates, the parameters
        it reads, and an experiment to evaluate it on."""
        rloc = qloc + ("resolve",)
        if q.experiment is None and self.experiment is None:
            self.add(
                rloc,
                "a rule needs an experiment: set `experiment` at the top of the file or on "
                "this question (or write resolve: manual)",
            )
        replicates = self.replicates if q.replicates is None else q.replicates
        if not isinstance(replicates, dict):
            return  # the set's replicates are invalid: reported at the top
        try:
            rule = parse_rule(q.resolve)
            rule.check_shapes(replicated=bool(replicates), varying=list(replicates))
        except RuleError as e:
            line, col = yamlsafe.position(self.tree, rloc)
            column = col + (e.column or 1) - 1
            self.problems.append(Problem(self.file, line, column, field_name(rloc), e.message))
            return
        known = set(self.parameters if isinstance(self.parameters, dict) else ()) | set(replicates)
        for name in sorted(rule.params - known):
            listed = ", ".join(sorted(known)) or "none"
            self.add(
                rloc,
                f"params_{name}: the set passes no parameter {name!r} to its runs "
                f"(parameters and replicates: {listed})",
            )

    def forecasts(self, kind, raw: Any, floc: tuple) -> tuple[list[tuple[int, ForecastBase]], bool]:
        """Each forecast validated on its own, so that every bad one is reported: the
        valid ones with their positions, and whether all were valid."""
        if raw is None:
            return [], True
        if not isinstance(raw, list):
            self.add(floc, "expected a list of forecasts")
            return [], False
        out, ok = [], True
        model = kind.forecast_model
        for j, item in enumerate(raw):
            loc = floc + (j,)
            if isinstance(item, dict) and model.value_key not in item:
                wrong = [k for k in item if k != model.value_key and kinds.by_value_key(str(k))]
                if wrong:
                    self.add(
                        loc + (wrong[0],),
                        f"{article(kind.name)} {kind.name} question needs {kind.value_help}, "
                        f"not {wrong[0]}",
                        key=True,
                    )
                    ok = False
                    continue
            chosen = model
            if isinstance(item, dict) and "commit" in item and model.value_key not in item:
                chosen = model.blind_model()  # a blind forecast not revealed yet
            try:
                forecast = chosen.model_validate(item)
            except ValidationError as e:
                self.problems += pydantic_problems(self.file, self.tree, e, loc, chosen)
                ok = False
                continue
            if why := _blind_shape(forecast):
                self.add(loc, why)
                ok = False
                continue
            out.append((j, forecast))
        return out, ok

    def forecast_checks(
        self, kind, q: QuestionBase, forecasts: list[tuple[int, ForecastBase]], qloc: tuple
    ) -> None:
        """The kind's checks of each valid forecast, and the kit's own (time, duplicates)."""
        seen: dict[tuple, int] = {}
        for j, f in forecasts:
            floc = qloc + ("forecasts", j)
            for issue in kind.check_forecast(q, f) if f.revealed else ():
                self.add(floc + issue.loc, issue.message, issue.severity, issue.key)
            if f.at is None:
                self.add(floc, "no time yet: `kit seal` fills in `at`", severity="warning")
                continue
            key = (f.by, f.at)
            if key in seen:
                first = yamlsafe.position(self.tree, qloc + ("forecasts", seen[key]))[0]
                self.add(
                    floc,
                    f"duplicate forecast: {f.by} at {f.at.isoformat()} is already on line {first}",
                )
            else:
                seen[key] = j


def _blind_shape(forecast: ForecastBase) -> str | None:
    """Why a forecast's commit, salt and value do not go together, or None."""
    key = forecast.value_key
    if forecast.salt is not None and forecast.commit is None:
        return "a salt belongs to a blind forecast: it needs the commit it opens"
    if forecast.commit is not None and forecast.revealed and forecast.salt is None:
        return (
            f"a revealed blind forecast needs the salt that opens its commit beside {key} "
            "(`kit reveal` writes both)"
        )
    if forecast.commit is not None and not forecast.revealed and forecast.salt is not None:
        return f"a salt without the revealed value: add {key}, or remove the salt"
    return None


#: How the message about a notebook not written yet starts: a warning, not an error, so
#: that forecasts and plans can be sealed before the notebook exists (the plan then holds
#: no notebook digest, and writing the notebook is an amendment).
NO_NOTEBOOK = "no notebook notebooks/"


def experiment_name_problem(project: Project, experiment: str) -> str | None:
    """Why `experiment` cannot name a notebook inside `notebooks/`, or None if it can.

    A name is a relative path without `.` or `..` parts, and what it names (symbolic links
    followed) must lie inside `notebooks/`: runs are written to `runs/<experiment>/`, so
    the name must not lead anywhere else either."""
    shown = quote(experiment)
    if (
        "\\" in experiment
        or ":" in experiment
        or "\0" in experiment
        or any(part in ("", ".", "..") for part in experiment.split("/"))
    ):
        return (
            f"experiment {shown} must be a notebook name inside notebooks/ "
            "(a relative path without . or .. parts)"
        )
    try:
        base = project.notebooks_dir.resolve()
        target = (project.notebooks_dir / f"{experiment}.ipynb").resolve()
    except (OSError, ValueError, RuntimeError) as e:  # RuntimeError: a symlink loop
        return f"experiment {shown}: cannot look for its notebook ({e})"
    if not target.is_relative_to(base):
        return f"experiment {shown} leaves notebooks/: give a notebook name inside it"
    return None


def experiment_problem(project: Project, experiment: str) -> str | None:
    """Why `experiment` does not name a notebook in `notebooks/`, or None if it does."""
    if why := experiment_name_problem(project, experiment):
        return why
    try:
        if project.notebook_path(experiment).is_file():
            return None
        known = sorted(p.stem for p in project.notebooks_dir.glob("*.ipynb"))
    except OSError as e:
        return f"experiment {quote(experiment)}: cannot look for its notebook ({e})"
    name = shown_name(experiment, 80)
    return (
        f"{NO_NOTEBOOK}{name}.ipynb yet (notebooks here: {listed(known) or 'none'}): "
        "its questions' plans are sealed without one, and `kit run` needs it"
    )


ALIAS_HELP = (
    "aliases of forecasts are not allowed: write the forecast out (each forecast is "
    "sealed, timed and edited on its own)"
)


def forecast_aliases(doc: yamlsafe.YamlDoc) -> dict[int, list[Problem]]:
    """A problem at each alias (`*name`) standing for a forecast or a list of forecasts,
    by the index of the question the alias is in (that question is left out).

    An alias makes one forecast appear twice; `kit seal` would then write its time into
    the one mapping twice. Aliases elsewhere (tags, options) are fine."""
    questions = doc.tree.get("questions") if isinstance(doc.tree, dict) else None
    if not doc.aliases or not isinstance(questions, list):
        return {}
    anchors: set[str] = set()
    starts: list[int] = []  # first line of each question
    for i, question in enumerate(questions):
        starts.append(yamlsafe.position(doc.tree, ("questions", i))[0])
        forecasts = question.get("forecasts") if isinstance(question, dict) else None
        nodes = [forecasts, *(forecasts if isinstance(forecasts, list) else [])]
        for node in nodes:
            name = getattr(getattr(node, "anchor", None), "value", None)
            if name:
                anchors.add(name)
    found: dict[int, list[Problem]] = {}
    for alias in doc.aliases:
        if alias.anchor in anchors:
            index = max(0, bisect.bisect_right(starts, alias.line) - 1)
            where = field_name(("questions", index, "forecasts"))
            problem = Problem(doc.file, alias.line, alias.column, where, ALIAS_HELP)
            found.setdefault(index, []).append(problem)
    return found


def notebook_missing(project: Project, experiment: str) -> str | None:
    """A warning when `experiment`'s notebook does not exist (yet), or None.

    Only running or resolving that experiment needs it; sealing does not."""
    if experiment_problem(project, experiment) or project.notebook_path(experiment).is_file():
        return None
    known = sorted(p.stem for p in project.notebooks_dir.glob("*.ipynb"))
    return (
        f"no notebook notebooks/{shown_name(experiment, 80)}.ipynb yet (notebooks here: "
        f"{listed(known) or 'none'}); forecasts can be sealed, but the experiment "
        "cannot run until it exists"
    )


def validate_file(
    project: Project,
    path: Path,
    data: bytes | str | None = None,
) -> tuple[LoadedSet | None, list[Problem]]:
    """Check one file (or `data` as if it were that file); the valid part and all problems."""
    file = project.relative(path)
    try:
        doc = yamlsafe.read(Path(path), file) if data is None else yamlsafe.load(file, data)
    except yamlsafe.YamlProblems as e:
        return None, e.problems

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
    aliased = forecast_aliases(doc)
    problems: list[Problem] = [p for found in aliased.values() for p in found]
    header = {k: v for k, v in plain.items() if k != "questions"}
    raw_questions = plain.get("questions")
    try:
        spec = QuestionSet.model_validate({**header, "questions": []})
    except ValidationError as e:
        problems += pydantic_problems(file, tree, e, (), QuestionSet)
        spec = None
    if "questions" not in plain:
        line, col = yamlsafe.position(tree, ())
        problems.append(Problem(file, line, col, "questions", "missing required field"))
    elif not isinstance(raw_questions, list):
        line, col = yamlsafe.position(tree, ("questions",))
        problems.append(Problem(file, line, col, "questions", "expected a list of questions"))
    if (
        spec is not None
        and spec.experiment is not None
        and (why := experiment_problem(project, spec.experiment))
    ):
        line, col = yamlsafe.position(tree, ("experiment",))
        missing = why.startswith(NO_NOTEBOOK)
        code = "no-notebook" if missing else ""
        problems.append(
            Problem(file, line, col, "experiment", why, "warning" if missing else "error", code)
        )

    checker = _Checker(project, file, tree, header)
    questions: list[QuestionBase] = []
    index: dict[str, int] = {}
    for i, raw in enumerate(raw_questions if isinstance(raw_questions, list) else []):
        q = checker.question(raw, ("questions", i))
        if i in aliased:
            continue  # left out, like a question with errors of its own
        if q is not None and q.id in index:
            first = yamlsafe.position(tree, ("questions", index[q.id]))[0]
            checker.add(
                ("questions", i, "id"), f"duplicate question id {quote(q.id)}: also on line {first}"
            )
        elif q is not None:
            questions.append(q)
            index[q.id] = i
    problems += checker.problems
    if spec is None or not isinstance(raw_questions, list):
        return None, problems
    spec = spec.model_copy(update={"questions": questions})
    complete = len(questions) == len(raw_questions)
    return LoadedSet(Path(path), file, spec, questions, doc, index, complete), problems
