"""CSV for spreadsheets and scripts: one header row, then one row per record.

Values are written as `kit.jsonout` writes them, one cell each: numbers as they are
(non-finite ones as `inf`, `-inf`, `nan`), true/false, empty for null, text as it is;
lists and mappings as compact JSON in one cell. Quoting is the csv module's (RFC 4180).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any

from kit.jsonout import plain


def cell(value: Any) -> str:
    """One value as CSV cell text."""
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def dumps(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> str:
    """CSV text of `columns` of `rows` (a missing key is an empty cell)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([cell(row.get(c)) for c in columns])
    return out.getvalue()


def columns_of(rows: Iterable[dict[str, Any]], first: Sequence[str] = ()) -> list[str]:
    """`first`, then every other key of `rows` in the order first seen."""
    seen = dict.fromkeys(first)
    for row in rows:
        seen.update(dict.fromkeys(row))
    return list(seen)
