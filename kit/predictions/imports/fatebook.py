"""Read a Fatebook CSV export (fatebook.io: "Export all your forecasts").

One row per forecast, with the columns `Question title`, `Multiple choice option`,
`Forecast created by`, `Forecast (scale = 0-1)`, `Forecast created at`,
`Question created at`, `Resolution` (YES, NO, AMBIGUOUS; per option for multiple
choice) and `Resolved at` (others are ignored). Times without a zone are read as UTC.

A question is its title and creation time. A row with a multiple-choice option is one
option's probability; the rows one forecaster made at one time on one question become a
single categorical forecast (their probabilities must sum to 1). A multiple-choice
question resolves to the option whose resolution is YES.
"""

from __future__ import annotations

import math

from kit.errors import Problem
from kit.predictions.imports.common import Imported, ImportedForecast, csv_records, parse_time

TITLE = "Question title"
OPTION = "Multiple choice option"
BY = "Forecast created by"
VALUE = "Forecast (scale = 0-1)"
AT = "Forecast created at"
CREATED = "Question created at"
RESOLUTION = "Resolution"
RESOLVED_AT = "Resolved at"
REQUIRED = (TITLE, BY, VALUE, AT)
OUTCOMES = {"YES": True, "NO": False, "AMBIGUOUS": "ambiguous"}
SUM_TOLERANCE = 1e-3  # exports round each option's probability


def read(text: str, file: str) -> tuple[list[Imported], list[Problem]]:
    """The questions of a Fatebook export, and a problem for each row it cannot map."""
    records, problems = csv_records(text, file, REQUIRED, "a Fatebook export")
    questions: dict[str, Imported] = {}
    options: dict[tuple[str, str, str], dict[str, tuple[float, int]]] = {}
    for line, row in records:
        where = (file, line, 1)

        def bad(column: str, message: str, where=where) -> None:
            problems.append(Problem(*where, column, message))

        title = (row.get(TITLE) or "").strip()
        option = (row.get(OPTION) or "").strip()
        if None in row or any(v is None for v in row.values()):
            bad("row", "the row has a different number of cells than the header")
            continue
        if not title:
            bad(TITLE, "empty")
            continue
        try:
            p = float(row[VALUE])
        except ValueError:
            bad(VALUE, f"not a number: {row[VALUE][:40]!r}")
            continue
        if not (math.isfinite(p) and 0 <= p <= 1):
            bad(VALUE, f"{p} is not a probability in [0, 1]")
            continue
        try:
            at = parse_time(row[AT])
        except ValueError as e:
            bad(AT, str(e))
            continue
        by = (row.get(BY) or "").strip()
        if not by:
            bad(BY, "empty")
            continue
        key = f"{title}\0{(row.get(CREATED) or '').strip()}"
        kind = "categorical" if option else "binary"
        q = questions.setdefault(key, Imported(key, title, kind, line))
        if q.type != kind:
            bad(OPTION, "rows of one question both with and without an option")
            continue
        _resolution(q, row, option, line, file, problems)
        if option:
            if option not in q.options:
                q.options.append(option)
            group = options.setdefault((key, by, row[AT].strip()), {})
            group[option] = (p, line)
            continue
        q.forecasts.append(ImportedForecast(by, at, p, line))
    for (key, by, at_text), probs in options.items():
        q = questions[key]
        first = min(line for _, line in probs.values())
        total = math.fsum(p for p, _ in probs.values())
        if abs(total - 1) > SUM_TOLERANCE:
            lines = ", ".join(str(line) for _, line in sorted(probs.values(), key=lambda x: x[1]))
            problems.append(
                Problem(
                    file,
                    first,
                    1,
                    VALUE,
                    f"{by}'s forecast at {at_text} sums to {total:.4g}, not 1 (lines {lines})",
                )
            )
            continue
        value = {o: p / total for o, (p, _) in probs.items()}
        q.forecasts.append(ImportedForecast(by, parse_time(at_text), value, first))
    return list(questions.values()), problems


def _resolution(q: Imported, row: dict, option: str, line: int, file: str, problems) -> None:
    text = (row.get(RESOLUTION) or "").strip().upper()
    if not text:
        return
    if text not in OUTCOMES:
        problems.append(
            Problem(file, line, 1, RESOLUTION, f"{text[:20]!r} is not YES, NO or AMBIGUOUS")
        )
        return
    outcome = OUTCOMES[text]
    if option:
        if outcome is False:
            return  # another option won
        outcome = option if outcome is True else outcome
    if q.outcome is not None and q.outcome != outcome:
        problems.append(
            Problem(
                file,
                line,
                1,
                RESOLUTION,
                f"resolved to {outcome!r} here but to {q.outcome!r} on line {q.resolution_line}",
            )
        )
        return
    if q.outcome is None:
        q.outcome, q.resolution_line = outcome, line  # the first row that says so
    resolved = (row.get(RESOLVED_AT) or "").strip()
    if resolved and q.resolved_at is None:
        try:
            q.resolved_at = parse_time(resolved)
        except ValueError as e:
            problems.append(Problem(file, line, 1, RESOLVED_AT, str(e)))
