"""Questions over replicates: planning one run per replicate, `kit check`, resolution.

The runs here are written records (no kernels); tests/runs/test_replicates_slow.py runs
a real notebook over five seeds.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from kit.predictions import check
from kit.predictions.resolutions import load_resolutions
from kit.predictions.seal import seal
from kit.runs import store
from kit.runs.plan import targets
from kit.runs.resolve import resolve_all
from kit.workspace import Workspace
from tests.conftest import notebook, write_project
from tests.runs.conftest import written_run

SEEDS = notebook("seed = 0\nlr = 0.1\nthreshold = 0.5")

STUDY = """\
experiment: exp
parameters: {lr: 0.1}
replicates: {seed: [0, 1, 2, 3, 4]}
questions:
  - id: big-wins
    text: Does the big model beat the small one on at least 4 of 5 seeds?
    type: binary
    resolve: count(acc_big > acc_small) >= 4
    forecasts:
      - {by: ana, at: 2026-01-01T00:00:00Z, p: 0.6}
  - id: mean-rate
    text: Mean rate over seeds?
    type: numeric
    resolve: mean(rate) * params_lr * 10
    forecasts:
      - {by: ana, at: 2026-01-01T00:00:00Z, quantiles: {0.1: 0.2, 0.5: 0.5, 0.9: 0.8}}
  - id: seed-zero
    text: On seed 0 alone?
    type: binary
    replicates: {}
    resolve: acc_big > acc_small
"""


@pytest.fixture
def study(tmp_path):
    project = write_project(tmp_path, {"study.yaml": STUDY}, notebooks=())
    (tmp_path / "notebooks" / "exp.ipynb").write_text(SEEDS)
    seal(project)
    return project


def _seed_runs(project, seeds=(0, 1, 2, 3, 4), start=None, big=None):
    start = start or store.utcnow()
    big = big or {0: 0.91, 1: 0.92, 2: 0.90, 3: 0.93, 4: 0.85}
    return [
        written_run(
            project,
            {"acc_big": big[s], "acc_small": 0.88, "rate": 0.5 + s / 10},
            {"lr": 0.1, "seed": s},
            started=start + timedelta(seconds=s),
        )
        for s in seeds
    ]


def test_one_target_per_replicate(study):
    found = {tuple(sorted(t.parameters.items())): t.questions for t in targets(check(study))}
    assert len(found) == 6  # five seeds, and the set's own parameters for seed-zero
    assert found[(("lr", 0.1), ("seed", 3))] == ["big-wins", "mean-rate"]
    assert found[(("lr", 0.1),)] == ["seed-zero"]


def test_resolved_from_every_replicate_and_recorded(study):
    runs = _seed_runs(study)
    written_run(study, {"acc_big": 0.5, "acc_small": 0.6}, {"lr": 0.1})
    report = resolve_all(check(study))
    assert report.problems == [] and report.incomplete == []
    res = report.resolved
    assert res["big-wins"].outcome is True and res["seed-zero"].outcome is False
    assert res["mean-rate"].outcome == pytest.approx(0.7)
    stored = load_resolutions(check(study))["big-wins"]
    assert stored.read["acc_big"] == [0.91, 0.92, 0.90, 0.93, 0.85]
    assert [r.parameters for r in stored.replicates] == [{"seed": s} for s in range(5)]
    assert [r.run for r in stored.replicates] == [f"exp/{r.id}" for r in runs]
    assert stored.replicates[4].read == {"acc_big": 0.85, "acc_small": 0.88}
    assert stored.run == f"exp/{runs[0].id}"  # the first replicate run is the evidence
    assert stored.evidence_at == store.parse_iso(runs[0].started)
    assert load_resolutions(check(study))["mean-rate"].read["params_lr"] == 0.1
    assert stored.replicates is not None and stored.read is not None


def test_a_question_resolves_only_when_all_replicates_ran(study):
    _seed_runs(study, seeds=(0, 1, 2, 4))
    written_run(study, {}, {"lr": 0.1, "seed": 3}, status="failed")
    report = resolve_all(check(study))
    assert "big-wins" not in report.resolved
    (line, *_) = [x for x in report.incomplete if x.startswith("big-wins")]
    assert "4 of 5 replicates have a successful run; missing seed=3: run exp/" in line
    assert " failed" in line
    assert report.pending == ["seed-zero"]


def test_nothing_ran_yet_is_pending(study):
    report = resolve_all(check(study))
    assert sorted(report.pending) == ["big-wins", "mean-rate", "seed-zero"]


def test_a_result_missing_in_one_replicate_is_named(study):
    runs = _seed_runs(study, seeds=(0, 1, 2, 3))
    written_run(study, {"acc_big": 0.9}, {"lr": 0.1, "seed": 4}, started=runs[-1].ended and None)
    report = resolve_all(check(study))
    (problem,) = [p for p in report.problems if "big-wins" in p]
    assert "result 'acc_small' was not recorded by the run of replicate seed=4" in problem
    assert problem.startswith("predictions/study.yaml:")


def test_unresolved_replicated_question_has_its_first_replicate_run_as_evidence(study):
    runs = _seed_runs(study, seeds=(2, 3))
    ws = Workspace.load(study)
    assert ws.evidence("big-wins").run == f"exp/{runs[0].id}"
    plan = ws.plan_runs(ws.predictions.sets[0])
    assert len(plan) == 6 and sum(r is not None for _, _, r in plan) == 2


STATIC = """\
experiment: exp
replicates: {seed: [0, 1]}
questions:
  - {id: a, text: t, type: binary, resolve: acc > 0.5}
  - {id: b, text: t, type: binary, resolve: "mean(acc) > 0.5 and acc > 0"}
  - {id: c, text: t, type: binary, resolve: "sorted(acc) == 1"}
  - {id: d, text: t, type: binary, resolve: "mean(acc) > params_threshold"}
  - {id: e, text: t, type: numeric, resolve: "mean(acc) * params_seed"}
  - {id: f, text: t, type: binary, resolve: "count(acc > 0.5) >= 1", replicates: {lr: [1, 2]}}
  - {id: g, text: t, type: binary, resolve: acc > 0.5, replicates: {}}
