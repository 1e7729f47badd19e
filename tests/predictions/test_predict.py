"""`kit predict`: comment-preserving appends, refusals, and concurrent writers."""

import subprocess
import sys
import textwrap

import pytest

from kit.errors import InvalidInput, NotFound, UsageError
from kit.predictions import check
from kit.predictions.predict import add_forecast

COMMENTED = """\
# Top comment, kept byte for byte.
experiment: exp   # trailing comment
parameters: {n: 3, seed: 0}

questions:
  # a comment before the first question
  - id: q-binary
    text: "Is it so?"   # quoted on purpose
    type: binary
    resolve: x > 0
    forecasts:
      - {by: ana, at: 2026-01-01T00:00:00Z, p: 0.7}   # ana's first
      # a comment after the last forecast, before the next question

  - id: q-empty
    text: No forecasts yet
    type: binary
    resolve: x > 1
    forecasts: []    # none yet

  - id: q-none
    text: No forecasts key
    type: categorical
    options: [a, b]
    resolve: "'a'"
    tags: [t]
# trailing comment at the end
"""


def _inserted(before: str, after: str) -> list[str]:
    """Lines of `after` that are not in `before`, checking the rest is untouched in order."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    added, i = [], 0
    for line in new:
        if i < len(old) and line == old[i]:
            i += 1
        else:
            added.append(line)
    assert i == len(old), "a line of the original was changed or removed"
    return added


def test_append_to_block_list_keeps_everything_else(make_project):
    project = make_project({"s.yaml": COMMENTED})
    path = project.predictions_dir / "s.yaml"
    before = path.read_text()
    add_forecast(project, "q-binary", "bo", p=0.25, why="base rates: 1 in 4")
    after = path.read_text()
    added = _inserted(before, after)
    assert len(added) == 1 and added[0].startswith("      - {by: bo, at: ")
    assert added[0].endswith(', p: 0.25, why: "base rates: 1 in 4"}\n')
    assert after.index(added[0]) < after.index("      # a comment after the last forecast")
    ((_, q),) = [(s, q) for s, q in check(project).questions() if q.id == "q-binary"]
    assert [f.by for f in q.forecasts] == ["ana", "bo"]


def test_append_to_empty_flow_list_and_to_missing_key(make_project):
    project = make_project({"s.yaml": COMMENTED})
    path = project.predictions_dir / "s.yaml"
    add_forecast(project, "q-empty", "bo", p=0.5)
    text = path.read_text()
    assert "    forecasts:    # none yet\n      - {by: bo, at: " in text
    add_forecast(project, "q-none", "cy", probs={"a": 0.25, "b": 0.75})
    result = check(project)
    assert result.errors == []
    forecasts = {q.id: [f.by for f in q.forecasts] for _, q in result.questions()}
    assert forecasts == {"q-binary": ["ana"], "q-empty": ["bo"], "q-none": ["cy"]}
    assert path.read_text().startswith(COMMENTED.split("questions:")[0])
    assert path.read_text().endswith("# trailing comment at the end\n")


@pytest.mark.parametrize(
    ("question", "value", "message"),
    [
        ("q-binary", {"p": 1.5}, "p: Input should be less than or equal to 1"),
        ("q-binary", {"probs": {"a": 1.0}}, "a binary question needs p (a probability), not probs"),
        ("q-none", {"probs": {"a": 0.5, "c": 0.5}}, "unknown option 'c'; options are a, b"),
        ("q-none", {"probs": {"a": 0.5, "b": 0.6}}, "probabilities sum to 1.1, not 1"),
    ],
)
def test_invalid_forecasts_are_refused_and_nothing_is_written(
    make_project, question, value, message
):
    project = make_project({"s.yaml": COMMENTED})
    path = project.predictions_dir / "s.yaml"
    with pytest.raises((InvalidInput, UsageError)) as info:
        add_forecast(project, question, "bo", **value)
    assert message in str(info.value)
    assert "refused, nothing written" in str(info.value)
    assert path.read_text() == COMMENTED


def test_unknown_question_suggests_close_ids(make_project):
    project = make_project({"s.yaml": COMMENTED})
    with pytest.raises(NotFound, match="no question 'q-binry'; did you mean q-binary"):
        add_forecast(project, "q-binry", "bo", p=0.5)


def test_two_concurrent_predict_processes_both_land(make_project):
    project = make_project({"s.yaml": COMMENTED})
    script = textwrap.dedent("""
        import sys
        from kit.predictions.predict import add_forecast
        from kit.project import Project
        project = Project(sys.argv[1])
        for i in range(5):
            add_forecast(project, "q-binary", sys.argv[2] + str(i), p=0.1 * (i + 1))
    """)
    procs = [
        subprocess.Popen([sys.executable, "-c", script, str(project.root), who])
        for who in ("x", "y")
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    (q,) = [q for _, q in check(project).questions() if q.id == "q-binary"]
    assert sorted(f.by for f in q.forecasts) == sorted(
        ["ana"] + [f"{w}{i}" for w in "xy" for i in range(5)]
    )
