"""`kit import`: Fatebook and Metaculus exports become a question set and resolutions."""

from __future__ import annotations

import json
import textwrap

import pytest
from click.testing import CliRunner

from kit.cli import cli
from kit.errors import InvalidInput, UsageError
from kit.predictions import check
from kit.predictions.imports import import_file
from kit.predictions.resolutions import load_resolutions
from kit.workspace import Workspace
from tests.conftest import write_project

HEADER = (
    "Question title,Multiple choice option,Forecast created by,Forecast (scale = 0-1),"
    "Forecast created at,Question created by,Question created at,Question resolve by,"
    "Resolution,Resolved at,Your Brier score for this question,"
    "Your relative Brier score for this question,Question notes,Question shared with,"
    "Question shared publicly,Question comments"
)
GOOD = [
    '"Will it rain on Friday?",,"Ana Lopez",0.7,2024-03-01 09:05:7,"Ana Lopez",'
    "2024-03-01 09:00:0,2024-03-08 00:00:0,YES,2024-03-08 10:00:0,0.09,,,,false,",
    '"Will it rain on Friday?",,"Bo",0.4,2024-03-02 10:00:00,"Ana Lopez",'
    "2024-03-01 09:00:0,2024-03-08 00:00:0,YES,2024-03-08 10:00:0,,,,,false,",
    '"Will it rain on Friday?",,"Ana Lopez",0.8,2024-03-03 10:00:00,"Ana Lopez",'
    "2024-03-01 09:00:0,2024-03-08 00:00:0,YES,2024-03-08 10:00:0,,,,,false,",
    '"Which team wins, A, B or C?",Team A,"Ana Lopez",0.5,2024-03-01 12:00:00,"Bo",'
    "2024-03-01 11:00:0,2024-04-01 00:00:0,NO,2024-04-02 00:00:0,,,,,false,",
    '"Which team wins, A, B or C?",Team B,"Ana Lopez",0.3,2024-03-01 12:00:00,"Bo",'
    "2024-03-01 11:00:0,2024-04-01 00:00:0,YES,2024-04-02 00:00:0,,,,,false,",
    '"Which team wins, A, B or C?",Team C,"Ana Lopez",0.2,2024-03-01 12:00:00,"Bo",'
    "2024-03-01 11:00:0,2024-04-01 00:00:0,NO,2024-04-02 00:00:0,,,,,false,",
    '"Which team wins, A, B or C?",Team A,"Bo",0.1,2024-03-02 12:00:00,"Bo",'
    "2024-03-01 11:00:0,2024-04-01 00:00:0,NO,2024-04-02 00:00:0,,,,,false,",
    '"Which team wins, A, B or C?",Team B,"Bo",0.9,2024-03-02 12:00:00,"Bo",'
    "2024-03-01 11:00:0,2024-04-01 00:00:0,YES,2024-04-02 00:00:0,,,,,false,",
    '"Will the paper be accepted?",,"Bo",0.25,2024-05-01T08:00:00Z,"Bo",'
    "2024-05-01 07:00:0,2024-09-01 00:00:0,,,,,,,false,",
    '"Was the talk recorded?",,"Bo",0.6,2024-05-02 08:00:00,"Bo",'
    "2024-05-02 07:00:0,2024-06-01 00:00:0,AMBIGUOUS,2024-06-02 00:00:0,,,,,false,",
]
BAD = [
    '"Bad number",,"Bo",abc,2024-05-01 08:00:00,"Bo",2024-05-01 07:00:0,,,,,,,,false,',
    '"Out of range",,"Bo",1.5,2024-05-01 08:00:00,"Bo",2024-05-01 07:00:0,,,,,,,,false,',
    ',,"Bo",0.5,2024-05-01 08:00:00,"Bo",2024-05-01 07:00:0,,,,,,,,false,',
    '"Bad time",,"Bo",0.5,yesterday,"Bo",2024-05-01 07:00:0,,,,,,,,false,',
    '"Sums wrong",X,"Bo",0.5,2024-05-01 08:00:00,"Bo",2024-05-01 07:00:0,,,,,,,,false,',
    '"Sums wrong",Y,"Bo",0.2,2024-05-01 08:00:00,"Bo",2024-05-01 07:00:0,,,,,,,,false,',
    '"Maybe",,"Bo",0.5,2024-05-01 08:00:00,"Bo",2024-05-01 07:00:0,,PERHAPS,,,,,,false,',
    '"Short row",,"Bo"',
]


