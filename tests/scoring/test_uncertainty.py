"""Uncertainty on scores: bootstrap intervals, pairwise tests, relative skill, calibration
tests, consistency bands, discrimination and surprisal; checked by hand and against
independent implementations (scipy.stats.bootstrap, scikit-learn's AUC)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from kit.scoring import bootstrap, calibration_tests, pairwise, surprise


def test_spiegelhalter_z_by_hand():
    p = [0.2, 0.7, 0.9, 0.4]
    y = [0, 1, 1, 1]
    # numerator: sum (y - p)(1 - 2p) = -0.12 - 0.12 - 0.08 + 0.12 = -0.20
    # variance: sum (1 - 2p)^2 p (1 - p) = 0.0576 + 0.0336 + 0.0576 + 0.0096 = 0.1584
    z = -0.20 / math.sqrt(0.1584)  # -0.50252
    test = calibration_tests.spiegelhalter(p, y)
    assert test.z == pytest.approx(z, abs=1e-12) and test.n == 4
    assert test.p_value == pytest.approx(2 * (1 - 0.5 * (1 + math.erf(abs(z) / math.sqrt(2)))))
    assert test.p_value == pytest.approx(0.61530, abs=1e-5)


def test_spiegelhalter_is_standard_normal_under_calibration_and_rejects_overconfidence():
    rng = np.random.default_rng(3)
    zs = []
    for _ in range(400):
        p = rng.uniform(0.05, 0.95, 300)
        zs.append(calibration_tests.spiegelhalter(p, rng.uniform(size=300) < p).z)
    assert abs(np.mean(zs)) < 0.15 and 0.85 < np.std(zs) < 1.15
    truth = rng.uniform(0.2, 0.8, 2000)
    overconfident = np.clip(0.5 + 2 * (truth - 0.5), 0.01, 0.99)
    test = calibration_tests.spiegelhalter(overconfident, rng.uniform(size=2000) < truth)
    assert test.p_value < 1e-6
    assert math.isnan(calibration_tests.spiegelhalter([0.5, 1.0], [1, 1]).z)


def test_bootstrap_is_reproducible_with_a_seed():
    scores = np.random.default_rng(0).uniform(size=(2, 40))
    one = bootstrap.mean_intervals(scores, rng=bootstrap.rng_for(7, ["q1", "q2"]))
    two = bootstrap.mean_intervals(scores, rng=bootstrap.rng_for(7, ["q1", "q2"]))
    other = bootstrap.mean_intervals(scores, rng=bootstrap.rng_for(8, ["q1", "q2"]))
    assert np.array_equal(one.low, two.low) and np.array_equal(one.high, two.high)
    assert not np.array_equal(one.low, other.low)
    assert one.n == 40 and one.level == 0.9 and one.resamples == 1000
    assert np.all(one.low <= one.mean) and np.all(one.mean <= one.high)


def test_bootstrap_covers_the_true_mean_at_about_the_nominal_rate():
    rng = np.random.default_rng(11)
    sims, n = 600, 60
    p = rng.uniform(size=(sims, n))
    y = rng.uniform(size=(sims, n)) < p
    brier = (p - y) ** 2  # a calibrated forecaster: E[(p - y)^2] = E[p(1 - p)] = 1/6
    got = bootstrap.mean_intervals(brier, level=0.9, rng=np.random.default_rng(0))
    coverage = np.mean((got.low <= 1 / 6) & (got.high >= 1 / 6))
    assert 0.85 <= coverage <= 0.95, coverage  # the percentile interval, n = 60


def test_bootstrap_matches_scipy():
    from scipy.stats import bootstrap as scipy_bootstrap

    scores = np.random.default_rng(5).gamma(2.0, 0.1, size=(3, 200))
    ours = bootstrap.mean_intervals(scores, resamples=4000, rng=np.random.default_rng(1))
    theirs = scipy_bootstrap(
        (scores,),
        np.mean,
        axis=-1,
        vectorized=True,
        method="percentile",
        confidence_level=0.9,
        n_resamples=4000,
        random_state=2,
    ).confidence_interval
    width = theirs.high - theirs.low
    assert np.all(np.abs(ours.low - theirs.low) < 0.1 * width)
    assert np.all(np.abs(ours.high - theirs.high) < 0.1 * width)


def test_bootstrap_edge_cases():
    single = bootstrap.mean_intervals([[0.3]])
    assert single.low[0] == single.high[0] == 0.3
    empty = bootstrap.mean_intervals(np.zeros((2, 0)))
    assert empty.n == 0 and np.isnan(empty.mean).all()
    with pytest.raises(ValueError, match="finite"):
        bootstrap.mean_intervals([[1.0, math.inf]])


def test_pairwise_finds_a_real_difference():
    rng = np.random.default_rng(2)
    truth = rng.choice([0.1, 0.9], 60)  # an informed forecaster against a coin
    y = rng.uniform(size=60) < truth
    sharp = np.clip(truth + rng.normal(0, 0.05, 60), 0.01, 0.99)
    vague = np.full(60, 0.5)
    got = pairwise.compare((sharp - y) ** 2, (vague - y) ** 2)
    assert got.n == 60 and got.difference < 0 and got.high < 0 and got.p_value < 0.01
    assert got.ratio == pytest.approx(np.sum((sharp - y) ** 2) / np.sum((vague - y) ** 2))


def test_pairwise_does_not_find_a_fake_difference():
    rng = np.random.default_rng(4)
    rejections, covered = 0, 0
    for _ in range(200):
        p = rng.uniform(size=(2, 40))
        y = rng.uniform(size=40) < rng.uniform(size=40)
        got = pairwise.compare((p[0] - y) ** 2, (p[1] - y) ** 2, permutations=999, resamples=400)
        rejections += got.p_value < 0.05
        covered += got.low <= 0 <= got.high
    assert 0.01 <= rejections / 200 <= 0.10  # about the nominal 5 %
    assert covered / 200 >= 0.82  # 90 % intervals of a zero difference


def test_exact_permutation_p_value_by_enumeration():
    d = np.array([0.3, -0.1, 0.25, 0.2, 0.05])
    flips = [np.array(s) * d for s in itertools.product([1, -1], repeat=5)]
    expected = np.mean([abs(f.mean()) >= abs(d.mean()) - 1e-12 for f in flips])
    p, exact = pairwise.permutation_p_value(d)
    assert exact and p == pytest.approx(expected)
    _, exact = pairwise.permutation_p_value(np.ones(30), permutations=999)
    assert not exact


def test_relative_skill_is_the_geometric_mean_of_ratios():
    ratios = np.array([[1, 0.5, 0.8], [2.0, 1, np.nan], [1.25, np.nan, 1]])
    theta = pairwise.relative_skill(ratios)
    assert theta[0] == pytest.approx((1 * 0.5 * 0.8) ** (1 / 3))
    assert theta[1] == pytest.approx((1 * 2.0) ** (1 / 2))  # no shared questions with C
    assert theta[2] == pytest.approx(1.25**0.5)


def test_consistency_band_holds_a_calibrated_forecaster_and_not_a_miscalibrated_one():
    rng = np.random.default_rng(9)
    p = np.round(rng.uniform(size=800), 2)
    calibrated = calibration_tests.consistency_band(p, rng.uniform(size=800) < p)
    inside = (calibrated.recalibrated >= calibrated.low - 1e-9) & (
        calibrated.recalibrated <= calibrated.high + 1e-9
    )
    assert inside.mean() > 0.8 and calibrated.n == 800
    skewed = calibration_tests.consistency_band(p, rng.uniform(size=800) < p**3)
    outside = (skewed.recalibrated < skewed.low) | (skewed.recalibrated > skewed.high)
    assert outside.mean() > 0.5
    y = rng.uniform(size=800) < p
    one = calibration_tests.consistency_band(p, y, seed=1)
    assert np.array_equal(one.low, calibration_tests.consistency_band(p, y, seed=1).low)


def test_discrimination_auc_matches_scikit_learn_with_ties():
    roc_auc_score = pytest.importorskip("sklearn.metrics").roc_auc_score
    rng = np.random.default_rng(6)
    p = np.round(rng.uniform(size=300), 1)  # many ties
    y = rng.uniform(size=300) < p
    d = calibration_tests.discrimination(p, y)
    assert d.auc == pytest.approx(roc_auc_score(y, p), abs=1e-12)
    assert d.events.sum() == y.sum() and d.non_events.sum() == (~y).sum()
    assert d.mean_events > d.mean_non_events and d.n == 300


def test_surprisal():
    assert surprise.surprisal([1.0, 0.5, 0.0]).tolist() == [0.0, math.log(2), math.inf]
    assert surprise.tail_surprisal([0.5, 0.25, 0.0]).tolist() == [0.0, math.log(2), math.inf]
