"""Tiny real notebooks and projects for runner tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from kit.predictions import load_predictions
from kit.predictions.seal import seal
from tests.conftest import BASIC, notebook, write_project

EXP = notebook(
    "n = 1\nseed = 0\nmode = 'ok'",
    "from kit import record\nimport numpy as np\nx = n - 2\nrecord('x', np.int64(x))\n"
    "record('n_plus', [n, n + 1])",
    "import os, time\nif mode == 'fail':\n    raise ValueError('boom on purpose')\n"
    "if mode == 'slow':\n    time.sleep(30)\nif mode == 'die':\n    os._exit(3)\n"
    "record('done', True)",
)

# Records what its kernel's environment holds and writes a line to the kernel's own
# stderr (fd 2, which goes to kernel.log). Its metadata asks for kernel settings.
PROBE_VARIABLES = ("KIT_RUN_DIR", "KIT_PROJECT", "GOMP_SPINCOUNT", "OMP_NUM_THREADS", "KIT_USER")
PROBE = notebook(
    "tag = 'a'\nsleep = 0.0",
    "import os, time\nfrom kit import record\n"
    "os.write(2, f'stderr of probe {tag}\\n'.encode())\n"
    f"for name in {PROBE_VARIABLES!r}:\n"
    "    record(name.lower(), os.environ.get(name))\n"
    "time.sleep(sleep)",
    metadata={
        "kit": {
            "experiment": True,
            "env": {"GOMP_SPINCOUNT": "10000", "KIT_USER": "from-notebook"},
            "record_versions": ["pydantic"],
        }
    },
)


@pytest.fixture
def run_project(tmp_path: Path):
    """The BASIC question set (experiment `exp`, parameters n=3) with a real notebook, sealed.

    `notebooks/probe.ipynb` (PROBE) is an experiment by its metadata.
    """
    project = write_project(tmp_path, {"basic.yaml": BASIC}, notebooks=())
    (tmp_path / "notebooks" / "exp.ipynb").write_text(EXP)
    (tmp_path / "notebooks" / "probe.ipynb").write_text(PROBE)
    seal(project)
    return project


def predictions_of(project):
    return load_predictions(project.root)


def written_run(
    project,
    results: dict | None = None,
    parameters: dict | None = None,
    *,
    experiment: str = "exp",
    started=None,
    status: str = "ok",
    notebook_digest: str | None = "current",
):
    """A finished run's record written to disk, as `kit run` leaves it, without a kernel:
    for tests of what is done with recorded results (rules, lateness, listings).

    Its notebook digest and declared inputs are those of the project's notebook now
    (`notebook_digest="current"`, as `kit run` would record), or the digest given."""
    from datetime import timedelta

    from kit import notebooks
    from kit.runs import store

    started = started or store.utcnow()
    nb_path = project.notebook_path(experiment)
    inputs = {}
    if notebook_digest == "current":
        notebook_digest = notebooks.notebook_digest(nb_path) if nb_path.is_file() else None
        inputs = notebooks.declared_inputs(nb_path) if nb_path.is_file() else {}
    record = store.RunRecord(
        id=store.new_run_id(started),
        experiment=experiment,
        notebook=f"notebooks/{experiment}.ipynb",
        notebook_digest=notebook_digest,
        inputs=inputs,
        parameters={"n": 3, "seed": 0} if parameters is None else parameters,
        status=status,
        started=store.iso(started),
        ended=store.iso(started + timedelta(seconds=1)),
        duration_s=1.0,
        results={"x": 1, "n_plus": [3, 4], "done": True} if results is None else results,
    )
    run_dir = project.runs_dir / experiment / record.id
    run_dir.mkdir(parents=True)
    store.write_run(run_dir, record)
    (run_dir / store.NOTEBOOK_FILE).write_text(executed_notebook(record.results))
    return record.with_dir(run_dir)


def executed_notebook(results: dict) -> str:
    """An executed notebook holding `results` as `kit.record` displays them."""
    import json

    from kit.runs.record import MIME

    outputs = [
        {
            "output_type": "display_data",
            "metadata": {},
            "data": {MIME: {"name": name, "value": value}, "text/plain": f"{name} = {value}"},
        }
        for name, value in results.items()
    ]
    cell = {
        "cell_type": "code",
        "execution_count": 1,
        "id": "c0",
        "metadata": {},
        "outputs": outputs,
        "source": "record(...)",
    }
    return json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
