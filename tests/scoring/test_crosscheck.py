"""The kit's scores against scoringrules and properscoring, function by function.

Where a kit function calls scoringrules, these check the adaptation (argument order, 0-based
outcomes, orientation, normalisation); where the kit keeps its own numpy, they check it
computes the same quantity as scoringrules, or hold the figures that show why it differs.
scoringrules takes obs first, fct second; its categories are numbered from 1.
"""

import subprocess
import sys

import numpy as np
import properscoring
import pytest
import scoringrules as sr
from scipy.stats import norm

from kit.scoring import binary, calibration, categorical, numeric

RNG_SEED = 11


def binary_data(n=10_000, seed=RNG_SEED):
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.001, 0.999, n)
    y = (rng.uniform(size=n) < p).astype(float)
    return p, y


def categorical_data(n=2000, k=5, seed=RNG_SEED):
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.ones(k), size=n)
    idx = np.array([rng.choice(k, p=row) for row in p])
    return p, idx


# --- binary ---------------------------------------------------------------------------


def test_binary_brier_is_scoringrules_and_properscoring_brier():
    p, y = binary_data()
    assert np.array_equal(binary.brier(p, y), sr.brier_score(y, p, backend="numpy"))
    assert np.allclose(binary.brier(p, y), properscoring.brier_score(y, p), atol=1e-15)
    # scoringrules' own examples
    assert binary.brier(0.2, 1) == pytest.approx(sr.brier_score(1, 0.2), abs=1e-15)
    assert binary.brier(0.271, 0) == pytest.approx(sr.brier_score(0, 0.271), abs=1e-15)


def test_binary_log_score_is_scoringrules_log_score_where_it_is_precise():
    p, y = binary_data()
    ours = binary.log_score(p, y)
    theirs = sr.log_score(y, p, backend="numpy")
    assert np.allclose(ours, theirs, rtol=1e-12, atol=0)
    assert binary.log_score(0.481, 0) == pytest.approx(sr.log_score(0, 0.481), abs=1e-15)
    # both report a certain wrong forecast as +inf
    with np.errstate(divide="ignore"):
        assert sr.log_score(0, 1.0, backend="numpy") == np.inf == binary.log_score(1.0, 0)


def test_why_the_kit_keeps_its_own_log_score():
    """scoringrules' −ln|p + y − 1| rounds p + 1: tiny probabilities of the outcome lose
    their digits, and below 1.1e-16 score +inf (binary.log_score's docstring)."""
    assert binary.log_score(1e-20, 1) == pytest.approx(-np.log(1e-20), rel=1e-15)
    assert binary.log_score(1e-10, 1) == pytest.approx(-np.log(1e-10), rel=1e-15)
    with np.errstate(divide="ignore"):
        assert sr.log_score(1, 1e-20, backend="numpy") == np.inf
    assert abs(sr.log_score(1, 1e-10, backend="numpy") - -np.log(1e-10)) > 1e-8


# --- categorical ----------------------------------------------------------------------


def test_rps_is_scoringrules_rps_with_0_based_outcomes_not_normalised():
    p, idx = categorical_data()
    ours = categorical.ranked_probability_score(p, idx)
    assert np.array_equal(ours, sr.rps_score(idx + 1, p, backend="numpy"))
    o = np.eye(p.shape[1])[idx]
    by_hand = ((np.cumsum(p, axis=1) - np.cumsum(o, axis=1)) ** 2).sum(axis=1)
    assert np.allclose(ours, by_hand, atol=1e-15)
    # scoringrules' example: category 3 (1-based) of [.1, .2, .3, .4] -> 0.26
    assert categorical.ranked_probability_score([0.1, 0.2, 0.3, 0.4], 2)[0] == pytest.approx(
        0.26, abs=1e-12
    )
    # not divided by K - 1: all mass on the first of three, outcome the last -> 2
    assert categorical.ranked_probability_score([1, 0, 0], 2)[0] == 2.0


