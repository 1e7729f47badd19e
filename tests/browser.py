"""Headless Debian chromium for browser tests (playwright drives it; nothing downloaded)."""

from __future__ import annotations

import shutil
from contextlib import contextmanager

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


def require_chromium() -> None:
    if shutil.which("chromium") is None and not shutil.os.path.exists(CHROMIUM):
        pytest.skip("chromium is not installed (make test installs it with apt when run as root)")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed (dev extra)")


@contextmanager
def browser_page(width: int = 1280, height: int = 900):
    """A page in headless chromium, and the list of every network request it made."""
    from playwright.sync_api import sync_playwright

    require_chromium()
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.on("request", lambda r: requests.append(r.url))
            yield page, requests
        finally:
            browser.close()
