import numpy as np
import pytest

from kit.scoring import calibration


def test_edges_are_not_lost():
    p = np.array([0.15, 0.35, 0.5, 1.0, 0.0, 0.1 + 0.05, 0.7 * 0.5])
    y = np.array([1, 0, 1, 1, 0, 0, 1])
    table = calibration.reliability_table(p, y)
    assert table.count.sum() == p.size
    assert list(np.nonzero(table.count)[0]) == [0, 1, 3, 5, 9]
    assert table.count[1] == 2 and table.count[3] == 2  # 0.15 twice, 0.35 twice
    assert table.mean_forecast[9] == 1.0 and table.observed[9] == 1.0


def test_matches_sklearn_calibration_curve_published_example():
    calibration_curve = pytest.importorskip("sklearn.calibration").calibration_curve
    y = [0, 0, 0, 1, 1, 1]
    p = [0, 0.1, 0.2, 0.8, 0.9, 1]
    table = calibration.reliability_table(p, y, width=50)
    rows = table.rows()
    assert [r["observed"] for r in rows] == [0, 1]
    assert [r["mean_forecast"] for r in rows] == pytest.approx([0.1, 0.9])
    prob_true, prob_pred = calibration_curve(y, p, n_bins=2)
    assert list(prob_true) == [0, 1] and list(prob_pred) == pytest.approx([0.1, 0.9])


def test_wilson_interval_against_statsmodels():
    proportion_confint = pytest.importorskip("statsmodels.stats.proportion").proportion_confint

    k = np.array([0, 1, 7, 10, 33])
    n = np.array([5, 10, 10, 10, 50])
    lo, hi = calibration.wilson_interval(k, n)
    ref_lo, ref_hi = proportion_confint(k, n, alpha=0.1, method="wilson")
    assert np.allclose(lo, ref_lo, atol=1e-12) and np.allclose(hi, ref_hi, atol=1e-12)


def random_data(seed=3, n=5000):
    rng = np.random.default_rng(seed)
    p = np.round(rng.beta(2, 2, n), 2)  # many ties
    y = (rng.uniform(size=n) < p**1.3).astype(float)
    return p, y


def test_corp_decomposition_is_exact():
    p, y = random_data()
    d = calibration.corp(p, y)
    assert abs(d.brier - (d.mcb - d.dsc + d.unc)) < 1e-12
    assert d.mcb >= -1e-15 and d.dsc >= -1e-15
    assert np.all(np.diff(d.recalibrated) >= 0)


def test_corp_does_not_depend_on_the_order_of_ties():
    p, y = random_data(4, 2000)
    a = calibration.corp(p, y)
    rng = np.random.default_rng(5)
    order = rng.permutation(p.size)
    b = calibration.corp(p[order], y[order])
    assert (a.mcb, a.dsc, a.unc) == pytest.approx((b.mcb, b.dsc, b.unc), abs=1e-15)
    assert np.array_equal(a.recalibrated, b.recalibrated)


def test_pav_pools_violators_by_weight():
    # (3, w1) and (1, w3) violate: pooled to (3*1 + 1*3) / 4 = 1.5
    assert list(calibration.pav([0, 3, 1, 4], [1, 1, 3, 1])) == [0, 1.5, 1.5, 4]
    assert list(calibration.pav([2, 1, 0], [1, 1, 1])) == [1, 1, 1]


def test_corp_curve_by_hand():
    d = calibration.corp([0.2, 0.2, 0.4, 0.8, 0.8], [0, 1, 0, 1, 1])
    # pooled ties: 0.2 -> 1/2 (w2), 0.4 -> 0 (w1), 0.8 -> 1 (w2); PAV pools the first two
    assert list(d.points) == [0.2, 0.4, 0.8]
    assert list(d.recalibrated) == pytest.approx([1 / 3, 1 / 3, 1.0])


def test_murphy_decomposition_adds_up_exactly():
    p, y = random_data(7)
    m = calibration.murphy(p, y)
    assert abs(m.brier - (m.rel - m.res + m.unc + m.wbv - 2 * m.wbc)) < 1e-12
    # without the within-bin terms it is only approximate
    assert abs(m.brier - (m.rel - m.res + m.unc)) > 1e-6


def test_ece():
    assert calibration.expected_calibration_error([0.15, 0.15], [1, 0]) == pytest.approx(0.35)
    assert calibration.expected_calibration_error([0.0, 1.0], [0, 1]) == 0.0
