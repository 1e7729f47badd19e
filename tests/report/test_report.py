"""The report's numbers and files."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest

from kit.report.build import build_report
from kit.report.data import calibration_pairs, gather
from kit.scoring import calibration
from kit.workspace import Workspace


@pytest.fixture
def data(scored_project):
    ws = Workspace.load(scored_project.root, outcomes_path=scored_project.root / "outcomes.yaml")
    return ws, gather(ws)


def test_calibration_numbers_match_the_scoring_core(data):
    predictions, d = data
    pairs = calibration_pairs(predictions, d.table)
    # 40 binary + 5 scored categorical questions (one annulled) x 3 options, 3 forecasters
    assert len(pairs) == 3 * (40 + 5 * 3)
    assert sum(r["count"] for r in d.reliability) == len(pairs)
    p = np.array([x for _, x, _ in pairs])
    y = np.array([v for _, _, v in pairs])
    overall = d.decomposition[0]
    assert overall["forecaster"] == "all"
    c = calibration.corp(p, y)
    assert overall["corp_mcb"] == c.mcb and overall["brier"] == pytest.approx(np.mean((p - y) ** 2))
    assert overall["corp_mcb"] - overall["corp_dsc"] + overall["corp_unc"] == pytest.approx(
        overall["brier"], abs=1e-12
    )
    m = overall
    assert m["murphy_rel"] - m["murphy_res"] + np.mean(y) * (1 - np.mean(y)) + m[
        "murphy_wbv"
    ] - 2 * m["murphy_wbc"] == pytest.approx(m["brier"], abs=1e-12)
    assert [r["forecaster"] for r in d.decomposition] == ["all", "ana", "bo", "cy"]


def test_breakdowns_have_counts(data):
    _, d = data
    assert {r["forecaster"]: r["n_brier"] for r in d.leaderboard} == {"ana": 40, "bo": 40, "cy": 40}
    assert {r["tag"]: r["forecasts"] for r in d.by_tag} == {"(none)": 39, "even": 60, "odd": 60}
    assert [r["month"] for r in d.by_month] == ["2026-01", "2026-02", "2026-03"]
    assert sum(r["forecasts"] for r in d.by_month) == len(d.table.records) == 3 * 53
    assert d.table.not_scored == ["c5"]


def test_markets_settle_within_the_makers_bound(data):
    _, d = data
    assert len(d.markets) == 46  # 40 binary + 6 categorical
    for m in d.markets:
        assert [h["by"] for h in m["history"]] == ["ana", "bo", "cy"]  # seal order
        assert m["b"] == 50 and m["worst_case_loss"] == pytest.approx(
            50 * math.log(len(m["options"]))
        )
        if m["profits"] is None:
            assert m["question"] == "c5"  # annulled: not settled
            continue
        assert sum(m["profits"].values()) == pytest.approx(m["maker_loss"], abs=1e-9)
        assert m["maker_loss"] <= m["worst_case_loss"] + 1e-9
        final = m["history"][-1]["prices"]
        assert m["price"] == final


def test_community_forecast_is_the_geometric_mean_of_odds(data):
    predictions, d = data
    row = next(q for q in d.questions if q["question"] == "b0")
    _, q = predictions.question("b0")
    ps = np.array([f.p for f in q.forecasts])
    odds = np.exp(np.mean(np.log(ps / (1 - ps))))
    assert row["community"]["p"] == pytest.approx(odds / (1 + odds), abs=1e-12)
    cat = next(q for q in d.questions if q["question"] == "c0")["community"]["probs"]
    assert sum(cat.values()) == pytest.approx(1, abs=1e-12)


def test_pit_and_coverage_for_numeric_questions(data):
    _, d = data
    assert len(d.pit) == 3 * 8 and all(0 <= r["pit"] <= 1 for r in d.pit)
    assert {(r["by"], r["nominal"]) for r in d.coverage} == {
        (b, n) for b in ("ana", "bo", "cy") for n in (0.5, 0.9)
    }
    assert all(r["n"] == 8 for r in d.coverage)


@pytest.mark.slow
def test_report_files_are_offline_and_complete(scored_project, tmp_path):
    out = tmp_path / "out"
    ws = Workspace.load(scored_project.root, outcomes_path=scored_project.root / "outcomes.yaml")
    written = build_report(ws, out)
    names = {p.name for p in written.charts}
    for chart in ("reliability", "leaderboard", "over_time", "markets", "pit", "coverage"):
        assert {f"{chart}.png", f"{chart}.svg", f"{chart}.vl.json"} <= names
        assert (out / "charts" / f"{chart}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert b"<svg" in (out / "charts" / f"{chart}.svg").read_bytes()[:500]
    page = written.html.read_text()
    assert not re.search(r"<script[^>]+src=", page), "scripts must be inline"
    assert "cdn.jsdelivr" not in page and "vegaEmbed" in page
    assert "one-sided" in page
    stored = json.loads((out / "report.json").read_text())
    assert len(stored["records"]) == 159 and stored["not_scored"] == ["c5"]


def test_empty_project_gives_an_empty_report_with_a_message(project, tmp_path):
    from kit.report.build import build_report

    written = build_report(Workspace.load(project.root), tmp_path / "r", images=False)
    assert written.data.empty
    assert "Nothing to score yet: 3 of 3 questions unresolved" in written.data.messages[0]
    assert "Nothing to score yet" in written.html.read_text()
