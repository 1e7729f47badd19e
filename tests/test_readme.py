"""The README is a user's guide that cannot rot: its tutorial's commands are run here."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
TUTORIAL = "## Your own study in five minutes"


def section(heading: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(heading)
    end = text.find("\n## ", start + len(heading))
    return text[start : end if end > 0 else len(text)]


def tutorial_script() -> str:
    """The tutorial's shell blocks, in order, as one script."""
    blocks = re.findall(r"```bash\n(.*?)```", section(TUTORIAL), flags=re.DOTALL)
    assert blocks, "the tutorial has no ```bash blocks"
    return "\n".join(blocks)


def test_the_guide_comes_first_and_points_to_the_rest():
    text = README.read_text(encoding="utf-8")
    order = ["## Set up", TUTORIAL, "## The question-set format", "## Commands", "## More"]
    assert [text.index(h) for h in order] == sorted(text.index(h) for h in order)
    for link in re.findall(r"\]\(((?:docs)/[^)#]+)\)", text):
        assert (ROOT / link).is_file(), link
    for page in ("maze-laboratory.md", "maze-benchmarks.md", "maze-findings.md"):
        assert f"docs/{page}" in text
    for picture in ("docs/img/loop.svg", "docs/img/report.png"):
        assert f"]({picture})" in text and (ROOT / picture).stat().st_size < 100_000
    # the maze laboratory's logs live in docs/, not in the guide
    assert "bench_maze" not in text and "GOMP_SPINCOUNT=300000" not in text


def test_the_commands_table_is_one_table_listing_every_command():
    from kit.cli import cli

    rows = [ln for ln in section("## Commands").splitlines() if ln.startswith("|")]
    body = section("## Commands").split("\n\n")
    tables = [b for b in body if b.lstrip().startswith("|")]
    assert len(tables) == 1
    listed = {re.match(r"\| `kit ([a-z-]+)", r).group(1) for r in rows[2:]}
    assert listed == set(cli.commands)


def test_the_tutorial_uses_only_real_commands():
    from kit.cli import cli

    for line in tutorial_script().replace("\\\n", " ").splitlines():
        words = shlex.split(line, comments=True)
        if words and words[0] == "kit":
            assert words[1] in cli.commands, line


@pytest.mark.slow
def test_the_readme_tutorial_runs_as_written(tmp_path):
    """Every command of the tutorial, in a fresh folder, with this checkout's kit."""
    script = f'set -euo pipefail\nkit() {{ "{sys.executable}" -m kit "$@"; }}\n' + tutorial_script()
    env = {**os.environ, "KIT_DEBUG": "", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        ["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"
    study = tmp_path / "my-study"
    assert (study / "report" / "report.html").is_file()
    assert "loss-goes-up: False" in done.stdout
    assert "this forecast is late" in done.stderr
    assert "2 runs ok" in done.stderr
