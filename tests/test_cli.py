"""The `kit` command end to end, in subprocesses, as a user runs it."""

import os
import subprocess
import sys
import time

from tests.conftest import BASIC, write_project

KIT = [sys.executable, "-m", "kit"]


def kit(*args, cwd=None) -> subprocess.CompletedProcess:
    env = {**os.environ, "KIT_DEBUG": ""}
    return subprocess.run(
        [*KIT, *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=120
    )


def test_help_imports_nothing_heavy():
    code = (
        "import sys, kit.cli; heavy = [m for m in ('pydantic', 'torch', 'procgen', "
        "'altair', 'papermill', 'numpy', 'ruamel', 'ipywidgets', 'distributed', 'nbformat') "
        "if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "[]"


def test_help_is_quick():
    kit("--help")  # warm the file cache
    start = time.perf_counter()
    result = kit("--help")
    elapsed = time.perf_counter() - start
    assert result.returncode == 0 and "check" in result.stdout
    assert elapsed < 2.0  # generous: the figure in the note is measured with hyperfine


def test_check_ok_then_error_exit_codes(tmp_path):
    project = write_project(tmp_path, {"a.yaml": BASIC})
    ok = kit("check", cwd=project.root)
    assert ok.returncode == 0
    assert (
        "1 question sets, 3 questions, 3 forecasts: 0 errors, 3 warnings" in ok.stderr + ok.stdout
    )
    (project.predictions_dir / "a.yaml").write_text(BASIC.replace("p: 0.7", "p: 7"))
    bad = kit("check", cwd=project.root)
    assert bad.returncode == 1
    assert (
        "predictions/a.yaml:11:48: questions[0].forecasts[0].p: Input should be less than "
        "or equal to 1 (got 7)"
    ) in bad.stderr
    assert "Traceback" not in bad.stderr


def test_check_named_file_reports_only_that_file(tmp_path):
    project = write_project(
        tmp_path, {"a.yaml": BASIC, "b.yaml": "experiment: ../nope\nquestions: []\n"}
    )
    result = kit("check", "predictions/a.yaml", cwd=project.root)
    assert result.returncode == 0, result.stderr
    assert kit("check", cwd=project.root).returncode == 1


def test_predict_and_seal_commands(tmp_path):
    project = write_project(tmp_path, {"a.yaml": BASIC})
    r = kit(
        "predict",
        "q-cat",
        "--by",
        "bo",
        "--probs",
        "a=0.2,b=0.3,c=0.5",
        "--why",
        "hunch",
        cwd=project.root,
    )
    assert r.returncode == 0, r.stderr
    assert "q-cat: added bo's forecast probs=" in r.stdout
    r = kit(
        "predict",
        "q-num",
        "--by",
        "bo",
        "--quantiles",
        "0.1=1,0.5=2,0.9=3",
        "--seal",
        cwd=project.root,
    )
    assert r.returncode == 0, r.stderr
    assert "5 newly sealed; 5 forecasts in all" in r.stdout
    assert kit("check", "--strict", cwd=project.root).returncode == 0


def test_usage_errors_have_exit_code_2_and_no_traceback(tmp_path):
    project = write_project(tmp_path, {"a.yaml": BASIC})
    for args in (
        ["predict", "q-cat", "--by", "bo"],
        ["predict", "q-cat", "--by", "bo", "--probs", "a=x"],
        ["predict", "q-binary", "--by", "bo", "--p", "2"],
    ):
        r = kit(*args, cwd=project.root)
        assert r.returncode == 2, (args, r.stderr)
        assert "Traceback" not in r.stderr
    r = kit("predict", "nope", "--by", "bo", "--p", "0.5", cwd=project.root)
    assert r.returncode == 3 and "no question 'nope'" in r.stderr


def test_outside_a_project(tmp_path):
    r = kit("check", cwd=tmp_path)
    assert r.returncode == 3 and "no kit project here" in r.stderr


def test_shipped_example_is_valid_and_sealed():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    r = kit("check", "--strict", cwd=root)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "2 question sets" in r.stdout
