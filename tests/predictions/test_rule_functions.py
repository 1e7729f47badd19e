"""Rule functions, vectors over replicates, parameters and non-finite results."""

from __future__ import annotations

import math

import pytest

from kit.predictions.rules import FUNCTIONS, RuleError, Vector, parse_rule

NAN, INF = math.nan, math.inf
V = Vector


def value(rule: str, results: dict, params: dict | None = None):
    return parse_rule(rule).evaluate(results, params)


@pytest.mark.parametrize(
    ("rule", "results", "expected"),
    [
        ("mean(x)", {"x": V([1, 2, 3, 6])}, 3.0),
        ("median(x)", {"x": V([5, 1, 4, 2])}, 3.0),
        ("sum(x)", {"x": V([1, 2, 3])}, 6),
        ("sum(x)", {"x": V([0.1] * 10)}, 1.0),
        ("count(x > 1)", {"x": V([0, 2, 3])}, 2),
        ("all(x > 0)", {"x": V([1, 2])}, True),
        ("all(x > 1)", {"x": V([1, 2])}, False),
        ("any(x > 1)", {"x": V([1, 2])}, True),
        ("any(x > 5)", {"x": V([1, 2])}, False),
        ("len(x)", {"x": V([1, 2, 7])}, 3),
        ("min(x)", {"x": V([4, -1, 3])}, -1),
        ("max(x)", {"x": V([4, -1, 3])}, 4),
        ("min(a, b, 3)", {"a": 5, "b": 4}, 3),
        ("max(a, b)", {"a": 5, "b": 4.5}, 5),
        ("abs(x)", {"x": -2.5}, 2.5),
        ("sum(abs(x))", {"x": V([-1, 2, -3])}, 6),
        ("isnan(x)", {"x": NAN}, True),
        ("isnan(x)", {"x": 1.0}, False),
        ("isnan(x)", {"x": 3}, False),
        ("isinf(x)", {"x": -INF}, True),
        ("isinf(x)", {"x": 1e308}, False),
        ("count(isnan(loss)) == 1", {"loss": V([0.1, NAN, 0.3])}, True),
        # a recorded list is a vector too, and literal lists are vectors
        ("mean(curve) < 0.5", {"curve": [0.9, 0.2, 0.1]}, True),
        ("sum([1, 2, 3]) == 6", {}, True),
        ("all(x == [1, 2])", {"x": [1, 2]}, True),
    ],
)
def test_functions(rule, results, expected):
    assert value(rule, results) == expected


def test_every_function_has_a_test():
    tested = {"mean", "median", "sum", "count", "all", "any", "len", "min", "max", "abs"}
    assert set(FUNCTIONS) == tested | {"isnan", "isinf"}


def test_the_issue_examples_over_five_seeds():
    results = {
        "acc_big": V([0.91, 0.92, 0.90, 0.93, 0.85]),
        "acc_small": V([0.88, 0.90, 0.89, 0.91, 0.87]),
        "rate": V([0.6, 0.7, 0.4, 0.55, 0.8]),
    }
    assert value("count(acc_big > acc_small) >= 4", results) is True
    assert value("mean(rate) > 0.5", results) is True
    assert value("count(acc_big - acc_small > 0.025) >= 2", results) is False


@pytest.mark.parametrize(
    ("rule", "results", "expected"),
    [
        ("x + 1", {"x": V([1, 2])}, V([2, 3])),
        ("2 * x - y", {"x": V([1, 2]), "y": V([0.5, 1])}, V([1.5, 3])),
        ("-x", {"x": V([1, -2])}, V([-1, 2])),
        ("x > y", {"x": V([1, 2]), "y": V([2, 1])}, V([False, True])),
        ("0 < x < 2", {"x": V([1, 2, 0.5])}, V([True, False, True])),
    ],
)
def test_arithmetic_and_comparisons_apply_element_by_element(rule, results, expected):
    from kit.predictions.rule_eval import evaluate

    assert evaluate(parse_rule(rule)._tree, results) == expected


def test_params_are_visible_under_their_prefix():
    rule = parse_rule("acc > params_threshold and params_lr == 0.1")
    assert rule.params == {"threshold", "lr"} and rule.names == {"acc"}
    assert rule.evaluate({"acc": 0.9}, {"threshold": 0.8, "lr": 0.1}) is True
    with pytest.raises(RuleError, match="parameter 'lr' was not passed to the run"):
        rule.evaluate({"acc": 0.9}, {"threshold": 0.8})
    seeds = parse_rule("count(params_seed >= 2) == 3")
    assert seeds.evaluate({}, {"seed": V([0, 1, 2, 3, 4])}) is True