def export(tmp_path, rows, name="fatebook-export.csv"):
    path = tmp_path / name
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def empty(tmp_path):
    return write_project(tmp_path / "p", {}, notebooks=())


def test_a_fatebook_export_becomes_a_set_and_manual_resolutions(empty, tmp_path):
    report = import_file(empty, export(tmp_path, GOOD), "fatebook")
    assert report.written and report.path.name == "fatebook-export.yaml"
    assert (report.questions, report.forecasts, report.resolved) == (4, 7, 3)
    assert report.people == {"Ana Lopez": "Ana-Lopez", "Bo": "Bo"}
    predictions = check(empty)
    assert predictions.errors == []
    (s,) = predictions.sets
    assert s.experiment is None and all(q.manual for q in s.questions)
    questions = {q.id: q for q in s.questions}
    rain = questions["will-it-rain-on-friday"]
    assert [(f.by, f.p) for f in rain.forecasts] == [
        ("Ana-Lopez", 0.7),
        ("Bo", 0.4),
        ("Ana-Lopez", 0.8),
    ]
    assert rain.forecasts[0].at.isoformat() == "2024-03-01T09:05:07+00:00"
    team = questions["which-team-wins-a-b-or-c"]
    assert team.type == "categorical" and team.options == ["Team-A", "Team-B", "Team-C"]
    assert [f.probs for f in team.forecasts] == [
        {"Team-A": 0.5, "Team-B": 0.3, "Team-C": 0.2},
        {"Team-A": 0.1, "Team-B": 0.9},
    ]
    resolutions = load_resolutions(predictions)
    assert resolutions["will-it-rain-on-friday"].outcome is True
    assert resolutions["which-team-wins-a-b-or-c"].outcome == "Team-B"
    assert resolutions["was-the-talk-recorded"].outcome == "ambiguous"
    assert "will-the-paper-be-accepted" not in resolutions
    why = resolutions["will-it-rain-on-friday"].why
    assert why.startswith("imported from the fatebook export fatebook-export.csv, line 2")
    assert (
        resolutions["will-it-rain-on-friday"].evidence_at.isoformat() == "2024-03-08T10:00:00+00:00"
    )
    # the imported forecasts were not sealed before their outcomes: late, scored on request
    ws = Workspace.load(empty)
    assert ws.scores().records == []
    scored = ws.scores(include_late=True).records
    assert {(r.question, r.by) for r in scored} >= {("will-it-rain-on-friday", "Bo")}


def test_malformed_rows_are_reported_with_their_lines_and_nothing_is_written(empty, tmp_path):
    with pytest.raises(InvalidInput) as info:
        import_file(empty, export(tmp_path, GOOD + BAD), "fatebook")
    shown = [str(p) for p in info.value.problems]
    first = len(GOOD) + 2  # the header is line 1
    expected = {
        first: "not a number: 'abc'",
        first + 1: "1.5 is not a probability",
        first + 2: "Question title: empty",
        first + 3: "not a time: 'yesterday'",
        first + 4: "sums to 0.7, not 1 (lines 16, 17)",
        first + 6: "'PERHAPS' is not YES, NO or AMBIGUOUS",
        first + 7: "a different number of cells than the header",
    }
    for line, message in expected.items():
        assert any(p.startswith(f"fatebook-export.csv:{line}:") and message in p for p in shown), (
            line,
            shown,
        )
    assert "--skip-invalid to import the rest" in str(info.value)
    assert list(empty.predictions_dir.iterdir()) == []  # no set, no resolutions, no lock


def test_skip_invalid_imports_the_rest_and_lists_the_skipped(empty, tmp_path):
    report = import_file(empty, export(tmp_path, GOOD + BAD), "fatebook", skip_invalid=True)
    assert report.written and len(report.skipped) == 7
    assert check(empty).errors == []
    ids = {q.id for _, q in check(empty).questions()}
    assert "maybe" in ids and "bad-number" not in ids


def test_nothing_half_written_when_the_resolutions_fail(empty, tmp_path, monkeypatch):
    import kit.predictions.imports as imports

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(imports, "write_resolutions", broken)
    with pytest.raises(OSError):
        import_file(empty, export(tmp_path, GOOD), "fatebook")
    assert not (empty.predictions_dir / "fatebook-export.yaml").exists()


