"""`predictions/_resolutions.yaml`: each resolved question's outcome and its evidence.

Human-readable and git-diffable; written only by `kit resolve` (atomically, under a lock).
One entry per question id:

    cheese-near-top-right-helps:
      outcome: true
      how: rule                  # rule (from a run) or manual (a person, with why)
      rule: coef_euc_cheese_top_right < 0 and p_euc_cheese_top_right < 0.05
      read: {coef_euc_cheese_top_right: -0.41, p_euc_cheese_top_right: 0.0001}
      run: maze_generalization/20261123T101500Z-3f9a1c
      notebook: runs/maze_generalization/20261123T101500Z-3f9a1c/notebook.ipynb
      plan: sha256:5be0...          # the sealed plan version it was resolved under
      run_sha256: 9f2c...           # SHA-256 of the run.json it read
      notebook_sha256: 41aa...      # SHA-256 of the executed notebook
      evidence_at: '2026-11-23T10:15:00.123Z'   # start of that run (manual: resolution time)
      resolved_at: '2026-11-23T10:20:31.004Z'

A question with replicates is resolved from one run per replicate: `read` holds each
result as the list of its values over the replicates, `replicates` each replicate's
parameters, run and values, and `run`/`notebook`/`evidence_at` the replicate run that
started first. An imported resolution is manual, its `why` citing the file and line.

`outcome` may be `ambiguous` or `annulled` (not scored). A forecast sealed after
`evidence_at` is late: kept and shown, left out of scores by default. The digests let
`kit check` verify every rule outcome from the run record and notebook it came from
(`kit.runs.verify`), in `runs/` or in the committed `evidence/` folder (`kit evidence`).
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator

from kit import times
from kit.errors import InvalidInput, Problem, quote, shown_name
from kit.fileio import atomic_write, locked
from kit.predictions import skips, yamlsafe
from kit.predictions.registry import Predictions
from kit.predictions.timefmt import iso
from kit.project import Project
from kit.questions import NOT_SCORED

if TYPE_CHECKING:  # registry reads resolved ids from here: no import cycle at run time
    from kit.predictions.registry import Predictions

HEADER = (
    "# Written by `kit resolve`: each question's outcome and the evidence it came from.\n"
    "# Manual entries (how: manual) are kept when rules are re-evaluated.\n"
)


class ReplicateRead(BaseModel):
    """One replicate of a replicated question: its parameters, its run, what was read."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    parameters: dict[str, Any] = Field(description="the replicate's own parameter values")
    run: str = Field(description="EXPERIMENT/RUN-ID")
    read: dict[str, Any] = Field(default_factory=dict, description="the results read from it")
    run_sha256: str | None = Field(None, description="SHA-256 of its run.json")
    notebook_sha256: str | None = Field(None, description="SHA-256 of its executed notebook")


class Resolution(BaseModel):
    """One question's outcome and its evidence: an entry of `_resolutions.yaml`."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    question: str = Field(description="the question's id (the entry's key in the file)")
    outcome: Any = Field(
        description="true/false, an option, a number, or ambiguous/annulled (not scored)"
    )
    how: Literal["rule", "manual"] = Field(
        "manual", description="rule (evaluated on a run) or manual (a person, with why)"
    )
    evidence_at: AwareDatetime = Field(
        description="when the evidence existed: the run's start (manual: the resolution time)"
    )
    resolved_at: str = Field("", description="when the outcome was written")
    run: str | None = Field(None, description="EXPERIMENT/RUN-ID of the run read")
    notebook: str | None = Field(None, description="that run's executed notebook")
    rule: str | None = Field(None, description="the rule evaluated, on one line")
    read: dict[str, Any] | None = Field(
        None,
        description="the results (and params_NAME parameters) the rule read; with "
        "replicates, each as the list of its values over the replicates",
    )
    replicates: list[ReplicateRead] | None = Field(
        None,
        description="with replicates: each replicate's parameters, run (EXPERIMENT/RUN-ID) "
        "and the values read from it, in the order of the question's replicates",
    )
    why: str | None = Field(None, description="a manual resolution's reason")
    plan: str | None = Field(None, description="the sealed plan version it was resolved under")
    run_sha256: str | None = Field(None, description="SHA-256 of the run.json it read")
    notebook_sha256: str | None = Field(None, description="SHA-256 of that run's executed notebook")

    @field_validator("evidence_at", mode="before")
    @classmethod
    def _not_a_number(cls, value: Any) -> Any:
        return times.not_a_number(value)

    @field_validator("evidence_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return times.to_utc(value)

    @property
    def scored(self) -> bool:
        return not (isinstance(self.outcome, str) and self.outcome in NOT_SCORED)

    def as_entry(self) -> dict[str, Any]:
        """The entry as written to the file (key order kept stable for diffs)."""
        entry: dict[str, Any] = {"outcome": self.outcome, "how": self.how}
        for name in ("why", "rule", "read", "run", "notebook", "plan", "run_sha256"):
            if getattr(self, name) is not None:
                entry[name] = getattr(self, name)
        if self.replicates is not None:
            entry["replicates"] = [r.model_dump(exclude_none=True) for r in self.replicates]
        if self.notebook_sha256 is not None:
            entry["notebook_sha256"] = self.notebook_sha256
        entry["evidence_at"] = iso(self.evidence_at)
        entry["resolved_at"] = self.resolved_at
        return entry


def read_entries(project: Project) -> tuple[dict[str, dict], Any]:
    """Raw entries of the file (empty when there is none) and the parsed document."""
    path = project.resolutions_path
    shown = project.relative(path)
    try:
        doc = yamlsafe.read(path, shown, optional=True)
    except yamlsafe.YamlProblems as e:
        raise InvalidInput(e.problems) from None
    if doc is None:
        return {}, None
    if doc.tree is None:
        return {}, doc
    if not isinstance(doc.tree, dict):
        raise InvalidInput([Problem(shown, 1, 1, "(top level)", "expected question id: entry")])
    return yamlsafe.to_plain(doc.tree), doc


def check_outcome(question, value: Any) -> str | None:
    """Why `value` cannot be `question`'s outcome, or None if it can."""
    if isinstance(value, str) and value in NOT_SCORED:
        return None
    return question.kind.check_outcome(question, value)


