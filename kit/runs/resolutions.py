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
      evidence_at: '2026-11-23T10:15:00.123Z'   # start of that run (manual: resolution time)
      resolved_at: '2026-11-23T10:20:31.004Z'

`outcome` may be `ambiguous` or `annulled` (not scored). A forecast sealed after
`evidence_at` is late: kept and shown, left out of scores by default.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kit.errors import InvalidInput, Problem
from kit.fileio import atomic_write, locked
from kit.predictions import yamlsafe
from kit.predictions.registry import Predictions
from kit.project import Project
from kit.runs.store import iso, parse_iso

HEADER = (
    "# Written by `kit resolve`: each question's outcome and the evidence it came from.\n"
    "# Manual entries (how: manual) are kept when rules are re-evaluated.\n"
)


@dataclass(frozen=True)
class Resolution:
    question: str
    outcome: Any
    how: str
    evidence_at: datetime
    resolved_at: str
    run: str | None = None
    notebook: str | None = None
    rule: str | None = None
    read: dict | None = None
    why: str | None = None

    def as_entry(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"outcome": self.outcome, "how": self.how}
        for name in ("why", "rule", "read", "run", "notebook"):
            if getattr(self, name) is not None:
                entry[name] = getattr(self, name)
        entry["evidence_at"] = iso(self.evidence_at)
        entry["resolved_at"] = self.resolved_at
        return entry


def read_entries(project: Project) -> tuple[dict[str, dict], Any]:
    """Raw entries of the file (empty when there is none) and the parsed document."""
    path = project.resolutions_path
    if not path.exists():
        return {}, None
    shown = project.relative(path)
    try:
        doc = yamlsafe.load(shown, path.read_bytes())
    except yamlsafe.YamlProblems as e:
        raise InvalidInput(e.problems) from None
    if doc.tree is None:
        return {}, doc
    if not isinstance(doc.tree, dict):
        raise InvalidInput([Problem(shown, 1, 1, "(top level)", "expected question id: entry")])
    return yamlsafe.to_plain(doc.tree), doc


def load_resolutions(predictions: Predictions) -> dict[str, Resolution]:
    """Every resolution, checked against its question (unknown ids, wrong types: errors)."""
    from kit.scoring.outcomes import check_outcome

    project = predictions.project
    entries, doc = read_entries(project)
    shown = project.relative(project.resolutions_path)
    known = {q.id: q for _, q in predictions.questions()}
    problems, out = [], {}
    for qid, entry in entries.items():
        line, col = yamlsafe.position(doc.tree, (qid,), key=True)
        if qid not in known:
            problems.append(Problem(shown, line, col, str(qid), "no such question"))
            continue
        if not isinstance(entry, dict) or "outcome" not in entry or "evidence_at" not in entry:
            problems.append(
                Problem(shown, line, col, str(qid), "expected a mapping with outcome, evidence_at")
            )
            continue
        if why := check_outcome(known[qid], entry["outcome"]):
            problems.append(Problem(shown, line, col, f"{qid}.outcome", why))
            continue
        try:
            evidence_at = parse_iso(str(entry["evidence_at"]))
        except ValueError:
            problems.append(Problem(shown, line, col, f"{qid}.evidence_at", "not an ISO time"))
            continue
        out[qid] = Resolution(
            question=qid,
            outcome=entry["outcome"],
            how=str(entry.get("how", "manual")),
            evidence_at=evidence_at,
            resolved_at=str(entry.get("resolved_at", "")),
            run=entry.get("run"),
            notebook=entry.get("notebook"),
            rule=entry.get("rule"),
            read=entry.get("read"),
            why=entry.get("why"),
        )
    if problems:
        raise InvalidInput(problems)
    return out


def write_resolutions(project: Project, new: dict[str, Resolution], *, replace_manual=False):
    """Merge `new` into the file: rule entries replace rule entries; manual ones stay
    unless `replace_manual` (a new manual resolution of the same question)."""
    from ruamel.yaml import YAML

    path = project.resolutions_path
    with locked(path):
        entries, _ = read_entries(project)
        for qid, res in new.items():
            old = entries.get(qid)
            if old and old.get("how") == "manual" and res.how != "manual" and not replace_manual:
                continue
            entries[qid] = res.as_entry()
        yaml = YAML(typ="safe", pure=True)
        yaml.default_flow_style = None
        yaml.width = 100
        buf = io.StringIO()
        yaml.dump(dict(sorted(entries.items())), buf)
        atomic_write(path, HEADER + buf.getvalue())


def outcomes_and_evidence(
    resolutions: dict[str, Resolution],
) -> tuple[dict[str, Any], dict[str, datetime]]:
    """Each resolved question's outcome, and when its evidence existed (for lateness)."""
    outcomes = {qid: r.outcome for qid, r in resolutions.items()}
    evidence = {qid: r.evidence_at for qid, r in resolutions.items()}
    return outcomes, evidence
