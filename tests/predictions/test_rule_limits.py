"""The rule evaluator's bounds: sizes of numbers, vectors and strings, depth and time.

Each hostile rule gives a `RuleError` with a column, quickly; nothing else escapes.
"""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kit.predictions import rule_eval
from kit.predictions.rule_values import MAX_ITEMS, MAX_STRING
from kit.predictions.rules import MAX_DEPTH, RuleError, Vector, parse_rule


def error_of(rule: str, results: dict | None = None) -> RuleError:
    start = time.perf_counter()
    with pytest.raises(RuleError) as info:
        parse_rule(rule).evaluate(results or {})
    assert time.perf_counter() - start < 1.0
    assert info.value.column is not None and info.value.column >= 1
    return info.value


def test_nested_powers_are_refused_at_once():
    e = error_of("((((10**64)**64)**64)**64)**64 > 0")
    assert "too large for a float" in e.message and e.column == 4  # at (10**64)**64


def test_an_integer_too_large_for_a_float():
    assert "too large for a float" in error_of("(10**64)**64").message
    assert "too large" in error_of("x * 0.5", {"x": 10**400}).message
    assert "result 'x' is an integer of about 401 digits" in error_of("x", {"x": 10**400}).message


def test_a_constant_too_large_is_refused_by_kit_check():
    with pytest.raises(RuleError, match="integer constant too large"):
        parse_rule("1" * 400 + " > x")


def test_float_overflow_is_located():
    e = error_of("x > 0 and y ** 2 > 1", {"x": 1, "y": 1e300})
    assert e.message.startswith("arithmetic overflow") and e.column == 11


@pytest.mark.parametrize(
    "rule",
    [
        "-" * 500 + "x",
        "not " * 400 + "x",
        "x + " * 498 + "x",
        "(" * 80 + "x" + ")" * 80 + " > 0 and " + "+" * 70 + "x > 0",
    ],
)
def test_deep_rules_are_refused_with_a_location(rule):
    with pytest.raises(RuleError, match=f"nested more than {MAX_DEPTH} levels") as info:
        parse_rule(rule)
    assert info.value.column >= 1


def test_vectors_and_strings_are_bounded():
    assert "limit is" in error_of("len(x) > 0", {"x": list(range(MAX_ITEMS + 1))}).message
    long = "a" * (MAX_STRING + 1)
    assert "a string of" in error_of("x == 'a'", {"x": long}).message


def test_evaluation_time_is_bounded(monkeypatch):
    monkeypatch.setattr(rule_eval, "MAX_SECONDS", 0.01)
    x = Vector(range(MAX_ITEMS))
    rule = "mean(" + " + ".join(["x * 2"] * 40) + ") > 0"
    with pytest.raises(RuleError, match="took longer than"):
        parse_rule(rule).evaluate({"x": x})


def test_arithmetic_errors_are_rule_errors():
    assert error_of("x / 0", {"x": 1}).message == "division by zero"
    assert error_of("x // 0", {"x": 1.5}).message == "division by zero"
    assert "fractional power" in error_of("x ** 0.5", {"x": -1}).message
    assert "exponent" in error_of("2 ** x", {"x": -1000}).message


# -- property: any rule of the grammar is refused by kit check or answers in bounds ---

LEAVES = st.sampled_from(["x", "y", "v", "1", "0", "64", "10", "0.5", "1e308", "true", "'a'"])
UNARY = st.sampled_from(["-", "not ", "+", "abs(", "isnan(", "mean(", "len("])
BINARY = st.sampled_from([" + ", " - ", " * ", " / ", " // ", " % ", " ** ", " and ", " or "])
COMPARE = st.sampled_from([" < ", " <= ", " == ", " != ", " > "])


def _close(prefix: str) -> str:
    return ")" if prefix.endswith("(") else ""


expressions = st.recursive(
    LEAVES,
    lambda inner: st.one_of(
        st.tuples(UNARY, inner).map(lambda t: f"{t[0]}({t[1]}){_close(t[0])}"),
        st.tuples(inner, BINARY, inner).map(lambda t: f"({t[0]}){t[1]}({t[2]})"),
        st.tuples(inner, COMPARE, inner).map(lambda t: f"({t[0]}){t[1]}({t[2]})"),
        st.tuples(inner, inner, inner).map(lambda t: f"({t[0]}) if ({t[1]}) else ({t[2]})"),
    ),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions)
def test_random_rules_are_refused_or_answer_quickly(text):
    results = {"x": 10**300, "y": float("nan"), "v": Vector([1, 2.5, float("inf")])}
    start = time.perf_counter()
    try:
        rule = parse_rule(text)
        rule.check_shapes(replicated=False)
        rule.evaluate(results)
    except RuleError as e:
        assert e.column is None or e.column >= 1
    assert time.perf_counter() - start < 2.5
