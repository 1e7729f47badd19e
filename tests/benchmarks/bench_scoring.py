"""Benchmark: score 1,000,000 binary forecasts with the kit and with scikit-learn, and
bootstrap intervals against scipy.

(a) Kit: Brier, log score, reliability table with Wilson intervals, CORP decomposition
and Spiegelhalter's z. scikit-learn (a subset): brier_score_loss, log_loss,
calibration_curve. Target ratio <= 1.0.
(b) Bootstrap percentile intervals (1,000 resamples, seeded, 90 %) of the mean Brier and
log scores of 10 forecasters over 10,000 questions: the kit (resampling counts and one
matrix product per batch) against scipy.stats.bootstrap (vectorized=True, percentile
method) on the same data. Target ratio <= 1.0.
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

from kit.scoring import binary, bootstrap, calibration, calibration_tests

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
        calibration_tests.spiegelhalter(p, y)

    def sklearn_set():
        brier_score_loss(y, p)
        log_loss(y, p)
        calibration_curve(y, p, n_bins=10)

    kit_s = best_of(kit_set)
    sk_s = best_of(sklearn_set)
    print(f"forecasts: {N:,}")
    print(f"kit (brier + log + reliability table + CORP + Spiegelhalter z): {kit_s:.3f} s")
    print(f"scikit-learn (brier_score_loss + log_loss + calibration_curve): {sk_s:.3f} s")
    print(f"ratio kit / scikit-learn: {kit_s / sk_s:.2f}")

    bootstrap_benchmark()

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


def bootstrap_benchmark(forecasters: int = 10, questions: int = 10_000) -> None:
    from scipy.stats import bootstrap as scipy_bootstrap

    rng = np.random.default_rng(1)
    truth = rng.uniform(0.05, 0.95, questions)
    y = (rng.uniform(size=questions) < truth).astype(float)
    noise = rng.normal(0, 0.1, (forecasters, questions))
    p = np.clip(truth + noise, 0.01, 0.99)
    brier = binary.brier(p, y)
    log = binary.log_score(p, y)

    def kit_intervals():
        both = np.concatenate([brier, log])  # one paired bootstrap over the same questions
        return bootstrap.mean_intervals(both, resamples=1000, rng=np.random.default_rng(0))

    def scipy_intervals():
        return [
            scipy_bootstrap(
                (scores,),
                np.mean,
                axis=-1,
                vectorized=True,
                method="percentile",
                confidence_level=0.9,
                n_resamples=1000,
                random_state=0,
            ).confidence_interval
            for scores in (brier, log)
        ]

    kit_s = best_of(kit_intervals, repeat=3)
    sp_s = best_of(scipy_intervals, repeat=3)
    ours, theirs = kit_intervals(), scipy_intervals()
    low = np.concatenate([t.low for t in theirs])
    high = np.concatenate([t.high for t in theirs])
    width = high - low
    gap = np.max(np.abs(np.r_[ours.low - low, ours.high - high]) / np.r_[width, width])
    print(f"bootstrap, {forecasters} forecasters x {questions:,} questions, brier + log, 1,000")
    print(f"  kit mean_intervals: {kit_s:.3f} s; scipy.stats.bootstrap: {sp_s:.3f} s")
    print(f"  ratio kit / scipy: {kit_s / sp_s:.2f}; largest bound gap: {gap:.2f} interval widths")


if __name__ == "__main__":
    main()
