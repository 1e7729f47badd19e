"""`kit import`: forecasts from another platform's export become a question set.

The export's questions and forecasts become `predictions/NAME.yaml` (a set with no
experiment: every question is `resolve: manual`), and its resolved questions become
manual resolutions in `_resolutions.yaml` whose `why` cites the file and line. Every row
that cannot be mapped is reported with its line; then nothing is written, unless
`skip_invalid` (the rest is imported and the skipped rows listed). Nothing is
half-written: the new file is checked as the kit will read it before it is written
(atomically), and removed again if the resolutions cannot be written.

The imported forecasts are not sealed (the kit did not see them before their outcomes):
`kit seal` seals them now, so those on resolved questions count as late; score them with
`--include-late`.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from kit import fileio
from kit.errors import InvalidInput, NotFound, Problem, UsageError, printable
from kit.fileio import atomic_write, locked
from kit.predictions.imports import fatebook, metaculus
from kit.predictions.imports.common import MAX_TEXT, Imported, Named, kit_name, render, slug
from kit.predictions.registry import check
from kit.predictions.resolutions import Resolution, check_outcome, read_entries, write_resolutions
from kit.predictions.timefmt import iso
from kit.predictions.timefmt import now as now_ms
from kit.predictions.validate import validate_file
from kit.project import Project

FORMATS = ("fatebook", "metaculus")
MAX_BYTES = 64 * 1024 * 1024
VALUE_KEYS = {"binary": "p", "categorical": "probs", "numeric": "quantiles"}


@dataclass
class ImportReport:
    """What an import wrote (or would write), and the rows it left out."""

    path: Path
    text: str
    questions: int = 0
    forecasts: int = 0
    resolved: int = 0
    skipped: list[Problem] = field(default_factory=list)
    people: dict[str, str] = field(default_factory=dict)  # export name -> kit name
    written: bool = False


def read_export(path: Path, fmt: str, shown: str) -> tuple[list[Imported], list[Problem]]:
    """The questions of an export file (or Metaculus folder) and its unmappable rows."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; use one of: {', '.join(FORMATS)}")
    if not path.exists():
        raise NotFound(f"{shown}: no such file")
    try:
        if fmt == "metaculus":
            return metaculus.read(metaculus.load(path), shown)
        return fatebook.read(fileio.read_text(path, MAX_BYTES, shown), shown)
    except (OSError, ValueError, zipfile.BadZipFile, NotImplementedError, RuntimeError) as e:
        # RuntimeError: an encrypted zip; NotImplementedError: an unknown compression
        message = printable(str(e), 300) or type(e).__name__
        raise InvalidInput([Problem(shown, 1, 1, "file", message)]) from None


def _checked(
    questions: list[Imported], named: Named, problems: list[Problem]
) -> list[tuple[Imported, dict[str, str], list[tuple[str, object]]]]:
    """Each mappable question with its option names and its forecasts (kit name, forecast)."""
    out = []
    for q in questions:
        if len(q.text) > MAX_TEXT:
            problems.append(Problem(q.file or named.file, q.line, 1, "text", f"over {MAX_TEXT}"))
            continue
        options = {o: kit_name(o) for o in q.options}
        if q.type == "categorical" and (
            "" in options.values() or len(set(options.values())) < len(options)
        ):
            message = f"options {list(options)!r} do not give distinct option names"
            problems.append(Problem(q.file or named.file, q.line, 1, "options", message[:300]))
            continue
        seen, forecasts = {}, []
        for f in sorted(q.forecasts, key=lambda f: (f.at, f.line)):
            where = f.file or named.file
            by = named.person(f.by, f.line, where)
            if by is None:
                continue
            if (by, f.at) in seen:
                message = f"{f.by} already forecast this question at {f.at} (line {seen[by, f.at]})"
                problems.append(Problem(where, f.line, 1, "forecast", message))
                continue
            seen[(by, f.at)] = f.line
            if q.type == "numeric":
                values = [f.value[t] for t in sorted(f.value)]
                if values != sorted(values):
                    problems.append(Problem(where, f.line, 1, "forecast", "quantiles decrease"))
                    continue
            value = (
                {options[o]: p for o, p in f.value.items()} if q.type == "categorical" else f.value
            )
            forecasts.append((by, replace(f, value=value)))
        out.append((q, options, forecasts))
    return out


