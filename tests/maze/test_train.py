import numpy as np
import pytest
import torch

from kit.maze.frames import FrameSource
from kit.maze.oracle import oracle_moves
from kit.maze.policy import MazePolicy, load_policy, save_policy
from kit.maze.train import (
    curriculum,
    evaluation_sizes,
    fit_batch,
    held_out_rates,
    stage_steps,
    train,
)


def test_curriculum_grows_to_the_largest_size():
    assert curriculum(25, 4) == [
        (3, 5, 7),
        (3, 5, 7, 9, 11, 13),
        (3, 5, 7, 9, 11, 13, 15, 17, 19),
        tuple(range(3, 26, 2)),
    ]
    assert curriculum(5, 4)[-1] == (3, 5)


def test_evaluation_sizes_span_the_trained_range():
    assert evaluation_sizes(11) == [3, 7, 11]
    assert evaluation_sizes(13) == [3, 7, 11, 13]
    assert evaluation_sizes(25) == [3, 7, 11, 15, 19, 25]
    assert evaluation_sizes(3) == [3]


@pytest.mark.slow
def test_held_out_rates_give_a_row_per_size_and_mode():
    torch.manual_seed(0)
    rows = held_out_rates(MazePolicy(1), [3, 5], 4, seed=0)
    assert [(r["size"], r["mode"]) for r in rows] == [
        (3, "sampled"),
        (3, "greedy"),
        (5, "sampled"),
        (5, "greedy"),
    ]
    assert all(0 <= r["solve_rate"] <= 1 and 0 < r["mean_steps"] <= 500 for r in rows)


@pytest.mark.slow
def test_frames_are_real_renders_labelled_by_the_oracle(mazes):
    source = FrameSource(mazes[:4], seed=0)
    obs, labels = source.batch()
    assert obs.shape == (64, 64, 64, 3) and obs.dtype == np.uint8
    assert set(labels) <= {1, 3, 5, 7}
    assert len({o.tobytes() for o in obs}) > 10  # the mouse moved between renders
    moves = oracle_moves(mazes[0].grid, mazes[0].cheese)
    assert moves[mazes[0].cheese[1], mazes[0].cheese[0]] == -1


@pytest.mark.slow
def test_a_tiny_training_run_logs_its_curve():
    policy = MazePolicy(1)
    history = train(policy, max_size=5, stages=2, frames=512, mazes=8, log_every=2)
    assert [row["stage"] for row in history] == [0, 1, 1, 1, 1]  # 1 + 7 steps
    assert history[-1]["frames"] == 512 and all(0 <= r["accuracy"] <= 1 for r in history)


def test_later_stages_get_more_steps():
    assert stage_steps(1400, 3) == [100, 400, 900]
    assert stage_steps(3000, 4) == [100, 400, 900, 1600]
    assert stage_steps(3, 3) == [1, 1, 1]
    assert sum(stage_steps(9001, 3)) == 9001


@pytest.mark.slow
def test_mazes_are_drawn_in_proportion_to_their_cells(mazes):
    source = FrameSource([mazes[0], mazes[-1]], seed=0)  # sizes 3 and 25
    small, large = (len(m.free) for m in source.mazes)
    assert source.weights.tolist() == [small / (small + large), large / (small + large)]
    picks = source.rng.choice(2, size=20_000, p=source.weights)
    assert abs(picks.mean() - large / (small + large)) < 0.01


@pytest.mark.slow
def test_a_bfloat16_step_follows_the_float32_step(mazes):
    """The autocast step is the float32 step up to bfloat16 rounding, and it learns."""
    obs, labels = FrameSource(mazes[:4], seed=0).batch()
    losses = {}
    for bf16 in (False, True):
        torch.manual_seed(0)
        policy = MazePolicy(1).to(memory_format=torch.channels_last)
        opt = torch.optim.Adam(policy.parameters(), lr=1e-3)
        losses[bf16] = [fit_batch(policy, opt, obs, labels, bf16)[0] for _ in range(20)]
    assert abs(losses[True][0] - losses[False][0]) < 0.02  # same weights, same batch
    assert losses[True][-1] < 0.5 * losses[True][0]  # it fits the batch
    assert abs(losses[True][-1] - losses[False][-1]) < 0.1


@pytest.mark.slow
def test_a_trained_policy_comes_back_in_the_standard_layout(tmp_path):
    policy = MazePolicy(1)
    train(policy, max_size=3, stages=1, frames=128, mazes=4, log_every=1)
    assert all(p.is_contiguous() for p in policy.parameters())
    save_policy(policy, tmp_path / "p.pt")
    x = torch.rand(2, 3, 64, 64)
    with torch.inference_mode():
        assert torch.equal(load_policy(tmp_path / "p.pt")(x)[0], policy(x)[0])


@pytest.mark.slow
def test_a_pool_without_the_first_stage_sizes_is_refused():
    with pytest.raises(ValueError, match="holds none of sizes"):
        train(MazePolicy(1), max_size=25, stages=4, frames=256, mazes=1, log_every=1)
    with pytest.raises(ValueError, match="pool is empty"):
        FrameSource([], seed=0)


@pytest.mark.slow
def test_workers_render_the_same_frames_in_the_same_order(mazes):
    with FrameSource(mazes[:4], seed=3, workers=2) as parallel:
        got = list(parallel.batches(3, 128))
    here = list(FrameSource(mazes[:4], seed=3).batches(3, 128))
    assert [o.shape for o, _ in got] == [(128, 64, 64, 3)] * 3
    for (a, la), (b, lb) in zip(got, here, strict=True):
        assert np.array_equal(a, b) and np.array_equal(la, lb)
    with pytest.raises(ValueError, match="workers must be 0"):
        FrameSource(mazes[:4], seed=0, workers=-1)


@pytest.mark.slow
def test_training_with_workers_gives_the_same_policy():
    policies = []
    for workers in (0, 1):
        policy = MazePolicy(1)
        train(policy, max_size=5, stages=2, frames=256, mazes=8, workers=workers, log_every=1)
        policies.append(policy.state_dict())
    assert all(torch.equal(policies[0][k], policies[1][k]) for k in policies[0])


@pytest.mark.slow
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_a_gpu_step_follows_the_cpu_step_and_training_comes_back_on_the_cpu(mazes):
    obs, labels = FrameSource(mazes[:4], seed=0).batch()
    losses = {}
    for device in ("cpu", "cuda"):
        torch.manual_seed(0)
        policy = MazePolicy(1).to(device, memory_format=torch.channels_last)
        opt = torch.optim.Adam(policy.parameters(), lr=1e-3)
        losses[device] = [fit_batch(policy, opt, obs, labels)[0] for _ in range(20)]
    assert abs(losses["cuda"][0] - losses["cpu"][0]) < 0.02
    assert losses["cuda"][-1] < 0.5 * losses["cuda"][0]
    policy = MazePolicy(1)
    train(policy, max_size=3, stages=1, frames=128, mazes=4, device="cuda", log_every=1)
    assert all(p.device.type == "cpu" and p.is_contiguous() for p in policy.parameters())
