"""Resolution rules: a small, safe expression language over recorded results.

A rule is a Python-syntax expression checked against a whitelist before it is ever
evaluated. Allowed: result names, the run's parameters as `params_NAME`, numbers,
strings, true/false, `and`/`or`/`not`, comparisons (`< <= == != >= >`, chained, and
`in` / `not in` a literal list), `+ - * / // %`, `**` with a small exponent, unary
`-`/`+`, `X if C else Y`, literal lists, and calls of the closed set of functions
`mean median sum count all any len min max abs isnan isinf` (by plain name). Not
allowed, and rejected by `kit check`: any other call, attributes, subscripts, imports,
lambdas, comprehensions, walrus, f-strings and names starting with `_`.

A question with replicates sees each result as a vector (one value per replicate);
arithmetic and comparisons apply element by element, and the rule must reduce the
vector to one value (`count(acc_big > acc_small) >= 4`). `kit check` refuses a vector
where one value is needed (`and`, `or`, `not`, `if`, the left of `in`, the rule's value).
The word `manual` alone marks a question that only a person resolves. A binary
question's rule must give true or false; a categorical one an option name; a numeric
one a number. Limits (length, depth, size of numbers, time) are in `MAX_*` here and in
`kit.predictions.rule_values` and `kit.predictions.rule_eval`.
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from kit.predictions.rule_eval import (
    BINOPS,
    CMPOPS,
    PARAM_PREFIX,
    evaluate,
    final_value,
)
from kit.predictions.rule_values import FUNCTIONS, MAX_INT_BITS, RuleError, Vector

__all__ = ["PARAM_PREFIX", "FUNCTIONS", "Rule", "RuleError", "Vector", "parse_rule"]

MAX_RULE_LENGTH = 2000
MAX_DEPTH = 60  # nesting of the expression tree

_DESCRIBE = {
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
_PLAIN_NODES = (
    ast.Expression,
    ast.BoolOp,
    ast.IfExp,
    ast.And,
    ast.Or,
    ast.Load,
    ast.operator,
    ast.unaryop,
    ast.cmpop,
)
SINGLE, VECTOR, EITHER = "single", "vector", "either"  # static shapes


@dataclass(frozen=True)
class Rule:
    """A checked resolution rule: the results (`names`) and parameters (`params`) it reads."""

    text: str
    names: frozenset[str] = field(default_factory=frozenset)
    params: frozenset[str] = field(default_factory=frozenset)
    functions: frozenset[str] = field(default_factory=frozenset)
    _tree: ast.Expression | None = field(default=None, repr=False, compare=False)

    def evaluate(self, results: Mapping[str, Any], params: Mapping[str, Any] | None = None) -> Any:
        """Value of the rule on a run's recorded `results` and its `params`.

        A replicated question passes each result (and each parameter that varies) as a
        `Vector` over its replicates.
        """
        missing = sorted(n for n in self.names if n not in results)
        if missing:
            raise RuleError(f"result {', '.join(map(repr, missing))} was not recorded by the run")
        return final_value(evaluate(self._tree, results, params))

    def check_shapes(self, *, replicated: bool, varying: Collection[str] = ()) -> None:
        """Refuse a vector where one value is needed (`kit check`).

        `replicated`: every result is a vector; `varying`: the parameters that change
        between replicates (`params_NAME` is a vector for those).
        """
        shape = _Shapes(replicated, frozenset(varying)).visit(self._tree.body)
        if shape == VECTOR:
            raise RuleError(
                "the rule gives a vector (one value per replicate), not one value: reduce "
                "it with all(), any(), count(), mean(), median(), min() or max()",
                1,
            )


def parse_rule(text: str) -> Rule:
    """Check a rule and return it ready to evaluate; raise `RuleError` if it is not allowed."""
    if not isinstance(text, str) or not text.strip():
        raise RuleError("rule is empty: write an expression over result names", 1)
    if len(text) > MAX_RULE_LENGTH:
        raise RuleError(f"rule is {len(text)} characters long; the limit is {MAX_RULE_LENGTH}", 1)
    source = " ".join(text.split("\n")).strip()
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as e:
        raise RuleError(f"does not parse: {e.msg}", e.offset or 1) from None
    except (RecursionError, MemoryError, ValueError):
        raise RuleError(f"rule is nested more than {MAX_DEPTH} levels deep", 1) from None
    _check_depth(tree)
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    names: set[str] = set()
    params: set[str] = set()
    functions: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in called:
            functions.add(node.id)
            continue
        _check_node(node, names, params)
    return Rule(text, frozenset(names), frozenset(params), frozenset(functions), tree)


def _check_depth(tree: ast.AST) -> None:
    """Refuse trees deeper than `MAX_DEPTH` (walked without recursion)."""
    stack = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            col = getattr(node, "col_offset", 0) + 1
            raise RuleError(
                f"rule is nested more than {MAX_DEPTH} levels deep (each operator in a chain "
                "such as a + b + c counts as one level)",
                col,
            )
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


def _check_node(node: ast.AST, names: set[str], params: set[str]) -> None:
    col = getattr(node, "col_offset", 0) + 1
    if isinstance(node, ast.Name):
        if node.id.startswith("_"):
            raise RuleError(f"name {node.id!r}: names starting with '_' are not allowed", col)
        if node.id in ("true", "false"):
            return
        if node.id.startswith(PARAM_PREFIX):
            param = node.id[len(PARAM_PREFIX) :]
            if not param:
                raise RuleError(f"{PARAM_PREFIX} needs a parameter name after it", col)
            params.add(param)
            return
        names.add(node.id)
    elif isinstance(node, ast.Call):
        _check_call(node, col)
    elif isinstance(node, ast.Constant):
        if not isinstance(node.value, bool | int | float | str):
            raise RuleError(f"constant {node.value!r} is not allowed", col)
        if isinstance(node.value, int) and node.value.bit_length() > MAX_INT_BITS:
            raise RuleError(f"integer constant too large (the limit is 2**{MAX_INT_BITS})", col)
    elif isinstance(node, ast.BinOp):
        if type(node.op) not in BINOPS:
            raise RuleError(f"operator {type(node.op).__name__} is not allowed", col)
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, ast.Not | ast.USub | ast.UAdd):
            raise RuleError(f"operator {type(node.op).__name__} is not allowed", col)
    elif isinstance(node, ast.Compare):
        for op, right in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, ast.In | ast.NotIn):
                if not isinstance(right, ast.List | ast.Tuple):
                    raise RuleError("'in' needs a literal list, e.g. x in ['a', 'b']", col)
            elif type(op) not in CMPOPS:
                raise RuleError(f"comparison {type(op).__name__} is not allowed", col)
    elif isinstance(node, ast.List | ast.Tuple):
        if not all(isinstance(e, ast.Constant) for e in node.elts):
            raise RuleError("lists may hold only literal values", col)
    elif not isinstance(node, _PLAIN_NODES):
        what = _DESCRIBE.get(type(node), type(node).__name__)
        raise RuleError(f"not allowed in rules: {what}", col)


def _check_call(node: ast.Call, col: int) -> None:
    listed = ", ".join(FUNCTIONS)
    if not isinstance(node.func, ast.Name):
        raise RuleError(f"only these functions can be called, by name: {listed}", col)
    name = node.func.id
    if name not in FUNCTIONS:
        raise RuleError(f"no function {name!r} in rules; the functions are: {listed}", col)
    if node.keywords:
        raise RuleError(f"{name}() takes no keyword arguments", col)
    kind = FUNCTIONS[name][1]
    n = len(node.args)
    if kind == "extreme" and n == 0:
        raise RuleError(f"{name}() needs a vector, or two or more values", col)
    if kind != "extreme" and n != 1:
        raise RuleError(f"{name}() takes one argument, got {n}", col)


class _Shapes:
    """Static shapes: what is surely a vector, surely one value, or either (a result of
    a question without replicates may be a recorded list)."""

    def __init__(self, replicated: bool, varying: frozenset[str]):
        self.replicated, self.varying = replicated, varying

    def visit(self, node: ast.AST) -> str:
        return getattr(self, "visit_" + type(node).__name__)(node)

    def need_single(self, node: ast.AST, where: str) -> None:
        if self.visit(node) == VECTOR:
            shown = ast.unparse(node)
            shown = shown if len(shown) <= 40 else shown[:37] + "..."
            raise RuleError(
                f"{where} needs one value, but {shown} is a vector (one value per "
                "replicate): reduce it with all(), any(), count(), mean(), min() or max()",
                node.col_offset + 1,
            )

    @staticmethod
    def join(*shapes: str) -> str:
        if VECTOR in shapes:
            return VECTOR
        return EITHER if EITHER in shapes else SINGLE

    def visit_Constant(self, node: ast.Constant) -> str:
        return SINGLE

    def visit_Name(self, node: ast.Name) -> str:
        if node.id in ("true", "false"):
            return SINGLE
        if node.id.startswith(PARAM_PREFIX):
            return VECTOR if node.id[len(PARAM_PREFIX) :] in self.varying else EITHER
        return VECTOR if self.replicated else EITHER

    def visit_List(self, node: ast.List) -> str:
        return VECTOR

    visit_Tuple = visit_List

    def visit_BoolOp(self, node: ast.BoolOp) -> str:
        word = "and" if isinstance(node.op, ast.And) else "or"
        for value in node.values:
            self.need_single(value, f"'{word}'")
        return SINGLE

    def visit_UnaryOp(self, node: ast.UnaryOp) -> str:
        if isinstance(node.op, ast.Not):
            self.need_single(node.operand, "'not'")
            return SINGLE
        return self.visit(node.operand)

    def visit_BinOp(self, node: ast.BinOp) -> str:
        return self.join(self.visit(node.left), self.visit(node.right))

    def visit_Compare(self, node: ast.Compare) -> str:
        shapes, left = [], node.left
        for op, right in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, ast.In | ast.NotIn):
                self.need_single(left, "'in'")
                shapes.append(SINGLE)
            else:
                shapes += [self.visit(left), self.visit(right)]
            left = right
        return self.join(*shapes)

    def visit_IfExp(self, node: ast.IfExp) -> str:
        self.need_single(node.test, "'if'")
        return self.join(self.visit(node.body), self.visit(node.orelse))

    def visit_Call(self, node: ast.Call) -> str:
        name = node.func.id
        kind = FUNCTIONS[name][1]
        shapes = [self.visit(a) for a in node.args]
        if kind == "elementwise":
            return shapes[0]
        if kind == "extreme" and len(shapes) > 1:
            for arg in node.args:
                self.need_single(arg, f"{name}(a, b, ...)")
            return SINGLE
        if shapes[0] == SINGLE:
            raise RuleError(
                f"{name}() needs a vector (a replicated result or a list), got one value",
                node.col_offset + 1,
            )
        return SINGLE
