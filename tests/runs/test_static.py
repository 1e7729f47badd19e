"""`kit check` against the notebooks, without running them: parameters and result names."""

from __future__ import annotations

import pytest

from kit.predictions import check
from kit.runs.static import notebook_problems, recorded_names
from tests.conftest import BASIC, notebook, write_project
from tests.test_cli import kit


def _project(tmp_path, *cells: str, params: str = "n = 1\nseed = 0", text: str = BASIC):
    project = write_project(tmp_path, {"a.yaml": text}, notebooks=())
    (tmp_path / "notebooks" / "exp.ipynb").write_text(notebook(params, *cells))
    return project


def _shown(project):
    return [str(p) for p in notebook_problems(check(project))]


def test_parameters_are_checked_by_name_and_type_as_kit_run_does(tmp_path):
    text = BASIC.replace("parameters: {n: 3, seed: 0}", "parameters: {n: 3.5, sed: 0}")
    project = _project(tmp_path, "from kit import record\nrecord('x', n)", text=text)
    assert _shown(project) == [
        "predictions/a.yaml:3:14: parameters.n: parameter 'n' takes an integer (its default "
        "is 1), got 3.5, which is a number (in notebooks/exp.ipynb)",
        "predictions/a.yaml:3:22: parameters.sed: notebooks/exp.ipynb has no parameter 'sed'; "
        "did you mean seed? (its parameters: n, seed)",
    ]
    out = kit("check", cwd=project.root)
    assert out.returncode == 1 and "2 errors" in out.stderr


def test_a_rule_naming_a_result_no_record_call_makes_is_a_warning(tmp_path):
    text = BASIC.replace("resolve: x\n", "resolve: accuracy\n")
    code = "from kit import record\nrecord('x', n)\nrecord('acuracy', 1)"
    project = _project(tmp_path, code, text=text)
    (warning,) = notebook_problems(check(project))
    assert warning.severity == "warning" and warning.code == "unrecorded"
    assert str(warning) == (
        "predictions/a.yaml:23:14: questions[2].resolve: warning: the rule reads result "
        "'accuracy', but no record('accuracy', ...) in notebooks/exp.ipynb could record it (it "
        "records: acuracy, x; did you mean 'acuracy'?)"
    )
    out = kit("check", cwd=project.root)
    assert out.returncode == 0 and "0 errors, 4 warnings" in out.stdout
    assert kit("check", "--strict", cwd=project.root).returncode == 1


@pytest.mark.parametrize(
    ("code", "names", "patterns", "anything"),
    [
        (
            "from kit import record\nrecord('a', 1)\nrecord(name='b', value=2)",
            {"a", "b"},
            [],
            False,
        ),
        ("import kit\nkit.record('a', 1)", {"a"}, [], False),
        ("from kit import record as keep\nkeep('a', 1)", {"a"}, [], False),
        (
            "from kit import record\nfor k in 'xy':\n    record(f'acc_{k}', 1)",
            set(),
            ["acc_x"],
            False,
        ),
        ("from kit import record\nfor k, v in d.items():\n    record(k, v)", set(), [], True),
        ("%time x = 1\n!ls\nfrom kit import record\nrecord('a', 1)", {"a"}, [], False),
        ("this is not python record(", set(), [], True),
    ],
)
def test_recorded_names_are_found_statically(tmp_path, code, names, patterns, anything):
    path = tmp_path / "nb.ipynb"
    path.write_text(notebook("n = 1", code))
    found = recorded_names(path)
    assert found.names == names and found.anything is anything
    assert all(found.can_record(p) for p in patterns)
    assert not found.can_record("zzz") or anything


def test_names_computed_at_run_time_are_not_second_guessed(tmp_path):
    project = _project(tmp_path, "from kit import record\nfor k in ['x']:\n    record(k, 1)")
    assert _shown(project) == []


def test_f_string_names_match_as_patterns(tmp_path):
    text = BASIC.replace("resolve: x > 0", "resolve: acc_train > 0").replace(
        "resolve: x\n", "resolve: loss_train\n"
    )
    code = "from kit import record\nrecord('x', 1)\nfor s in ['train']:\n    record(f'acc_{s}', 1)"
    project = _project(tmp_path, code, text=text)
    (warning,) = _shown(project)
    assert "reads result 'loss_train'" in warning and "records: x, acc_{...}" in warning


def test_check_of_one_file_reports_only_its_notebook_problems(tmp_path):
    bad = BASIC.replace("parameters: {n: 3, seed: 0}", "parameters: {nn: 3}")
    project = _project(tmp_path, "from kit import record\nrecord('x', n)", text=bad)
    other = BASIC.replace("q-", "r-")
    (project.predictions_dir / "b.yaml").write_text(other)
    out = kit("check", "predictions/b.yaml", cwd=project.root)
    assert out.returncode == 0 and "parameters.nn" not in out.stdout + out.stderr
    assert kit("check", cwd=project.root).returncode == 1


def test_the_shipped_maze_sets_pass_against_their_notebooks():
    from pathlib import Path

    from kit.project import Project

    root = Path(__file__).resolve().parents[2]
    assert notebook_problems(check(Project(root))) == []


REPLICATED = """\
experiment: exp
parameters: {n: 3}
replicates: {sed: [0, 1]}
questions:
  - {id: q-set, text: t, type: numeric, resolve: mean(x)}
  - id: q-own
    text: t
    type: numeric
    resolve: mean(x)
    replicates: {n: [1, 'two']}
"""


def test_replicate_values_are_checked_too(tmp_path):
    project = _project(tmp_path, "from kit import record\nrecord('x', n)", text=REPLICATED)
    assert check(project).errors == []
    assert _shown(project) == [
        "predictions/a.yaml:3:14: replicates.sed: notebooks/exp.ipynb has no parameter 'sed'; "
        "did you mean seed? (its parameters: n, seed)",
        "predictions/a.yaml:10:18: questions[1].replicates.n: parameter 'n' takes an integer "
        "(its default is 1), got 'two', which is text (in notebooks/exp.ipynb)",
    ]
