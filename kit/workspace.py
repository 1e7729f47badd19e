"""One snapshot of a project that every view reads.

`Workspace.load()` reads a project once: its question sets and seal ledger, its
resolutions (or an `--outcomes` file) and, when asked, its runs. It computes in one
place what the command line, the report, the widgets and the report notebook all show:

- each question's **evidence** and its time: the start of the *first* successful run
  that could have revealed its outcome (its experiment, with the parameters and notebook
  of a version of its plan), or its resolution's time if that is earlier, or none yet.
  Re-running (`kit run --force`) cannot move it later;
- each forecast's **lateness**: sealed after its question's evidence existed (or never
  sealed once there is evidence), by the seal's claimed time or, with `witnessed`, by the
  time git first witnessed it (`kit.predictions.history`). A blind forecast is on time
  if its commitment was. Late forecasts are kept and shown, and left out of scores,
  markets and the community forecast unless asked for;
- the **outcomes** and where they came from; an outcome is *withheld* while its
  question's plan deviates from its sealed version, and *stale* when it was resolved on
  a run (or under a rule or plan version) that the sealed plan no longer asks for;
- each question's **amendments**, and which were post-hoc (made after evidence existed);
- the **community forecast** and each question's **market**, over on-time forecasts;
- the **score table**.

None of the views recomputes these.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from kit.assess import markets
from kit.assess.table import ScoreTable, score
from kit.errors import KitError
from kit.predictions import plans as plans_mod
from kit.predictions.amend import EvidenceLookup
from kit.predictions.ledger import PlanSeal, Seal
from kit.predictions.outcomes import load_outcomes
from kit.predictions.registry import ForecastRef, Predictions, check, raise_for_errors
from kit.predictions.resolutions import Resolution, load_resolutions
from kit.predictions.timefmt import parse_iso
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


def _plan_key(experiment: str | None, parameters: dict | None) -> str:
    return json.dumps([experiment, parameters], sort_keys=True, default=str)


@dataclass
class Workspace:
    """A project's predictions, resolutions, outcomes and runs, read once."""

    project: Project
    predictions: Predictions
    resolutions: dict[str, Resolution] = field(default_factory=dict)
    outcomes: dict[str, Any] = field(default_factory=dict)
    outcome_source: str = "resolutions"  # or the --outcomes file, as shown
    problems: list[str] = field(default_factory=list)  # what could not be read, and why
    withheld: dict[str, str] = field(default_factory=dict)  # question -> why its outcome is not
    witnessed: dict[int, datetime] | None = None  # ledger line -> when git first held it
    _evidence: dict[str, Evidence] = field(default_factory=dict, repr=False)
    _matches: dict[str, list] = field(default_factory=dict, repr=False)
    _runs: list | None = field(default=None, repr=False)

    @classmethod
    def load(
        cls,
        where: Project | Path | str | None = None,
        *,
        outcomes_path: Path | str | None = None,
        allow_errors: bool = False,
        witnessed: bool = False,
    ) -> Workspace:
        """Read the project at `where` (default: the current one).

        Invalid question sets or resolutions raise `InvalidInput` unless `allow_errors`,
        which leaves the invalid parts out and lists them in `problems`. With `witnessed`,
        lateness goes by the time git first witnessed each seal (`kit check --history`).
        """
        project = where if isinstance(where, Project) else Project.find(where)
        predictions = check(project)
        if not allow_errors:
            raise_for_errors(predictions)
        ws = cls(project, predictions)
        if witnessed:
            from kit.predictions.history import witnessed_times

            ws.witnessed = witnessed_times(project)
        try:
            ws.resolutions = load_resolutions(predictions)
        except KitError as e:
            if not allow_errors:
                raise
            ws.problems.append(f"cannot read resolutions: {e}")
        if outcomes_path is not None:
            ws.outcomes = load_outcomes(Path(outcomes_path), predictions)
            ws.outcome_source = project.relative(Path(outcomes_path))
        else:
            for qid in ws.resolutions:
                if why := ws._withheld(qid):
                    ws.withheld[qid] = why
            ws.outcomes = {
                qid: r.outcome for qid, r in ws.resolutions.items() if qid not in ws.withheld
            }
        return ws

    @classmethod
    def evidence_for(cls, project: Project) -> EvidenceLookup:
        """A lookup, question id -> (evidence time, run), read when first asked (for
        `kit amend`, which records whether evidence existed)."""
        loaded: list[Workspace] = []

        def lookup(question_id: str) -> tuple[datetime | None, str | None]:
            if not loaded:
                loaded.append(cls.load(project, allow_errors=True))
            found = loaded[0].evidence(question_id)
            return found.at, found.run

        return lookup

    # questions and forecasts -------------------------------------------------------
    def questions(self):
        return self.predictions.questions()

    def question(self, question_id: str) -> tuple[LoadedSet, QuestionBase]:
        return self.predictions.question(question_id)

    def forecasts(
        self, question_id: str | None = None, *, include_late: bool = True
    ) -> list[ForecastRef]:
        """Every forecast (or one question's); without `include_late`, only the on-time
        ones whose value is known (a blind forecast not yet revealed has none)."""
        refs = list(self.predictions.forecasts(question_id))
        if include_late:
            return refs
        return [r for r in refs if r.forecast.revealed and not self.late(r)]

    # evidence and lateness ---------------------------------------------------------
    def evidence(self, question_id: str) -> Evidence:
        """The question's evidence: the first run that could have revealed its outcome,
        or its resolution's time when that is earlier (a manual one, or runs deleted)."""
        if question_id not in self._evidence:
            loaded, q = self.question(question_id)
            found = self._run_evidence(loaded, q)
            res = self.resolutions.get(question_id)
            earlier = res is not None and (found.at is None or res.evidence_at <= found.at)
            if earlier and self.outcome_source == "resolutions":
                found = Evidence(res.evidence_at, res.run, "resolution")
            self._evidence[question_id] = found
        return self._evidence[question_id]

    def _run_evidence(self, loaded: LoadedSet, question: QuestionBase) -> Evidence:
        found = self.matching_runs(loaded, question.experiment or loaded.experiment, question.id)
        if not found:
            return NO_EVIDENCE
        run = found[0]
        return Evidence(parse_iso(run.started), f"{run.experiment}/{run.id}", "run")

    def sealed_time(self, seal: Seal | None) -> datetime | None:
        """When a seal counts as made: its claim, or with `witnessed` the later of its
        claim and the first commit or tag holding it (unwitnessed: not yet, so late once
        there is evidence)."""
        if seal is None:
            return None
        if self.witnessed is None:
            return seal.sealed_at
        seen = self.witnessed.get(seal.line)
        return None if seen is None else max(seen, seal.sealed_at)

    def late(self, ref: ForecastRef) -> bool:
        """Sealed after its question's evidence existed (or unsealed once there is some)."""
        at = self.evidence(ref.question.id).at
        if at is None:
            return False
        sealed = self.sealed_time(ref.seal)
        return sealed is None or sealed > at

    def late_count(self, question_id: str) -> int:
        return sum(self.late(r) for r in self.predictions.forecasts(question_id))

    # plans, amendments and outcomes --------------------------------------------------
    def plan(self, question_id: str) -> plans_mod.PlanStatus:
        return self.predictions.plans[question_id]

    def posthoc(self, question_id: str) -> list[PlanSeal]:
        """The question's post-hoc amendments: recorded as such, or made after the
        first run that could have revealed its outcome."""
        at = self.evidence(question_id).at
        return [
            a
            for a in self.plan(question_id).amendments
            if a.posthoc or (at is not None and at < a.sealed_at)
        ]

    def _withheld(self, question_id: str) -> str | None:
        """Why a resolution's outcome is not to be used now, or None."""
        res = self.resolutions[question_id]
        status = self.predictions.plans.get(question_id)
        if status is None:
            return None
        if status.deviation:
            return status.explain()
        run = self.run_record(res.run) if res.run and res.how == "rule" else None
        why = plans_mod.stale(res, status, run)
        return f"stale: {why}: `kit resolve` re-derives or drops it" if why else None

    # runs --------------------------------------------------------------------------
    @property
    def runs(self) -> list:
        """Every run record of the project (`runs/`, and `evidence/` copies of runs no
        longer in `runs/`), oldest first (read on first use)."""
        if self._runs is None:
            from kit.runs import store  # run records are read only by views that need them

            self._runs = store.all_runs(self.project)
        return self._runs

    def run_record(self, run: str):
        """The record of run `EXPERIMENT/RUN-ID` (runs/ or evidence/), or None."""
        return next((r for r in self.runs if f"{r.experiment}/{r.id}" == run), None)

    def matching_runs(
        self, loaded: LoadedSet, experiment: str, question_id: str | None = None
    ) -> list:
        """Successful runs of `experiment` that could have revealed the outcome of the
        question (or of any question of the set on `experiment`), oldest first: with the
        parameters of a version of its plan and, once a plan is sealed, a notebook of a
        sealed version (a run that did not record its notebook counts, to be safe)."""
        if question_id is None:
            on_it = [
                q.id for q in loaded.questions if (q.experiment or loaded.experiment) == experiment
            ]
            question_id = on_it[0] if on_it else None
        if question_id is None:
            return []
        if question_id not in self._matches:
            self._matches[question_id] = self._matching(question_id)
        return self._matches[question_id]

    def _matching(self, question_id: str) -> list:
        status = self.predictions.plans.get(question_id)
        if status is None:
            return []
        bodies = [v.body for v in status.versions] + [status.body]
        wanted = {_plan_key(b.get("experiment"), b.get("parameters")) for b in bodies}
        notebooks = {b.get("notebook") for b in bodies}
        found = []
        for r in self.runs:
            if r.status != "ok":
                continue
            if _plan_key(r.experiment, r.parameters) not in wanted:
                continue
            other = r.notebook_digest is not None and r.notebook_digest not in notebooks
            if status.sealed and other:
                continue  # another notebook than any version of the plan ran
            found.append(r)
        return found

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

    def scores(self, *, include_late: bool = False, exclude_deviations: bool = False) -> ScoreTable:
        """Each forecaster's latest forecast on every resolved question, scored; questions
        with a post-hoc amendment are marked (left out with `exclude_deviations`)."""
        posthoc = {qid for qid in self.outcomes if self.posthoc(qid)}
        return score(
            self.predictions,
            self.outcomes,
            include_late=include_late,
            is_late=self.late,
            deviations=posthoc,
            exclude_deviations=exclude_deviations,
        )

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

    def choices(self) -> dict[str, list[str]]:
        """The forecasters, tags and question sets there are to filter by."""
        qs = [q for _, q in self.questions()]
        return {
            "forecaster": sorted({f.by for q in qs for f in q.forecasts}),
            "tag": sorted({t for q in qs for t in q.tags}),
            "set": [s.name for s in self.predictions.sets],
        }
