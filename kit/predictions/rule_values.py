"""The values a rule computes with, their limits, and the closed set of rule functions.

A value is a single value (a number, a string, true/false, null) or a `Vector`: the
values of one result over a question's replicates, a recorded list, or a literal list.
Arithmetic and comparisons apply element by element to vectors; the functions below
reduce a vector to one value (`mean`, `count`, ...) or apply element by element (`abs`,
`isnan`, `isinf`).

Every intermediate is bounded, so that no rule can take long or use much memory:
integers by bit length (`MAX_INT_BITS`: beyond it no float could hold them), vectors
by length (`MAX_ITEMS`), strings by length (`MAX_STRING`). Non-finite floats (a run
that recorded NaN or an infinity) follow IEEE arithmetic: NaN compares false with
everything, `isnan(x)` tests it.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable
from itertools import repeat
from typing import Any

from kit.errors import KitError

MAX_INT_BITS = 1024  # 2**1024 is beyond the largest float
MAX_ITEMS = 100_000  # values in one vector
MAX_STRING = 10_000  # characters in one string


class RuleError(KitError):
    """A rule that does not parse, uses a forbidden construct, or fails on the results.

    `column` (1-based, in the rule) says where, when known.
    """

    def __init__(self, message: str, column: int | None = None):
        super().__init__(message)
        self.message = message
        self.column = column


class Vector:
    """An ordered run of single values: one per replicate, or a recorded or literal list."""

    __slots__ = ("items",)

    def __init__(self, items: Iterable[Any]):
        self.items = tuple(items)
        if len(self.items) > MAX_ITEMS:
            raise RuleError(f"a vector of {len(self.items)} values; the limit is {MAX_ITEMS}")

    def __len__(self) -> int:
        return len(self.items)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Vector) and self.items == other.items

    def __hash__(self) -> int:
        return hash(self.items)

    def __repr__(self) -> str:
        return f"Vector({list(self.items)!r})"

    def plain(self) -> list:
        return list(self.items)


def short(value: Any, limit: int = 60) -> str:
    """`value` in at most `limit` characters, for messages."""
    text = repr(value.plain()) if isinstance(value, Vector) else repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_size(value: Any, what: str = "a value") -> Any:
    """`value` if within the limits; a RuleError naming `what` otherwise."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value.bit_length() > MAX_INT_BITS:
            digits = int(value.bit_length() * math.log10(2)) + 1
            raise RuleError(
                f"{what} is an integer of about {digits} digits, too large for a float "
                f"(the limit is 2**{MAX_INT_BITS})"
            )
    elif isinstance(value, str) and len(value) > MAX_STRING:
        raise RuleError(f"{what} is a string of {len(value)} characters; the limit is {MAX_STRING}")
    elif isinstance(value, Vector):
        for item in value.items:
            check_size(item, what)
    return value


def as_rule_value(value: Any, what: str) -> Any:
    """A recorded value as the rule sees it: lists become vectors (of single values)."""
    if isinstance(value, list | tuple):
        if len(value) > MAX_ITEMS:
            raise RuleError(f"{what} has {len(value)} values; the limit is {MAX_ITEMS}")
        return check_size(Vector(value), what)
    return check_size(value, what)


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def number(value: Any, where: str) -> int | float:
    """`value` if it is a number (NaN and infinities included)."""
    if not is_number(value):
        raise RuleError(f"{where} needs numbers, got {short(value)}")
    return value


def boolean(value: Any, where: str) -> bool:
    """`value` if it is one true or false."""
    if isinstance(value, bool):
        return value
    if isinstance(value, Vector):
        raise RuleError(
            f"'{where}' needs one true or false, got a vector of {len(value)} values: "
            "reduce it with all(), any() or count()"
        )
    raise RuleError(f"'{where}' needs true or false, got {short(value)}")


def lift(fn: Callable[..., Any], *args: Any) -> Any:
    """`fn` on single values, or element by element when any argument is a vector."""
    vectors = [a for a in args if isinstance(a, Vector)]
    if not vectors:
        return fn(*args)
    n = len(vectors[0])
    if any(len(v) != n for v in vectors):
        sizes = sorted({len(v) for v in vectors})
        raise RuleError(f"vectors of different lengths ({' and '.join(map(str, sizes))})")
    columns = [a.items if isinstance(a, Vector) else repeat(a, n) for a in args]
    return Vector(fn(*row) for row in zip(*columns, strict=False))  # repeat() is endless


