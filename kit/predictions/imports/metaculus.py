"""Read a Metaculus question-data export: `question_data.csv` and `forecast_data.csv`, in
a folder or in the zip Metaculus sends.

Questions (`Question ID`, `Question Title`, `Label` of a group's sub-question,
`Question Type`, `MC Options (All)`, `Resolution`, `Resolution Known Time`) become binary,
categorical or numeric questions; date questions are reported as unmappable. Each row
of `forecast_data.csv` (`Question ID`, `Forecaster Username`, `Start Time`, and
`Probability Yes`, `Probability Yes Per Category`, or the 5th, 25th, 50th, 75th and 95th
percentiles) is one forecast; aggregates (the community prediction) come as forecasters
named by their method. Options unavailable at a forecast's time (None) count as 0.
"""

from __future__ import annotations

import ast
import json
import math
import zipfile
from pathlib import Path
from typing import Any

from kit import fileio
from kit.errors import InvalidInput, Problem
from kit.predictions.imports.common import Imported, ImportedForecast, csv_records, parse_time
from kit.predictions.imports.fatebook import SUM_TOLERANCE

FILES = ("question_data.csv", "forecast_data.csv")
MAX_MEMBER = 64 * 1024 * 1024
TYPES = {"binary": "binary", "multiple_choice": "categorical", "numeric": "numeric"}
TYPES |= {"multiple choice": "categorical", "discrete": "numeric"}
PERCENTILES = {
    0.05: "5th Percentile",
    0.25: "25th Percentile",
    0.5: "Median",
    0.75: "75th Percentile",
    0.95: "95th Percentile",
}
NOT_SCORED = {"annulled": "annulled", "ambiguous": "ambiguous"}


def load(path: Path) -> dict[str, str]:
    """The two CSV files' text, from a folder or a zip (ValueError if missing or large)."""
    texts = {}
    if path.is_dir():
        for name in FILES:
            member = path / name
            try:
                texts[name] = fileio.read_text(member, MAX_MEMBER, str(member))
            except InvalidInput as e:
                why = e.problems[0].message
                raise ValueError(
                    f"{path}: needs {name} (at most {MAX_MEMBER} bytes): {why}"
                ) from None
        return texts
    with zipfile.ZipFile(path) as z:
        by_name = {Path(i.filename).name: i for i in z.infolist()}
        for name in FILES:
            info = by_name.get(name)
            if info is None or info.file_size > MAX_MEMBER:
                raise ValueError(f"{path}: needs {name} (at most {MAX_MEMBER} bytes)")
            texts[name] = z.read(info).decode("utf-8-sig")
    return texts


def _listed(text: str) -> list:
    text = text.strip()
    if not text:
        return []
    try:
        value = json.loads(text)
    except ValueError:
        value = ast.literal_eval(text)  # Python-style lists: ['a', None]
    if not isinstance(value, list):
        raise ValueError(f"not a list: {text[:40]!r}")
    return value


def read(texts: dict[str, str], file: str) -> tuple[list[Imported], list[Problem]]:
    """The questions of a Metaculus export, and a problem for each row it cannot map."""
    qfile, ffile = f"{file}:question_data.csv", f"{file}:forecast_data.csv"
    question_rows, problems = csv_records(
        texts["question_data.csv"], qfile, ("Question ID", "Question Type"), "a Metaculus export"
    )
    questions: dict[str, Imported] = {}
    for line, row in question_rows:
        try:
            q = _question(row, line, qfile)
        except (ValueError, SyntaxError) as e:
            problems.append(Problem(qfile, line, 1, "question", str(e)[:300]))
            continue
        questions[q.key] = q
        try:
            _resolve(q, row)
        except ValueError as e:
            problems.append(Problem(qfile, line, 1, "Resolution", str(e)[:300]))
    forecast_rows, more = csv_records(
        texts["forecast_data.csv"], ffile, ("Question ID", "Start Time"), "a Metaculus export"
    )
    problems += more
    for line, row in forecast_rows:
        q = questions.get((row.get("Question ID") or "").strip())
        if q is None:
            problems.append(Problem(ffile, line, 1, "Question ID", "no such question"))
            continue
        try:
            q.forecasts.append(_forecast(q, row, line, ffile))
        except (ValueError, SyntaxError) as e:
            problems.append(Problem(ffile, line, 1, "forecast", str(e)[:300]))
    return list(questions.values()), problems


def _question(row: dict[str, str], line: int, file: str) -> Imported:
    kind = (row.get("Question Type") or "").strip().lower()
    if kind not in TYPES:
        raise ValueError(
            f"question type {kind!r} cannot be imported (binary, multiple choice, numeric)"
        )
    title = (row.get("Question Title") or "").strip()
    label = (row.get("Label") or "").strip()
    text = f"{title}: {label}" if label else title
    if not text:
        raise ValueError("no title")
    q = Imported((row.get("Question ID") or "").strip(), text, TYPES[kind], line, file=file)
    if q.type == "categorical":
        q.options = [str(o) for o in _listed(row.get("MC Options (All)") or "")]
        if len(q.options) < 2:
            raise ValueError("a multiple-choice question without its options")
    return q


def _resolve(q: Imported, row: dict[str, str]) -> None:
    text = (row.get("Resolution") or "").strip()
    if not text or text.lower() in ("none", "null"):
        return
    outcome: Any
    if text.lower() in NOT_SCORED:
        outcome = NOT_SCORED[text.lower()]
    elif q.type == "binary":
        if text.lower() not in ("yes", "no"):
            raise ValueError(f"binary resolution {text[:20]!r} is not yes or no")
        outcome = text.lower() == "yes"
    elif q.type == "categorical":
        if text not in q.options:
            raise ValueError(f"resolution {text[:40]!r} is not one of the options")
        outcome = text
    else:
        outcome = float(text)  # above/below the bounds: a ValueError, reported
        if not math.isfinite(outcome):
            raise ValueError(f"resolution {text!r} is not a finite number")
    q.outcome = outcome
    known = (row.get("Resolution Known Time") or "").strip()
    q.resolved_at = parse_time(known) if known else None


def _forecast(q: Imported, row: dict[str, str], line: int, file: str) -> ImportedForecast:
    by = (row.get("Forecaster Username") or "").strip()
    if not by:
        raise ValueError("no forecaster")
    at = parse_time(row.get("Start Time") or "")
    if q.type == "binary":
        p = float(row.get("Probability Yes") or "nan")
        if not (0 <= p <= 1):
            raise ValueError(f"Probability Yes {row.get('Probability Yes')!r} is not in [0, 1]")
        return ImportedForecast(by, at, p, line, file)
    if q.type == "categorical":
        probs = _listed(row.get("Probability Yes Per Category") or "")
        if len(probs) != len(q.options):
            raise ValueError(f"{len(probs)} probabilities for {len(q.options)} options")
        value = {o: float(p) for o, p in zip(q.options, probs, strict=True) if p is not None}
        total = math.fsum(value.values())
        if abs(total - 1) > SUM_TOLERANCE or any(not 0 <= v <= 1 for v in value.values()):
            raise ValueError(f"probabilities sum to {total:.4g}, not 1")
        return ImportedForecast(by, at, {o: v / total for o, v in value.items()}, line, file)
    quantiles = {level: float(row.get(column) or "nan") for level, column in PERCENTILES.items()}
    if not all(math.isfinite(v) for v in quantiles.values()):
        raise ValueError("a numeric forecast needs its 5th, 25th, 50th, 75th and 95th percentiles")
    return ImportedForecast(by, at, quantiles, line, file)
