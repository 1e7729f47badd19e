"""Every maze notebook, run by papermill with tiny parameters, records what the shipped
question sets' rules read (each non-manual rule evaluates on the recorded results)."""

from pathlib import Path

import papermill
import pytest

from kit import load_predictions
from kit.predictions.rules import parse_rule
from kit.runs import results

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
TINY = {"n_mazes": 24, "seed": 1, "max_size": 9}


def _run(name: str, out_dir: Path, **parameters) -> dict:
    out = out_dir / f"{name}.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOKS / f"{name}.ipynb"),
        str(out),
        parameters=parameters,
        cwd=str(NOTEBOOKS),
        progress_bar=False,
        shutdown_kernel="immediate",
    )
    return results(out)


@pytest.fixture(scope="module")
def tiny_policy(tmp_path_factory):
    """A policy trained here by the training notebook itself, on tiny parameters."""
    out = tmp_path_factory.mktemp("train")
    policy = out / "policy.pt"
    recorded = _run(
        "maze_train_policy",
        out,
        max_size=5,
        stages=2,
        frames=1280,
        mazes=16,
        eval_mazes=6,
        output=str(policy),
    )
    assert policy.is_file()
    assert len(recorded["training_curve"]) >= 2
    assert 0 <= recorded["solve_rate_largest_sampled"] <= 1
    return policy, out


def _rules_for(experiment: str):
    predictions = load_predictions(ROOT)
    for loaded, question in predictions.questions():
        if (question.experiment or loaded.experiment) == experiment and not question.manual:
            yield question, parse_rule(question.resolve)


@pytest.mark.parametrize(
    "experiment",
    ["maze_generalization", "maze_probe", "maze_cheese_vector", "maze_retarget"],
)
@pytest.mark.slow
def test_notebook_records_what_its_rules_read(tiny_policy, experiment):
    policy, out = tiny_policy
    extra = {"max_steps": 40, **({"solve_steps": 40} if experiment == "maze_retarget" else {})}
    recorded = _run(experiment, out, policy=str(policy), **TINY, **extra)
    rules = list(_rules_for(experiment))
    assert rules, f"no question is resolved by {experiment}"
    for question, rule in rules:
        value = rule.evaluate(recorded)
        if question.type == "binary":
            assert isinstance(value, bool), (question.id, value)
        elif question.type == "numeric":
            assert isinstance(value, int | float), (question.id, value)
        else:
            assert value in question.options, (question.id, value)
