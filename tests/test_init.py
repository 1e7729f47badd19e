"""`kit init` and `kit new-question`: a project of one's own that works at once."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from kit.cli.scaffold import TYPES
from kit.errors import InvalidInput, UsageError
from kit.init import init, question_types
from kit.predictions import check
from kit.predictions.new_question import add_question
from kit.project import Project
from kit.runs.static import notebook_problems, recorded_names
from tests.init_loop import init_and_loop
from tests.test_cli import kit

FILES = {
    ".gitignore",
    "README.md",
    "notebooks/sgd_regression.ipynb",
    "predictions/sgd_regression.yaml",
}


def _files(root):
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def test_init_writes_a_valid_project_with_each_question_type(tmp_path):
    created = init(tmp_path / "study")
    root = tmp_path / "study"
    assert _files(root) == FILES and len(created.written) == 4
    found = check(Project(root))
    assert found.errors == []
    questions = [q for _, q in found.questions()]
    assert sorted(q.type for q in questions) == ["binary", "categorical", "numeric"]
    assert {f.by for q in questions for f in q.forecasts} == {"ana", "bo"}
    # every rule reads a result the notebook records, and its parameters fit
    assert notebook_problems(found) == []
    assert recorded_names(root / "notebooks/sgd_regression.ipynb").names == {
        "initial_loss",
        "final_loss",
        "slope",
        "intercept",
        "quarter_below_half",
    }


def test_init_refuses_to_overwrite_and_says_what(tmp_path):
    init(tmp_path)
    (tmp_path / "README.md").write_text("mine\n")
    with pytest.raises(UsageError) as refused:
        init(tmp_path)
    assert str(refused.value).endswith(
        "refused, nothing written: README.md, notebooks/sgd_regression.ipynb, "
        "predictions/sgd_regression.yaml already exist (--force replaces them)"
    )
    assert (tmp_path / "README.md").read_text() == "mine\n"
    init(tmp_path, force=True)
    assert (tmp_path / "README.md").read_text().startswith("# A prediction-kit study")


def test_an_existing_gitignore_only_gains_the_lines_it_lacks(tmp_path):
    (tmp_path / ".gitignore").write_text("*.pyc\nruns/")
    created = init(tmp_path)
    assert created.gitignore_added == ["report/", ".*.lock", ".kit/private/", ".ipynb_checkpoints/"]
    text = (tmp_path / ".gitignore").read_text()
    assert text.startswith("*.pyc\nruns/\n") and text.count("runs/") == 1
    assert init(tmp_path, force=True).gitignore_added == []


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_gitignore_keeps_runs_reports_locks_and_blind_forecasts_out_of_git(tmp_path):
    init(tmp_path)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    for name in (
        "predictions/.sgd_regression.yaml.lock",
        "predictions/._seals.jsonl.lock",
        "predictions/._resolutions.yaml.lock",
        "runs/sgd_regression/x/run.json",
        "report/report.html",
        ".kit/private/ana.json",
    ):
        ignored = subprocess.run(["git", "check-ignore", "-q", name], cwd=tmp_path)
        assert ignored.returncode == 0, name
    kept = subprocess.run(["git", "check-ignore", "-q", "predictions/_seals.jsonl"], cwd=tmp_path)
    assert kept.returncode == 1


def test_init_command_prints_the_next_steps(tmp_path):
    done = kit("init", "study", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "cd study && kit check && kit seal && kit run all && kit resolve && kit score && " in (
        done.stdout
    )
    again = kit("init", "study", cwd=tmp_path)
    assert again.returncode == 2 and "already exist" in again.stderr


def test_the_command_offers_every_template_type():
    assert sorted(TYPES) == question_types()


@pytest.mark.parametrize("kind", ["binary", "categorical", "numeric"])
def test_new_question_appends_a_valid_commented_template(tmp_path, kind):
    init(tmp_path)
    path = tmp_path / "predictions/sgd_regression.yaml"
    before = path.read_text()
    add_question(Project(tmp_path), "sgd_regression", kind, f"my-{kind}")
    after = path.read_text()
    assert after.startswith(before.rstrip("\n"))  # the rest of the file as it was
    assert f"# kit predict my-{kind} --by NAME" in after
    found = check(Project(tmp_path))
    assert found.errors == []
    (q,) = [q for _, q in found.questions() if q.id == f"my-{kind}"]
    assert q.type == kind and q.manual and q.forecasts == []
    out = kit("predict", f"my-{kind}", "--by", "cy", *_value(kind), cwd=tmp_path)
    assert out.returncode == 0, out.stderr


def _value(kind):
    return {
        "binary": ["--p", "0.6"],
        "categorical": ["--probs", "option-a=0.5,option-b=0.5"],
        "numeric": ["--quantiles", "0.1=1,0.5=2,0.9=3"],
    }[kind]


def test_new_question_with_text_and_rule_and_its_refusals(tmp_path):
    init(tmp_path)
    project = Project(tmp_path)
    path = tmp_path / "predictions/sgd_regression.yaml"
    add_question(
        project, "sgd_regression", "binary", "fast", text="Fast: yes?", resolve="final_loss < 1"
    )
    (q,) = [q for _, q in check(project).questions() if q.id == "fast"]
    assert (q.text, q.resolve) == ("Fast: yes?", "final_loss < 1")
    before = path.read_text()
    with pytest.raises(UsageError, match="question id 'Fast': use lowercase letters"):
        add_question(project, "sgd_regression", "binary", "Fast")
    with pytest.raises(UsageError, match="question id 'fast' is taken"):
        add_question(project, "sgd_regression", "numeric", "fast")
    with pytest.raises(InvalidInput, match="refused, nothing written: does not parse"):
        add_question(project, "sgd_regression", "binary", "broken", resolve="final_loss <")
    assert path.read_text() == before
    out = kit("new-question", "nope", "q", "--type", "binary", cwd=tmp_path)
    assert out.returncode == 3 and "question sets: sgd_regression" in out.stderr


@pytest.mark.parametrize(
    ("questions", "expected"),
    [
        ("questions: []  # none yet\n", "questions:  # none yet\n  - id: q\n"),
        ("questions:\n", "questions:\n  - id: q\n"),
        (
            "questions:\n- id: a\n  text: t\n  type: binary\n  resolve: manual\n",
            "  resolve: manual\n\n- id: q\n",
        ),
    ],
)
def test_new_question_fits_the_files_layout(tmp_path, questions, expected):
    init(tmp_path)
    (tmp_path / "predictions/other.yaml").write_text("experiment: sgd_regression\n" + questions)
    add_question(Project(tmp_path), "other", "binary", "q")
    text = (tmp_path / "predictions/other.yaml").read_text()
    assert expected in text
    assert check(Project(tmp_path)).errors == []


def test_the_example_notebook_is_small_and_lint_clean():
    from kit.init import template

    nb = json.loads(template("project", "notebooks", "sgd_regression.ipynb"))
    tagged = [c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", [])]
    assert len(tagged) == 1
    assert "torch" not in json.dumps(nb)  # runs in the lean core install


@pytest.mark.slow
def test_init_in_an_empty_folder_then_the_whole_loop(tmp_path):
    out = init_and_loop([sys.executable, "-m", "kit"], tmp_path / "study")
    assert "1 runs ok" in out["run all"].stderr
    resolved = out["resolve"].stdout
    assert "loss-below-0.3: True" in resolved and "when-loss-halves: 'first'" in resolved
    assert "6 forecasts scored" in out["score"].stdout