@pytest.mark.parametrize(
    ("rule", "results", "expected"),
    [
        ("loss > 10", {"loss": NAN}, False),
        ("loss < 10", {"loss": NAN}, False),
        ("loss != loss", {"loss": NAN}, True),
        ("isnan(loss) or loss > 10", {"loss": NAN}, True),
        ("loss > 1e300", {"loss": INF}, True),
        ("isinf(loss + 1)", {"loss": INF}, True),
        ("isnan(x - x)", {"x": INF}, True),
        ("isnan(mean(x))", {"x": V([1.0, NAN])}, True),
        ("isnan(max(x))", {"x": V([1.0, NAN])}, True),
        ("isnan(median(x))", {"x": V([1.0, NAN, 2.0])}, True),
        ("isnan(sum(x))", {"x": V([INF, -INF])}, True),
    ],
)
def test_non_finite_results_follow_ieee_and_can_be_tested(rule, results, expected):
    assert value(rule, results) is expected


@pytest.mark.parametrize(
    ("rule", "results", "message"),
    [
        ("mean(x)", {"x": 3}, r"mean\(\) needs a vector"),
        ("mean(x)", {"x": V([])}, r"mean\(\) of no values"),
        ("count(x)", {"x": V([1, 2])}, r"count\(\) needs true/false values"),
        ("all(x)", {"x": V(["a"])}, r"all\(\) needs true/false values"),
        ("min(x, y)", {"x": V([1]), "y": 2}, r"min\(a, b, ...\) compares single values"),
        ("isnan(x)", {"x": "a"}, r"isnan\(\) needs numbers"),
        ("x + y", {"x": V([1, 2]), "y": V([1, 2, 3])}, "vectors of different lengths"),
        ("x > 0", {"x": V([1, 2])}, "the rule gives a vector of 2 values"),
        ("x > 0 and true", {"x": V([1, 2])}, "'and' needs one true or false, got a vector"),
        ("x in [1, 2]", {"x": V([1, 2])}, "'in' needs one value on its left"),
    ],
)
def test_misuse_at_evaluation_is_a_rule_error(rule, results, message):
    with pytest.raises(RuleError, match=message):
        value(rule, results)


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("acc > 0.5", "the rule gives a vector"),
        ("acc > 0.5 and true", "'and' needs one value, but acc > 0.5 is a vector"),
        ("not acc", "'not' needs one value, but acc is a vector"),
        ("1 if acc > 0 else 0", "'if' needs one value"),
        ("acc in [1, 2]", "'in' needs one value"),
        ("min(acc, 3) > 0", r"min\(a, b, ...\) needs one value"),
        ("mean(3) > 0", r"mean\(\) needs a vector"),
        ("count(params_seed > 1) > 0 and params_lr > params_seed", "params_lr > params_seed is a"),
    ],
)
def test_kit_check_refuses_a_vector_where_one_value_is_needed(rule, message):
    with pytest.raises(RuleError, match=message):
        parse_rule(rule).check_shapes(replicated=True, varying=["seed"])


@pytest.mark.parametrize(
    "rule",
    [
        "count(acc_big > acc_small) >= 4",
        "mean(rate) > 0.5 and params_lr > 0.01",
        "'up' if median(acc) > 0.9 else 'down'",
        "all(abs(acc - mean(acc)) < 0.1)",
        "any(isnan(loss))",
        "min(max(acc), 0.5) == 0.5",
    ],
)
def test_kit_check_accepts_reduced_vectors(rule):
    parse_rule(rule).check_shapes(replicated=True, varying=["seed"])


def test_without_replicates_results_may_be_lists():
    parse_rule("mean(curve) < 0.5").check_shapes(replicated=False)
    parse_rule("x > 0 and y").check_shapes(replicated=False)


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("sorted(x)", "no function 'sorted' in rules"),
        ("eval('1')", "no function 'eval' in rules"),
        ("x.mean()", "only these functions can be called, by name"),
        ("mean(x=1)", "takes no keyword arguments"),
        ("mean(x, y)", r"mean\(\) takes one argument, got 2"),
        ("abs()", r"abs\(\) takes one argument, got 0"),
        ("min()", r"min\(\) needs a vector, or two or more values"),
        ("params_ > 1", "params_ needs a parameter name"),
    ],
)
def test_calls_outside_the_closed_set_are_refused(rule, message):
    with pytest.raises(RuleError, match=message):
        parse_rule(rule)


def test_function_names_are_not_results():
    rule = parse_rule("mean(acc) > mean")
    assert rule.names == {"acc", "mean"} and rule.functions == {"mean"}