"""


def test_kit_check_refuses_vector_misuse_and_unknown_functions(make_project):
    project = make_project({"s.yaml": STATIC})
    problems = [str(p) for p in check(project).problems if p.severity == "error"]
    assert problems == [
        "predictions/s.yaml:4:45: questions[0].resolve: the rule gives a vector (one value per "
        "replicate), not one value: reduce it with all(), any(), count(), mean(), median(), "
        "min() or max()",
        "predictions/s.yaml:5:65: questions[1].resolve: 'and' needs one value, but acc > 0 is "
        "a vector (one value per replicate): reduce it with all(), any(), count(), mean(), "
        "min() or max()",
        "predictions/s.yaml:6:45: questions[2].resolve: no function 'sorted' in rules; the "
        "functions are: mean, median, sum, count, all, any, len, min, max, abs, isnan, isinf",
        "predictions/s.yaml:7:45: questions[3].resolve: params_threshold: the set passes no "
        "parameter 'threshold' to its runs (parameters and replicates: seed)",
        "predictions/s.yaml:8:46: questions[4].resolve: the rule gives a vector (one value per "
        "replicate), not one value: reduce it with all(), any(), count(), mean(), median(), "
        "min() or max()",
    ]


@pytest.mark.parametrize(
    ("replicates", "message"),
    [
        ("{seed: []}", "seed needs at least one value"),
        ("{seed: [1, 1]}", "seed lists a value twice"),
        ("{class: [1]}", "'class' is not a parameter name"),
        ("{seed: [[1]]}", "is not a plain value"),
        (
            "{a: ["
            + ", ".join(map(str, range(40)))
            + "], b: ["
            + ", ".join(map(str, range(30)))
            + "]}",
            "1200 combinations; the limit is 1000",
        ),
    ],
)
def test_bad_replicates_are_located(make_project, replicates, message):
    text = f"experiment: exp\nreplicates: {replicates}\nquestions: []\n"
    problems = [str(p) for p in check(make_project({"s.yaml": text})).problems]
    assert len(problems) == 1 and problems[0].startswith("predictions/s.yaml:2:")
    assert message in problems[0]


HOSTILE = """\
experiment: exp
parameters: {n: 3}
questions:
  - {id: power, text: t, type: binary, resolve: "((((10**64)**64)**64)**64)**64 > 0"}
  - {id: huge, text: t, type: numeric, resolve: (10**64)**64}
  - {id: big-result, text: t, type: numeric, resolve: big * 0.5}
  - {id: fine, text: t, type: numeric, resolve: x * 2}
  - {id: diverged, text: t, type: binary, resolve: isnan(loss) or isinf(peak)}
"""


def test_a_hostile_rule_fails_alone_and_the_others_are_written(make_project):
    import time

    project = make_project({"h.yaml": HOSTILE})
    written_run(project, {"x": 2, "big": 10**400, "loss": float("nan"), "peak": 1.0}, {"n": 3})
    start = time.perf_counter()
    report = resolve_all(check(project))
    assert time.perf_counter() - start < 5
    assert sorted(report.resolved) == ["diverged", "fine"]
    assert report.resolved["diverged"].outcome is True
    problems = sorted(report.problems)
    assert [p.split(": ")[1] for p in problems] == ["power", "huge", "big-result"]
    assert problems[0].startswith("predictions/h.yaml:4:52: power: an intermediate value")
    assert problems[2].startswith("predictions/h.yaml:6:55: big-result: result 'big' is")
    assert all("too large for a float" in p for p in problems)
    stored = load_resolutions(check(project))
    assert sorted(stored) == ["diverged", "fine"]
    import math

    assert math.isnan(stored["diverged"].read["loss"])  # NaN kept in _resolutions.yaml
