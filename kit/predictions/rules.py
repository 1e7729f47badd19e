"""Resolution rules: a small, safe expression language over recorded results.

A rule is a Python-syntax expression checked against a whitelist before it is ever
evaluated. Allowed: result names, numbers, strings, true/false, `and`/`or`/`not`,
comparisons (`< <= == != >= >`, chained, and `in` / `not in` a literal list),
`+ - * / // %`, `**` with a small exponent, unary `-`/`+`, and `X if C else Y`.
Not allowed, and rejected by `kit check`: calls, attributes, subscripts, imports,
lambdas, comprehensions, walrus, f-strings and names starting with `_`.
The word `manual` alone marks a question that only a person resolves.
A binary question's rule must give true or false; a categorical one an option name;
a numeric one a number.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kit.errors import KitError

MAX_RULE_LENGTH = 2000
MAX_EXPONENT = 64

_BINOPS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_CMPOPS = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}
_DESCRIBE = {
    ast.Call: "function calls",
    ast.Attribute: "attribute access",
    ast.Subscript: "subscripts",
    ast.Lambda: "lambdas",
    ast.NamedExpr: "assignment (:=)",
    ast.JoinedStr: "f-strings",
    ast.ListComp: "comprehensions",
    ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions",
    ast.GeneratorExp: "comprehensions",
    ast.Dict: "dict literals",
    ast.Set: "set literals",
    ast.Starred: "starred expressions",
    ast.Await: "await",
    ast.Yield: "yield",
}


class RuleError(KitError):
    """A rule that does not parse, uses a forbidden construct, or fails on the results."""

    def __init__(self, message: str, column: int = 1):
        super().__init__(message)
        self.message = message
        self.column = column


@dataclass(frozen=True)
class Rule:
    """A checked resolution rule; `names` are the results it reads."""

    text: str
    names: frozenset[str] = field(default_factory=frozenset)
    _tree: ast.Expression | None = field(default=None, repr=False, compare=False)

    def evaluate(self, results: Mapping[str, Any]) -> Any:
        """Value of the rule on `results` (a run's recorded results)."""
        missing = sorted(n for n in self.names if n not in results)
        if missing:
            raise RuleError(f"result {', '.join(map(repr, missing))} was not recorded by the run")
        return _Evaluator(results).visit(self._tree.body)


def parse_rule(text: str) -> Rule:
    """Check a rule and return it ready to evaluate; raise `RuleError` if it is not allowed."""
    if not isinstance(text, str) or not text.strip():
        raise RuleError("rule is empty: write an expression over result names")
    if len(text) > MAX_RULE_LENGTH:
        raise RuleError(f"rule is {len(text)} characters long; the limit is {MAX_RULE_LENGTH}")
    source = " ".join(text.split("\n"))
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as e:
        raise RuleError(f"does not parse: {e.msg}", e.offset or 1) from None
    except (RecursionError, MemoryError, ValueError):
        raise RuleError("rule is nested too deeply") from None
    names: set[str] = set()
    for node in ast.walk(tree):
        _check_node(node, names)
    return Rule(text, frozenset(names), tree)


def _check_node(node: ast.AST, names: set[str]) -> None:
    col = getattr(node, "col_offset", 0) + 1
    if isinstance(node, ast.Name):
        if node.id.startswith("_"):
            raise RuleError(f"name {node.id!r}: names starting with '_' are not allowed", col)
        if node.id in ("true", "false"):
            return
        names.add(node.id)
    elif isinstance(node, ast.Constant):
        if not isinstance(node.value, bool | int | float | str):
            raise RuleError(f"constant {node.value!r} is not allowed", col)
    elif isinstance(node, ast.BinOp):
        if type(node.op) not in _BINOPS:
            raise RuleError(f"operator {type(node.op).__name__} is not allowed", col)
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, ast.Not | ast.USub | ast.UAdd):
            raise RuleError(f"operator {type(node.op).__name__} is not allowed", col)
    elif isinstance(node, ast.Compare):
        for op, right in zip(node.ops, node.comparators, strict=True):
            if type(op) not in _CMPOPS:
                raise RuleError(f"comparison {type(op).__name__} is not allowed", col)
            if isinstance(op, ast.In | ast.NotIn) and not isinstance(right, ast.List | ast.Tuple):
                raise RuleError("'in' needs a literal list, e.g. x in ['a', 'b']", col)
    elif isinstance(node, ast.List | ast.Tuple):
        if not all(isinstance(e, ast.Constant) for e in node.elts):
            raise RuleError("lists may hold only literal values", col)
    elif not isinstance(
        node,
        ast.Expression
        | ast.BoolOp
        | ast.IfExp
        | ast.And
        | ast.Or
        | ast.Load
        | ast.operator
        | ast.unaryop
        | ast.cmpop,
    ):
        what = _DESCRIBE.get(type(node), type(node).__name__)
        raise RuleError(f"not allowed in rules: {what}", col)


class _Evaluator:
    def __init__(self, results: Mapping[str, Any]):
        self.results = results

    def visit(self, node: ast.AST) -> Any:
        return getattr(self, "visit_" + type(node).__name__)(node)

    def visit_Constant(self, node: ast.Constant) -> Any:
        return node.value

    def visit_Name(self, node: ast.Name) -> Any:
        if node.id in ("true", "false"):
            return node.id == "true"
        return self.results[node.id]

    def visit_List(self, node: ast.List) -> list:
        return [self.visit(e) for e in node.elts]

    visit_Tuple = visit_List

    def visit_BoolOp(self, node: ast.BoolOp) -> bool:
        is_and = isinstance(node.op, ast.And)
        for operand in node.values:
            value = self._bool(self.visit(operand), "and" if is_and else "or")
            if value != is_and:
                return value
        return is_and

    def visit_UnaryOp(self, node: ast.UnaryOp) -> Any:
        value = self.visit(node.operand)
        if isinstance(node.op, ast.Not):
            return not self._bool(value, "not")
        number = self._number(value, "unary minus")
        return -number if isinstance(node.op, ast.USub) else number

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        left, right = self.visit(node.left), self.visit(node.right)
        name = type(node.op).__name__
        left, right = self._number(left, name), self._number(right, name)
        if isinstance(node.op, ast.Pow) and abs(right) > MAX_EXPONENT:
            raise RuleError(f"exponent {right} is larger than {MAX_EXPONENT}")
        try:
            value = _BINOPS[type(node.op)](left, right)
        except ZeroDivisionError:
            raise RuleError("division by zero") from None
        except OverflowError:
            raise RuleError("arithmetic overflow") from None
        if isinstance(value, complex):
            raise RuleError("a negative number raised to a fractional power")
        return value

    def visit_Compare(self, node: ast.Compare) -> bool:
        left = self.visit(node.left)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = self.visit(right_node)
            try:
                ok = _CMPOPS[type(op)](left, right)
            except TypeError:
                raise RuleError(f"cannot compare {left!r} with {right!r}") from None
            if not ok:
                return False
            left = right
        return True

    def visit_IfExp(self, node: ast.IfExp) -> Any:
        test = self._bool(self.visit(node.test), "if")
        return self.visit(node.body if test else node.orelse)

    @staticmethod
    def _bool(value: Any, where: str) -> bool:
        if isinstance(value, bool):
            return value
        raise RuleError(f"'{where}' needs true or false, got {value!r}")

    @staticmethod
    def _number(value: Any, where: str) -> float | int:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise RuleError(f"{where} needs numbers, got {value!r}")
        if isinstance(value, float) and not math.isfinite(value):
            raise RuleError(f"{where} got a non-finite number {value!r}")
        return value
