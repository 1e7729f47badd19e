"""Evaluate a checked rule on recorded results, within bounds of size and time.

The tree was checked by `kit.predictions.rules` (whitelisted nodes, depth at most
`MAX_DEPTH`, so this recursion is shallow). Each value is checked against the limits of
`kit.predictions.rule_values` as it is made, evaluation stops after `MAX_SECONDS`, and
every arithmetic error (overflow, division by zero, a complex power) becomes a
`RuleError` located at the column of the expression that raised it.
"""

from __future__ import annotations

import ast
import operator
import time
from collections.abc import Mapping
from typing import Any

from kit.predictions.rule_values import (
    FUNCTIONS,
    RuleError,
    Vector,
    as_rule_value,
    boolean,
    check_size,
    is_number,
    lift,
    number,
    short,
)

MAX_EXPONENT = 64
MAX_SECONDS = 2.0
PARAM_PREFIX = "params_"

BINOPS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
CMPOPS = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}
_SYMBOL = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
}


def evaluate(
    tree: ast.Expression, results: Mapping[str, Any], params: Mapping[str, Any] | None = None
) -> Any:
    """Value of the rule `tree` on `results` and the run's `params`."""
    evaluator = _Evaluator(results, params or {}, time.monotonic() + MAX_SECONDS)
    try:
        return evaluator.visit(tree.body)
    except (RecursionError, MemoryError):
        raise RuleError("the rule is too large to evaluate") from None


class _Evaluator:
    def __init__(self, results: Mapping[str, Any], params: Mapping[str, Any], deadline: float):
        self.results, self.params, self.deadline = results, params, deadline

    def visit(self, node: ast.AST) -> Any:
        if time.monotonic() > self.deadline:
            raise RuleError(f"evaluation took longer than {MAX_SECONDS:g} s")
        try:
            return getattr(self, "visit_" + type(node).__name__)(node)
        except RuleError as e:
            if e.column is None:
                e.column = getattr(node, "col_offset", 0) + 1
            raise
        except ZeroDivisionError:
            raise RuleError("division by zero", node.col_offset + 1) from None
        except OverflowError:
            raise RuleError(
                "arithmetic overflow: a number too large for a float", node.col_offset + 1
            ) from None
        except (ArithmeticError, ValueError, TypeError) as e:
            raise RuleError(f"cannot compute: {e}", node.col_offset + 1) from None

    def visit_Constant(self, node: ast.Constant) -> Any:
        return node.value

    def visit_Name(self, node: ast.Name) -> Any:
        name = node.id
        if name in ("true", "false"):
            return name == "true"
        if name.startswith(PARAM_PREFIX):
            param = name[len(PARAM_PREFIX) :]
            if param not in self.params:
                given = ", ".join(sorted(self.params)) or "none"
                raise RuleError(f"parameter {param!r} was not passed to the run (given: {given})")
            return as_rule_value(self.params[param], f"parameter {param!r}")
        return as_rule_value(self.results[name], f"result {name!r}")

    def visit_List(self, node: ast.List | ast.Tuple) -> Vector:
        return Vector(self.visit(e) for e in node.elts)

    visit_Tuple = visit_List

    def visit_BoolOp(self, node: ast.BoolOp) -> bool:
        is_and = isinstance(node.op, ast.And)
        for operand in node.values:
            value = boolean(self.visit(operand), "and" if is_and else "or")
            if value != is_and:
                return value
        return is_and

    def visit_UnaryOp(self, node: ast.UnaryOp) -> Any:
        value = self.visit(node.operand)
        if isinstance(node.op, ast.Not):
            return not boolean(value, "not")
        if isinstance(node.op, ast.USub):
            return lift(lambda x: -number(x, "unary minus"), value)
        return lift(lambda x: +number(x, "unary plus"), value)

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        left, right = self.visit(node.left), self.visit(node.right)
        op = type(node.op)
        symbol = _SYMBOL[op]

        def apply(a: Any, b: Any) -> Any:
            a, b = number(a, f"'{symbol}'"), number(b, f"'{symbol}'")
            if op is ast.Pow and is_number(b) and abs(b) > MAX_EXPONENT:
                raise RuleError(f"exponent {short(b)} is larger than {MAX_EXPONENT}")
            value = BINOPS[op](a, b)
            if isinstance(value, complex):
                raise RuleError("a negative number raised to a fractional power")
            return check_size(value, "an intermediate value")

        return lift(apply, left, right)

    def visit_Compare(self, node: ast.Compare) -> Any:
        left = self.visit(node.left)
        outcome: Any = True
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, ast.In | ast.NotIn):
                if isinstance(left, Vector):
                    raise RuleError(
                        f"'in' needs one value on its left, got a vector of {len(left)} values"
                    )
                options = [self.visit(e) for e in right_node.elts]
                ok = (left in options) == isinstance(op, ast.In)
                right = None
            else:
                right = self.visit(right_node)
                ok = lift(_comparer(CMPOPS[type(op)]), left, right)
            if isinstance(ok, Vector) or isinstance(outcome, Vector):
                outcome = lift(operator.and_, outcome, ok)
            elif not ok:
                return False
            left = right
        return outcome

    def visit_IfExp(self, node: ast.IfExp) -> Any:
        test = boolean(self.visit(node.test), "if")
        return self.visit(node.body if test else node.orelse)

    def visit_Call(self, node: ast.Call) -> Any:
        function, _ = FUNCTIONS[node.func.id]
        return check_size(function(*(self.visit(a) for a in node.args)), "a function's value")


def _comparer(op):
    def compare(a: Any, b: Any) -> bool:
        try:
            return op(a, b)
        except TypeError:
            raise RuleError(f"cannot compare {short(a)} with {short(b)}") from None

    return compare


def final_value(value: Any) -> Any:
    """The rule's value as an outcome: one value, within a float's range if a number."""
    if isinstance(value, Vector):
        raise RuleError(
            f"the rule gives a vector of {len(value)} values, not one: reduce it with "
            "all(), any(), count(), mean(), median(), min() or max()",
            1,
        )
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            float(value)
        except OverflowError:
            raise RuleError("the rule gives an integer too large for a float", 1) from None
    return value
