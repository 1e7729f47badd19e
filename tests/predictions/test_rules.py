import pytest

from kit.predictions.rules import RuleError, parse_rule


@pytest.mark.parametrize(
    ("rule", "results", "expected"),
    [
        ("coef < 0 and p < 0.05", {"coef": -1.2, "p": 0.01}, True),
        ("coef < 0 and p < 0.05", {"coef": -1.2, "p": 0.2}, False),
        ("not (a or b)", {"a": False, "b": False}, True),
        ("0 < x <= 1", {"x": 1}, True),
        ("x * 100 - 3 ** 2", {"x": 0.5}, 41.0),
        ("'hi' if x > 1 else 'lo'", {"x": 0}, "lo"),
        ("name in ['a', 'b']", {"name": "b"}, True),
        ("name not in ('a', 'b')", {"name": "b"}, False),
        ("x == true", {"x": True}, True),
    ],
)
def test_evaluates(rule, results, expected):
    assert parse_rule(rule).evaluate(results) == expected


def test_names_are_collected():
    assert parse_rule("a < b and c").names == {"a", "b", "c"}


@pytest.mark.parametrize(
    ("rule", "results", "message"),
    [
        ("x > 0", {}, "result 'x' was not recorded by the run"),
        ("x and y", {"x": 1, "y": True}, "'and' needs true or false, got 1"),
        ("x / y", {"x": 1, "y": 0}, "division by zero"),
        ("x + 1", {"x": "a"}, "'\\+' needs numbers, got 'a'"),
        ("x < 1", {"x": "a"}, "cannot compare 'a' with 1"),
        ("2 ** x", {"x": 1000}, "exponent 1000 is larger than 64"),
    ],
)
def test_evaluation_errors_are_clear(rule, results, message):
    with pytest.raises(RuleError, match=message):
        parse_rule(rule).evaluate(results)


@pytest.mark.parametrize(
    "rule",
    [
        "open('x')",
        "x.__class__",
        "x[0]",
        "[i for i in x]",
        "{1: 2}",
        "{1}",
        "lambda: 0",
        "(y := 1)",
        "f'{x}'",
        "__builtins__",
        "*x",
        "x if y else z.w",
        "import os",
        "a; b",
        "x is None",
        "b'bytes'",
        "None",
        "...",
    ],
)
def test_forbidden_constructs(rule):
    with pytest.raises(RuleError):
        parse_rule(rule)


def test_long_and_deep_rules_are_refused_cleanly():
    with pytest.raises(RuleError, match="limit is 2000"):
        parse_rule("x + " * 1000 + "x")
    with pytest.raises(RuleError):
        parse_rule("(" * 1900 + "x" + ")" * 1900)
