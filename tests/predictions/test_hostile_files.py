"""Hostile question sets, ledgers and edits (issue 21): located errors, files kept intact."""

from __future__ import annotations

import codecs
import json

import pytest

from kit.errors import LedgerError
from kit.predictions import check
from kit.predictions.predict import add_forecast
from kit.predictions.seal import seal
from tests.conftest import BASIC

F0 = "{by: ana, at: 2026-01-01T00:00:00Z, p: 0.7}"


def errors(project) -> list[str]:
    return [str(p) for p in check(project).errors]


@pytest.mark.parametrize("at", ["0", "-1", "1675209600", "253402300800", "'1675209600'", "1.5"])
def test_a_time_given_as_a_number_is_refused(make_project, at):
    project = make_project({"s.yaml": BASIC.replace(F0, F0.replace("2026-01-01T00:00:00Z", at))})
    (msg,) = errors(project)
    assert msg.startswith("predictions/s.yaml:11:23: questions[0].forecasts[0].at: give an ISO")
    assert "with a zone, e.g. 2026-11-23T10:15:00Z, not a number" in msg


@pytest.mark.parametrize("at", ["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00"])
def test_a_time_whose_utc_overflows_is_located(make_project, at):
    project = make_project({"s.yaml": BASIC.replace(F0, F0.replace("2026-01-01T00:00:00Z", at))})
    assert errors(project) == [
        f"predictions/s.yaml:11:23: questions[0].forecasts[0].at: {at} is out of range once "
        "converted to UTC (years 1 to 9999)"
    ]


@pytest.mark.parametrize(
    "at", ["2026-01-01T01:00:00+01:00", "'2026-01-01T00:00:00Z'", "2026-01-01 00:00:00Z"]
)
def test_timestamps_and_quoted_times_are_read(make_project, at):
    project = make_project({"s.yaml": BASIC.replace(F0, F0.replace("2026-01-01T00:00:00Z", at))})
    assert errors(project) == []


def test_a_keyword_is_not_a_parameter_name(make_project):
    project = make_project({"s.yaml": BASIC.replace("{n: 3, seed: 0}", "{n: 3, class: 1}")})
    assert errors(project) == [
        "predictions/s.yaml:3:13: parameters: parameter name 'class' is not a Python identifier"
    ]


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ("experiment: exp", 'experiment: "ex\\0p"', "2:13: yaml: text holds a NUL byte"),
        ("text: Is it so?", 'text: "a\\ud800b"', "6:11: yaml: text holds a lone surrogate"),
        ("id: q-cat", 'id: "q\\0cat"', "12:9: yaml: text holds a NUL byte"),
        ("liquidity", "", ""),
    ],
)
def test_nul_bytes_and_lone_surrogates_are_located(make_project, old, new, where):
    if not where:  # `liquidity: !!bool 100`: a value that does not fit its tag
        text = BASIC.replace("parameters:", "liquidity: !!bool 100\nparameters:")
        where = "3:12: yaml: !!bool needs true or false, not '100'"
    else:
        text = BASIC.replace(old, new)
    (msg,) = errors(make_project({"s.yaml": text}))
    assert msg.startswith(f"predictions/s.yaml:{where}"), msg


ALIASED = BASIC.replace(
    f"      - {F0}\n",
    "      - &f {by: ana, p: 0.7}\n      - *f\n",
)


def test_a_forecast_used_twice_through_an_alias_is_an_error_and_seal_is_not_stuck(make_project):
    project = make_project({"s.yaml": ALIASED})
    assert errors(project) == [
        "predictions/s.yaml:12:9: questions[0].forecasts: aliases of forecasts are not allowed: "
        "write the forecast out (each forecast is sealed, timed and edited on its own)"
    ]
    path = project.predictions_dir / "s.yaml"
    report = seal(project)  # the aliased question is left as it is; it says why
    assert b"*f" in path.read_bytes()
    assert all(r.question.id != "q-binary" for r in report.sealed)
    path.write_text(ALIASED.replace("      - *f\n", "      - {by: bo, p: 0.2}\n"))
    assert len(seal(project).sealed) == 2  # written out: sealed as usual


def test_an_alias_of_a_whole_forecast_list_is_an_error(make_project):
    text = BASIC.replace(
        "    forecasts:\n      - {by: ana, at: 2026-01-01T00:00:00Z, p: 0.7}\n",
        "    forecasts: &all\n      - {by: ana, at: 2026-01-01T00:00:00Z, p: 0.7}\n",
    )
    text = text.replace(
        "  - id: q-num",
        "  - id: q-bin2\n    text: Again?\n    type: binary\n"
        "    resolve: x > 1\n    forecasts: *all\n  - id: q-num",
    )
    msgs = errors(make_project({"s.yaml": text}))
    assert any(":23:16: questions[2].forecasts: aliases of forecasts" in m for m in msgs), msgs


def test_aliases_elsewhere_are_fine(make_project):
    text = BASIC.replace("tags: [t1]", "tags: &t [t1]").replace(
        "    options: [a, b, c]", "    options: [a, b, c]\n    tags: *t"
    )
    assert errors(make_project({"s.yaml": text})) == []


