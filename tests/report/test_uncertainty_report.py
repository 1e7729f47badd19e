"""Uncertainty on every score, in the workspace's tables, `kit score`, the report and CSV."""

from __future__ import annotations

import csv
import io
import json
import math

import numpy as np
import pytest
from click.testing import CliRunner

from kit.assess import uncertainty
from kit.cli import cli
from kit.report.build import TABLES, build_report
from kit.report.data import gather
from kit.scoring import bootstrap, calibration_tests
from kit.workspace import Workspace


@pytest.fixture
def ws(scored_project):
    return Workspace.load(scored_project.root, outcomes_path=scored_project.root / "outcomes.yaml")


def invoke(project, *args):
    outcomes = str(project.root / "outcomes.yaml")
    result = CliRunner().invoke(
        cli, ["--project", str(project.root), args[0], "--outcomes", outcomes, *args[1:]]
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_every_mean_score_has_an_interval_and_its_questions(ws):
    table = ws.scores()
    rows = {
        r["forecaster"]: r
        for r in uncertainty.add_intervals(table.breakdown("forecaster"), table, "forecaster")
    }
    ana = rows["ana"]
    assert ana["brier_questions"] == 40 and ana["log_questions"] == 45
    assert ana["crps_questions"] == 8 and ana["baseline_low"] < ana["baseline_high"]
    mine = sorted(
        (r.question, r.scores["brier"])
        for r in table.records
        if r.by == "ana" and "brier" in r.scores
    )
    expected = bootstrap.mean_intervals(
        [[v for _, v in mine]], rng=bootstrap.rng_for(0, [q for q, _ in mine])
    )
    assert ana["brier"] == pytest.approx(expected.mean[0])
    assert (ana["brier_low"], ana["brier_high"]) == pytest.approx(
        (expected.low[0], expected.high[0])
    )
    again = uncertainty.add_intervals(table.breakdown("forecaster"), table, "forecaster")
    assert again[0]["brier_low"] == rows[again[0]["forecaster"]]["brier_low"]  # seeded


def test_breakdowns_by_tag_resample_questions_with_their_forecasts(ws):
    table = ws.scores()
    rows = uncertainty.add_intervals(table.breakdown("tag"), table, "tag")
    even = next(r for r in rows if r["tag"] == "even")
    assert even["n_brier"] == 60 and even["brier_questions"] == 20  # 3 forecasters each
    assert even["brier_low"] <= even["brier"] <= even["brier_high"]


def test_pairwise_rows_and_relative_skill(ws):
    compared = uncertainty.pairwise(ws.scores())
    brier = [r for r in compared.rows if r["metric"] == "brier"]
    assert [(r["a"], r["b"]) for r in brier] == [("ana", "bo"), ("ana", "cy"), ("bo", "cy")]
    assert all(r["questions"] == 40 and r["low"] <= r["difference"] <= r["high"] for r in brier)
    assert all(r["p_holm"] >= r["p_value"] for r in brier)
    ratio = {(r["a"], r["b"]): r["ratio"] for r in brier}
    skill = {r["forecaster"]: r["relative_skill"] for r in compared.skill if r["metric"] == "brier"}
    assert skill["ana"] == pytest.approx((ratio["ana", "bo"] * ratio["ana", "cy"]) ** (1 / 3))
    assert skill["cy"] == pytest.approx((1 / ratio["ana", "cy"] / ratio["bo", "cy"]) ** (1 / 3))
    assert {r["metric"] for r in compared.rows} == {
        "brier",
        "log",
        "brier_multi",
        "rps",
        "crps",
        "wis",
    }


def test_report_data_calibration_tests_bands_discrimination_and_surprise(ws):
    d = gather(ws)
    pairs = ws.calibration_pairs(d.table)
    p = np.array([x for _, x, _ in pairs])
    y = np.array([v for _, _, v in pairs])
    overall = d.calibration_tests[0]
    assert overall["forecaster"] == "all" and overall["n"] == len(pairs) == 165
    assert overall["z"] == pytest.approx(calibration_tests.spiegelhalter(p, y).z)
    band = [r for r in d.consistency if r["forecaster"] == "all"]
    assert len(band) == len(np.unique(p)) and all(r["n"] == 165 for r in band)
    summary = d.discrimination_summary[0]
    assert (
        summary["happened"]
        + sum(
            r["count"]
            for r in d.discrimination
            if r["forecaster"] == "all" and r["outcome"] == "did not"
        )
        == 165
    )
    assert d.leaderboard[0]["brier_questions"] == 40
    # surprise: most surprising first, -ln of the community's probability of the outcome
    surprises = [r["surprise"] for r in d.surprise if r["surprise"] is not None]
    assert surprises == sorted(surprises, reverse=True)
    b0 = next(r for r in d.surprise if r["question"] == "b0")
    p_yes = ws.community("b0")["p"]
    outcome = ws.outcomes["b0"]
    assert b0["surprise"] == pytest.approx(-math.log(p_yes if outcome else 1 - p_yes))
    n0 = next(r for r in d.surprise if r["question"] == "n0")
    assert 0 <= n0["pit"] <= 1 and n0["surprise"] == pytest.approx(
        -math.log(2 * min(n0["pit"], 1 - n0["pit"]))
    )
    assert not any(r["question"] == "c5" for r in d.surprise)  # annulled


def test_report_writes_its_tables_as_csv(ws, tmp_path):
    written = build_report(ws, tmp_path / "r", images=False)
    folder = tmp_path / "r" / "tables"
    assert {p.stem for p in folder.glob("*.csv")} == set(TABLES) | {"records", "late"}
    leaderboard = list(csv.DictReader((folder / "leaderboard.csv").open()))
    assert [r["forecaster"] for r in leaderboard] == ["ana", "bo", "cy"]
    assert leaderboard[0]["brier_questions"] == "40"
    records = list(csv.DictReader((folder / "records.csv").open()))
    assert len(records) == 159 and "brier" in records[0]
    page = written.html.read_text()
    assert "How sure are these scores?" in page and "What the studies taught" in page
    stored = json.loads((tmp_path / "r" / "report.json").read_text())
    assert stored["uncertainty"]["resamples"] == 1000 and stored["pairwise"]


def test_kit_score_shows_intervals_pairwise_csv_and_json(scored_project):
    shown = invoke(scored_project, "score", "--pairwise")
    assert "90% interval" in shown and "Spiegelhalter" in shown and "relative skill" in shown
    table = list(csv.DictReader(io.StringIO(invoke(scored_project, "score", "--csv"))))
    assert list(table[0])[:5] == ["forecaster", "forecasts", "brier", "brier_low", "brier_high"]
    pairs = list(
        csv.DictReader(io.StringIO(invoke(scored_project, "score", "--pairwise", "--csv")))
    )
    assert list(pairs[0])[:3] == ["metric", "a", "b"] and len(pairs) == 18
    data = json.loads(invoke(scored_project, "score", "--json", "--level", "0.8", "--seed", "3"))
    assert data["uncertainty"] == {"level": 0.8, "resamples": 1000, "permutations": 9999, "seed": 3}
    assert data["groups"][0]["brier_questions"] == 40
    assert {r["forecaster"] for r in data["relative_skill"]} == {"ana", "bo", "cy"}
    assert data["calibration"][0]["n"] == 165


def test_kit_surprise(scored_project):
    shown = invoke(scored_project, "surprise")
    assert "most surprising first" in shown
    rows = list(csv.DictReader(io.StringIO(invoke(scored_project, "surprise", "--csv"))))
    assert rows[0]["experiment"] == "exp" and len(rows) == 40 + 5 + 8
    assert float(rows[0]["surprise"]) >= float(rows[1]["surprise"])