def test_an_existing_set_is_never_overwritten_and_ids_stay_unique(empty, tmp_path):
    path = export(tmp_path, GOOD)
    import_file(empty, path, "fatebook")
    with pytest.raises(UsageError, match="exists: choose another --name"):
        import_file(empty, path, "fatebook")
    again = import_file(empty, path, "fatebook", name="second")
    assert "will-it-rain-on-friday-2" in again.text
    assert check(empty).errors == []


def test_kit_import_command_and_dry_run(empty, tmp_path):
    path = export(tmp_path, GOOD)
    runner = CliRunner()
    base = ["--project", str(empty.root), "import", str(path), "--format", "fatebook"]
    dry = runner.invoke(cli, [*base, "--dry-run"])
    assert dry.exit_code == 0 and "resolve: manual" in dry.output
    assert not (empty.predictions_dir / "fatebook-export.yaml").exists()
    done = runner.invoke(cli, [*base, "--name", "fb"])
    assert done.exit_code == 0, done.output
    assert "wrote predictions/fb.yaml: 4 questions, 7 forecasts; 3 resolutions" in done.output
    assert "--include-late" in done.output


def test_a_set_without_experiment_needs_manual_questions(make_project):
    text = textwrap.dedent(
        """\
        questions:
          - {id: a, text: t, type: binary, resolve: manual}
          - {id: b, text: t, type: binary, resolve: x > 1}
        """
    )
    errors = [str(p) for p in check(make_project({"s.yaml": text})).errors]
    assert errors == [
        "predictions/s.yaml:3:45: questions[1].resolve: a rule needs an experiment: set "
        "`experiment` at the top of the file or on this question (or write resolve: manual)"
    ]


QUESTION_DATA = (
    "Question ID,Question Title,Label,Question Type,MC Options (All),Resolution,"
    "Resolution Known Time\n"
    "11,Will X happen?,,binary,,yes,2024-02-01T00:00:00Z\n"
    '12,Which one?,,multiple_choice,"[""red"", ""blue"", ""green""]",blue,2024-02-02T00:00:00Z\n'
    "13,How many?,,numeric,,42.5,2024-02-03T00:00:00Z\n"
    "14,When?,,date,,,\n"
)
FORECAST_DATA = (
    "Question ID,Forecaster Username,Start Time,Probability Yes,Probability Yes Per Category,"
    "5th Percentile,25th Percentile,Median,75th Percentile,95th Percentile\n"
    "11,ana,2024-01-01T00:00:00Z,0.8,,,,,,\n"
    '12,ana,2024-01-02T00:00:00Z,,"[0.2, 0.5, 0.3]",,,,,\n'
    '12,recency_weighted,2024-01-02T00:00:00Z,,"[0.1, 0.9, None]",,,,,\n'
    "13,ana,2024-01-03T00:00:00Z,,,10,30,40,50,70\n"
    "13,bo,2024-01-03T00:00:00Z,,,10,30,20,50,70\n"
    "99,ana,2024-01-03T00:00:00Z,0.5,,,,,,\n"
)


def test_a_metaculus_export(empty, tmp_path):
    folder = tmp_path / "metaculus"
    folder.mkdir()
    (folder / "question_data.csv").write_text(QUESTION_DATA)
    (folder / "forecast_data.csv").write_text(FORECAST_DATA)
    with pytest.raises(InvalidInput) as info:
        import_file(empty, folder, "metaculus")
    shown = [str(p) for p in info.value.problems]
    assert any(p.startswith("metaculus:question_data.csv:5:") and "'date'" in p for p in shown)
    assert any(p.startswith("metaculus:forecast_data.csv:6:") and "decrease" in p for p in shown)
    assert any(
        p.startswith("metaculus:forecast_data.csv:7:") and "no such question" in p for p in shown
    )
    report = import_file(empty, folder, "metaculus", skip_invalid=True, name="meta")
    assert (report.questions, report.resolved) == (3, 3)
    predictions = check(empty)
    assert predictions.errors == []
    questions = {q.id: q for _, q in predictions.questions()}
    assert questions["which-one"].forecasts[1].probs == {"red": 0.1, "blue": 0.9}
    assert questions["how-many"].forecasts[0].quantiles[0.95] == 70
    resolutions = load_resolutions(predictions)
    assert resolutions["how-many"].outcome == 42.5 and resolutions["which-one"].outcome == "blue"
    json.dumps(report.people)
