import numpy as np
import pytest

from kit.scoring import categorical


def test_published_values():
    # scoringrules: outcome category 3 of 4 (index 2)
    assert categorical.ranked_probability_score([0.01, 0.32, 0.44, 0.23], 2)[0] == pytest.approx(
        0.1619, abs=1e-12
    )
    # outcome 2 of 4 (index 1)
    assert categorical.ranked_log_score([0.21, 0.31, 0.32, 0.16], 1)[0] == pytest.approx(
        1.064002, abs=1e-6
    )


def test_multiclass_brier_and_log_against_sklearn():
    log_loss = pytest.importorskip("sklearn.metrics").log_loss
    rng = np.random.default_rng(1)
    p = rng.dirichlet(np.ones(4), size=5000)
    y = np.array([rng.choice(4, p=row) for row in p])
    assert abs(categorical.log_score(p, y).mean() - log_loss(y, p, labels=range(4))) < 1e-12
    expected = ((p - np.eye(4)[y]) ** 2).sum(axis=1)
    assert np.allclose(categorical.brier(p, y), expected, atol=1e-15)
    assert categorical.brier([0, 1, 0], 1)[0] == 0 and categorical.brier([1, 0, 0], 1)[0] == 2


def test_baseline_score_of_uniform_is_zero_and_zero_prob_is_infinite():
    assert categorical.baseline_score([0.25] * 4, 3)[0] == pytest.approx(0.0)
    assert categorical.log_score([0.5, 0.5, 0.0], 2)[0] == np.inf
