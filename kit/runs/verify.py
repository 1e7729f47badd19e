"""Verify every resolution from the repository alone (part of `kit check`).

Each rule resolution in `_resolutions.yaml` names its run and records the SHA-256 of the
run record and executed notebook it read. The check finds that run (in `runs/`, or its
committed copy in `evidence/`, see `kit.runs.evidence`) and reports:

- a run record or executed notebook whose bytes changed since the resolution;
- a run record whose results differ from those the executed notebook itself recorded;
- an outcome (or a value the rule read) that the rule, evaluated again on the run's
  recorded results, does not give: a hand-edited resolution or run record.

A resolution whose run is nowhere to be read is a warning: it cannot be verified here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kit import notebooks
from kit.errors import InvalidInput, KitError, Problem
from kit.predictions import yamlsafe
from kit.predictions.registry import Predictions
from kit.predictions.resolutions import Resolution, load_resolutions, read_entries
from kit.predictions.rules import RuleError, parse_rule
from kit.runs import store
from kit.runs.results import read_results


def _notebook_results(path: Path) -> dict[str, Any] | None:
    try:
        return read_results(notebooks.read_json(path))[0]
    except (KitError, ValueError, AttributeError, TypeError):
        return None


def _run_problems(project, run: str, run_sha: str | None, notebook_sha: str | None):
    """(record or None, problems) of one run a resolution read: its bytes and results."""
    record = store.find_run(project, run)
    if record is None or record.dir is None:
        return None, []
    where = project.relative(record.dir)
    out = []
    run_file, nb_file = record.dir / store.RUN_FILE, record.dir / store.NOTEBOOK_FILE
    if run_sha and store.file_digest(run_file) != run_sha:
        out.append(f"{where}/run.json changed since it was resolved (its SHA-256 differs)")
    if notebook_sha and store.file_digest(nb_file) != notebook_sha:
        out.append(f"{where}/notebook.ipynb changed since it was resolved (its SHA-256 differs)")
    recorded = _notebook_results(nb_file)
    if recorded is not None and recorded != record.results:
        names = sorted(
            n
            for n in set(recorded) | set(record.results)
            if recorded.get(n) != record.results.get(n)
        )
        out.append(
            f"{where}/run.json's results differ from those its executed notebook recorded "
            f"({', '.join(names)})"
        )
    return record, out


def _problems_of(predictions: Predictions, res: Resolution) -> list[tuple[str, str, str]]:
    """(severity, code, message) for one rule resolution (each replicate's run too)."""
    from kit.runs.resolve import rule_inputs

    project = predictions.project
    reads = res.replicates or []
    targets = [(r.run, r.run_sha256, r.notebook_sha256, r.read) for r in reads] or [
        (res.run, res.run_sha256, res.notebook_sha256, None)
    ]
    records, out = [], []
    for run, run_sha, notebook_sha, read in targets:
        record, found = _run_problems(project, run, run_sha, notebook_sha)
        if record is None:
            return [
                (
                    "warning",
                    "unverifiable",
                    f"cannot verify: run {run} is in neither runs/ nor evidence/ (runs/ is not "
                    "committed: `kit evidence` copies the resolving runs into evidence/)",
                )
            ]
        out += found
        records.append(record)
        for name, value in (read or {}).items():
            if record.results.get(name) != value:
                out.append(
                    f"it read {name} = {value!r} from {run}, the run recorded "
                    f"{record.results.get(name)!r}"
                )
    _, question = predictions.question(res.question)
    replicates = {k: [] for r in reads for k in r.parameters}
    labels = [json.dumps(r.parameters) for r in reads] or [""]
    try:
        rule = parse_rule(res.rule or question.resolve)
        results, params = rule_inputs(rule, records, replicates, labels)
        value = question.kind.rule_value(question, rule.evaluate(results, params))
    except RuleError as e:
        out.append(f"its rule cannot be evaluated on {res.run}'s results: {e.message}")
        value = res.outcome
    if value != res.outcome:
        out.append(
            f"outcome {res.outcome!r} in the resolutions, but its rule gives {value!r} on "
            f"the recorded results of {res.run}" + (" and the other replicates" if reads else "")
        )
    if not reads:
        for name, read in (res.read or {}).items():
            if name.startswith("params_"):
                continue
            if records[0].results.get(name) != read:
                out.append(
                    f"it read {name} = {read!r}, the run recorded {records[0].results.get(name)!r}"
                )
    return [
        ("error", "resolution", f"{res.question}: {m}; restore it, or run `kit resolve`")
        for m in out
    ]


def resolution_problems(predictions: Predictions) -> list[Problem]:
    """Every problem with `_resolutions.yaml`: its entries, and each rule resolution
    checked against the run it names."""
    project = predictions.project
    try:
        resolutions = load_resolutions(predictions)
    except InvalidInput as e:
        return list(e.problems)
    if not resolutions:
        return []
    _, doc = read_entries(project)
    shown = project.relative(project.resolutions_path)
    problems = []
    for qid, res in resolutions.items():
        if res.how != "rule" or not res.run:
            continue
        line, col = yamlsafe.position(doc.tree, (qid,), key=True)
        for severity, code, message in _problems_of(predictions, res):
            problems.append(Problem(shown, line, col, qid, message, severity, code))
    return problems
