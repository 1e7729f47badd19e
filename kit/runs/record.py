"""`record(name, value)`: store a named result in the executed notebook itself.

A result is a display output whose data holds the kit's own MIME type
(`application/vnd.kit.result+json`: `{"name": ..., "value": ...}`) beside a `text/plain`
line, so JupyterLab shows `name = value` and nbformat reads it back without any extra
package. Values must be JSON: numbers, strings, booleans, None, lists and small dicts;
numpy scalars and arrays (and anything with `.tolist()`) are converted first.

NaN and the infinities are results too (a diverging run): JSON has no such numbers, so
they are stored as `{"$float": "nan"}`, `{"$float": "inf"}` and `{"$float": "-inf"}`,
here and in `run.json`, and read back as floats (`decode`). A recorded dict may
therefore not have the single key `$float`.
"""

from __future__ import annotations

import json
import math
import warnings
from typing import Any

MIME = "application/vnd.kit.result+json"
MAX_BYTES = 1_000_000  # a result is a figure of the run, not its data

FLOAT_KEY = "$float"
_NAMES = {"nan": "nan", "inf": "inf", "-inf": "-inf"}
_FLOATS = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}

_recorded: set[str] = set()


def _name(value: float) -> str:
    return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")


def encode(value: Any) -> Any:
    """Plain data with NaN and infinities as `{"$float": ...}` (JSON has no such numbers)."""
    if isinstance(value, float) and not math.isfinite(value):
        return {FLOAT_KEY: _name(value)}
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    return value


def decode(value: Any) -> Any:
    """Stored data with each `{"$float": "nan" | "inf" | "-inf"}` back as a float."""
    if isinstance(value, dict):
        if len(value) == 1 and value.get(FLOAT_KEY) in _FLOATS:
            return _FLOATS[value[FLOAT_KEY]]
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


def to_json(value: Any, where: str = "value") -> Any:
    """`value` as plain JSON data; a TypeError names what cannot be stored."""
    if hasattr(value, "tolist") and not isinstance(value, str | bytes):
        value = value.tolist()  # numpy scalars and arrays, torch tensors
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else {FLOAT_KEY: _NAMES[_name(value)]}
    if isinstance(value, list | tuple):
        return [to_json(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError(f"{where} has key {k!r}: dict keys must be strings")
            if k == FLOAT_KEY and len(value) == 1:
                raise ValueError(f"{where}: a dict whose one key is {FLOAT_KEY!r} is reserved")
            out[k] = to_json(v, f"{where}[{k!r}]")
        return out
    raise TypeError(
        f"{where} is a {type(value).__name__}: record numbers, strings, booleans, None, "
        "lists, dicts or numpy values"
    )


def record(name: str, value: Any) -> None:
    """Record a named result of this run; `kit resolve` evaluates question rules on them.

    Recording the same name twice keeps the last value and warns.
    """
    if not isinstance(name, str) or not name.isidentifier() or name.startswith("_"):
        raise ValueError(
            f"result name {name!r}: use a Python identifier not starting with _ "
            "(rules refer to results by name)"
        )
    data = to_json(value, name)
    text = json.dumps({"name": name, "value": data}, allow_nan=False)
    if len(text) > MAX_BYTES:
        raise ValueError(f"result {name!r} is {len(text)} bytes; the limit is {MAX_BYTES}")
    if name in _recorded:
        warnings.warn(f"result {name!r} recorded again: the last value wins", stacklevel=2)
    _recorded.add(name)
    try:
        from IPython.display import display
    except ImportError:  # plain Python: nothing to display into
        return
    shown = json.dumps(decode(data))  # NaN, Infinity: for people, not for parsers
    if len(shown) > 200:
        shown = shown[:197] + "..."
    display({MIME: {"name": name, "value": data}, "text/plain": f"{name} = {shown}"}, raw=True)
