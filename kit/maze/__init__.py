"""The maze laboratory: procgen maze states, geometry, the IMPALA policy, rollouts, hooks.

Grids are y-up (`grid[y, x]`, y = 0 at the bottom), as procgen stores them; the cell
values are WALL (51), EMPTY (100) and CHEESE (2). Modules:

- `state`: the get_state/set_state blob, parsed and rebuilt byte-exactly; edits.
- `geometry`: shortest paths, decision square, top-right landmarks, distances.
- `env`: seeded procgen envs and maze sampling (cheese anywhere or top-right).
- `policy`: the IMPALA policy in the published checkpoint format.
- `rollout`: batched episodes; `oracle`, `frames` and `train`: behaviour cloning.
- `features` and `study`: the generalization analysis; `hooks`: activation patching.
- `activations`, `probes` and `steering`: the interpretability notebooks' building blocks.
- `binning`: binned rates and medians for the notebooks' charts and recorded tables.

Names below load on first use, so `import kit.maze.geometry` does not import torch.
"""

from importlib import import_module

_EXPORTS = {
    "MazeState": "state",
    "StateError": "state",
    "sample_mazes": "env",
    "make_env": "env",
    "MazePolicy": "policy",
    "PolicyError": "policy",
    "load_policy": "policy",
    "save_policy": "policy",
    "solve_rate": "rollout",  # (not `rollout` or `hooks`: those names are the modules)
}


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(f"kit.maze.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'kit.maze' has no attribute {name!r}")


__all__ = sorted(_EXPORTS)
