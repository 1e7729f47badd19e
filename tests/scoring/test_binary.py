import numpy as np
import pytest

from kit.scoring import binary


def test_published_values():
    # scoringutils
    assert binary.brier([0.1, 0.9, 0.8, 0.2], [0, 1, 1, 0]) == pytest.approx(
        [0.01, 0.01, 0.04, 0.04], abs=1e-12
    )
    # scoringrules
    assert binary.brier(0.271, 0) == pytest.approx(0.073441, abs=1e-12)
    assert binary.log_score(0.481, 0) == pytest.approx(0.6558514, abs=1e-7)
    # Metaculus
    assert binary.baseline_score(0.9, 1) == pytest.approx(84.79969066, abs=1e-8)
    assert binary.baseline_score(0.1, 1) == pytest.approx(-232.19280949, abs=1e-8)
    assert binary.baseline_score(2**-0.5, 1) == pytest.approx(50.0, abs=1e-12)


def test_agrees_with_sklearn_on_random_data():
    metrics = pytest.importorskip("sklearn.metrics")
    brier_score_loss, log_loss = metrics.brier_score_loss, metrics.log_loss
    rng = np.random.default_rng(0)
    p = rng.uniform(0.001, 0.999, 10_000)
    y = (rng.uniform(size=p.size) < p).astype(int)
    assert abs(binary.brier(p, y).mean() - brier_score_loss(y, p)) < 1e-12
    assert abs(binary.log_score(p, y).mean() - log_loss(y, p)) < 1e-12


def test_certain_wrong_forecast_is_infinite_and_flagged_not_clipped():
    scores = binary.log_score([1.0, 0.0, 1.0], [0, 1, 1])
    assert list(scores[:2]) == [np.inf, np.inf] and scores[2] == 0.0
    assert list(binary.infinite(scores)) == [True, True, False]
    assert binary.baseline_score(0.0, 1) == -np.inf


def test_spherical_is_proper_and_bounded():
    assert binary.spherical(1.0, 1) == 1.0 and binary.spherical(0.5, 1) == pytest.approx(
        0.5 / np.sqrt(0.5)
    )
    # propriety: expected score under truth q is maximised by reporting q
    q = 0.3
    grid = np.linspace(0.01, 0.99, 99)
    expected = q * binary.spherical(grid, 1) + (1 - q) * binary.spherical(grid, 0)
    assert grid[np.argmax(expected)] == pytest.approx(q)


def test_peer_scores_sum_to_zero():
    s = binary.peer_score([0.9, 0.6, 0.2], 1)
    assert s.sum() == pytest.approx(0.0, abs=1e-9)
    assert s[0] == pytest.approx(100 * (np.log(0.9) - (np.log(0.6) + np.log(0.2)) / 2))
    with pytest.raises(ValueError, match="at least two"):
        binary.peer_score([0.5], 1)


@pytest.mark.parametrize(("p", "y"), [([0.5, np.nan], [0, 1]), ([1.2], [1]), ([0.5], [2])])
def test_bad_input_is_refused(p, y):
    with pytest.raises(ValueError):
        binary.brier(p, y)
