"""Loading and checking a project's predictions: every file, across files, and the ledger."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from kit.errors import (
    InvalidInput,
    KitError,
    LedgerError,
    NotFound,
    Problem,
    debugging,
    internal_problem,
    quote,
)
from kit.predictions import blind as blind_mod
from kit.predictions import ledger as ledger_mod
from kit.predictions import plans as plans_mod
from kit.predictions.models import Forecast, Question
from kit.predictions.validate import LoadedSet, validate_file
from kit.project import Project


@dataclass(frozen=True)
class ForecastRef:
    """A forecast with the question and set it belongs to, and its seal if any."""

    set: LoadedSet
    question: Question
    forecast: Forecast
    index: int  # position in the question's forecasts
    seal: ledger_mod.Seal | None

    @property
    def key(self) -> tuple[str, str, str] | None:
        f = self.forecast
        return None if f.at is None else ledger_mod.key(self.question.id, f.by, f.at)

    @property
    def sealed(self) -> bool:
        return self.seal is not None

    def late(self, evidence_at: datetime | None) -> bool:
        """Sealed after its question's evidence existed (or never sealed once there is
        evidence): kept and shown, left out of scores and markets by default."""
        return evidence_at is not None and (self.seal is None or self.seal.sealed_at > evidence_at)


@dataclass
class Predictions:
    """Every question set of a project, with the ledger: what the later steps share."""

    project: Project
    sets: list[LoadedSet]
    ledger: ledger_mod.Ledger
    problems: list[Problem] = field(default_factory=list)
    plans: dict[str, plans_mod.PlanStatus] = field(default_factory=dict)  # by question id
    # Built on first use; not copied by `dataclasses.replace` (a view has other sets).
    _index: dict[str, tuple[LoadedSet, Question]] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    _seals: dict | None = field(default=None, init=False, repr=False, compare=False)

    def questions(self) -> Iterator[tuple[LoadedSet, Question]]:
        for s in self.sets:
            for q in s.questions:
                yield s, q

    def _lookup(self, question_id: str) -> tuple[LoadedSet, Question] | None:
        """(set, question) of an id, from an index built once (O(1) a lookup)."""
        if self._index is None:
            self._index = {}
            for s, q in self.questions():
                self._index.setdefault(q.id, (s, q))
        return self._index.get(question_id)

    def question(self, question_id: str) -> tuple[LoadedSet, Question]:
        found = self._lookup(question_id)
        if found is not None:
            return found
        from kit.predictions.skips import left_out  # it reads this module's types

        for skip in left_out(self):
            if skip.question == question_id:
                raise KitError(f"{skip.file}:{skip.line}: question {question_id!r}: {skip.why}")
        ids = [q.id for _, q in self.questions()]
        short = len(question_id) <= 100 and len(ids) <= 10_000  # difflib is quadratic
        close = difflib.get_close_matches(question_id, ids, n=3) if short else []
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise NotFound(f"no question {quote(question_id)}{hint}")

    def forecasts(self, question_id: str | None = None) -> Iterator[ForecastRef]:
        """Every forecast (or one question's) with its seal, if its digest still matches."""
        if self._seals is None:
            self._seals = self.ledger.by_key()
        seals = self._seals
        if question_id is None:
            pairs = self.questions()
        else:
            found = self._lookup(question_id)
            pairs = [found] if found is not None else []
        for s, q in pairs:
            for j, f in enumerate(q.forecasts):
                seal = None
                if f.at is not None:
                    candidate = seals.get(ledger_mod.key(q.id, f.by, f.at))
                    if candidate is not None and candidate.digest == ledger_mod.digest(q, f):
                        seal = candidate
                yield ForecastRef(s, q, f, j, seal)

    def set_for(self, name_or_experiment: str) -> list[LoadedSet]:
        return [s for s in self.sets if name_or_experiment in (s.name, s.experiment)]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def deviations(self) -> dict[str, plans_mod.PlanStatus]:
        """Questions whose plan differs from its latest sealed version."""
        return {qid: st for qid, st in self.plans.items() if st.deviation}


def _ledger_problems(predictions: Predictions, broken_files: set[str]) -> list[Problem]:
    """Tampered forecasts, seals whose forecast is gone, forecasts not yet sealed."""
    ledger, project = predictions.ledger, predictions.project
    problems = list(ledger.problems)
    seals = ledger.by_key()
    shown = project.relative(ledger.path)
    present: set[tuple[str, str, str]] = set()
    for ref in predictions.forecasts():
        if ref.key is None:
            continue
        present.add(ref.key)
        s = ref.set
        line, col = s.where(s.question_loc(ref.question.id) + ("forecasts", ref.index))
        fld = f"questions[{s.question_index[ref.question.id]}].forecasts[{ref.index}]"
        seal = seals.get(ref.key)
        if seal is None:
            problems.append(
                Problem(
                    s.file, line, col, fld, "not yet sealed: run `kit seal`", "warning", "unsealed"
                )
            )
        elif ref.seal is None:  # sealed under this key, but with another digest
            problems.append(
                Problem(
                    s.file,
                    line,
                    col,
                    fld,
                    f"tampered: {ref.forecast.by}'s forecast on {ref.question.id} (at "
                    f"{ref.key[2]}) or its question's text or type changed after it was "
                    f"sealed at {seal.sealed_at.isoformat()} ({shown} line {seal.line}); "
                    "restore what was sealed (e.g. `git diff` and `git checkout` the file), "
                    "and to change your mind add a new forecast with a new time",
                    code="tampered",
                )
            )
    for seal in ledger.seals:
        if seal.key not in present and seal.file not in broken_files:
            problems.append(
                Problem(
                    shown,
                    seal.line,
                    1,
                    "ledger",
                    f"sealed forecast is gone: "
                    f"{seal.by}'s forecast on {seal.question} at {seal.at} "
                    f"(from {seal.file or 'unknown file'}) was deleted or its "
                    "time changed",
                    code="gone",
                )
            )
    return problems


def check(project: Project, paths: Iterable[Path] | None = None) -> Predictions:
    """Check every question set of the project (and the ledger); report problems in `paths`.

    Cross-file checks (duplicate ids, seals) always look at the whole project; when
    `paths` is given only the problems located in those files (or in ledger lines about
    them) are kept.
    """
    files = project.question_set_files()
    wanted = None
    if paths:
        wanted = {project.relative(Path(p)) for p in paths}
        files = sorted(set(files) | {Path(p).resolve() for p in paths})
    sets: list[LoadedSet] = []
    problems: list[Problem] = []
    broken: set[str] = set()
    first_seen: dict[str, tuple[LoadedSet, int]] = {}
    for path in files:
        try:
            loaded, found = validate_file(project, path)
        except Exception as e:  # one file's bug must not hide the others' problems
            if debugging():
                raise
            loaded, found = None, [internal_problem(project.relative(path), e)]
        problems += found
        if loaded is None or not loaded.complete:
            broken.add(project.relative(path))
        if loaded is None:
            continue
        keep = []
        for q in loaded.questions:
            if q.id in first_seen:
                other, line = first_seen[q.id]
                at = loaded.where(loaded.question_loc(q.id) + ("id",))
                problems.append(
                    Problem(
                        loaded.file,
                        *at,
                        f"questions[{loaded.question_index[q.id]}].id",
                        f"duplicate question id {quote(q.id)}: also at {other.file}:{line}",
                    )
                )
                continue
            first_seen[q.id] = (loaded, loaded.where(loaded.question_loc(q.id) + ("id",))[0])
            keep.append(q)
        loaded.questions = keep
        sets.append(loaded)
    ledger_shown = project.relative(project.ledger_path)
    try:
        ledger = ledger_mod.read(project.ledger_path, ledger_shown)
    except Exception as e:  # noqa: BLE001 - reported as a damaged ledger, located
        if debugging():
            raise
        problem = replace(internal_problem(ledger_shown, e), code="unreadable")
        ledger = ledger_mod.Ledger(project.ledger_path, [], [problem], None, 0)
    predictions = Predictions(project, sets, ledger)
    problems += _ledger_problems(predictions, broken)
    predictions.plans = plans_mod.statuses(project, sets, ledger.plan_versions())
    unsealed = {r.question.id for r in predictions.forecasts() if r.seal is None}
    problems += plans_mod.plan_problems(sets, predictions.plans, unsealed)
    problems += blind_mod.blind_problems(predictions)
    if wanted is not None:
        seal_file = {seal.line: seal.file for seal in ledger.seals}

        def concerns_wanted(p: Problem) -> bool:
            if p.file == ledger_shown:
                return p.line not in seal_file or seal_file[p.line] in wanted
            return p.file in wanted

        problems = [p for p in problems if concerns_wanted(p)]
    predictions.problems = sorted(set(problems))
    return predictions


#: Ledger problems that mean the ledger itself is damaged (exit 4), not a forecast.
DAMAGED = ("chain", "corrupt", "unreadable")
#: Errors that concern one question's plan: `kit check` fails on them, but the commands
#: that read the project go on, holding back only that question (`kit run`, `kit resolve`
#: and the views each say so).
PER_QUESTION = ("deviation",)


def raise_for_damage(predictions: Predictions) -> None:
    """Raise `LedgerError` (exit 4) when the ledger itself is damaged: then no seal can be
    trusted. Every other problem stays local (`kit.predictions.skips`)."""
    damaged = [str(p) for p in predictions.errors if p.code in DAMAGED]
    if damaged:
        raise LedgerError(
            "the seal ledger is damaged; restore it from git (`git checkout "
            "predictions/_seals.jsonl`) before going on:\n" + "\n".join(damaged)
        )


def raise_for_errors(predictions: Predictions) -> None:
    """Raise for the errors found: `LedgerError` (exit 4) when the ledger itself is
    damaged, else `InvalidInput` (exit 1) listing every problem. Plan deviations are
    left to the commands, which hold back only the questions concerned."""
    if not [p for p in predictions.errors if p.code not in PER_QUESTION]:
        return
    raise_for_damage(predictions)
    raise InvalidInput(predictions.problems)


def load_predictions(path: Path | str | None = None, *, allow_errors: bool = False) -> Predictions:
    """Load a project's predictions as typed objects.

    `path` is the project folder, its `predictions/` folder, or any file inside it
    (default: the current project). Raises `InvalidInput` listing every problem unless
    `allow_errors` (then the invalid parts are left out and listed in `.problems`).
    """
    project = Project.find(path)
    predictions = check(project)
    if not allow_errors:
        raise_for_errors(predictions)
    return predictions
