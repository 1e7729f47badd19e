"""Times in kit files: ISO 8601 with a zone, held as UTC.

A time is text (`2026-11-23T10:15:00Z`, `2026-11-23 11:15:00+01:00`) or a datetime with a
zone. A number is refused, although pydantic would read it as a Unix time: `at: 0` is far
more likely a slip than 1970. Converting to UTC can leave the years 1 to 9999 that Python
can hold (`9999-12-31T23:59:59-01:00`); that is a located ValueError, not an
OverflowError.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from kit.errors import quote

HELP = "an ISO 8601 time with a zone, e.g. 2026-11-23T10:15:00Z"
_NUMBER = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*")


def not_a_number(value: Any) -> Any:
    """`value` unchanged unless it is a number (or text of one): then a ValueError.

    For `mode="before"` validators of time fields."""
    if isinstance(value, bool | int | float) or (
        isinstance(value, str) and _NUMBER.fullmatch(value)
    ):
        raise ValueError(f"give {HELP}, not a number ({quote(value, 40)})")
    return value


def to_utc(moment: datetime) -> datetime:
    """`moment` in UTC; ValueError when that falls outside the years 1 to 9999."""
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise ValueError(
            f"{moment.isoformat()} is out of range once converted to UTC (years 1 to 9999)"
        ) from None
