"""Git as the witness of the seal ledger (`kit check --history`, `kit seal --tag`).

A hash chain kept in one file proves order, not time: anyone can rewrite the file whole
(edit a `sealed_at`, recompute every `prev`) or append a correctly chained seal with an
old `sealed_at`. The repository's history is a witness the kit can consult, offline:

- every committed version of the ledger (along the first-parent history) must be a
  prefix of the next, and the working copy must extend the last commit: append-only
  across history, as certificate transparency checks consistency between tree heads;
- each ledger line's *witnessed time* is the earliest commit (or `kit-ledger-*` tag)
  that holds it; a seal first witnessed long after the time it claims is flagged, and
  lateness can be judged on witnessed times (`--witnessed`);
- `kit seal --tag` records the ledger as it is now in an annotated tag (a tag of the
  ledger's blob, so no commit is needed) that can be pushed.

Commit and tag dates are set by whoever makes them: a witness is as good as the place
the history was pushed to (a remote that refuses force-pushes, a colleague's clone). A
commit dated before the commit it follows is not believed: witnessed times only grow
along the history.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from kit import fileio
from kit.errors import KitError, Problem
from kit.predictions.ledger import line_hash
from kit.project import Project

TAG_PREFIX = "kit-ledger-"
#: A seal first witnessed later than this after its claimed time is flagged.
DEFAULT_TOLERANCE = timedelta(hours=24)


class GitError(KitError):
    """git is missing, or the project is not in a repository."""

    exit_code = 1


def _git(root: Path, *args: str, data: bool = False) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(
            ["git", *args],
            cwd=root,
            capture_output=True,
            text=not data,
            timeout=60,
            env={**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"},
        )
    except (OSError, subprocess.SubprocessError) as e:
        raise GitError(f"cannot run git: {e}") from None


def _toplevel(project: Project) -> Path:
    out = _git(project.root, "rev-parse", "--show-toplevel")
    if out.returncode != 0:
        raise GitError(
            f"{project.root}: not in a git repository, so nothing witnesses the ledger's "
            "history; `git init` and commit the ledger after sealing"
        )
    return Path(out.stdout.strip())


@dataclass(frozen=True)
class Version:
    """One witnessed version of the ledger: where it is, when, and its bytes."""

    source: str  # "commit 1a2b3c4d" or "tag kit-ledger-..."
    at: datetime
    data: bytes


def _when(unix: str) -> datetime:
    return datetime.fromtimestamp(int(unix), UTC)


def versions(project: Project) -> tuple[list[Version], list[Version]]:
    """(committed versions along the first-parent history, oldest first, with times made
    non-decreasing; `kit-ledger-*` tags, by tag date)."""
    top = _toplevel(project)
    rel = project.ledger_path.resolve().relative_to(top.resolve()).as_posix()
    log = _git(top, "log", "--first-parent", "--reverse", "--format=%H %ct", "--", rel)
    commits: list[Version] = []
    latest = None
    for line in log.stdout.split("\n") if log.returncode == 0 else []:
        if not line.strip():
            continue
        sha, unix = line.split()
        shown = _git(top, "show", f"{sha}:{rel}", data=True)
        at = _when(unix)
        latest = at if latest is None or at > latest else latest  # never earlier than before
        commits.append(
            Version(f"commit {sha[:10]}", latest, shown.stdout if shown.returncode == 0 else b"")
        )
    refs = _git(
        top,
        "for-each-ref",
        f"refs/tags/{TAG_PREFIX}*",
        "--format=%(refname:short) %(*objectname) %(*objecttype) %(taggerdate:unix)",
    )
    tags = []
    for line in refs.stdout.split("\n") if refs.returncode == 0 else []:
        parts = line.split()
        if len(parts) != 4 or parts[2] != "blob":
            continue
        blob = _git(top, "cat-file", "blob", parts[1], data=True)
        if blob.returncode == 0:
            tags.append(Version(f"tag {parts[0]}", _when(parts[3]), blob.stdout))
    return commits, sorted(tags, key=lambda v: v.at)


def _lines(data: bytes) -> list[bytes]:
    """The file's lines, numbered as the ledger numbers them (a final newline ends the
    last line; a torn last line without one is a line too)."""
    parts = data.split(b"\n") if data else []
    if parts and parts[-1] == b"":
        parts.pop()
    return parts


def _first_difference(old: list[bytes], new: list[bytes]) -> int:
    for i, (a, b) in enumerate(zip(old, new, strict=False), start=1):
        if a != b:
            return i
    return min(len(old), len(new)) + 1


@dataclass
class Witnessed:
    """One line of the ledger now: what it claims and when git first held it."""

    line: int
    kind: str
    question: str
    by: str
    claimed: datetime | None
    witnessed: datetime | None  # None: in no commit or tag yet
    source: str  # the commit or tag that first held it, or "not committed"

    def describe(self) -> str:
        who = f"{self.question} by {self.by}" if self.by else self.question
        claim = self.claimed.strftime("%Y-%m-%d %H:%M UTC") if self.claimed else "?"
        seen = self.witnessed.strftime("%Y-%m-%d %H:%M UTC") if self.witnessed else "-"
        return (
            f"line {self.line}: {self.kind} {who}: sealed_at {claim}, witnessed {seen} "
            f"({self.source})"
        )


@dataclass
class HistoryReport:
    lines: list[Witnessed] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def check_history(project: Project, tolerance: timedelta = DEFAULT_TOLERANCE) -> HistoryReport:
    """Check that the ledger only grew across its history, and witness each line."""
    shown = project.relative(project.ledger_path)
    commits, tags = versions(project)
    report = HistoryReport()
    current = fileio.read_bytes(project.ledger_path, fileio.LEDGER_BYTES, shown, optional=True)
    current = current or b""
    chain = [*commits, Version("the working copy", datetime.max.replace(tzinfo=UTC), current)]
    for before, after in zip(chain, chain[1:], strict=False):
        old, new = _lines(before.data), _lines(after.data)
        if new[: len(old)] != old:
            n = _first_difference(old, new)
            report.problems.append(
                Problem(
                    shown,
                    n,
                    1,
                    "history",
                    f"rewritten: the ledger in {after.source} is not an extension of the one "
                    f"in {before.source} (line {n} differs or is gone); a ledger only grows: "
                    f"restore it with `git checkout {before.source.split()[-1]} -- {shown}` "
                    "and seal again",
                    code="rewritten",
                )
            )
    now_lines = _lines(current)
    for tag in tags:
        old = _lines(tag.data)
        if now_lines[: len(old)] != old:
            n = _first_difference(old, now_lines)
            report.problems.append(
                Problem(
                    shown,
                    n,
                    1,
                    "history",
                    f"rewritten: the ledger is not an extension of the one {tag.source} "
                    f"recorded (line {n} differs or is gone)",
                    code="rewritten",
                )
            )
    first_seen: dict[bytes, tuple[datetime, str]] = {}
    for version in [*commits, *tags]:
        for raw in _lines(version.data):
            if raw not in first_seen or version.at < first_seen[raw][0]:
                first_seen[raw] = (version.at, version.source)
    for n, raw in enumerate(now_lines, start=1):
        try:
            rec = json.loads(raw)
        except ValueError:
            continue  # `kit check` reports corrupt lines
        if not isinstance(rec, dict):
            continue
        claimed = _claimed(rec)
        seen = first_seen.get(raw)
        row = Witnessed(
            n,
            str(rec.get("kind", "?")),
            str(rec.get("question", "?")),
            str(rec.get("by") or ""),
            claimed,
            seen[0] if seen else None,
            seen[1] if seen else "not committed",
        )
        report.lines.append(row)
        if seen and claimed and seen[0] - claimed > tolerance:
            late_by = seen[0] - claimed
            report.problems.append(
                Problem(
                    shown,
                    n,
                    1,
                    "history",
                    f"{row.kind} of {row.question}{' by ' + row.by if row.by else ''} claims "
                    f"sealed_at {claimed.isoformat()} but git first witnessed it "
                    f"{_span(late_by)} later ({seen[1]}, {seen[0].isoformat()}): backdated, or "
                    "committed late; `--witnessed` judges lateness on the witnessed time",
                    "warning",
                    "backdated",
                )
            )
    return report


def _claimed(rec: dict) -> datetime | None:
    try:
        return datetime.fromisoformat(str(rec["sealed_at"]).replace("Z", "+00:00"))
    except (KeyError, ValueError):
        return None


def _span(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours / 24:.1f} days" if hours >= 48 else f"{hours:.1f} hours"


def witnessed_times(project: Project) -> dict[int, datetime]:
    """Ledger line number -> when git first held that line (lines in no commit or tag
    are absent: not witnessed yet)."""
    report = check_history(project)
    return {w.line: w.witnessed for w in report.lines if w.witnessed is not None}


@dataclass(frozen=True)
class Tagged:
    name: str
    head: str  # sha256: of the ledger's last line
    created: bool


def tag_head(project: Project) -> Tagged:
    """Record the ledger as it is now in an annotated git tag of its blob."""
    top = _toplevel(project)
    shown = project.relative(project.ledger_path)
    data = fileio.read_bytes(project.ledger_path, fileio.LEDGER_BYTES, shown, optional=True)
    lines = _lines(data or b"")
    if not lines:
        raise KitError("the ledger is empty: nothing to tag")
    head = line_hash(lines[-1])
    name = f"{TAG_PREFIX}{len(lines)}-{head.removeprefix('sha256:')[:12]}"
    blob = _git(top, "hash-object", "-w", str(project.ledger_path.resolve()))
    if blob.returncode != 0:
        raise GitError(f"git hash-object failed: {blob.stderr.strip()}")
    sha = blob.stdout.strip()
    existing = _git(top, "rev-parse", "--verify", "--quiet", f"refs/tags/{name}^{{}}")
    if existing.returncode == 0:
        if existing.stdout.strip() == sha:
            return Tagged(name, head, False)
        raise GitError(f"tag {name} exists and records another ledger; nothing tagged")
    message = (
        f"kit ledger head {head}: {len(lines)} records of {project.relative(project.ledger_path)}"
    )
    made = _git(top, "tag", "-a", name, sha, "-m", message)
    if made.returncode != 0:
        raise GitError(f"git tag failed: {made.stderr.strip()}")
    return Tagged(name, head, True)
