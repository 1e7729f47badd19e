"""The core install alone (`pip install prediction-kit`, no extras) runs the whole loop.

A fresh virtual environment gets `pip install <this checkout>` (not editable, no extras):
torch and procgen must be absent, `pip check` must pass, and in a small project the
venv's own `kit check`, `kit seal`, `kit run all`, `kit resolve`, `kit score` and `kit
report` must all succeed, with the notebook's kernel running on the venv's interpreter
(the notebook records `sys.executable`, where `kit` was imported from and whether torch
is importable). Prints the install's size and time. Needs the package index (skips, with
the reason, when it cannot be reached) and a few minutes: marked slow.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import notebook

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]

STUDY = """\
experiment: study
parameters: {n: 3, seed: 0}
questions:
  - id: study-binary
    text: Is x positive?
    type: binary
    resolve: x > 0
    forecasts:
      - {by: ana, p: 0.8}
  - id: study-categorical
    text: Which side?
    type: categorical
    options: [a, b, c]
    resolve: "'a' if x > 0 else 'b'"
    forecasts:
      - {by: ana, probs: {a: 0.6, b: 0.3, c: 0.1}}
  - id: study-numeric
    text: How large is x?
    type: numeric
    bounds: [0, 100]
    resolve: x
    forecasts:
      - {by: ana, quantiles: {0.1: 1, 0.5: 2, 0.9: 5}}
"""

STUDY_NOTEBOOK = notebook(
    "n = 1\nseed = 0",
    "import importlib.util\nimport sys\n\nimport kit",
    'kit.record("x", n - 1)',
    'kit.record("interpreter", sys.executable)\n'
    'kit.record("kit_file", kit.__file__)\n'
    'kit.record("has_torch", importlib.util.find_spec("torch") is not None)',
)


def _index_reachable() -> str | None:
    """None when pip's package index answers; else why not."""
    index = os.environ.get("PIP_INDEX_URL", "https://pypi.org/simple/").rstrip("/") + "/"
    try:
        with urllib.request.urlopen(index + "pip/", timeout=15) as answer:
            answer.read(1)
    except (urllib.error.URLError, OSError) as e:
        return f"the package index {index} cannot be reached ({e})"
    return None


def _env(venv: Path) -> dict[str, str]:
    """This environment with the venv's bin first on PATH and nothing of the test's own
    environment leaking in (no PYTHONPATH, no VIRTUAL_ENV, no user kernelspecs)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "KIT_PROJECT"}
        and not k.startswith("JUPYTER")
    }
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv)
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    # kernelspecs from this venv only: a user's ~/.local/share/jupyter/kernels/python3
    # pointing elsewhere must not run the notebooks
    env["JUPYTER_DATA_DIR"] = str(venv / "jupyter-data")
    env["JUPYTER_CONFIG_DIR"] = str(venv / "jupyter-config")
    return env


def _size_mb(path: Path) -> float:
    total = 0
    for dirpath, _, files in os.walk(path):
        for name in files:
            p = Path(dirpath, name)
            if not p.is_symlink():
                total += p.stat().st_size
    return total / 2**20


@pytest.fixture(scope="module")
def lean(tmp_path_factory):
    """A fresh venv with the core alone installed from a copy of this checkout."""
    why = _index_reachable()
    if why:
        pytest.skip(why)
    base = tmp_path_factory.mktemp("lean")
    source = base / "source"  # a copy, so the build writes nothing into the checkout
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(ROOT / "kit", source / "kit", ignore=shutil.ignore_patterns("__pycache__"))
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    env = _env(venv)
    started = time.perf_counter()
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(source)],
        env=env,
        capture_output=True,
        text=True,
        timeout=1500,
    )
    seconds = time.perf_counter() - started
    assert done.returncode == 0, f"pip install of the core failed:\n{done.stdout}\n{done.stderr}"
    return {"venv": venv, "env": env, "seconds": seconds, "mb": _size_mb(venv)}


def _python(lean, code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(lean["venv"] / "bin" / "python"), "-c", code],
        env=lean["env"],
        cwd=lean["venv"],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_core_install_has_no_torch_or_procgen(lean, capsys):
    with capsys.disabled():
        print(
            f"\n[lean install] core alone: {lean['mb']:.0f} MB in the venv, "
            f"pip install took {lean['seconds']:.0f} s"
        )
    for module in ("torch", "procgen"):
        done = _python(lean, f"import {module}")
        assert done.returncode != 0 and "ModuleNotFoundError" in done.stderr, (
            f"`import {module}` works in the core install: it must not be a core dependency"
        )
    done = _python(lean, "import kit, kit.cli, kit.report.build, kit.ui; print(kit.__file__)")
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()).is_relative_to(lean["venv"]), done.stdout
    check = subprocess.run(
        [str(lean["venv"] / "bin" / "python"), "-m", "pip", "check"],
        env=lean["env"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert check.returncode == 0, f"pip check in the core install:\n{check.stdout}{check.stderr}"


def test_the_whole_loop_runs_in_the_core_install(lean, tmp_path):
    (tmp_path / "predictions").mkdir()
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "predictions" / "study.yaml").write_text(STUDY, encoding="utf-8")
    (tmp_path / "notebooks" / "study.ipynb").write_text(STUDY_NOTEBOOK, encoding="utf-8")
    kit = str(lean["venv"] / "bin" / "kit")
    for command in (
        ["check"],
        ["seal"],
        ["run", "all"],
        ["resolve"],
        ["score"],
        ["report"],
    ):
        done = subprocess.run(
            [kit, *command],
            cwd=tmp_path,
            env=lean["env"],
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, (
            f"`kit {' '.join(command)}` exited {done.returncode} in the core install:\n"
            f"{done.stdout}\n{done.stderr}"
        )
    assert (tmp_path / "report" / "report.html").is_file()

    (record,) = (tmp_path / "runs" / "study").glob("*/run.json")
    results = json.loads(record.read_text(encoding="utf-8"))["results"]
    assert results["x"] == 2
    # the kernel ran on the venv's interpreter, with the venv's kit, and without torch
    assert Path(results["interpreter"]).parent == lean["venv"] / "bin", results
    assert Path(results["kit_file"]).is_relative_to(lean["venv"]), results
    assert results["has_torch"] is False, results
    resolutions = (tmp_path / "predictions" / "_resolutions.yaml").read_text(encoding="utf-8")
    for question in ("study-binary", "study-categorical", "study-numeric"):
        assert question in resolutions


def test_kit_init_then_the_whole_loop_in_the_core_install(lean, tmp_path):
    """`kit init` in an empty folder works from the installed package (its templates are
    package data: `[tool.setuptools.package-data] "kit.init" = ["templates/**/*"]`), and
    the loop runs right after it."""
    from tests.init_loop import init_and_loop

    out = init_and_loop([str(lean["venv"] / "bin" / "kit")], tmp_path / "study", lean["env"])
    assert "6 forecasts scored" in out["score"].stdout
