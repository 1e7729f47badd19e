"""A project with enough resolved forecasts to draw every chart."""

from __future__ import annotations

import numpy as np
import pytest

from kit.predictions.seal import seal
from tests.conftest import write_project

FORECASTERS = ("ana", "bo", "cy")


def scored_project_files(seed: int = 0, n_binary: int = 40) -> tuple[str, str]:
    """(question-set YAML, outcomes YAML) with binary, categorical and numeric questions."""
    rng = np.random.default_rng(seed)
    lines = ["experiment: exp", "parameters: {n: 3}", "liquidity: 50", "questions:"]
    outcomes = []
    for i in range(n_binary):
        truth = rng.uniform(0.05, 0.95)
        lines += [
            f"  - id: b{i}",
            f"    text: binary {i}",
            "    type: binary",
            "    resolve: x > 0",
            f"    tags: [{'even' if i % 2 == 0 else 'odd'}]",
            "    forecasts:",
        ]
        for k, by in enumerate(FORECASTERS):
            p = float(np.clip(truth + rng.normal(0, 0.1 * (k + 1)), 0.01, 0.99))
            month = 1 + (i % 3)
            lines.append(f"      - {{by: {by}, at: 2026-0{month}-0{k + 1}T00:00:00Z, p: {p:.2f}}}")
        outcomes.append(f"b{i}: {'true' if rng.uniform() < truth else 'false'}")
    for i in range(6):
        lines += [
            f"  - id: c{i}",
            f"    text: categorical {i}",
            "    type: categorical",
            "    options: [lo, mid, hi]",
            "    ordered: true",
            "    resolve: \"'lo'\"",
            "    forecasts:",
        ]
        for k, by in enumerate(FORECASTERS):
            w = rng.dirichlet([2, 2, 2])
            w = np.round(w, 2)
            w[2] = round(1 - w[0] - w[1], 2)
            lines.append(
                f"      - {{by: {by}, at: 2026-01-1{k}T00:00:00Z, "
                f"probs: {{lo: {w[0]:.2f}, mid: {w[1]:.2f}, hi: {w[2]:.2f}}}}}"
            )
        outcome = ["lo", "mid", "hi"][int(rng.integers(3))]
        outcomes.append(f"c{i}: {'annulled' if i == 5 else outcome}")
    for i in range(8):
        lines += [
            f"  - id: n{i}",
            f"    text: numeric {i}",
            "    type: numeric",
            "    resolve: x",
            "    forecasts:",
        ]
        for k, by in enumerate(FORECASTERS):
            mid = rng.normal(0, 1)
            lines.append(
                f"      - {{by: {by}, at: 2026-02-0{k + 1}T00:00:00Z, quantiles: "
                f"{{0.05: {mid - 1.6:.2f}, 0.25: {mid - 0.7:.2f}, 0.5: {mid:.2f}, "
                f"0.75: {mid + 0.7:.2f}, 0.95: {mid + 1.6:.2f}}}}}"
            )
        outcomes.append(f"n{i}: {rng.normal(0, 1.2):.3f}")
    return "\n".join(lines) + "\n", "\n".join(outcomes) + "\n"


@pytest.fixture
def scored_project(tmp_path):
    questions, outcomes = scored_project_files()
    project = write_project(tmp_path, {"set.yaml": questions})
    (tmp_path / "outcomes.yaml").write_text(outcomes)
    seal(project)
    return project
