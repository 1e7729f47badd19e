"""From `kit run TARGET -p ... --grid ...` to the list of runs to execute.

An experiment is a notebook named by a question set (the set's `experiment`, or a
question's own). `predict.ipynb`, `review.ipynb` and other notebooks are not experiments
unless their metadata says `"kit": {"experiment": true}` (e.g. a training notebook that
no question names). Each question is answered by a run of its experiment with its set's
`parameters`, or by one run per replicate when it has `replicates` (the set's parameters
with each combination of the replicates' values); `-p` and `--grid` change those (and such
runs then resolve nothing unless the parameters come out equal).

A successful run is reused when the notebook's code, the parameters and the run's inputs
are all unchanged. Inputs are compared by content: the files the notebook's metadata
names (`"kit": {"inputs": ["maze_policy.pt"]}`, relative to the notebook's folder) and
the kit's own source, so a retrained policy or a changed kit never serves a stale run.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kit import fileio, notebooks
from kit.errors import InvalidInput, KitError, NotFound, UsageError, listed, quote
from kit.predictions.registry import PER_QUESTION, Predictions
from kit.predictions.validate import experiment_name_problem
from kit.runs import params as params_mod
from kit.runs import store

#: The kit's own source files are small; this only bounds a hostile one.
SOURCE_BYTES = 16 * fileio.MiB
TARGET_HELP = "kit run takes an experiment name, a question set in predictions/, or all"


@dataclass
class Target:
    """One experiment with one base parameter set, and the questions it answers."""

    experiment: str
    parameters: dict[str, Any]
    where: str  # what the parameters came from, for messages
    questions: list[str] = field(default_factory=list)
    files: set[str] = field(default_factory=set)


def question_experiment(loaded_set, question) -> str | None:
    """The question's experiment (its own, else its set's); None for a manual-only set."""
    return question.experiment or loaded_set.experiment


def targets(predictions: Predictions) -> list[Target]:
    """Every (experiment, parameters) pair the question sets ask for: one per replicate
    of each question (the set's parameters with the replicate's values)."""
    found: dict[tuple[str, str], Target] = {}
    for s, q in predictions.questions():
        experiment = question_experiment(s, q)
        if experiment is None:
            continue  # a set of manual questions with no experiment
        where = f"{s.file}: parameters" + (" and replicates" if s.replicates(q) else "")
        for parameters in s.run_parameters(q):
            key = (experiment, json.dumps(parameters, sort_keys=True))
            if key not in found:
                found[key] = Target(experiment, parameters, where)
            found[key].questions.append(q.id)
            found[key].files.add(s.file)
    return list(found.values())


def _declared_experiment(nb_path: Path) -> bool:
    try:
        return bool(notebooks.kit_metadata(nb_path).get("experiment"))
    except KitError:
        return False


# Editing these must not make a cached run stale.
#: Parts of the kit no experiment's kernel runs: the views, and what only they read
#: (scores, markets, the workspace snapshot, the docs generator, JSON and CSV output).
VIEW_ONLY = (
    "cli",
    "ui",
    "report",
    "assess",
    "__main__.py",
    "workspace.py",
    "docs.py",
    "jsonout.py",
    "csvout.py",
)
KIT_ROOT = Path(__file__).resolve().parents[1]


@functools.cache
def kit_source_digest(root: Path = KIT_ROOT) -> str:
    """SHA-256 of the kernel-side Python source of the kit package at `root`.

    Paths and contents of every `*.py` file except those under `VIEW_ONLY`, so that a
    changed maze module or `record` invalidates cached runs and a CLI edit does not.
    """
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if relative.parts[0] in VIEW_ONLY:
            continue
        source = fileio.read_bytes(path, SOURCE_BYTES)
        h.update(relative.as_posix().encode() + b"\0" + source + b"\0")
    return h.hexdigest()


def input_digests(nb_path: Path) -> dict[str, str | None]:
    """Content digests of what a run reads besides its notebook and parameters.

    The files named in the notebook's metadata `kit.inputs` (None for one that is
    missing) and the kit's kernel-side source (`kit`).
    """
    try:
        declared = notebooks.declared_inputs(nb_path)
    except NotFound as e:
        raise UsageError(f"{nb_path}: not a readable notebook: {e}") from None
    return {**declared, "kit": kit_source_digest()}


def _question_set(predictions: Predictions, target: str) -> list[Target]:
    """The targets of a question-set file given by path: one of the project's own sets
    (`predictions/*.yaml`, found from here or from the project's root), nothing else."""
    project = predictions.project
    path = Path(target)
    candidates = [path] if path.is_absolute() else [Path.cwd() / path, project.root / path]
    try:
        own = {p.resolve(): p for p in project.question_set_files()}
        found = next((own[c.resolve()] for c in candidates if c.resolve() in own), None)
    except (OSError, ValueError, RuntimeError):
        found = None
    if found is None:
        if any(c.is_file() for c in candidates):
            raise UsageError(
                f"{quote(target)} is not a question set in predictions/: {TARGET_HELP}"
            )
        raise NotFound(f"{quote(target)}: no such question-set file")
    shown = project.relative(found)
    chosen = [t for t in targets(predictions) if shown in t.files]
    if not chosen:
        raise NotFound(f"{target}: not a question set of this project (or it has errors)")
    return chosen


def select(predictions: Predictions, target: str) -> list[Target]:
    """The targets of `all`, a question-set file in `predictions/`, or an experiment name.

    Never a notebook outside `notebooks/` (absolute paths, `..`, symbolic links leading
    out): runs are written to `runs/<experiment>/`, inside the project."""
    project = predictions.project
    every = targets(predictions)
    if target == "all":
        return every
    if Path(target).suffix in (".yaml", ".yml"):
        return _question_set(predictions, target)
    chosen = [t for t in every if t.experiment == target]
    if chosen:
        return chosen
    if why := experiment_name_problem(project, target):
        raise UsageError(f"{why}: {TARGET_HELP}")
    nb_path = project.notebook_path(target)
    if nb_path.is_file() and _declared_experiment(nb_path):
        return [Target(target, {}, "notebook metadata")]
    names = sorted({t.experiment for t in every})
    raise NotFound(
        f"{quote(target)} is not an experiment: no question set names it"
        + (" and notebooks/" + nb_path.name + " is not marked as one" if nb_path.is_file() else "")
        + f" (experiments: {listed(names) or 'none'}; or give a predictions/*.yaml file or all)"
    )


def unsealed(predictions: Predictions, chosen: list[Target]) -> list[str]:
    """`set file: question by forecaster` for each unsealed forecast on the chosen questions,
    and `set file: question: plan` for each of their plans never sealed."""
    ids = {qid for t in chosen for qid in t.questions}
    forecasts = [
        f"{r.set.file}: {r.question.id}: {r.forecast.by}"
        for r in predictions.forecasts()
        if r.question.id in ids and not r.sealed
    ]
    plans = [
        f"{st.file}: {qid}: its plan"
        for qid, st in predictions.plans.items()
        if qid in ids and not st.sealed
    ]
    return forecasts + plans


def held_back(predictions: Predictions, chosen: list[Target]) -> list[str]:
    """Why each chosen question whose plan deviates from its sealed version will not be
    resolved by these runs (its target still runs for the other questions)."""
    deviations = predictions.deviations()
    ids = [qid for t in chosen for qid in t.questions]
    return [deviations[qid].explain() for qid in dict.fromkeys(ids) if qid in deviations]


def _refuse_deviations(predictions: Predictions, chosen: list[Target]) -> None:
    """A target all of whose questions deviate from their sealed plans has nothing honest
    to run for: refuse it, naming each question, what changed and the fix."""
    deviations = predictions.deviations()
    blocked = [t for t in chosen if t.questions and all(q in deviations for q in t.questions)]
    if blocked:
        lines = [deviations[q].explain() for t in blocked for q in t.questions]
        raise UsageError(
            f"refused: every question of {', '.join(sorted({t.experiment for t in blocked}))} "
            "with these parameters has a plan that changed since it was sealed; nothing "
            "ran:\n  " + "\n  ".join(lines)
        )


@dataclass
class Plan:
    """What `kit run` will do: runs to execute, cached runs reused, and each target left
    out with the reason (its problems stay local: the other targets still run)."""

    specs: list[dict[str, Any]] = field(default_factory=list)
    cached: list[store.RunRecord] = field(default_factory=list)
    skipped: list[tuple[Target, KitError]] = field(default_factory=list)


def make_plan(predictions: Predictions, target: str, **options: Any) -> Plan:
    """Plan every target of `target` on its own: one with a problem (a file with errors,
    unsealed forecasts, a changed plan, no notebook, bad parameters) is skipped with the
    reason, and the others are planned. Options as for `plan`."""
    out = Plan()
    for t in select(predictions, target):
        try:
            specs, cached = plan_targets(predictions, [t], **options)
        except KitError as e:
            out.skipped.append((t, e))
            continue
        ids = {s["id"] for s in out.specs}
        out.specs += [s for s in specs if s["id"] not in ids]
        out.cached += cached
    return out


def plan(predictions: Predictions, target: str, **options: Any):
    """(specs to execute, cached run records reused) for `target`; any problem of any of
    its targets refuses the whole plan (`make_plan` keeps them local)."""
    return plan_targets(predictions, select(predictions, target), **options)


def plan_targets(
    predictions: Predictions,
    chosen: list[Target],
    *,
    overrides: dict[str, Any] | None = None,
    grid: dict[str, list[Any]] | None = None,
    force: bool = False,
    allow_unsealed: bool = False,
    timeout_s: float | None = None,
) -> tuple[list[dict[str, Any]], list[store.RunRecord]]:
    """(specs to execute, cached run records reused) for the targets `chosen`. Refuses
    unsealed forecasts and plans, and changed plans."""
    from kit.predictions.ledger import git_commit
    from kit.runs.kernel import notebook_settings

    project = predictions.project
    files = {f for t in chosen for f in t.files}
    errors = [p for p in predictions.errors if p.file in files and p.code not in PER_QUESTION]
    if errors:
        raise InvalidInput(errors)
    _refuse_deviations(predictions, chosen)
    if not allow_unsealed and (missing := unsealed(predictions, chosen)):
        plans = any(m.endswith(": its plan") for m in missing)
        what = "forecasts or plans" if plans else "forecasts"
        listed = "\n  ".join(missing[:20]) + ("\n  ..." if len(missing) > 20 else "")
        raise UsageError(
            f"{len(missing)} {what} on these questions are not sealed, so they could be "
            f"changed after the evidence: run `kit seal` first (or --allow-unsealed, which "
            f"run.json records):\n  {listed}"
        )
    commit = git_commit(project.root)
    ledger_digest = fileio.digest(
        project.ledger_path, fileio.LEDGER_BYTES, project.relative(project.ledger_path)
    )
    specs, cached, seen = [], [], set()
    for t in chosen:
        nb_path = project.notebook_path(t.experiment)
        if not nb_path.is_file():
            raise NotFound(
                f"{t.where}: experiment {quote(t.experiment)} has no notebook "
                f"{project.relative(nb_path)} yet: write it, then run it (`kit run {t.experiment}`)"
            )
        base = params_mod.check_parameters(t.parameters, nb_path, t.where)
        extra = params_mod.check_parameters(overrides or {}, nb_path, "-p")
        digest = params_mod.notebook_digest(nb_path)
        inputs = input_digests(nb_path)
        settings = notebook_settings(nb_path)
        for combo in params_mod.expand_grid(grid or {}):
            combo = params_mod.check_parameters(combo, nb_path, "--grid")
            parameters = {**base, **extra, **combo}
            key = store.cache_key(digest, parameters, inputs)
            if (t.experiment, key) in seen:
                continue
            seen.add((t.experiment, key))
            reuse = None if force else store.latest_ok(project, t.experiment, key=key)
            if reuse is not None:
                cached.append(reuse)
                continue
            run_id = store.new_run_id(store.utcnow())
            specs.append(
                {
                    "id": run_id,
                    "root": str(project.root.resolve()),
                    "experiment": t.experiment,
                    "notebook": project.relative(nb_path),
                    "notebook_path": str(nb_path.resolve()),
                    "notebook_digest": digest,
                    "parameters": parameters,
                    "cache_key": key,
                    "inputs": inputs,
                    "git_commit": commit,
                    "ledger_digest": ledger_digest,
                    "allow_unsealed": allow_unsealed,
                    "timeout_s": timeout_s,
                    "run_dir": str((project.runs_dir / t.experiment / run_id).resolve()),
                    "env": settings.env,
                    "record_versions": settings.record_versions,
                }
            )
    return specs, cached
