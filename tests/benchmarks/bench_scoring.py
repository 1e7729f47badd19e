"""Benchmark: score 1,000,000 binary forecasts with the kit and with scikit-learn.

Kit: Brier, log score, reliability table with Wilson intervals, CORP decomposition.
scikit-learn (a subset): brier_score_loss, log_loss, calibration_curve.
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


if __name__ == "__main__":
    main()
