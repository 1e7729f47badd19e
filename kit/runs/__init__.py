"""Step 3 of the loop: run experiment notebooks with papermill and keep every run as evidence.

`record` (used inside notebooks) and `results` (reading a notebook's records) are light;
the runner itself (`kit.runs.runner`) imports papermill only when it runs, and
`RunRecord` (the schema of run.json, `kit.runs.store`) is imported on first use.
"""

from typing import Any

from kit.runs.record import record
from kit.runs.results import results

__all__ = ["record", "results", "RunRecord"]


def __getattr__(name: str) -> Any:
    if name == "RunRecord":
        from kit.runs.store import RunRecord

        return RunRecord
    raise AttributeError(f"module 'kit.runs' has no attribute {name!r}")
