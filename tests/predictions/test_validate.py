"""Every error class of `kit check`, with its exact location."""

import pytest

from kit.predictions import check
from tests.conftest import BASIC

HEAD = "experiment: exp\nquestions:\n"


def errors(make_project, text: str, name: str = "s.yaml", extra: dict | None = None) -> list[str]:
    project = make_project({name: text, **(extra or {})})
    return [str(p) for p in check(project).problems if p.severity == "error"]


def test_valid_file_has_no_problems(project):
    result = check(project)
    assert [p for p in result.problems if p.severity == "error"] == []
    assert [q.id for _, q in result.questions()] == ["q-binary", "q-cat", "q-num"]


def test_unknown_and_missing_fields(make_project):
    text = HEAD + "  - id: q\n    txt: hi\n    type: binary\n    resolve: x\n"
    assert errors(make_project, text) == [
        "predictions/s.yaml:3:5: questions[0].text: missing required field",
        "predictions/s.yaml:4:5: questions[0].txt: unknown field; expected one of: id, text, "
        "type, resolve, experiment, replicates, tags, blind, reveal_after, forecasts",
    ]


def test_wrong_types_and_probability_range(make_project):
    text = HEAD + (
        "  - id: q\n    text: hi\n    type: binary\n    resolve: x > 1\n    forecasts:\n"
        "      - {by: ana, at: 2026-01-01T00:00:00Z, p: 1.5}\n"
        "      - {by: bo, at: 2026-01-01T00:00:00Z, p: '0.5'}\n"
        "      - {by: cy, at: 2026-01-01T00:00:00, p: 0.5}\n"
    )
    assert errors(make_project, text) == [
        "predictions/s.yaml:8:48: questions[0].forecasts[0].p: Input should be less than or "
        "equal to 1 (got 1.5)",
        "predictions/s.yaml:9:47: questions[0].forecasts[1].p: Input should be a valid number "
        "(got '0.5')",
        "predictions/s.yaml:10:22: questions[0].forecasts[2].at: Input should have timezone info "
        "(got '2026-01-01T00:00:00')",
    ]


def test_categorical_sum_and_unknown_option(make_project):
    text = HEAD + (
        "  - id: q\n    text: hi\n    type: categorical\n    options: [a, b]\n"
        "    resolve: \"'a'\"\n    forecasts:\n"
        "      - {by: ana, at: 2026-01-01T00:00:00Z, probs: {a: 0.5, b: 0.4}}\n"
        "      - {by: bo, at: 2026-01-01T00:00:00Z, probs: {a: 0.5, z: 0.5}}\n"
    )
    assert errors(make_project, text) == [
        "predictions/s.yaml:9:52: questions[0].forecasts[0].probs: probabilities sum to 0.9, "
        "not 1 (tolerance 1e-06)",
        "predictions/s.yaml:10:60: questions[0].forecasts[1].probs.z: unknown option 'z'; "
        "options are a, b",
    ]


def test_non_increasing_quantiles(make_project):
    text = HEAD + (
        "  - id: q\n    text: hi\n    type: numeric\n    resolve: x\n    forecasts:\n"
        "      - {by: ana, at: 2026-01-01T00:00:00Z, quantiles: {0.1: 3, 0.5: 2, 0.9: 9}}\n"
    )
    assert errors(make_project, text) == [
        "predictions/s.yaml:8:56: questions[0].forecasts[0].quantiles: quantiles must not "
        "decrease as the level rises: 0.1 -> 3 but 0.5 -> 2"
    ]


def test_value_of_the_wrong_kind(make_project):
    text = HEAD + (
        "  - id: q\n    text: hi\n    type: numeric\n    resolve: x\n    forecasts:\n"
        "      - {by: ana, at: 2026-01-01T00:00:00Z, p: 0.3}\n"
    )
    assert errors(make_project, text) == [
        "predictions/s.yaml:8:45: questions[0].forecasts[0].p: a numeric question needs "
        "quantiles (level: value), not p"
    ]


