"""Held-out solve rates of the shipped policy, with 95 % intervals (not a timed test).

Mazes from the training distribution (cheese in the top-right 5×5), drawn from a seed
that neither training nor the training notebook's own check uses, 500 per size by
default; sampled actions (as published) and greedy ones.

    .venv/bin/python tests/benchmarks/solve_rates.py [--n 500] [--sizes 9 11 13]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from kit.maze import load_policy, sample_mazes
from kit.maze.rollout import rollout, solve_rate

POLICY = Path(__file__).resolve().parents[2] / "notebooks" / "maze_policy.pt"
SEED = 20_000  # training uses seed * 1000 (0), the notebook's check 10_000 + seed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500, help="mazes per size")
    parser.add_argument("--sizes", type=int, nargs="+", default=[9, 11, 13])
    args = parser.parse_args()
    policy = load_policy(POLICY)
    for size in args.sizes:
        mazes = sample_mazes(args.n, SEED, [size], cheese="top_right")
        for mode in ("sampled", "greedy"):
            rate = solve_rate(rollout(policy, mazes, greedy=mode == "greedy", seed=0))
            half = 1.96 * (rate * (1 - rate) / len(mazes)) ** 0.5
            print(f"size {size:2d} {mode:7s}: {rate:.3f} ± {half:.3f} ({len(mazes)} mazes)")


if __name__ == "__main__":
    main()
