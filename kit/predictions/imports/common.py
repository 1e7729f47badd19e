"""What an import produces before it is written: questions, forecasts, outcomes, problems.

A format's reader (`fatebook`, `metaculus`) turns an export into `Imported` questions and
a `Problem` for every row it cannot map (with the file and line); this module names
them as the kit needs (ids, forecaster and option names) and renders the question set
as YAML.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from kit.errors import Problem
from kit.predictions.edit import flow_map, scalar

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,63}$")
MAX_TEXT = 5000
_TIME = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{1,2})(?::(\d{1,2})(\.\d+)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$"
)


@dataclass
class ImportedForecast:
    by: str  # as in the export
    at: datetime
    value: Any  # p, {option: p} or {level: value}
    line: int
    file: str = ""  # the file of `line`, when the export has several


@dataclass
class Imported:
    """One question of an export, with its forecasts and, if resolved, its outcome."""

    key: str  # identity in the export
    text: str
    type: str  # binary, categorical, numeric
    line: int  # where it first appears
    options: list[str] = field(default_factory=list)  # categorical, as in the export
    forecasts: list[ImportedForecast] = field(default_factory=list)
    outcome: Any = None  # None: unresolved; true/false, an option, a number, ambiguous...
    resolved_at: datetime | None = None
    resolution_line: int | None = None
    tags: list[str] = field(default_factory=list)
    file: str = ""  # the file of `line`, when the export has several


def csv_records(
    text: str, file: str, required: tuple[str, ...], what: str
) -> tuple[list[tuple[int, dict[str, str]]], list[Problem]]:
    """(first line, row) of each CSV record, or the problem that stops the reading."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [c for c in required if c not in (reader.fieldnames or [])]
    if missing:
        found = ", ".join(reader.fieldnames or []) or "none"
        message = f"not {what}: no column {', '.join(map(repr, missing))} (columns: {found})"
        return [], [Problem(file, 1, 1, "header", message[:300])]
    out, problems, previous = [], [], reader.line_num
    try:
        for row in reader:
            out.append((previous + 1, row))
            previous = reader.line_num
    except csv.Error as e:
        problems.append(Problem(file, previous + 1, 1, "csv", str(e)))
    return out, problems


def parse_time(text: str) -> datetime:
    """A time as exports write it: ISO 8601, or `2024-01-02 3:04:5` (read as UTC)."""
    text = text.strip()
    m = _TIME.match(text)
    if not m:
        raise ValueError(f"not a time: {text[:40]!r}")
    year, month, day, hour, minute, second = (int(g) if g else 0 for g in m.groups()[:6])
    fraction = float(m.group(7) or 0)
    zone = m.group(8)
    moment = datetime(year, month, day, hour, minute, second, int(fraction * 1e6), tzinfo=UTC)
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        moment -= sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[-2:]))
    return moment


def kit_name(text: str) -> str:
    """A forecaster or option name as the kit accepts it (letters, digits, - _ . @ +)."""
    name = re.sub(r"[^A-Za-z0-9_.@+-]+", "-", text.strip()).strip("-_.@+")[:64]
    return name if name and NAME.match(name) else ""


def slug(text: str, taken: set[str]) -> str:
    """A question id from its text, unique among `taken` (which it joins)."""
    base = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].strip("-") or "question"
    if not base[0].isalnum():
        base = "q-" + base
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    taken.add(candidate)
    return candidate


@dataclass
class Named:
    """Names the kit uses for an export's forecasters and options, and their problems."""

    file: str
    people: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def person(self, raw: str, line: int, file: str = "") -> str | None:
        if raw not in self.people:
            name = kit_name(raw) or ""
            clash = [k for k, v in self.people.items() if v == name and k != raw]
            if not name or clash:
                why = f"also the name of {clash[0]!r}" if clash else "has no letters or digits"
                self.problems.append(
                    Problem(file or self.file, line, 1, "forecaster", f"{raw[:40]!r}: {why}")
                )
                self.people[raw] = ""
            else:
                self.people[raw] = name
        return self.people[raw] or None


def render(
    questions: list[tuple[str, Imported, dict[str, str], list[dict]]],
    header: list[str],
    title: str,
) -> str:
    """The question-set YAML: (id, question, option names, forecasts as fields) each."""
    lines = [f"# {h}" for h in header]
    lines += [f"title: {scalar(title)}", "questions:"]
    for qid, q, options, forecasts in questions:
        renamed = [f"{k!r} -> {v}" for k, v in options.items() if k != v]
        if renamed:
            lines.append(f"  # options renamed: {', '.join(renamed)}"[:400])
        lines += [
            f"  - id: {qid}",
            f"    text: {scalar(q.text)}",
            f"    type: {q.type}",
            "    resolve: manual",
        ]
        if q.type == "categorical":
            lines.append(f"    options: [{', '.join(scalar(o) for o in options.values())}]")
        if q.tags:
            lines.append(f"    tags: [{', '.join(q.tags)}]")
        lines.append("    forecasts:" if forecasts else "    forecasts: []")
        lines += [f"      - {flow_map(f)}" for f in forecasts]
    return "\n".join(lines) + "\n"


def forecast_fields(by: str, f: ImportedForecast, key: str) -> dict[str, Any]:
    """A forecast as the fields of its flow mapping: by, at, then the value under `key`."""
    return {"by": by, "at": f.at, key: f.value}
