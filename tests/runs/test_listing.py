"""`kit runs`: listing, filtering, the parameters that differ, chosen results, CSV, JSON."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

from kit.runs import listing, store
from tests.runs.conftest import written_run
from tests.runs.test_runner import kit


def _three(project):
    start = store.utcnow()
    return [
        written_run(project, {"x": 0.5, "curve": [1, 2]}, {"n": 3, "seed": 0}, started=start),
        written_run(
            project,
            {"x": float("nan")},
            {"n": 3, "seed": 1},
            started=start + timedelta(seconds=1),
            status="failed",
        ),
        written_run(project, {"x": 2}, {"n": 3, "seed": 2}, started=start + timedelta(seconds=2)),
    ]


def test_runs_csv_shows_differing_parameters_and_chosen_results(run_project):
    runs = _three(run_project)
    out = kit(run_project, "runs", "--csv", "-r", "x", "-r", "missing")
    assert out.returncode == 0, out.stderr
    table = list(csv.DictReader(io.StringIO(out.stdout)))
    assert list(table[0]) == [
        "experiment",
        "id",
        "status",
        "started",
        "duration_s",
        "seed",
        "x",
        "missing",
    ]  # n is the same in every run: not a column
    assert [r["id"] for r in table] == [r.id for r in runs]
    assert [r["seed"] for r in table] == ["0", "1", "2"]
    assert [r["x"] for r in table] == ["0.5", "nan", "2"]
    assert [r["status"] for r in table] == ["ok", "failed", "ok"]
    assert table[0]["missing"] == "" and table[0]["duration_s"] == "1.0"


def test_runs_filters_and_json(run_project):
    runs = _three(run_project)
    ok = list(
        csv.DictReader(io.StringIO(kit(run_project, "runs", "--status", "ok", "--csv").stdout))
    )
    assert [r["id"] for r in ok] == [runs[0].id, runs[2].id]
    one = json.loads(kit(run_project, "runs", "exp", "-p", "seed=1", "--json").stdout)
    assert [r["id"] for r in one] == [runs[1].id]
    assert one[0]["folder"] == f"runs/exp/{runs[1].id}" and one[0]["results"]["x"] == {
        "$float": "nan"
    }
    assert json.loads(kit(run_project, "runs", "probe", "--json").stdout) == []
    shown = kit(run_project, "runs", "-r", "x", "--last", "2")
    assert shown.returncode == 0 and runs[0].id not in shown.stdout and runs[2].id in shown.stdout
    assert "no runs match" in kit(run_project, "runs", "--status", "timeout").stdout


def test_rows_and_short_values():
    a = store.RunRecord(id="a", experiment="e", parameters={"lr": 0.1, "id": 1}, results={"x": 1})
    b = store.RunRecord(id="b", experiment="e", parameters={"lr": 0.2}, results={})
    assert listing.differing([a, b]) == ["lr", "id"]
    rows = listing.rows([a, b], ["x", "lr"])
    assert rows[0]["param:id"] == 1 and rows[0]["result:lr"] is None and rows[1]["x"] is None
    assert listing.short_value(0.123456) == "0.1235"
    assert listing.short_value([1, 2, 3]) == "[3 values]"
    assert listing.short_value(float("inf")) == "inf"
    assert listing.short_value("x" * 40).endswith("...")
