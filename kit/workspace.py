"""One snapshot of a project that every view reads.

`Workspace.load()` reads a project once: its question sets and seal ledger, its
resolutions (or an `--outcomes` file) and, when asked, its runs. It computes in one
place what the command line, the report, the widgets and the report notebook all show:

- each question's **evidence** and its time: the start of the *first* successful run
  that could have revealed its outcome (its experiment, with the parameters (any
  replicate's) and notebook of a version of its plan), or its resolution's time if that
  is earlier, or none yet. Re-running (`kit run --force`) cannot move it later;
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
from kit.predictions import plans as plans_mod
from kit.predictions import skips
from kit.predictions.amend import EvidenceLookup
from kit.predictions.ledger import PlanSeal, Seal
from kit.predictions.outcomes import load_outcomes
from kit.predictions.registry import ForecastRef, Predictions, check, raise_for_damage
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
    skipped: list[skips.Skip] = field(default_factory=list)  # left out or blocked, and why
    _evidence: dict[str, Evidence] = field(default_factory=dict, repr=False)
    _plan_matches: dict[str, list] = field(default_factory=dict, repr=False)
    _matches: dict[tuple[str, str, str], list] = field(default_factory=dict, repr=False)
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

        Questions with errors and questions whose forecasts no longer match their seals
        are left out and listed in `skipped`; the rest loads. A damaged ledger raises
        `LedgerError` and unreadable resolutions raise, unless `allow_errors` (then they
        are listed in `problems`). With `witnessed`, lateness goes by the time git first
        witnessed each seal (`kit check --history`).
        """
        project = where if isinstance(where, Project) else Project.find(where)
        checked = check(project)
        if not allow_errors:
            raise_for_damage(checked)
        blocked = skips.blocked(checked)
        ws = cls(project, skips.without(checked, set(blocked)))
        ws.skipped = skips.skipped(checked)
        if witnessed:
            from kit.predictions.history import witnessed_times

            ws.witnessed = witnessed_times(project)
        try:
            ws.resolutions = load_resolutions(checked)
        except KitError as e:
            if not allow_errors:
                raise
            ws.problems.append(f"cannot read resolutions: {e}")
        present = {q.id for _, q in ws.questions()}  # blocked questions are left out
        ws.resolutions = {qid: r for qid, r in ws.resolutions.items() if qid in present}
        if outcomes_path is not None:
            outcomes = load_outcomes(Path(outcomes_path), checked)
            ws.outcomes = {qid: v for qid, v in outcomes.items() if qid in present}
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
        found = self.plan_matching_runs(question.id)
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

            found = store.scan_runs(self.project)
            self.problems += [str(p) for p in found.problems]
            self._runs = store.with_archived(self.project, found.records)
        return self._runs

    def run_record(self, run: str):
        """The record of run `EXPERIMENT/RUN-ID` (runs/ or evidence/), or None."""
        return next((r for r in self.runs if f"{r.experiment}/{r.id}" == run), None)

    def plan_matching_runs(self, question_id: str) -> list:
        """Successful runs that could have revealed the question's outcome, oldest first:
        of its experiment, with the parameters (any replicate's) of a version of its plan
        and, once a plan is sealed, a notebook of a sealed version (a run that did not
        record its notebook counts, to be safe)."""
        if question_id not in self._plan_matches:
            self._plan_matches[question_id] = self._plan_matching(question_id)
        return self._plan_matches[question_id]

    def _plan_matching(self, question_id: str) -> list:
        status = self.predictions.plans.get(question_id)
        if status is None:
            return []
        bodies = [v.body for v in status.versions] + [status.body]
        wanted = {
            _plan_key(b.get("experiment"), parameters)
            for b in bodies
            for parameters in plans_mod.run_parameters(b)
        }
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
            _plan_matches=self._plan_matches,
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
