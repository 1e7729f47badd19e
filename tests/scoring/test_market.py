import numpy as np
import pytest

from kit.scoring import market


def test_published_lmsr_price():
    assert market.prices([10, 20, 23], 10)[0] == pytest.approx(0.1354, abs=5e-5)


def test_trade_payoff_equals_cost_difference_of_shares():
    b = 50.0
    m = market.Market(3, b)
    q0 = np.zeros(3)
    target = np.array([0.2, 0.5, 0.3])
    q1 = b * np.log(target) + 7.0  # any shift gives the same prices
    t = m.trade("ana", target)
    for i in range(3):
        shares = q1[i] - q0[i]
        net = shares - (market.cost(q1, b) - market.cost(q0, b))
        assert t.payoff(i, b) == pytest.approx(net, abs=1e-9)


def test_profits_telescope_and_maker_loss_is_bounded():
    rng = np.random.default_rng(0)
    for _ in range(50):
        n = int(rng.integers(2, 6))
        m = market.Market(n, b=float(rng.uniform(1, 200)))
        for k in range(int(rng.integers(1, 8))):
            m.trade(f"t{k % 3}", rng.dirichlet(np.ones(n)))
        for outcome in range(n):
            loss = m.maker_loss(outcome)
            assert loss == pytest.approx(sum(m.profits(outcome).values()))
            assert loss == pytest.approx(m.b * np.log(m.price[outcome] * n))
            assert loss <= m.worst_case_loss + 1e-9


def test_certain_forecasts_are_clipped_and_flagged():
    m = market.Market(2, 10)
    t = m.trade("ana", market.binary_target(1.0))
    assert t.clipped and t.after[1] == pytest.approx(1 - 1e-6)
    assert np.isfinite(m.profits(0)["ana"])


def test_community_forecasts():
    # Metaculus: geometric mean of [0.7, 0.8, 0.9] as pmfs, not renormalised
    pmfs = [market.binary_target(p) for p in (0.7, 0.8, 0.9)]
    assert market.geometric_mean_pmf(pmfs, renormalise=False) == pytest.approx(
        [0.18171206, 0.79581144], abs=1e-8
    )
    odds = np.exp(np.mean(np.log([0.7 / 0.3, 0.8 / 0.2, 0.9 / 0.1])))
    assert market.community_binary([0.7, 0.8, 0.9]) == pytest.approx(odds / (1 + odds))
    # geometric mean of odds equals the renormalised geometric mean of the pmfs
    assert market.community_categorical(pmfs)[1] == pytest.approx(
        market.community_binary([0.7, 0.8, 0.9])
    )
    assert market.community_binary([0.7, 0.8], extremize=2) > market.community_binary([0.7, 0.8])