def test_rls_is_scoringrules_rls():
    p, idx = categorical_data()
    ours = categorical.ranked_log_score(p, idx)
    assert np.allclose(ours, sr.rls_score(idx + 1, p, backend="numpy"), rtol=1e-14, atol=0)
    o = np.eye(p.shape[1])[idx]
    by_hand = -np.log(np.abs(np.cumsum(p, axis=1) + np.cumsum(o, axis=1) - 1)).sum(axis=1)
    assert np.allclose(ours, by_hand, rtol=1e-14, atol=0)


def test_rls_of_mass_wholly_on_one_side_is_infinite_not_clipped():
    scores = categorical.ranked_log_score([[1, 0, 0], [0, 0, 1], [0, 1, 0]], [2, 0, 1])
    assert list(scores) == [np.inf, np.inf, 0.0]


@pytest.mark.parametrize("fn", [categorical.ranked_probability_score, categorical.ranked_log_score])
def test_scoringrules_backed_categorical_scores_broadcast_and_validate(fn):
    p, idx = categorical_data(20, 4)
    rows = fn(p, idx)
    assert rows.shape == (20,)
    assert [fn(p[i], idx[i])[0] for i in range(20)] == pytest.approx(list(rows), abs=1e-15)
    # one forecast, several outcomes; several forecasts, one outcome
    assert list(fn(p[0], [0, 1, 2, 3])) == pytest.approx([fn(p[0], j)[0] for j in range(4)])
    assert list(fn(p, 3)) == pytest.approx([fn(row, 3)[0] for row in p])
    with pytest.raises(ValueError, match="outcome index"):
        fn([0.5, 0.5], 2)
    with pytest.raises(ValueError, match="outcome index"):
        fn([0.5, 0.5], -1)
    with pytest.raises(ValueError):
        fn([1.2, -0.2], 0)
    with pytest.raises(ValueError):
        fn([np.nan, 1.0], 0)


def test_multiclass_brier_is_the_sum_of_scoringrules_binary_briers():
    p, idx = categorical_data()
    o = np.eye(p.shape[1])[idx]
    assert np.allclose(
        categorical.brier(p, idx), sr.brier_score(o, p, backend="numpy").sum(axis=1), atol=1e-15
    )


def test_two_option_log_score_is_scoringrules_binary_log_score():
    p, y = binary_data(2000)
    two = np.column_stack([1 - p, p])
    assert np.allclose(
        categorical.log_score(two, y.astype(int)), sr.log_score(y, p), rtol=1e-12, atol=0
    )


# --- numeric --------------------------------------------------------------------------


def random_quantiles(rng):
    k = int(rng.integers(1, 12))
    levels = np.sort(rng.choice(np.arange(1, 100), size=k, replace=False)) / 100
    values = np.sort(rng.normal(size=k))
    return levels, values, float(rng.normal())


def test_pinball_is_scoringrules_quantile_score():
    rng = np.random.default_rng(RNG_SEED)
    for _ in range(200):
        t, q, y = random_quantiles(rng)
        by_hand = (np.where(y < q, 1.0, 0.0) - t) * (q - y)
        assert np.array_equal(numeric.pinball(t, q, y), by_hand)
    # scoringrules' example: quantile_score(obs=0.3, fct=0.5, alpha=0.2) = 0.16
    assert numeric.pinball([0.2], [0.5], 0.3)[0] == pytest.approx(0.16, abs=1e-15)
    assert numeric.pinball([0.5], [1.0], 1.0)[0] == 0.0


def test_interval_score_is_scoringrules_interval_score():
    # scoringrules' examples
    assert numeric.interval_score(0.0, 0.4, 0.5, 0.1) == pytest.approx(0.4, abs=1e-15)
    for y, lo, hi, expected in [(0.1, 0.0, 0.4, 0.4), (0.2, 0.1, 0.3, 0.2), (0.3, 0.2, 0.5, 0.3)]:
        assert numeric.interval_score(lo, hi, 0.5, y) == pytest.approx(expected, abs=1e-15)
    rng = np.random.default_rng(RNG_SEED)
    for _ in range(200):
        lo, hi = np.sort(rng.normal(size=2))
        alpha, y = float(rng.uniform(0.01, 0.99)), float(rng.normal())
        by_hand = (hi - lo) + 2 / alpha * max(lo - y, 0.0) + 2 / alpha * max(y - hi, 0.0)
        assert numeric.interval_score(lo, hi, alpha, y) == pytest.approx(by_hand, rel=1e-14)
    # an infinite end: the width, +inf (scoringrules alone would give NaN)
    assert numeric.interval_score(-np.inf, 1.0, 0.1, 3.0) == np.inf
    assert numeric.interval_score(0.0, np.inf, 0.1, -3.0) == np.inf
    with pytest.raises(ValueError):
        numeric.interval_score(2.0, 1.0, 0.1, 0.0)
    with pytest.raises(ValueError):
        numeric.interval_score(0.0, 1.0, 1.0, 0.0)