# -- the closed set of functions ----------------------------------------------------


def _items(value: Any, name: str) -> tuple:
    if isinstance(value, Vector):
        return value.items
    raise RuleError(
        f"{name}() needs a vector (a replicated result, a recorded list or a literal list), "
        f"got {short(value)}"
    )


def _numbers(value: Any, name: str) -> tuple:
    items = _items(value, name)
    for item in items:
        number(item, f"{name}()")
    if not items:
        raise RuleError(f"{name}() of no values")
    return items


def _bools(value: Any, name: str) -> tuple:
    items = _items(value, name)
    for item in items:
        if not isinstance(item, bool):
            raise RuleError(f"{name}() needs true/false values, got {short(item)}")
    return items


def _has_nan(items: tuple) -> bool:
    return any(isinstance(x, float) and math.isnan(x) for x in items)


def _sum(items: tuple) -> int | float:
    if all(isinstance(x, int) for x in items):
        return check_size(sum(items), "the sum")
    if any(isinstance(x, float) and not math.isfinite(x) for x in items):
        return float(sum(items))  # IEEE: inf + -inf is nan
    return math.fsum(items)


def fn_mean(value: Any) -> float:
    items = _numbers(value, "mean")
    return _sum(items) / len(items)


def fn_median(value: Any) -> float:
    items = _numbers(value, "median")
    return math.nan if _has_nan(items) else statistics.median(items)


def fn_sum(value: Any) -> int | float:
    items = _items(value, "sum")
    for item in items:
        number(item, "sum()")
    return _sum(items) if items else 0


def _extreme(name: str, pick: Callable, args: tuple) -> Any:
    if len(args) == 1:
        items = _numbers(args[0], name)
    else:
        for a in args:
            if isinstance(a, Vector):
                raise RuleError(
                    f"{name}(a, b, ...) compares single values, got a vector of {len(a)}: "
                    f"{name}(x) gives the {'smallest' if name == 'min' else 'largest'} value "
                    "of a vector"
                )
            number(a, f"{name}()")
        items = args
    return math.nan if _has_nan(items) else pick(items)


def fn_min(*args: Any) -> Any:
    return _extreme("min", min, args)


def fn_max(*args: Any) -> Any:
    return _extreme("max", max, args)


def fn_count(value: Any) -> int:
    return sum(_bools(value, "count"))


def fn_all(value: Any) -> bool:
    return all(_bools(value, "all"))


def fn_any(value: Any) -> bool:
    return any(_bools(value, "any"))


def fn_len(value: Any) -> int:
    return len(_items(value, "len"))


def fn_abs(value: Any) -> Any:
    return lift(lambda x: abs(number(x, "abs()")), value)


def fn_isnan(value: Any) -> Any:
    return lift(lambda x: isinstance(number(x, "isnan()"), float) and math.isnan(x), value)


def fn_isinf(value: Any) -> Any:
    return lift(lambda x: isinstance(number(x, "isinf()"), float) and math.isinf(x), value)


#: name -> (function, kind). Kinds, for `kit check`: "reduce" takes one vector and gives
#: one value; "elementwise" takes one value or vector and keeps its shape; "extreme"
#: takes one vector, or two or more single values, and gives one value.
FUNCTIONS: dict[str, tuple[Callable[..., Any], str]] = {
    "mean": (fn_mean, "reduce"),
    "median": (fn_median, "reduce"),
    "sum": (fn_sum, "reduce"),
    "count": (fn_count, "reduce"),
    "all": (fn_all, "reduce"),
    "any": (fn_any, "reduce"),
    "len": (fn_len, "reduce"),
    "min": (fn_min, "extreme"),
    "max": (fn_max, "extreme"),
    "abs": (fn_abs, "elementwise"),
    "isnan": (fn_isnan, "elementwise"),
    "isinf": (fn_isinf, "elementwise"),
}
