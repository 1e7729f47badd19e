"""Benchmark: a 16-run sweep through `kit run` against a sequential `papermill` CLI loop.

Both execute the same trivial parameterized notebook 16 times in a temporary project.
Prints both wall times and kit / papermill-loop (target: <= 0.35 on 2 cores).

    .venv/bin/python tests/benchmarks/bench_runner.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 16
BIN = Path(sys.executable).parent

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a script
from tests.conftest import notebook  # noqa: E402

NOTEBOOK = notebook("i = 0", "from kit import record\nrecord('square', i * i)")
QUESTIONS = """\
experiment: trivial
questions:
  - {id: q, text: square is small, type: binary, resolve: square < 10}
"""


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "predictions").mkdir()
        (root / "notebooks").mkdir()
        (root / "predictions" / "t.yaml").write_text(QUESTIONS)
        nb = root / "notebooks" / "trivial.ipynb"
        nb.write_text(NOTEBOOK)
        values = ",".join(str(i) for i in range(RUNS))

        t0 = time.perf_counter()
        kit = subprocess.run(
            [BIN / "kit", "--project", root, "run", "trivial", "--grid", f"i={values}"],
            capture_output=True,
            text=True,
        )
        kit_s = time.perf_counter() - t0
        assert kit.returncode == 0, kit.stderr

        out = root / "papermill"
        out.mkdir()
        t0 = time.perf_counter()
        for i in range(RUNS):
            subprocess.run(
                [BIN / "papermill", "--no-progress-bar", nb, out / f"{i}.ipynb", "-p", "i", str(i)],
                check=True,
                capture_output=True,
            )
        loop_s = time.perf_counter() - t0

    print(f"cores: {os.cpu_count()}, runs: {RUNS}")
    print(f"kit run (one process pool, --grid):   {kit_s:7.2f} s")
    print(f"papermill CLI loop (sequential):      {loop_s:7.2f} s")
    print(f"ratio kit / papermill loop:           {kit_s / loop_s:7.3f}  (target <= 0.35)")


if __name__ == "__main__":
    main()