def test_duplicate_question_ids_across_files(make_project):
    errs = errors(make_project, BASIC, "a.yaml", {"b.yaml": BASIC.replace("q-cat", "q-other")})
    assert errs == [
        "predictions/b.yaml:5:9: questions[0].id: duplicate question id 'q-binary': also at "
        "predictions/a.yaml:5",
        "predictions/b.yaml:19:9: questions[2].id: duplicate question id 'q-num': also at "
        "predictions/a.yaml:19",
    ]


def test_duplicate_forecasts(make_project):
    text = HEAD + (
        "  - id: q\n    text: hi\n    type: binary\n    resolve: x > 1\n    forecasts:\n"
        "      - {by: ana, at: 2026-01-01T00:00:00Z, p: 0.5}\n"
        "      - {by: ana, at: 2026-01-01T01:00:00+01:00, p: 0.6}\n"
    )
    assert errors(make_project, text) == [
        "predictions/s.yaml:9:9: questions[0].forecasts[1]: duplicate forecast: ana at "
        "2026-01-01T00:00:00+00:00 is already on line 8"
    ]


def test_a_notebook_not_written_yet_is_a_warning(make_project):
    """Forecasts and their plans can be sealed before the notebook exists (the plan holds
    no notebook digest; writing the notebook is then an amendment)."""
    project = make_project({"s.yaml": "experiment: nope\nquestions: []\n"})
    (problem,) = check(project).problems
    assert problem.severity == "warning"
    assert str(problem) == (
        "predictions/s.yaml:1:13: experiment: warning: no notebook notebooks/nope.ipynb yet "
        "(notebooks here: exp): its questions' plans are sealed without one, and `kit run` "
        "needs it"
    )


INSIDE = "must be a notebook name inside notebooks/ (a relative path without . or .. parts)"


@pytest.mark.parametrize(
    ("experiment", "message"),
    [
        ("../exp", f"experiment '../exp' {INSIDE}"),
        ("/etc/passwd", f"experiment '/etc/passwd' {INSIDE}"),
        ("a/./exp", f"experiment 'a/./exp' {INSIDE}"),
        ("'../notebooks/exp'", f"experiment '../notebooks/exp' {INSIDE}"),
    ],
)
def test_experiment_must_be_a_notebook_inside_notebooks(make_project, experiment, message):
    text = f"experiment: {experiment}\nquestions: []\n"
    assert errors(make_project, text) == [f"predictions/s.yaml:1:13: experiment: {message}"]


def test_a_missing_notebook_is_a_warning_not_an_error(make_project):
    project = make_project({"s.yaml": BASIC.replace("experiment: exp", "experiment: later")})
    found = check(project)
    assert found.errors == []
    (warning,) = [p for p in found.problems if p.code == "no-notebook"]
    assert str(warning) == (
        "predictions/s.yaml:2:13: experiment: warning: no notebook notebooks/later.ipynb yet "
        "(notebooks here: exp): its questions' plans are sealed without one, and `kit run` "
        "needs it"
    )
    assert [q.id for _, q in found.questions()] == ["q-binary", "q-cat", "q-num"]


def test_notebook_outside_via_symlink_is_refused(make_project, tmp_path):
    project = make_project({"s.yaml": "experiment: link\nquestions: []\n"})
    outside = tmp_path.parent / "outside.ipynb"
    outside.write_text("{}")
    (project.notebooks_dir / "link.ipynb").symlink_to(outside)
    assert [str(p) for p in check(project).errors] == [
        "predictions/s.yaml:1:13: experiment: experiment 'link' leaves notebooks/: give a "
        "notebook name inside it"
    ]


@pytest.mark.parametrize(
    ("rule", "column", "message"),
    [
        ("x >", 14, "does not parse: invalid syntax"),
        (
            "__import__('os').system('ls')",
            14,
            "only these functions can be called, by name: mean, median, sum, count, all, any, "
            "len, min, max, abs, isnan, isinf",
        ),
        ("x.real > 0", 14, "not allowed in rules: attribute access"),
        ("x[0] > 1", 14, "not allowed in rules: subscripts"),
        ("(lambda: 1)", 15, "not allowed in rules: lambdas"),
        ("_secret > 1", 14, "name '_secret': names starting with '_' are not allowed"),
    ],
)
def test_bad_rules(make_project, rule, column, message):
    text = HEAD + f'  - id: q\n    text: hi\n    type: binary\n    resolve: "{rule}"\n'
    assert errors(make_project, text) == [
        f"predictions/s.yaml:6:{column}: questions[0].resolve: {message}"
    ]


