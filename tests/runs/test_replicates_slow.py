"""A replicated question resolved from five seeded runs of a real notebook.

One replicate fails (a file the notebook checks for), the question waits and names it;
once fixed, `kit run` runs only that replicate again (the other four are cached), and the
question resolves from all five. One seed records NaN: a run that diverged is a result.
"""

from __future__ import annotations

import csv
import io

import pytest

from kit.predictions import check
from kit.predictions.resolutions import load_resolutions
from kit.predictions.seal import seal
from tests.conftest import notebook, write_project
from tests.runs.test_runner import kit

SEEDED = notebook(
    "seed = 0\nlr = 0.1",
    "import math, os\nfrom kit import record\n"
    "if os.path.exists(f'fail_{seed}'):\n    raise RuntimeError(f'seed {seed} broke on purpose')\n"
    "record('acc_big', 0.90 + (0.02 if seed != 2 else -0.05))\n"
    "record('acc_small', 0.89)\n"
    "record('loss', math.nan if seed == 4 else 0.1 * (seed + 1))",
)

STUDY = """\
experiment: seeded
parameters: {lr: 0.1}
replicates: {seed: [0, 1, 2, 3, 4]}
questions:
  - id: big-wins
    text: Does the big model win on at least 4 of 5 seeds?
    type: binary
    resolve: count(acc_big > acc_small) >= 4
    forecasts:
      - {by: ana, at: 2026-01-01T00:00:00Z, p: 0.7}
  - id: diverged
    text: Does any seed diverge?
    type: binary
    resolve: any(isnan(loss))
    forecasts:
      - {by: ana, at: 2026-01-01T00:00:00Z, p: 0.2}
"""


@pytest.mark.slow
def test_five_seeds_one_failing_then_fixed(tmp_path):
    project = write_project(tmp_path, {"study.yaml": STUDY}, notebooks=())
    (tmp_path / "notebooks" / "seeded.ipynb").write_text(SEEDED)
    seal(project)
    (tmp_path / "notebooks" / "fail_3").write_text("")

    first = kit(project, "run", "all", "--workers", "2", timeout=600)
    assert first.returncode == 1, first.stderr
    assert "4 runs ok, 1 not ok, 0 cached" in first.stderr
    assert "RuntimeError: seed 3 broke on purpose" in first.stderr
    assert "runs/seeded/" in first.stderr and "acc_big=0.92" in first.stderr  # printed runs

    waiting = kit(project, "resolve")
    assert waiting.returncode == 0, waiting.stderr
    assert "waiting: big-wins: 4 of 5 replicates have a successful run; missing seed=3: " in (
        waiting.stderr
    )
    assert "RuntimeError: seed 3 broke on purpose" in waiting.stderr
    assert load_resolutions(check(project)) == {}

    (tmp_path / "notebooks" / "fail_3").unlink()
    second = kit(project, "run", "all", timeout=600)
    assert second.returncode == 0, second.stderr
    assert "1 runs ok, 0 not ok, 4 cached" in second.stderr

    done = kit(project, "resolve")
    assert done.returncode == 0, done.stderr
    assert "big-wins: True" in done.stdout and "and 4 more replicate runs" in done.stdout
    stored = load_resolutions(check(project))
    assert stored["big-wins"].outcome is True and stored["diverged"].outcome is True
    assert [r.parameters for r in stored["big-wins"].replicates] == [{"seed": s} for s in range(5)]
    assert stored["big-wins"].read["acc_big"] == pytest.approx([0.92, 0.92, 0.85, 0.92, 0.92])

    listed = list(csv.DictReader(io.StringIO(kit(project, "runs", "--csv", "-r", "loss").stdout)))
    assert sorted(r["status"] for r in listed) == ["failed", "ok", "ok", "ok", "ok", "ok"]
    assert sorted({r["seed"] for r in listed}) == ["0", "1", "2", "3", "4"]
    assert "nan" in {r["loss"] for r in listed}
    status = kit(project, "status")
    assert "5/5 runs; latest seeded:" in status.stdout