def test_wis_is_scoringrules_crps_quantile_and_the_bracher_form():
    rng = np.random.default_rng(RNG_SEED)
    for _ in range(200):
        t, q, y = random_quantiles(rng)
        assert numeric.weighted_interval_score(t, q, y) == pytest.approx(
            sr.crps_quantile(y, q, t, backend="numpy"), rel=1e-12, abs=1e-15
        )
    # the Bracher et al. form, with scoringrules' interval score
    alphas = np.array([0.02, 0.1, 0.2, 0.5])
    levels = np.concatenate([alphas / 2, [0.5], (1 - alphas / 2)[::-1]])
    for _ in range(100):
        values = np.sort(rng.normal(size=levels.size))
        y = float(rng.normal())
        k = alphas.size
        lower, upper, median = values[:k], values[k + 1 :][::-1], values[k]
        is_k = sr.interval_score(y, lower, upper, alphas, backend="numpy")
        bracher = (0.5 * abs(y - median) + np.sum(alphas / 2 * is_k)) / (k + 0.5)
        assert numeric.weighted_interval_score(levels, values, y) == pytest.approx(
            bracher, rel=1e-12
        )


def test_crps_of_midpoint_levels_is_scoringrules_crps_quantile_and_ensemble():
    rng = np.random.default_rng(RNG_SEED)
    for _ in range(200):
        ens = np.sort(rng.normal(size=rng.integers(1, 30)))
        y = float(rng.normal())
        levels = (np.arange(ens.size) + 0.5) / ens.size
        ours = numeric.crps(levels, ens, y)
        assert ours == pytest.approx(sr.crps_quantile(y, ens, levels, backend="numpy"), abs=1e-12)
        assert ours == pytest.approx(sr.crps_ensemble(y, ens, backend="numpy"), abs=1e-12)
        assert ours == pytest.approx(properscoring.crps_ensemble(y, ens), abs=1e-12)


def test_why_the_kit_keeps_its_own_quantile_crps():
    """Other levels: scoringrules' crps_quantile is the WIS, the kit's the step-function CRPS
    (numeric.crps's docstring holds these figures)."""
    levels = np.array([0.1, 0.5, 0.9])
    values = norm.ppf(levels)
    true = numeric.crps_normal(0, 0, 1)
    assert true == pytest.approx(0.2337, abs=5e-5)
    assert numeric.crps(levels, values, 0) == pytest.approx(0.2307, abs=5e-5)
    theirs = sr.crps_quantile(0, values, levels, backend="numpy")
    assert theirs == pytest.approx(0.1709, abs=5e-5)
    assert theirs == pytest.approx(numeric.weighted_interval_score(levels, values, 0), abs=1e-15)
    # the step-function CRPS by quadrature over tau, for the worked example's cells
    tau = (np.arange(200_000) + 0.5) / 200_000
    step = np.select([tau < 0.3, tau < 0.7], [1.0, 2.0], 4.0)  # levels .1 .5 .9, values 1 2 4
    for y in (0.5, 1.5, 3.0, 5.0):
        quad = 2 * np.mean((np.where(y < step, 1.0, 0.0) - tau) * (step - y))
        assert numeric.crps([0.1, 0.5, 0.9], [1, 2, 4], y) == pytest.approx(quad, abs=1e-9)
    assert numeric.crps([0.1, 0.5, 0.9], [1, 2, 4], 5) == pytest.approx(2.07, abs=1e-12)


