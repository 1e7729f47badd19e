import numpy as np

from kit.maze.oracle import oracle_moves
from kit.maze.policy import MazePolicy
from kit.maze.train import FrameSource, curriculum, stage_steps, train


def test_curriculum_grows_to_the_largest_size():
    assert curriculum(25, 4) == [
        (3, 5, 7),
        (3, 5, 7, 9, 11, 13),
        (3, 5, 7, 9, 11, 13, 15, 17, 19),
        tuple(range(3, 26, 2)),
    ]
    assert curriculum(5, 4)[-1] == (3, 5)


def test_frames_are_real_renders_labelled_by_the_oracle(mazes):
    source = FrameSource(mazes[:4], seed=0)
    obs, labels = source.batch()
    assert obs.shape == (64, 64, 64, 3) and obs.dtype == np.uint8
    assert set(labels) <= {1, 3, 5, 7}
    assert len({o.tobytes() for o in obs}) > 10  # the mouse moved between renders
    moves = oracle_moves(mazes[0].grid, mazes[0].cheese)
    assert moves[mazes[0].cheese[1], mazes[0].cheese[0]] == -1


def test_a_tiny_training_run_logs_its_curve():
    policy = MazePolicy(1)
    history = train(policy, max_size=5, stages=2, frames=512, mazes_per_stage=8, log_every=2)
    assert [row["stage"] for row in history] == [0, 1, 1, 1]  # 2 + 6 steps
    assert history[-1]["frames"] == 512 and all(0 <= r["accuracy"] <= 1 for r in history)


def test_later_stages_get_more_steps():
    assert stage_steps(600, 3) == [100, 200, 300]
    assert stage_steps(1000, 4) == [100, 200, 300, 400]
    assert stage_steps(3, 3) == [1, 1, 1]
    assert sum(stage_steps(9001, 3)) == 9001


def test_mazes_are_drawn_in_proportion_to_their_cells(mazes):
    source = FrameSource([mazes[0], mazes[-1]], seed=0)  # sizes 3 and 25
    small, large = (len(m.free) for m in source.mazes)
    assert source.weights.tolist() == [small / (small + large), large / (small + large)]
    picks = source.rng.choice(2, size=20_000, p=source.weights)
    assert abs(picks.mean() - large / (small + large)) < 0.01
