"""Benchmark: maze rollouts against pure inference, and training against bare fwd+bwd.

Rollouts of the shipped policy on 64 environment slots (agent-steps per second; a slot
whose episode ends gets the next maze) beside batched inference of the same model on
batches of 64 (frames per second), in the same run. Two workloads:

- steady: 1,600 mazes of sizes 3..11 (cheese top-right, 100-step cap). The slots stay
  full in all but the last passes (70 of about 400), so the ratio measures what the
  target names: env and bookkeeping cost <= 20 %, i.e. ratio >= 0.8.
- study: the generalization notebook's default run (400 mazes, cheese anywhere, 500-step
  cap). Its tail is long: once no maze is left to start, the episodes that never find
  the cheese run on to the cap in ever smaller batches, so it is also compared with
  inference on exactly the batch sizes its forward passes had; that ratio is the share
  of time not spent in env stepping and bookkeeping.

Each workload also times procgen alone doing what the rollout asks of it (as many steps
of 64 slots as full batches would need, and a set_state per maze after the first 64),
which bounds the ratio any rollout could reach on this machine: inference / (inference
+ env).

Each is timed `--trials` times, interleaved with its references. The ratio is printed
from the best of each (so that a burst of load on the machine does not decide it) and
per trial, each rollout against the inference timed right after it.
Then behaviour-cloning training frames per second (procgen renders of placed mice,
labelled by the oracle: the steady state of `train`, without its one-off maze sampling)
beside a bare training step (`fit_batch`: the same bfloat16, channels-last
forward+backward+Adam) on a fixed batch of 64.

    .venv/bin/python tests/benchmarks/bench_maze.py [--trials 3]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from kit.runs.kernel import notebook_settings

# The kernel settings the maze notebooks ask for in their metadata (`kit.env`), as
# `kit run` sets them for their kernels; libgomp reads them when torch loads.
# GOMP_SPINCOUNT=300000 (libgomp's default) in the environment shows the difference.
_NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "maze_generalization.ipynb"
for _name, _value in notebook_settings(_NOTEBOOK).env.items():
    os.environ.setdefault(_name, _value)

import numpy as np  # noqa: E402
import torch  # noqa: E402

from kit.maze import MazePolicy, load_policy, sample_mazes  # noqa: E402
from kit.maze.env import load_state_at, load_states, make_env  # noqa: E402
from kit.maze.frames import FrameSource  # noqa: E402
from kit.maze.policy import preprocess  # noqa: E402
from kit.maze.rollout import rollout  # noqa: E402
from kit.maze.train import fit_batch  # noqa: E402

POLICY = Path(__file__).resolve().parents[2] / "notebooks" / "maze_policy.pt"
TRAIN_STEPS = 40
WORKLOADS = {  # name: (mazes, seed, sizes, cheese, max_steps)
    "steady": (1600, 0, range(3, 12, 2), "top_right", 100),
    "study": (400, 0, range(3, 12, 2), "anywhere", 500),
}


def _seconds(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def bench_rollouts(policy: MazePolicy, name: str, trials: int, x: torch.Tensor) -> None:
    n, seed, sizes, cheese, max_steps = WORKLOADS[name]
    mazes = sample_mazes(n, seed, sizes, cheese=cheese)
    batches: list[int] = []
    hook = policy.register_forward_pre_hook(lambda _m, args: batches.append(len(args[0])))
    episodes = rollout(policy, mazes, seed=0, max_steps=max_steps)
    hook.remove()
    steps = sum(e.steps for e in episodes)
    assert sum(batches) == steps
    forwards = -(-steps // 64)  # the passes that perfectly full batches would need

    def infer(sizes: list[int]) -> None:
        with torch.inference_mode():
            for b in sizes:
                policy(x[:b])

    rollout_s, full_s, same_s, env_s = [], [], [], []
    for _ in range(trials):
        rollout_s.append(_seconds(lambda: rollout(policy, mazes, seed=0, max_steps=max_steps)))
        full_s.append(_seconds(lambda: infer([64] * forwards)))
        same_s.append(_seconds(lambda: infer(batches)))
        env_s.append(_seconds(lambda: env_alone(mazes, forwards)))
    rollout_rate, full_rate = steps / min(rollout_s), 64 * forwards / min(full_s)
    same_rate = steps / min(same_s)
    small = sum(b < 64 for b in batches)
    print(f"[{name}] {len(mazes)} mazes, {steps} agent-steps, {len(batches)} passes", end=" ")
    print(f"({small} under 64)")
    print(f"  rollouts:  {rollout_rate:8.0f} agent-steps/s (64 envs)")
    print(f"  inference: {full_rate:8.0f} frames/s (batch 64)")
    print(f"  ratio rollout / inference: {rollout_rate / full_rate:.2f} (target >= 0.8)", end="")
    paired = [(steps / r) / (64 * forwards / f) for r, f in zip(rollout_s, full_s, strict=True)]
    print(f"; per trial {' '.join(f'{p:.2f}' for p in paired)} (median {np.median(paired):.2f})")
    print(
        f"  inference on the rollout's own batch sizes: {same_rate:.0f} frames/s; ratio "
        f"{rollout_rate / same_rate:.2f} (env stepping and bookkeeping "
        f"{1 - rollout_rate / same_rate:.0%} of the time)"
    )
    env, full = min(env_s), min(full_s)
    print(
        f"  procgen alone ({forwards} steps of 64 slots, {len(mazes) - 64} set_states): "
        f"{env:.2f} s against {full:.2f} s of batch-64 inference; a rollout with no "
        f"bookkeeping at all could reach a ratio of {full / (full + env):.2f}"
    )


def env_alone(mazes: list, steps: int) -> None:
    """What the env costs a rollout: `steps` steps of 64 slots, a set_state per new maze."""
    env = make_env(64, 0)
    load_states(env, mazes[:64])
    env.observe()
    actions = np.random.default_rng(0).choice(np.int32([1, 3, 5, 7]), (steps, 64))
    refills = iter(mazes[64:])
    per_step = -(-(len(mazes) - 64) // steps)
    for t in range(steps):
        env.act(actions[t])
        env.observe()
        for slot, state in zip(range(per_step), refills, strict=False):
            load_state_at(env, slot, state)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=3)
    trials = parser.parse_args().trials
    print(f"GOMP_SPINCOUNT={os.environ['GOMP_SPINCOUNT']}, torch threads {torch.get_num_threads()}")
    policy = load_policy(POLICY)
    images = np.random.default_rng(0).integers(0, 256, (64, 64, 64, 3), dtype=np.uint8)
    x = preprocess(images)
    for name in WORKLOADS:
        bench_rollouts(policy, name, trials, x)

    pool = sample_mazes(256, 1, range(3, 12, 2), cheese="top_right")
    source = FrameSource(pool, seed=0)
    labels = np.random.default_rng(0).choice([1, 3, 5, 7], 64)
    learner, bare = (MazePolicy(1).to(memory_format=torch.channels_last) for _ in range(2))
    learner_opt, bare_opt = (
        torch.optim.Adam(learner.parameters()),
        torch.optim.Adam(bare.parameters()),
    )

    def train_steps() -> None:  # what `train` does per step, after its one-off maze sampling
        for _ in range(TRAIN_STEPS):
            fit_batch(learner, learner_opt, *source.batch())

    def bare_steps() -> None:
        for _ in range(TRAIN_STEPS):
            fit_batch(bare, bare_opt, images, labels)

    train_s, bare_s = [], []
    for _ in range(trials):
        train_s.append(_seconds(train_steps))
        bare_s.append(_seconds(bare_steps))
    frames = 64 * TRAIN_STEPS
    print(
        f"[training] {frames / min(train_s):8.0f} frames/s (rendering and oracle labels included)"
    )
    print(
        f"bare training step: {frames / min(bare_s):.0f} frames/s; "
        f"ratio {min(bare_s) / min(train_s):.2f}"
    )


if __name__ == "__main__":
    main()
