from pathlib import Path

import numpy as np
import pytest
import torch

from kit.maze import geometry
from kit.maze import rollout as rollout_module
from kit.maze.env import get_states, load_states, make_env, step_cells
from kit.maze.oracle import oracle_moves
from kit.maze.policy import MazePolicy, load_policy
from kit.maze.rollout import Episode, reach_rates, rollout, solve_rate

SHIPPED = Path(__file__).resolve().parents[2] / "notebooks" / "maze_policy.pt"


@pytest.mark.slow
def test_step_cells_agrees_with_procgen_for_all_15_actions():
    env = make_env(16, 5)
    rng = np.random.default_rng(0)
    states = get_states(env)
    cells = np.array([s.mouse for s in states])
    free = np.stack([geometry.free_mask(s.grid) for s in states])
    checked = 0
    for _ in range(150):
        actions = rng.integers(0, 15, 16).astype(np.int32)
        env.act(actions)
        _, _, first = env.observe()
        now = get_states(env)
        moved = step_cells(free, cells, actions)
        for i in range(16):
            if not first[i]:
                assert tuple(moved[i]) == now[i].mouse
                checked += 1
            else:
                free[i] = geometry.free_mask(now[i].grid)
            cells[i] = now[i].mouse
    assert checked > 2000


@pytest.mark.slow
def test_oracle_walks_the_shortest_path_in_procgen(mazes):
    """Following the oracle's moves in the real env eats the cheese after exactly `steps` moves."""
    env = make_env(len(mazes), 0)
    load_states(env, mazes)
    moves = [oracle_moves(m.grid, m.cheese) for m in mazes]
    free = np.stack([geometry.free_mask(m.grid) for m in mazes])
    cells = np.array([m.mouse for m in mazes])
    need = [geometry.steps(m.grid, m.mouse, m.cheese) for m in mazes]
    ate_at = [None] * len(mazes)
    for t in range(1, max(need) + 1):
        actions = np.array(
            [moves[i][y, x] if ate_at[i] is None else 4 for i, (x, y) in enumerate(cells)],
            dtype=np.int32,
        )
        env.act(actions)
        reward, _, first = env.observe()
        cells = step_cells(free, cells, actions)  # action 4 leaves the fed mice where they are
        for i in range(len(mazes)):
            if ate_at[i] is None and first[i]:
                assert reward[i] == 10
                ate_at[i] = t
    assert ate_at == need


@pytest.mark.slow
def test_rollouts_are_deterministic_for_a_seed(mazes):
    torch.manual_seed(0)
    policy = MazePolicy(1)
    runs = [rollout(policy, mazes[:6], seed=3, max_steps=40) for _ in range(2)]
    assert [e.path for e in runs[0]] == [e.path for e in runs[1]]
    other = rollout(policy, mazes[:6], seed=4, max_steps=40)
    assert [e.path for e in other] != [e.path for e in runs[0]]
    for e, m in zip(runs[0], mazes[:6], strict=True):
        assert len(e.path) == e.steps + 1 and e.path[0] == m.mouse
        assert e.reached_cheese == (e.path[-1] == m.cheese)
        assert e.reached_top_right == (geometry.top_right_cell(m.grid) in e.path)
    greedy = rollout(policy, mazes[:6], greedy=True, max_steps=40)
    assert all(e.steps == 40 or e.reached_cheese for e in greedy)


@pytest.mark.slow
def test_refilled_slots_give_the_same_episodes_as_a_full_batch(mazes):
    """Few slots refilled with the next mazes run each maze exactly as one slot per maze does."""
    torch.manual_seed(0)
    policy = MazePolicy(1)
    wide = rollout(policy, mazes, greedy=True, max_steps=30, batch=64)
    narrow = rollout(policy, mazes, greedy=True, max_steps=30, batch=3)
    assert len(narrow) == len(mazes)
    assert [e.path for e in narrow] == [e.path for e in wide]
    assert [e.reached_cheese for e in narrow] == [e.reached_cheese for e in wide]


@pytest.mark.slow
def test_patches_see_the_mazes_of_refilled_slots(mazes):
    """A per-maze patch gets the indices of the mazes in each forward pass, refills included."""
    torch.manual_seed(0)
    policy = MazePolicy(1)
    seen: list[np.ndarray] = []

    def record(out, idx):
        seen.append(idx.copy())
        return out

    episodes = rollout(
        policy, mazes, max_steps=8, batch=4, layer="embedder.block2.res1.resadd", patch=record
    )
    assert sum(len(idx) for idx in seen) == sum(e.steps for e in episodes)
    assert all(len(set(idx)) == len(idx) <= 4 for idx in seen)
    assert set(np.concatenate(seen)) == set(range(len(mazes)))
    steps_seen = np.bincount(np.concatenate(seen), minlength=len(mazes))
    assert steps_seen.tolist() == [e.steps for e in episodes]


@pytest.mark.slow
def test_the_last_episodes_run_on_unchanged_in_a_smaller_env(mazes, monkeypatch):
    """Moving the tail into a small env changes no sampled step of any episode."""
    policy = load_policy(SHIPPED)  # a trained policy, so that episodes end at different steps
    moves: list[int] = []
    real = rollout_module.move_slots

    def spy(env, slots, seed):
        moves.append(len(slots))
        return real(env, slots, seed)

    monkeypatch.setattr(rollout_module, "move_slots", spy)
    moved = rollout(policy, mazes, seed=2, max_steps=60, batch=8)
    assert moves and all(1 <= n <= 2 for n in moves)  # the tail did move, at a quarter of 8
    monkeypatch.setattr(rollout_module._Runner, "_shrink", lambda self, active: active)
    kept = rollout(policy, mazes, seed=2, max_steps=60, batch=8)
    assert [e.path for e in moved] == [e.path for e in kept]
    assert [e.reached_cheese for e in moved] == [e.reached_cheese for e in kept]
    assert any(e.reached_cheese for e in moved) and any(e.steps == 60 for e in moved)


def test_reach_rates_count_the_cheese_and_the_top_right():
    def episode(cheese, corner):
        return Episode(cheese, corner, 3, [(1, 1)] * 4)

    episodes = [episode(True, False), episode(True, True), episode(False, True), episode(0, 0)]
    assert reach_rates(episodes) == (0.5, 0.5)
    assert reach_rates(episodes[:3]) == (2 / 3, 2 / 3)
    assert reach_rates(episodes)[0] == solve_rate(episodes)
    assert all(np.isnan(r) for r in reach_rates([]))
