"""Step 3 of the loop: run experiment notebooks with papermill and keep every run as evidence.

`record` (used inside notebooks) and `results` (reading a notebook's records) are light;
the runner itself (`kit.runs.runner`) imports papermill only when it runs.
"""

from kit.runs.record import record
from kit.runs.results import results

__all__ = ["record", "results"]