def import_file(
    project: Project,
    path: Path,
    fmt: str,
    *,
    name: str | None = None,
    skip_invalid: bool = False,
    dry_run: bool = False,
    now: datetime | None = None,
) -> ImportReport:
    """Import the export at `path` into `predictions/NAME.yaml` and `_resolutions.yaml`."""
    path = Path(path)
    shown = path.name
    name = name or kit_name(path.stem).replace(".", "_").replace("@", "_").lower() or "imported"
    if not kit_name(name) or name.startswith("_") or "." in name:
        raise UsageError(f"--name {name!r}: use letters, digits, - and _")
    target = project.predictions_dir / f"{name}.yaml"
    if target.exists():
        raise UsageError(f"{project.relative(target)} exists: choose another --name")
    now = now or now_ms()
    questions, problems = read_export(path, fmt, shown)
    named = Named(shown)
    kept = _checked(questions, named, problems)
    problems += named.problems
    if problems and not skip_invalid:
        raise InvalidInput(problems + [_hint(shown, len(problems))])
    predictions = check(project)
    taken = {q.id for _, q in predictions.questions()} | set(read_entries(project)[0])
    digest = (
        (fileio.digest(path, fileio.INPUT_BYTES, shown) or "")[:16] if path.is_file() else "folder"
    )
    header = [
        f"Imported by `kit import --format {fmt}` from {shown} (sha256 {digest}...) on {iso(now)}.",
        "Every question is resolve: manual; the resolved ones are in _resolutions.yaml,",
        "citing the line of the export. The forecasts were not sealed before their outcomes.",
    ]
    entries, resolutions = [], {}
    for q, options, forecasts in kept:
        qid = slug(q.text, taken)
        key = VALUE_KEYS[q.type]
        fields = [{"by": by, "at": f.at, key: f.value} for by, f in forecasts]
        entries.append((qid, q, options, fields))
        if q.outcome is not None:
            outcome = options.get(q.outcome, q.outcome) if q.type == "categorical" else q.outcome
            resolutions[qid] = Resolution(
                question=qid,
                outcome=outcome,
                how="manual",
                evidence_at=q.resolved_at or now,
                resolved_at=iso(now),
                why=f"imported from the {fmt} export {shown}, line {q.resolution_line or q.line}"
                + (f" (resolved at {iso(q.resolved_at)})" if q.resolved_at else ""),
            )
    text = render(entries, header, f"Imported from {fmt}: {shown}")
    report = ImportReport(
        target,
        text,
        questions=len(entries),
        forecasts=sum(len(f) for *_, f in entries),
        resolved=len(resolutions),
        skipped=problems,
        people={k: v for k, v in named.people.items() if v},
    )
    loaded, found = validate_file(project, target, data=text)
    errors = [p for p in found if p.severity == "error"]
    if errors or loaded is None:
        raise InvalidInput(errors or [Problem(shown, 1, 1, "file", "nothing to import")])
    lines = {qid: q.resolution_line or q.line for qid, q, _, _ in entries}
    for qid, res in resolutions.items():
        question = loaded.questions[loaded.question_index[qid]]
        if why := check_outcome(question, res.outcome):
            raise InvalidInput([Problem(shown, lines[qid], 1, "Resolution", why)])
    if dry_run:
        return report
    _write(project, target, text, resolutions)
    report.written = True
    return report


def _write(project: Project, target: Path, text: str, resolutions: dict) -> None:
    with locked(target):
        if target.exists():
            raise UsageError(f"{project.relative(target)} appeared meanwhile: nothing written")
        atomic_write(target, text)
    try:
        if resolutions:
            write_resolutions(project, resolutions)
    except BaseException:
        target.unlink(missing_ok=True)  # nothing half-written
        raise


def _hint(file: str, n: int) -> Problem:
    return Problem(
        file,
        1,
        1,
        "import",
        f"{n} rows cannot be imported (listed); nothing was written. Fix them, or "
        "--skip-invalid to import the rest",
    )
