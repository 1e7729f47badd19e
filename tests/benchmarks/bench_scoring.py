"""Benchmark: score 1,000,000 binary forecasts with the kit and with scikit-learn.

Kit: Brier, log score, reliability table with Wilson intervals, CORP decomposition.
scikit-learn (a subset): brier_score_loss, log_loss, calibration_curve.
Also, for the two scores scoringrules has (the same quantities): the kit's Brier and log
score against scoringrules' brier_score and log_score, which is why the kit keeps numpy
for them (see kit.scoring.binary).
Run: .venv/bin/python tests/benchmarks/bench_scoring.py  (best of 5 each; same data)
"""

from __future__ import annotations

import time

import numpy as np
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss, log_loss

from kit.scoring import binary, calibration

N = 1_000_000


def best_of(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    rng = np.random.default_rng(0)
    p = rng.uniform(0.001, 0.999, N)  # a million distinct values: the hard case for CORP
    y = (rng.uniform(size=N) < p).astype(float)

    def kit_set():
        binary.brier(p, y).mean()
        binary.log_score(p, y).mean()
        calibration.reliability_table(p, y)
        calibration.corp(p, y)

    def sklearn_set():
        brier_score_loss(y, p)
        log_loss(y, p)
        calibration_curve(y, p, n_bins=10)

    kit_s = best_of(kit_set)
    sk_s = best_of(sklearn_set)
    print(f"forecasts: {N:,}")
    print(f"kit (brier + log + reliability table with intervals + CORP): {kit_s:.3f} s")
    print(f"scikit-learn (brier_score_loss + log_loss + calibration_curve): {sk_s:.3f} s")
    print(f"ratio kit / scikit-learn: {kit_s / sk_s:.2f}")

    try:
        import scoringrules as sr
    except ImportError:
        return

    def kit_scores():
        binary.brier(p, y).mean()
        binary.log_score(p, y).mean()

    def sr_scores():
        sr.brier_score(y, p, backend="numpy").mean()
        sr.log_score(y, p, backend="numpy").mean()

    kit_s = best_of(kit_scores)
    with np.errstate(divide="ignore"):
        sr_s = best_of(sr_scores)
    print(f"kit brier + log: {kit_s:.3f} s; scoringrules brier_score + log_score: {sr_s:.3f} s")
    print(f"ratio kit / scoringrules: {kit_s / sr_s:.2f}")


if __name__ == "__main__":
    main()