def load_resolutions(predictions: Predictions) -> dict[str, Resolution]:
    """Every resolution, checked against its question (unknown ids, wrong types: errors)."""
    project = predictions.project
    entries, doc = read_entries(project)
    shown = project.relative(project.resolutions_path)
    known = {q.id: q for _, q in predictions.questions()}
    left_out = {k.question for k in skips.left_out(predictions)}  # have their own errors
    problems, out = [], {}
    for qid, entry in entries.items():
        line, col = yamlsafe.position(doc.tree, (qid,), key=True)
        if qid in left_out:
            continue
        name = shown_name(qid)
        if qid not in known:
            problems.append(Problem(shown, line, col, name, "no such question"))
            continue
        if not isinstance(entry, dict) or "outcome" not in entry or "evidence_at" not in entry:
            problems.append(
                Problem(shown, line, col, name, "expected a mapping with outcome, evidence_at")
            )
            continue
        if why := check_outcome(known[qid], entry["outcome"]):
            line, col = yamlsafe.position(doc.tree, (qid, "outcome"))
            problems.append(Problem(shown, line, col, f"{name}.outcome", why))
            continue
        try:
            out[qid] = Resolution.model_validate({**entry, "question": qid})
        except ValidationError as e:
            for err in e.errors(include_url=False):
                loc = tuple(err["loc"])
                where = ".".join(shown_name(p) for p in loc)
                message = err["msg"].removeprefix("Value error, ")
                if loc == ("evidence_at",) and err["type"] != "value_error":
                    message = f"not {times.HELP} (got {quote(entry['evidence_at'], 40)})"
                line, col = yamlsafe.position(doc.tree, (qid, *loc))
                problems.append(Problem(shown, line, col, f"{name}.{where}", message))
    if problems:
        raise InvalidInput(problems)
    return out


def write_resolutions(
    project: Project,
    new: dict[str, Resolution],
    *,
    replace_manual: bool = False,
    drop: set[str] | frozenset[str] = frozenset(),
) -> None:
    """Merge `new` into the file: rule entries replace rule entries; manual ones stay
    unless `replace_manual` (a new manual resolution of the same question). Rule entries
    of the questions in `drop` (stale outcomes) are removed."""
    from ruamel.yaml import YAML

    path = project.resolutions_path
    with locked(path):
        entries, _ = read_entries(project)
        for qid in drop:
            old = entries.get(qid)
            if isinstance(old, dict) and old.get("how") == "rule":
                del entries[qid]
        for qid, res in new.items():
            old = entries.get(qid)
            if old and old.get("how") == "manual" and res.how != "manual" and not replace_manual:
                continue
            entries[qid] = res.as_entry()
        yaml = YAML(typ="safe", pure=True)
        yaml.default_flow_style = None
        yaml.width = 100
        buf = io.StringIO()
        yaml.dump(dict(sorted(entries.items(), key=lambda item: str(item[0]))), buf)
        atomic_write(path, HEADER + buf.getvalue())


def outcomes_and_evidence(
    resolutions: dict[str, Resolution],
) -> tuple[dict[str, Any], dict[str, datetime]]:
    """Each resolved question's outcome, and when its evidence existed (for lateness)."""
    outcomes = {qid: r.outcome for qid, r in resolutions.items()}
    evidence = {qid: r.evidence_at for qid, r in resolutions.items()}
    return outcomes, evidence
