"""One snapshot of a project that every view reads.

`Workspace.load()` reads a project once: its question sets and seal ledger, its
resolutions (or an `--outcomes` file) and, when asked, its runs. It computes in one
place what the command line, the report, the widgets and the report notebook all show:

- each question's **evidence** and its time: the run that resolved it (from
  `_resolutions.yaml`), or else the earliest successful run of its experiment with its
  set's parameters (with replicates: with any replicate's parameters), or none yet;
- each forecast's **lateness**: sealed after its question's evidence existed (or never
  sealed once there is evidence). Late forecasts are kept and shown, and left out of
  scores, markets and the community forecast unless asked for;
- the **outcomes** and where they came from;
- the **community forecast** and each question's **market**, over on-time forecasts;
- the **score table**, the calibration pairs behind the calibration tests, and the
  **surprise** of each outcome to the community forecast;
- what is **skipped** and why: questions with errors are left out (the rest of their
  file loads), and questions whose forecasts no longer match their seals (tampered, or a
  sealed forecast gone) are blocked: left out of scores, markets and pools, named in
  `skipped`, while every other question goes on (`kit.predictions.skips`).

None of the views recomputes these.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from kit.assess import calibration, markets
from kit.assess.surprise import surprise_rows
from kit.assess.table import ScoreTable, score
from kit.errors import KitError
from kit.predictions import skips
from kit.predictions.outcomes import load_outcomes
from kit.predictions.registry import ForecastRef, Predictions, check, raise_for_damage
from kit.predictions.resolutions import Resolution, load_resolutions
from kit.predictions.validate import LoadedSet
from kit.project import Project
from kit.questions import QuestionBase


@dataclass(frozen=True)
class Evidence:
    """What answers a question and since when (`at` None: no evidence yet)."""

    at: datetime | None = None
    run: str | None = None  # EXPERIMENT/RUN-ID
    source: str = "none"  # "resolution", "run" or "none"


NO_EVIDENCE = Evidence()


@dataclass
class Workspace:
    """A project's predictions, resolutions, outcomes and runs, read once."""

    project: Project
    predictions: Predictions
    resolutions: dict[str, Resolution] = field(default_factory=dict)
    outcomes: dict[str, Any] = field(default_factory=dict)
    outcome_source: str = "resolutions"  # or the --outcomes file, as shown
    problems: list[str] = field(default_factory=list)  # what could not be read, and why
    skipped: list[skips.Skip] = field(default_factory=list)  # left out or blocked, and why
    _evidence: dict[str, Evidence] = field(default_factory=dict, repr=False)
    _matches: dict[tuple[str, str, str], list] = field(default_factory=dict, repr=False)
    _runs: list | None = field(default=None, repr=False)

    @classmethod
    def load(
        cls,
        where: Project | Path | str | None = None,
        *,
        outcomes_path: Path | str | None = None,
        allow_errors: bool = False,
    ) -> Workspace:
        """Read the project at `where` (default: the current one).

        Questions with errors and questions whose forecasts no longer match their seals
        are left out and listed in `skipped`; the rest loads. A damaged ledger raises
        `LedgerError` and unreadable resolutions raise, unless `allow_errors` (then they
        are listed in `problems`).
        """
        project = where if isinstance(where, Project) else Project.find(where)
        checked = check(project)
        if not allow_errors:
            raise_for_damage(checked)
        blocked = skips.blocked(checked)
        ws = cls(project, skips.without(checked, set(blocked)))
        ws.skipped = skips.skipped(checked)
        try:
            ws.resolutions = load_resolutions(checked)
        except KitError as e:
            if not allow_errors:
                raise
            ws.problems.append(f"cannot read resolutions: {e}")
        if outcomes_path is not None:
            ws.outcomes = load_outcomes(Path(outcomes_path), checked)
            ws.outcome_source = project.relative(Path(outcomes_path))
        else:
            ws.outcomes = {qid: r.outcome for qid, r in ws.resolutions.items()}
        return ws

    # questions and forecasts -------------------------------------------------------
    def questions(self):
        return self.predictions.questions()

    def question(self, question_id: str) -> tuple[LoadedSet, QuestionBase]:
        return self.predictions.question(question_id)

    def forecasts(
        self, question_id: str | None = None, *, include_late: bool = True
    ) -> list[ForecastRef]:
        refs = list(self.predictions.forecasts(question_id))
        return refs if include_late else [r for r in refs if not self.late(r)]

    # evidence and lateness ---------------------------------------------------------
    def evidence(self, question_id: str) -> Evidence:
        """The question's evidence: its resolution's, or its first matching run's."""
        if question_id not in self._evidence:
            res = self.resolutions.get(question_id)
            if res is not None and self.outcome_source == "resolutions":
                found = Evidence(res.evidence_at, res.run, "resolution")
            else:
                loaded, q = self.question(question_id)
                found = self._run_evidence(loaded, q)
            self._evidence[question_id] = found
        return self._evidence[question_id]

    def _run_evidence(self, loaded: LoadedSet, question: QuestionBase) -> Evidence:
        runs = self.question_runs(loaded, question)
        if not runs:
            return NO_EVIDENCE
        from kit.predictions.timefmt import parse_iso

        run = runs[0]
        return Evidence(parse_iso(run.started), f"{run.experiment}/{run.id}", "run")

    def late(self, ref: ForecastRef) -> bool:
        """Sealed after its question's evidence existed (or unsealed once there is some)."""
        return ref.late(self.evidence(ref.question.id).at)

    def late_reason(self, question_id: str) -> str | None:
        """Why a forecast made now on this question would be late (its evidence exists
        already), or None when it would be on time."""
        evidence = self.evidence(question_id)
        if evidence.source == "resolution":
            return "the question is already resolved"
        if evidence.source == "run":
            return f"its experiment already ran ({evidence.run})"
        return None

    def late_count(self, question_id: str) -> int:
        return sum(self.late(r) for r in self.predictions.forecasts(question_id))

    # runs --------------------------------------------------------------------------
    @property
    def runs(self) -> list:
        """Every run record of the project, oldest first (read on first use)."""
        if self._runs is None:
            from kit.runs import store  # run records are read only by views that need them

            self._runs = store.list_runs(self.project)
        return self._runs

    def matching_runs(
        self, loaded: LoadedSet, experiment: str, parameters: dict[str, Any] | None = None
    ) -> list:
        """Successful runs of `experiment` with these parameters (default: the set's),
        oldest first."""
        parameters = loaded.parameters if parameters is None else parameters
        key = (loaded.file, experiment, json.dumps(parameters, sort_keys=True, default=str))
        if key not in self._matches:
            self._matches[key] = self._matching(loaded, experiment, parameters)
        return self._matches[key]

    def _matching(self, loaded: LoadedSet, experiment: str, parameters: dict[str, Any]) -> list:
        from kit.runs import params

        try:
            expected = params.check_parameters(
                parameters, self.project.notebook_path(experiment), f"{loaded.file}: parameters"
            )
        except KitError:
            return []  # no notebook yet, or parameters it does not take: `kit check` says
        return [
            r
            for r in self.runs
            if r.experiment == experiment and r.status == "ok" and r.parameters == expected
        ]

    def question_runs(self, loaded: LoadedSet, question: QuestionBase) -> list:
        """Successful runs that answer the question (any of its replicates), oldest first."""
        experiment = question.experiment or loaded.experiment
        if experiment is None:
            return []
        found = {
            (r.started or "", r.id): r
            for parameters in loaded.run_parameters(question)
            for r in self.matching_runs(loaded, experiment, parameters)
        }
        return [found[k] for k in sorted(found)]

    def plan_runs(self, loaded: LoadedSet) -> list[tuple[str, dict[str, Any], Any]]:
        """Each (experiment, parameters) the set's questions need, with its latest
        successful run (None when it has none): the runs that match the set's plan."""
        out, seen = [], set()
        for q in loaded.questions:
            experiment = q.experiment or loaded.experiment
            if experiment is None:
                continue
            for parameters in loaded.run_parameters(q):
                key = (experiment, json.dumps(parameters, sort_keys=True, default=str))
                if key in seen:
                    continue
                seen.add(key)
                found = self.matching_runs(loaded, experiment, parameters)
                out.append((experiment, parameters, found[-1] if found else None))
        return out

    def first_run(self, loaded: LoadedSet, experiment: str):
        found = self.matching_runs(loaded, experiment)
        return found[0] if found else None

    def latest_run(self, loaded: LoadedSet, experiment: str):
        found = self.matching_runs(loaded, experiment)
        return found[-1] if found else None

    # what the views show -----------------------------------------------------------
    def community(self, question_id: str, extremize: float = 1.0) -> dict[str, Any] | None:
        """The pooled on-time forecast of a question (None when its kind does not pool)."""
        _, q = self.question(question_id)
        return markets.community(q, self.forecasts(question_id, include_late=False), extremize)

    def market(self, question_id: str) -> markets.QuestionMarket:
        """The LMSR market of a question over its on-time forecasts, settled if resolved."""
        loaded, q = self.question(question_id)
        refs = self.forecasts(question_id, include_late=False)
        return markets.question_market(
            q, loaded.spec.liquidity, refs, self.outcomes.get(question_id)
        )

    def has_market(self, question_id: str) -> bool:
        _, q = self.question(question_id)
        return q.kind.market_options(q) is not None

    def scores(self, *, include_late: bool = False) -> ScoreTable:
        """Each forecaster's latest forecast on every resolved question, scored."""
        evidence = {qid: at for qid in self.outcomes if (at := self.evidence(qid).at) is not None}
        return score(self.predictions, self.outcomes, evidence, include_late=include_late)

    def subset(
        self,
        *,
        forecaster: str | None = None,
        tag: str | None = None,
        question_set: str | None = None,
    ) -> Workspace:
        """The same workspace with only the matching questions and forecasts (None: all)."""
        sets = []
        for s in self.predictions.sets:
            if question_set and s.name != question_set:
                continue
            kept = []
            for q in s.questions:
                if tag and tag not in q.tags:
                    continue
                if forecaster:
                    q = q.model_copy(
                        update={"forecasts": [f for f in q.forecasts if f.by == forecaster]}
                    )
                kept.append(q)
            view = copy.copy(s)
            view.questions = kept
            sets.append(view)
        return replace(
            self,
            predictions=replace(self.predictions, sets=sets),
            _evidence=self._evidence,
            _matches=self._matches,
            _runs=self._runs,
        )

    def calibration_pairs(self, table: ScoreTable) -> list[tuple[str, float, int]]:
        """(forecaster, p, y) of the scored forecasts in `table` (see kit.assess.calibration)."""
        return calibration.calibration_pairs(self.forecasts(), table)

    def surprises(self) -> list[dict[str, Any]]:
        """Each resolved question's outcome against the community forecast before the
        evidence, most surprising first, by experiment (see kit.assess.surprise)."""
        items = [
            (q.experiment or s.experiment or "(none)", s.name, q, self.community(q.id), outcome)
            for s, q in self.questions()
            if (outcome := self.outcomes.get(q.id)) is not None
        ]
        return surprise_rows(items)

    def choices(self) -> dict[str, list[str]]:
        """The forecasters, tags and question sets there are to filter by."""
        qs = [q for _, q in self.questions()]
        return {
            "forecaster": sorted({f.by for q in qs for f in q.forecasts}),
            "tag": sorted({t for q in qs for t in q.tags}),
            "set": [s.name for s in self.predictions.sets],
        }
