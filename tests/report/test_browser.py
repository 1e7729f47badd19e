"""The report opens offline in headless chromium with every chart drawn."""

from __future__ import annotations

from pathlib import Path

import pytest

from kit.report.build import build_report
from kit.workspace import Workspace
from tests.browser import browser_page, require_chromium

SCREENSHOTS = Path(__file__).resolve().parents[1] / "artifacts"


@pytest.mark.slow
def test_report_draws_every_chart_without_network(scored_project, tmp_path):
    require_chromium()
    out = tmp_path / "report"
    written = build_report(
        Workspace.load(scored_project.root, outcomes_path=scored_project.root / "outcomes.yaml"),
        out,
        images=False,
    )
    with browser_page() as (page, requests):
        page.route("http*://**/*", lambda route: route.abort())
        page.goto(written.html.as_uri())
        page.wait_for_selector("body[data-charts-drawn]", timeout=30_000)
        drawn = int(page.get_attribute("body", "data-charts-drawn"))
        svgs = page.locator(".chart svg.marks").count()
        marks = page.locator(".chart svg .mark-symbol path, .chart svg .mark-rect path").count()
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "report.png"), full_page=False)
    assert drawn == 8 and svgs == 8  # consistency band and discrimination added
    assert marks > 100  # points and bars really drawn
    leaving = [u for u in requests if not u.startswith(("file:", "data:", "blob:"))]
    assert leaving == [], f"the report made network requests: {leaving}"
