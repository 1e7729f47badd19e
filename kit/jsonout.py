"""JSON for people's scripts: always valid, whatever the numbers.

JSON has no infinity or NaN, and the kit's scores can be infinite (a certain forecast
that was wrong has an infinite log score). Such numbers are written as the strings
`"inf"`, `"-inf"` and `"nan"`, value by value; text is never rewritten, so a question
whose wording says "Infinity" stays as written. numpy values become plain numbers,
times ISO 8601 strings.
"""

from __future__ import annotations

import dataclasses
import json
import math
from datetime import datetime
from typing import Any

NON_FINITE = {math.inf: "inf", -math.inf: "-inf"}


def plain(value: Any) -> Any:
    """`value` as JSON data: non-finite floats as strings, numpy and times converted."""
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return "nan" if math.isnan(value) else NON_FINITE[value]
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return plain(dataclasses.asdict(value))
    if hasattr(value, "model_dump"):  # pydantic models
        return plain(value.model_dump(mode="json"))
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return plain(value.tolist())
    return str(value)


def dumps(value: Any, *, indent: int | None = 2) -> str:
    """Valid JSON text of `value` (see `plain`)."""
    return json.dumps(plain(value), indent=indent, ensure_ascii=False, allow_nan=False)
