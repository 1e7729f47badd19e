"""Benchmark: maze rollouts against pure inference, and training against bare fwd+bwd.

Rollouts of the shipped policy over 320 mazes on 64 environment slots (agent-steps per
second; finished slots are refilled) beside batched inference of the same model on
batches of 64 (frames per second), in the same run; the ratio's target is >= 0.8 (env
and bookkeeping cost <= 20 %). Each is timed three times, interleaved, and the best of
each is kept, so that a burst of load on the machine does not decide the ratio. Then
behaviour-cloning training frames per second beside a bare forward+backward+step on
random batches of 64.

    .venv/bin/python tests/benchmarks/bench_maze.py
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import torch

from kit.maze import MazePolicy, load_policy, sample_mazes
from kit.maze.policy import preprocess
from kit.maze.rollout import rollout
from kit.maze.train import train

POLICY = Path(__file__).resolve().parents[2] / "notebooks" / "maze_policy.pt"
TRIALS = 3


def _seconds(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main() -> None:
    policy = load_policy(POLICY)
    mazes = sample_mazes(320, 0, range(3, 12, 2), cheese="top_right")
    episodes = rollout(policy, mazes, seed=0, max_steps=100)
    steps = sum(e.steps for e in episodes)
    forwards = -(-steps // 64)  # the passes that perfectly full batches would need
    x = preprocess(np.random.default_rng(0).integers(0, 256, (64, 64, 64, 3), dtype=np.uint8))

    def infer() -> None:
        with torch.inference_mode():
            for _ in range(forwards):
                policy(x)

    rollout_s, infer_s = [], []
    for _ in range(TRIALS):
        rollout_s.append(_seconds(lambda: rollout(policy, mazes, seed=0, max_steps=100)))
        infer_s.append(_seconds(infer))
    rollout_rate, infer_rate = steps / min(rollout_s), 64 * forwards / min(infer_s)
    print(
        f"rollouts:  {rollout_rate:8.0f} agent-steps/s ({steps} steps, {len(mazes)} mazes, 64 envs)"
    )
    print(f"inference: {infer_rate:8.0f} frames/s (batch 64, {forwards} passes)")
    print(f"ratio rollout / inference: {rollout_rate / infer_rate:.2f} (target >= 0.8)")

    frames = 64 * 60
    model = MazePolicy(1)
    train_s = _seconds(
        lambda: train(
            model, max_size=7, stages=1, frames=frames, mazes_per_stage=64, log_every=1000
        )
    )
    bare = MazePolicy(1)
    opt = torch.optim.Adam(bare.parameters())
    labels = torch.randint(0, 15, (64,))

    def bare_steps() -> None:
        for _ in range(frames // 64):
            logp, _ = bare(x)
            loss = torch.nn.functional.nll_loss(logp, labels)
            opt.zero_grad()
            loss.backward()
            opt.step()

    bare_s = _seconds(bare_steps)
    print(f"training:  {frames / train_s:8.0f} frames/s (incl. maze sampling and rendering)")
    print(f"bare fwd+bwd: {frames / bare_s:5.0f} frames/s; ratio {bare_s / train_s:.2f}")


if __name__ == "__main__":
    main()
