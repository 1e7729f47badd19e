"""`kit init` in an empty folder, then the whole loop: a helper other tests call.

`tests/test_init.py` runs it with this interpreter; an install test (e.g. the lean core
install, without torch or procgen) runs it with its own `kit` command:

    from tests.init_loop import init_and_loop
    init_and_loop([str(venv / "bin" / "kit")], tmp_path / "study")
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

#: The commands the issue promises succeed right after `kit init`, in order.
LOOP = (["check"], ["seal"], ["run", "all"], ["resolve"], ["score"], ["report"])


def init_and_loop(
    kit: Sequence[str], folder: Path, env: dict[str, str] | None = None, timeout: float = 300
) -> dict[str, subprocess.CompletedProcess]:
    """Run `kit init FOLDER`, then each step of `LOOP` inside FOLDER; assert each exits 0.

    `kit` is the command, e.g. `["kit"]` or `[sys.executable, "-m", "kit"]`; `env` the
    whole environment to run it in (default: this process's). Returns each step's
    completed process by its command line (`"init"`, `"run all"`, ...).
    """
    env = {**(os.environ if env is None else env), "KIT_DEBUG": ""}
    out = {}
    steps = [(["init", str(folder)], folder.parent), *((step, folder) for step in LOOP)]
    for args, cwd in steps:
        cwd.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            [*kit, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
        )
        name = " ".join(args[:1] if args[0] == "init" else args)
        assert done.returncode == 0, f"kit {name} failed:\n{done.stdout}\n{done.stderr}"
        out[name] = done
    assert (folder / "report" / "report.html").is_file()
    return out
