"""A real browser: JupyterLab opens notebooks/predict.ipynb, a slider moves, the forecast lands.

Starts JupyterLab on a free localhost port with a token in a temporary project, drives
Debian's chromium with playwright, and saves a screenshot to tests/artifacts/.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from kit.predictions import load_predictions
from kit.predictions.seal import seal
from tests.browser import browser_page, require_chromium
from tests.conftest import BASIC, write_project

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "tests" / "artifacts"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def lab(tmp_path):
    require_chromium()
    project = write_project(tmp_path / "proj", {"basic.yaml": BASIC})
    shutil.copy(REPO / "notebooks" / "predict.ipynb", project.notebooks_dir / "predict.ipynb")
    seal(project)
    port, token = _free_port(), "kit-test-token"
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt"),
        "HOME": str(tmp_path),
    }
    log = (tmp_path / "lab.log").open("wb")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={port}",
            f"--IdentityProvider.token={token}",
            "--allow-root",
            f"--ServerApp.root_dir={project.root}",
            "--LabApp.news_url=",
            "--ServerApp.open_browser=False",
        ],
        stdout=subprocess.DEVNULL,
        stderr=log,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
            break
        except OSError:
            if server.poll() is not None:
                break
            time.sleep(0.5)
    if server.poll() is not None or time.monotonic() >= deadline:
        server.kill()
        pytest.fail("JupyterLab did not start: " + (tmp_path / "lab.log").read_text()[-2000:])
    try:
        yield project, url, token
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.mark.slow
def test_predict_notebook_in_jupyterlab(lab):
    project, url, token = lab
    with browser_page(1400, 1000) as (page, requests):
        SCREENSHOTS.mkdir(exist_ok=True)
        try:
            _fill_and_submit(page, url, token)
        except Exception:  # any step that times out leaves a picture of the page
            page.screenshot(path=str(SCREENSHOTS / "jupyterlab-predict-failed.png"))
            raise
        page.screenshot(path=str(SCREENSHOTS / "jupyterlab-predict.png"))
    mine = [r for r in load_predictions(project.root).forecasts() if r.forecast.by == "lab-user"]
    assert len(mine) == 1 and mine[0].sealed
    assert mine[0].question.id == "q-binary" and mine[0].forecast.p > 0.5
    outside = [u for u in requests if not u.startswith((url, "data:", "blob:", "ws://127.0.0.1"))]
    assert outside == [], outside


def _fill_and_submit(page, url: str, token: str) -> None:
    """Open predict.ipynb, run its form, move the slider and submit as lab-user."""
    page.goto(f"{url}/lab/tree/notebooks/predict.ipynb?token={token}")
    page.wait_for_selector(".jp-Notebook", timeout=60_000)
    page.wait_for_selector(".jp-CodeCell .cm-content", timeout=60_000)
    for attempt in range(3):  # Shift+Enter before the kernel is ready only adds a cell
        # A slow kernel start can leave JupyterLab's "Select Kernel" dialog over the page
        # (seen in CI); accept its preferred kernel, as a user would.
        dialog = page.locator(".jp-Dialog button:has-text('Select')")
        if dialog.count():
            dialog.first.click()
        try:
            page.locator(".jp-CodeCell .cm-content").first.click(timeout=20_000)
            page.keyboard.press("Shift+Enter")  # run the form's cell
            page.wait_for_selector("text=Submit and seal", timeout=40_000)
            break
        except Exception:
            if attempt == 2:
                raise
    page.get_by_placeholder("your name").fill("lab-user")
    handle = page.locator(".noUi-handle").first
    handle.focus()
    for _ in range(20):
        handle.press("ArrowRight")
    page.get_by_text("Submit and seal").click()
    page.wait_for_selector("text=saved and sealed 1 forecasts by lab-user", timeout=60_000)