def test_crps_normal_against_scoringrules_and_properscoring():
    assert numeric.crps_normal(0, 0.1, 0.4) == pytest.approx(0.10339992515976162, abs=1e-15)
    rng = np.random.default_rng(RNG_SEED)
    for _ in range(100):
        y, mu, sigma = rng.normal(), rng.normal(), rng.uniform(0.1, 3)
        ours = numeric.crps_normal(y, mu, sigma)
        assert isinstance(ours, float)
        assert ours == pytest.approx(properscoring.crps_gaussian(y, mu, sigma), rel=1e-12)


# --- calibration ----------------------------------------------------------------------


def test_wilson_interval_against_scipy():
    binomtest = pytest.importorskip("scipy.stats").binomtest
    k = np.array([0, 1, 7, 10, 33, 0])
    n = np.array([5, 10, 10, 10, 50, 1])
    lo, hi = calibration.wilson_interval(k, n)
    for i in range(k.size):
        ci = binomtest(int(k[i]), int(n[i])).proportion_ci(confidence_level=0.9, method="wilson")
        assert (lo[i], hi[i]) == pytest.approx((ci.low, ci.high), abs=1e-12)


def test_scipy_pav_is_bit_identical_to_sklearn_with_ties():
    isotonic = pytest.importorskip("sklearn.isotonic")
    rng = np.random.default_rng(RNG_SEED)
    for _ in range(500):
        n = int(rng.integers(1, 80))
        values = np.round(rng.uniform(size=n), 1)  # many tied values
        weights = rng.integers(1, 6, size=n).astype(float)
        ours = calibration.pav(values, weights)
        theirs = isotonic.isotonic_regression(values, sample_weight=weights)
        assert np.array_equal(ours, theirs)
    # and the CORP points of tied forecasts, as corp feeds them to PAV
    p = np.round(rng.beta(2, 2, 5000), 2)
    y = (rng.uniform(size=p.size) < p**1.3).astype(float)
    _, inverse, counts = np.unique(p, return_inverse=True, return_counts=True)
    rate = np.bincount(inverse, weights=y) / counts
    assert np.array_equal(
        calibration.pav(rate, counts), isotonic.isotonic_regression(rate, sample_weight=counts)
    )


def test_corp_needs_no_scikit_learn(monkeypatch):
    for name in [m for m in sys.modules if m == "sklearn" or m.startswith("sklearn.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "sklearn", None)  # any import of it now fails
    d = calibration.corp([0.2, 0.2, 0.4, 0.8, 0.8], [0, 1, 0, 1, 1])
    assert list(d.recalibrated) == pytest.approx([1 / 3, 1 / 3, 1.0])


def test_corp_matches_scoringrules_corp_without_ties_and_pools_ties_where_it_does_not():
    rel = pytest.importorskip("scoringrules.visualization.reliability")
    p, y = binary_data(5000)  # distinct forecast values
    d = calibration.corp(p, y)
    x, yy, cep = rel.corp_reliability(y, p)
    sc, sx, sr_unc = rel.corp_score_decomposition(x, yy, cep)
    assert (d.mcb, d.dsc, d.unc) == pytest.approx((sx - sc, sr_unc - sc, sr_unc), abs=1e-12)
    assert np.allclose(d.recalibrated, cep, atol=1e-12)
    # two tied forecasts: scoringrules fits them in the order given, the kit pools them
    fct, obs = np.array([0.5, 0.5]), np.array([0.0, 1.0])

    def mcb_sr(o):
        sc, sx, _ = rel.corp_score_decomposition(*rel.corp_reliability(o, fct))
        return sx - sc

    assert (mcb_sr(obs), mcb_sr(obs[::-1])) == (0.25, 0.0)
    assert calibration.corp(fct, obs).mcb == calibration.corp(fct, obs[::-1]).mcb == 0.0


# --- imports --------------------------------------------------------------------------


def test_importing_the_scorer_loads_neither_scoringrules_nor_scipy_nor_sklearn():
    code = (
        "import sys\n"
        "import kit.scoring.binary, kit.scoring.categorical, kit.scoring.numeric\n"
        "import kit.scoring.calibration, kit.scoring.market\n"
        "print(sorted(m for m in ('scoringrules', 'scipy', 'sklearn', 'numba') "
        "if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
