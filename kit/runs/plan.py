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

from kit.errors import InvalidInput, KitError, NotFound, UsageError
from kit.predictions.registry import Predictions
from kit.runs import params as params_mod
from kit.runs import store


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


def _kit_metadata(nb_path: Path) -> dict[str, Any]:
    """The notebook's metadata entry `kit` ({} if none); OSError/ValueError if unreadable."""
    meta = json.loads(nb_path.read_text(encoding="utf-8")).get("metadata", {})
    return meta.get("kit") or {}


def _declared_experiment(nb_path: Path) -> bool:
    try:
        return bool(_kit_metadata(nb_path).get("experiment"))
    except (OSError, ValueError):
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
        h.update(relative.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def input_digests(nb_path: Path) -> dict[str, str | None]:
    """Content digests of what a run reads besides its notebook and parameters.

    The files named in the notebook's metadata `kit.inputs` (None for one that is
    missing) and the kit's kernel-side source (`kit`).
    """
    try:
        names = _kit_metadata(nb_path).get("inputs", [])
    except (OSError, ValueError) as e:
        raise UsageError(f"{nb_path}: not a readable notebook: {e}") from None
    if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
        raise UsageError(
            f"{nb_path}: metadata kit.inputs must be a list of file paths relative to the "
            f"notebook's folder, got {names!r}"
        )
    digests = {name: store.file_digest(nb_path.parent / name) for name in names}
    return {**digests, "kit": kit_source_digest()}


def select(predictions: Predictions, target: str) -> list[Target]:
    """The targets of `all`, a question-set file, or an experiment name."""
    project = predictions.project
    every = targets(predictions)
    if target == "all":
        return every
    path = Path(target)
    if path.suffix in (".yaml", ".yml"):
        candidates = [path] if path.is_absolute() else [Path.cwd() / path, project.root / path]
        found = next((c for c in candidates if c.is_file()), None)
        if found is None:
            raise NotFound(f"{target}: no such question-set file")
        shown = project.relative(found)
        chosen = [t for t in every if shown in t.files]
        if not chosen:
            raise NotFound(f"{target}: not a question set of this project (or it has errors)")
        return chosen
    chosen = [t for t in every if t.experiment == target]
    if chosen:
        return chosen
    nb_path = project.notebook_path(target)
    if nb_path.is_file() and _declared_experiment(nb_path):
        return [Target(target, {}, "notebook metadata")]
    names = sorted({t.experiment for t in every})
    raise NotFound(
        f"{target!r} is not an experiment: no question set names it"
        + (" and notebooks/" + nb_path.name + " is not marked as one" if nb_path.is_file() else "")
        + f" (experiments: {', '.join(names) or 'none'}; or give a predictions/*.yaml file or all)"
    )


def unsealed(predictions: Predictions, chosen: list[Target]) -> list[str]:
    """`set file: question by forecaster` for each unsealed forecast on the chosen questions."""
    ids = {qid for t in chosen for qid in t.questions}
    return [
        f"{r.set.file}: {r.question.id}: {r.forecast.by}"
        for r in predictions.forecasts()
        if r.question.id in ids and not r.sealed
    ]


@dataclass
class Plan:
    """What `kit run` will do: runs to execute, cached runs reused, and the experiments
    it skips, each with the error that stops it (the others still run)."""

    specs: list[dict[str, Any]] = field(default_factory=list)
    cached: list[store.RunRecord] = field(default_factory=list)
    skipped: list[tuple[Target, KitError]] = field(default_factory=list)


def _blocker(predictions: Predictions, t: Target, allow_unsealed: bool) -> KitError | None:
    """Why target `t` cannot run now, or None: errors in its question sets, forecasts
    that no longer match their seals or are not sealed, or no notebook yet."""
    from kit.predictions import skips

    errors = [p for p in predictions.errors if p.file in t.files]
    if errors:
        return InvalidInput(errors)
    blocked = skips.blocked(predictions)
    if mine := [f"{blocked[q].what}: {blocked[q].why}" for q in t.questions if q in blocked]:
        return KitError("; ".join(mine))
    if not allow_unsealed and (missing := unsealed(predictions, [t])):
        listed = "\n  ".join(missing[:20]) + ("\n  ..." if len(missing) > 20 else "")
        return UsageError(
            f"{len(missing)} forecasts on these questions are not sealed, so they could be "
            f"changed after the evidence: run `kit seal` first (or --allow-unsealed, which "
            f"run.json records):\n  {listed}"
        )
    nb_path = predictions.project.notebook_path(t.experiment)
    if not nb_path.is_file():
        return NotFound(
            f"{t.where}: experiment {t.experiment!r} has no notebook "
            f"{predictions.project.relative(nb_path)} yet: write it, then run it"
        )
    return None


def make_plan(
    predictions: Predictions,
    target: str,
    *,
    overrides: dict[str, Any] | None = None,
    grid: dict[str, list[Any]] | None = None,
    force: bool = False,
    allow_unsealed: bool = False,
    timeout_s: float | None = None,
) -> Plan:
    """The runs of `target`; an experiment that cannot run is skipped with its reason.

    Raises only for what concerns the whole command: an unknown target, and `-p` or
    `--grid` values that a chosen notebook does not take.
    """
    from kit.predictions.ledger import git_commit
    from kit.runs.kernel import notebook_settings

    project = predictions.project
    out = Plan()
    chosen = []
    for t in select(predictions, target):
        if (why := _blocker(predictions, t, allow_unsealed)) is not None:
            out.skipped.append((t, why))
        else:
            chosen.append(t)
    commit = git_commit(project.root)
    ledger_digest = store.file_digest(project.ledger_path)
    seen = set()
    for t in chosen:
        nb_path = project.notebook_path(t.experiment)
        try:
            base = params_mod.check_parameters(t.parameters, nb_path, t.where)
        except KitError as e:
            out.skipped.append((t, e))
            continue
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
                out.cached.append(reuse)
                continue
            run_id = store.new_run_id(store.utcnow())
            out.specs.append(
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
    return out


def plan(
    predictions: Predictions, target: str, **options: Any
) -> tuple[list[dict[str, Any]], list[store.RunRecord]]:
    """(specs to execute, cached run records reused), or the first reason an experiment
    of `target` cannot run (errors, unsealed or tampered forecasts, no notebook).

    `options` are `make_plan`'s. `kit run` itself uses `make_plan`, which skips such
    experiments and runs the others.
    """
    found = make_plan(predictions, target, **options)
    if found.skipped:
        raise found.skipped[0][1]
    return found.specs, found.cached
