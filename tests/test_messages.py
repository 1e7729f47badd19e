"""Messages a person can act on: no regular expressions, cells as the notebook shows
them, late forecasts said out loud, options anywhere on the command line."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kit.runs.results import read_results, user_cell
from kit.runs.store import INJECTED_CELL, RunError
from kit.workspace import Workspace
from tests.conftest import BASIC, write_project
from tests.runs.conftest import written_run
from tests.test_cli import kit

REGEX_BITS = ("^", "$", "[A-Z", "{0,")


def test_an_uppercase_id_is_told_to_use_lowercase(tmp_path):
    project = write_project(tmp_path, {"a.yaml": BASIC.replace("id: q-cat", "id: Q-Cat")})
    out = kit("check", cwd=project.root)
    line = next(ln for ln in out.stderr.splitlines() if "questions[1].id" in ln)
    assert "use lowercase letters, digits and - _ . only" in line and "(got 'Q-Cat')" in line
    assert not any(bit in line for bit in REGEX_BITS)


@pytest.mark.parametrize("where", ["file", "command"])
def test_a_bad_forecaster_name_is_explained_without_a_regular_expression(tmp_path, where):
    text = BASIC.replace("by: ana, at: 2026-01-01T00:00:00Z, p: 0.7", "by: ana b, p: 0.7")
    project = write_project(tmp_path, {"a.yaml": text if where == "file" else BASIC})
    if where == "file":
        out = kit("check", cwd=project.root)
    else:
        out = kit("predict", "q-binary", "--by", "ana b", "--p", "0.5", cwd=project.root)
    assert "use letters, digits and - _ . @ + only (at most 64)" in out.stderr
    assert "got 'ana b'" in out.stderr
    assert "pattern" not in out.stderr and not any(bit in out.stderr for bit in REGEX_BITS)


def _executed(*tags_per_cell):
    return {
        "cells": [
            {"cell_type": "code", "metadata": {"tags": list(tags)}, "outputs": []}
            for tags in tags_per_cell
        ]
    }


def test_cells_are_numbered_as_in_the_authors_notebook():
    # markdown, parameters, papermill's injected cell, then two code cells
    nb = _executed((), ("parameters",), ("injected-parameters",), (), ())
    assert [user_cell(nb, i) for i in range(5)] == [
        (1, False),
        (2, False),
        (None, True),
        (3, False),
        (4, False),
    ]
    assert user_cell(nb, None) == (None, False)


def test_papermills_error_notes_do_not_shift_the_count():
    # saved after a failure in the last cell: papermill adds a note at the top and an
    # anchor before the failing cell; its cell_index (3) is of the cells the kernel ran
    nb = _executed(
        ("papermill-error-cell-tag",),
        ("parameters",),
        ("injected-parameters",),
        (),
        ("papermill-error-cell-tag",),
        (),
    )
    assert user_cell(nb, 3) == (3, False)


def test_a_result_recorded_twice_names_the_cell_as_shown():
    item = {"application/vnd.kit.result+json": {"name": "x", "value": 1}}
    nb = _executed(("parameters",), ("injected-parameters",), (), ())
    nb["cells"][2]["outputs"] = [{"data": item}]
    nb["cells"][3]["outputs"] = [{"data": item}]
    _, warnings = read_results(nb)
    assert warnings == ["result 'x' recorded more than once (again in cell 3): the last value wins"]


def test_where_a_run_stopped_reads_like_the_notebook():
    assert RunError(cell=3, source="raise ValueError('x')").where == (
        "cell 3 (raise ValueError('x'))"
    )
    assert RunError(cell=None, source=INJECTED_CELL).where.startswith("the parameters cell")
    assert RunError().where == "startup, before any cell ran"


def test_predict_warns_when_the_forecast_will_be_late(project):
    from kit.predictions.seal import seal

    seal(project)
    run = written_run(project)
    out = kit("predict", "q-binary", "--by", "bo", "--p", "0.4", cwd=project.root)
    assert out.returncode == 0, out.stderr
    assert (
        f"warning: q-binary: this forecast is late, since its experiment already ran "
        f"(exp/{run.id}): it is kept and shown, but not scored"
    ) in out.stderr
    fresh = write_project(project.root / "fresh", {"a.yaml": BASIC})
    quiet = kit("predict", "q-binary", "--by", "bo", "--p", "0.4", cwd=fresh.root)
    assert quiet.returncode == 0 and "late" not in quiet.stderr


def test_score_names_late_forecasts_even_when_nothing_else_scores(project):
    from kit.predictions.resolutions import Resolution, write_resolutions
    from kit.predictions.timefmt import iso, now

    at = now() - timedelta(days=1)  # the evidence existed before anything was sealed
    res = Resolution(
        question="q-binary", outcome=True, how="manual", evidence_at=at, resolved_at=iso(at)
    )
    write_resolutions(project, {"q-binary": res.model_copy(update={"why": "seen"})})
    from kit.predictions.seal import seal

    seal(project)
    assert [r.by for r in Workspace.load(project).scores().late] == ["ana"]
    out = kit("score", cwd=project.root)
    assert out.returncode == 0, out.stderr
    assert "nothing to score" in out.stdout
    assert "1 late forecasts (sealed after the evidence) not scored: ana on q-binary" in out.stdout


def test_project_goes_anywhere_on_the_command_line(project, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    after = kit("check", "--project", str(project.root), cwd=elsewhere)
    before = kit("--project", str(project.root), "check", cwd=elsewhere)
    assert after.returncode == before.returncode == 0
    assert after.stdout == before.stdout
    wins = kit("--project", str(elsewhere), "status", "--project", str(project.root), cwd=elsewhere)
    assert wins.returncode == 0, wins.stderr


def test_every_project_command_takes_project():
    from kit.cli import cli

    for name, command in cli.commands.items():
        options = {o for p in command.params for o in getattr(p, "opts", [])}
        assert ("--project" in options) == (name != "init"), name
