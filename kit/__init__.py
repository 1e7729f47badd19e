"""prediction kit: predictions before experiments, notebooks as evidence, calibrated scores.

The public API is imported lazily so that `import kit` (and `kit --help`) stays fast.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "load_predictions": ("kit.predictions", "load_predictions"),
    "Project": ("kit.project", "Project"),
    "record": ("kit.runs.record", "record"),
    "results": ("kit.runs.results", "results"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'kit' has no attribute {name!r}")


__all__ = ["load_predictions", "Project", "record", "results", "__version__"]
