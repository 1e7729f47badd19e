"""Benchmark: a 16-run sweep through `kit run` against a sequential `papermill` CLI loop.

Both execute the same trivial parameterized notebook 16 times in a temporary project.
Prints both wall times and kit / papermill-loop (target: <= 0.35 on 2 cores).

    .venv/bin/python tests/benchmarks/bench_runner.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 16
BIN = Path(sys.executable).parent

NOTEBOOK = {
    "cells": [
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "p",
            "metadata": {"tags": ["parameters"]},
            "outputs": [],
            "source": "i = 0",
        },
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "r",
            "metadata": {},
            "outputs": [],
            "source": "from kit import record\nrecord('square', i * i)",
        },
    ],
    "metadata": {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
    },
    "nbformat": 4,
    "nbformat_minor": 5,
}
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
        nb.write_text(json.dumps(NOTEBOOK))
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
