import numpy as np
import properscoring
import pytest
from scipy.stats import norm

from kit.scoring import numeric


def test_pinball_and_wis_worked_example():
    levels, values = [0.1, 0.5, 0.9], [1, 2, 4]
    assert numeric.pinball(levels, values, 5) == pytest.approx([0.4, 1.5, 0.9], abs=1e-12)
    assert numeric.weighted_interval_score(levels, values, 5) == pytest.approx(1.8667, abs=5e-5)


def test_wis_equals_interval_score_form():
    levels, values, y = [0.05, 0.25, 0.5, 0.75, 0.95], [1, 3, 4, 6, 9], 8.5
    m = 4
    is50 = numeric.interval_score(3, 6, 0.5, y)
    is10 = numeric.interval_score(1, 9, 0.1, y)
    expected = (0.5 * abs(y - m) + 0.25 * is50 + 0.05 * is10) / 2.5
    assert numeric.weighted_interval_score(levels, values, y) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    ("y", "ensemble", "expected"),
    [
        (0, [0, 1], 0.25),
        (2, [0, 1], 1.25),
        (0, [0, 0, 1], 1 / 9),
        (1, [0, 0, 1], 4 / 9),
        (0, [-1, 0, 0, 1], 1 / 8),
    ],
)
def test_crps_of_midpoint_levels_is_the_ensemble_crps(y, ensemble, expected):
    k = len(ensemble)
    levels = (np.arange(k) + 0.5) / k
    assert numeric.crps(levels, ensemble, y) == pytest.approx(expected, abs=1e-12)
    assert properscoring.crps_ensemble(y, ensemble) == pytest.approx(expected, abs=1e-12)


def test_crps_matches_properscoring_on_random_ensembles():
    rng = np.random.default_rng(2)
    for _ in range(200):
        ens = np.sort(rng.normal(size=rng.integers(2, 30)))
        y = rng.normal()
        levels = (np.arange(ens.size) + 0.5) / ens.size
        assert numeric.crps(levels, ens, y) == pytest.approx(
            properscoring.crps_ensemble(y, ens), abs=1e-12
        )


def test_crps_from_many_normal_quantiles_approaches_closed_form():
    assert numeric.crps_normal(0, 0.1, 0.4) == pytest.approx(0.10339992515976162, abs=1e-15)
    levels = (np.arange(2000) + 0.5) / 2000
    values = norm.ppf(levels, loc=0.1, scale=0.4)
    assert numeric.crps(levels, values, 0) == pytest.approx(0.10339992515976162, abs=1e-4)


def test_coverage_and_pit():
    levels, values = [0.05, 0.25, 0.5, 0.75, 0.95], [0, 2, 4, 6, 8]
    assert numeric.coverage(levels, values, 5, 0.5) is True
    assert numeric.coverage(levels, values, 7, 0.5) is False
    assert numeric.coverage(levels, values, 7, 0.9) is True
    assert numeric.coverage([0.25, 0.75], [1, 2], 1.5, 0.9) is None  # levels do not reach
    assert numeric.pit(levels, values, 4) == 0.5
    assert numeric.pit(levels, values, 3) == pytest.approx(0.375)
    assert numeric.pit(levels, values, -1) == pytest.approx(0.025)
    assert numeric.pit(levels, values, 99) == pytest.approx(0.975)
    assert numeric.pit([0.1, 0.5, 0.9], [1, 1, 2], 1) == pytest.approx(0.3)


def test_bad_quantiles_are_refused():
    with pytest.raises(ValueError, match="must not decrease"):
        numeric.crps([0.1, 0.9], [2, 1], 0)
    with pytest.raises(ValueError, match="levels must increase"):
        numeric.crps([0.5, 0.5], [1, 2], 0)