def test_type_specific_fields(make_project):
    text = HEAD + (
        "  - id: q\n    text: hi\n    type: binary\n    options: [a, b]\n    bounds: [0, 1]\n"
        "    resolve: x > 1\n"
        "  - id: c\n    text: hi\n    type: categorical\n    options: [a, a]\n    resolve: x\n"
    )
    assert errors(make_project, text) == [
        "predictions/s.yaml:6:5: questions[0].options: options are only for categorical "
        "questions, not binary",
        "predictions/s.yaml:7:5: questions[0].bounds: bounds is only for numeric questions, "
        "not binary",
        "predictions/s.yaml:12:14: questions[1].options: option names must be unique; repeated: a",
    ]


def test_top_level_must_be_a_mapping(make_project):
    assert errors(make_project, "- 1\n- 2\n") == [
        "predictions/s.yaml:1:1: (top level): expected a mapping with experiment, parameters "
        "and questions"
    ]


def test_all_problems_reported_not_just_the_first(make_project):
    bad = BASIC.replace("p: 0.7", "p: 7").replace("c: 0.2}", "c: 0.3}").replace("0.9: 9", "0.9: 2")
    assert len(errors(make_project, bad)) == 3


def test_missing_time_is_a_warning(make_project):
    text = HEAD + (
        "  - id: q\n    text: hi\n    type: binary\n    resolve: x > 1\n    forecasts:\n"
        "      - {by: ana, p: 0.5}\n"
    )
    project = make_project({"s.yaml": text})
    assert [str(p) for p in check(project).problems] == [
        "predictions/s.yaml:8:9: questions[0].forecasts[0]: warning: no time yet: `kit seal` "
        "fills in `at`"
    ]


def test_unknown_field_in_a_forecast_lists_the_forecast_fields(make_project):
    text = HEAD + (
        "  - id: q\n    text: hi\n    type: binary\n    resolve: x > 1\n    forecasts:\n"
        "      - {by: ana, at: 2026-01-01T00:00:00Z, p: 0.5, confidence: high}\n"
    )
    assert errors(make_project, text) == [
        "predictions/s.yaml:8:53: questions[0].forecasts[0].confidence: unknown field; "
        "expected one of: by, at, why, commit, salt, p"
    ]


def test_every_bad_forecast_of_a_question_is_reported(make_project):
    text = HEAD + (
        "  - id: q\n    text: hi\n    type: categorical\n    options: [a, b]\n"
        "    resolve: \"'a'\"\n    forecasts:\n"
        "      - {by: ana, at: 2026-01-01T00:00:00Z, probs: {a: 0.5, b: 0.4}}\n"
        "      - {by: bo, at: 2026-01-01T00:00:00Z, probs: {a: 2}}\n"
        "      - {by: cy, at: 2026-01-01T00:00:00Z, p: 0.5}\n"
        "      - {by: di, at: 2026-01-01T00:00:00Z, probs: {a: 0.5, z: 0.5}}\n"
    )
    fields = [e.split(": ")[1] for e in errors(make_project, text)]
    assert fields == [
        "questions[0].forecasts[0].probs",
        "questions[0].forecasts[1].probs.a",
        "questions[0].forecasts[2].p",
        "questions[0].forecasts[3].probs.z",
    ]


def test_a_huge_option_list_is_not_repeated_in_every_message(make_project):
    options = [f"o{i}" for i in range(500)]
    probs = ", ".join(f"x{i}: 0.001" for i in range(100))
    text = HEAD + (
        f"  - id: q\n    text: hi\n    type: categorical\n    options: [{', '.join(options)}]\n"
        f"    resolve: \"'o1'\"\n    forecasts:\n"
        f"      - {{by: ana, at: 2026-01-01T00:00:00Z, probs: {{{probs}}}}}\n"
    )
    found = errors(make_project, text)
    assert len(found) == 21 and "(100 unknown options in all)" not in found[0]
    assert all(len(e) < 400 for e in found)