def test_a_duplicate_question_id_in_one_file_is_located_at_the_duplicate(make_project):
    text = BASIC.replace("id: q-cat", "id: q-binary")
    assert errors(make_project({"s.yaml": text})) == [
        "predictions/s.yaml:12:9: questions[1].id: duplicate question id 'q-binary': also on line 5"
    ]


def _crlf(text: str) -> bytes:
    return text.replace("\n", "\r\n").encode()


def test_predict_and_seal_keep_crlf_line_endings_byte_for_byte(make_project):
    project = make_project({})
    path = project.predictions_dir / "s.yaml"
    original = _crlf(BASIC.replace(F0, "{by: ana, p: 0.7}"))
    path.write_bytes(original)
    seal(project)  # fills in ana's time, then seals
    sealed = path.read_bytes()
    assert b"\n" not in sealed.replace(b"\r\n", b"")  # every line still ends in CRLF
    assert sealed.replace(b"at: ", b"").count(b"\r\n") == original.count(b"\r\n")
    add_forecast(project, "q-num", "bo", quantiles={0.5: 4.0})
    after = path.read_bytes()
    assert b"\n" not in after.replace(b"\r\n", b"")
    new_lines = [line for line in after.split(b"\r\n") if line not in sealed.split(b"\r\n")]
    assert len(new_lines) == 1 and new_lines[0].startswith(b"      - {by: bo, at: ")
    assert check(project).errors == []


def test_a_byte_order_mark_is_kept(make_project):
    project = make_project({})
    path = project.predictions_dir / "s.yaml"
    path.write_bytes(codecs.BOM_UTF8 + BASIC.encode())
    add_forecast(project, "q-binary", "bo", p=0.5)
    data = path.read_bytes()
    assert data.startswith(codecs.BOM_UTF8 + BASIC.split("\n")[0].encode())
    assert data.count(codecs.BOM_UTF8) == 1 and check(project).errors == []


def test_lines_are_split_where_yaml_splits_them(make_project):
    # str.splitlines also splits at U+2028, which YAML's line numbers do not count: the
    # forecast went in one line too early, before ana's, and was not the last any more.
    project = make_project({"s.yaml": BASIC.replace("text: Which one?", 'text: "Which\u2028one?"')})
    add_forecast(project, "q-cat", "bo", probs={"a": 1.0})
    forecasts = {q.id: [f.by for f in q.forecasts] for _, q in check(project).questions()}
    assert forecasts == {"q-binary": ["ana"], "q-cat": ["ana", "bo"], "q-num": ["ana"]}


def test_many_options_and_unknown_probabilities_give_bounded_messages(make_project):
    n = 5_000
    options = ", ".join(f"o{i}" for i in range(n))
    probs = ", ".join(f"u{i}: 0.0" for i in range(n))
    text = BASIC.replace("options: [a, b, c]", f"options: [{options}]").replace(
        "probs: {a: 0.5, b: 0.3, c: 0.2}", f"probs: {{{probs}}}"
    )
    msgs = errors(make_project({"s.yaml": text}))
    assert len(msgs) == 21  # 20 unknown options shown, and how many in all
    assert any(m.endswith(f"{n} unknown options in all") for m in msgs)
    assert all(len(m) < 400 for m in msgs)
    assert msgs[-1].endswith(
        "options are o0, o1, o2, o3, o4, o5, o6, o7, o8, o9, o10, o11, "
        f"o12, o13, o14, o15, o16, o17, o18, o19, ... ({n} in all)"
    )


def _ledger_line(project, **changes) -> None:
    lines = project.ledger_path.read_text().splitlines(keepends=True)
    record = json.loads(lines[-1])
    record.update(changes)
    lines[-1] = json.dumps(record, ensure_ascii=False) + "\n"
    project.ledger_path.write_text("".join(lines), encoding="utf-8", errors="surrogatepass")


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"question": ["q-num"]}, "question: Input should be a valid string"),
        ({"sealed_at": "2026-01-01T00:00:00.000000"}, "sealed_at: Input should have timezone"),
        ({"sealed_at": 1675209600}, "sealed_at: give an ISO 8601 time with a zone"),
        ({"sealed_at": "9999-12-31T23:59:59-01:00"}, "sealed_at: 9999-12-31T23:59:59-01:00 is"),
        ({"by": "a\x00b"}, "by: text holds a NUL byte"),
    ],
)
def test_a_hostile_last_ledger_line_is_corrupt_not_a_crash(project, changes, why):
    seal(project)
    _ledger_line(project, **changes)
    last = len(project.ledger_path.read_bytes().splitlines())  # forecast and plan seals
    msgs = errors(project)
    assert any(
        m.startswith(f"predictions/_seals.jsonl:{last}:1: ledger: corrupt line: {why}")
        for m in msgs
    ), msgs
    with pytest.raises(LedgerError, match="the seal ledger is damaged"):
        from kit.predictions import load_predictions

        load_predictions(project.root)


def test_a_ledger_that_is_not_a_file_is_damaged(project):
    project.ledger_path.mkdir()
    assert errors(project) == [
        "predictions/_seals.jsonl:1:1: ledger: is a folder, not a regular file"
    ]
    with pytest.raises(LedgerError):
        seal(project)
