"""The seal ledger: an append-only JSON-lines file of forecast and plan digests.

Each line is one record, chained by `prev`, the SHA-256 of the line before it, so that
editing or deleting an earlier line breaks the chain visibly. A record's `kind` says
what it seals:

- `seal`: one forecast: the SHA-256 of its canonical form (question id, text and type,
  forecaster, value, `at`; a blind forecast's commitment instead of its value), the UTC
  time of sealing, the git commit of the project if it is a repository, and the plan
  version (`plan`) its question had;
- `plan`: a question's analysis plan, first sealed (`kit.predictions.plans`);
- `amend`: a new version of a sealed plan, with the reason (`kit amend`).

Ledgers written before plans existed hold only `seal` lines and read unchanged.

A line is written whole in one append; a crash can at worst leave a torn last line,
which is detected, reported and (by `kit seal`) moved aside to `_seals.jsonl.torn`
while the earlier lines stay valid.

What a seal proves: that the ledger line held this digest, claimed to be sealed at
`sealed_at` by this machine's clock. The whole file can be rewritten with a consistent
chain; the git history is the witness that it was not (`kit check --history`,
`kit.predictions.history`), best pushed to a remote or tagged (`kit seal --tag`).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator

from kit import fileio, times
from kit.errors import InvalidInput, Problem
from kit.predictions.yamlscan import text_problem
from kit.questions import ForecastBase, QuestionBase

LEDGER_VERSION = 1


def iso(at: datetime) -> str:
    """The one text form of a time in seals: UTC, microseconds, `Z`."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _dumps(body: dict) -> bytes:
    return json.dumps(
        body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def revealed_canonical(question: QuestionBase, forecast: ForecastBase) -> bytes:
    """The canonical form of what a forecast claims, value included: sorted-key compact
    JSON of question id, text and type, forecaster, `at` and the value in the kind's form
    (`QuestionKind.canonical_value`), under the forecast's value key."""
    body = {
        "question": question.id,
        "text": question.text,
        "type": question.type,
        "by": forecast.by,
        "at": iso(forecast.at) if forecast.at else None,
        forecast.value_key: question.kind.canonical_value(forecast),
    }
    return _dumps(body)


def canonical(question: QuestionBase, forecast: ForecastBase) -> bytes:
    """The bytes a seal digests.

    A plain forecast's canonical form (`revealed_canonical`); a blind forecast's holds
    its commitment instead of its value, so that its seal stays valid when the value is
    revealed (the revealed value is checked against the commitment instead).
    """
    if forecast.commit is None:
        return revealed_canonical(question, forecast)
    body = {
        "question": question.id,
        "text": question.text,
        "type": question.type,
        "by": forecast.by,
        "at": iso(forecast.at) if forecast.at else None,
        "commit": forecast.commit,
    }
    return _dumps(body)


def digest(question: QuestionBase, forecast: ForecastBase) -> str:
    return "sha256:" + hashlib.sha256(canonical(question, forecast)).hexdigest()


def line_hash(line: bytes) -> str:
    return "sha256:" + hashlib.sha256(line.rstrip(b"\n")).hexdigest()


def key(question_id: str, by: str, at: datetime | str) -> tuple[str, str, str]:
    """A forecast's identity in the ledger: question, forecaster, time."""
    return (question_id, by, at if isinstance(at, str) else iso(at))


class Seal(BaseModel):
    """One ledger line: a forecast's digest, when it was sealed, and where it sits."""

    model_config = ConfigDict(frozen=True, extra="ignore", strict=True)

    question: str = Field(description="the question's id")
    by: str = Field(description="the forecaster")
    at: str = Field(description="the forecast's own time, UTC with microseconds and Z")
    digest: str = Field(
        description="sha256: of the canonical forecast (question id, text, type, by, at, value)"
    )
    sealed_at: Annotated[AwareDatetime, Field(strict=False)] = Field(
        description="when it was sealed (this machine's clock, UTC)"
    )
    commit: str | None = Field(None, description="git HEAD of the project when sealed")
    file: str = Field("", description="the question-set file it came from")
    plan: str | None = Field(
        None,
        description="sha256: of its question's plan when sealed (null: sealed before the "
        "kit sealed plans)",
    )
    line: int = Field(0, description="its 1-based line in the ledger (not stored)")

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.question, self.by, self.at)

    @field_validator("question", "by", "at", "digest", "commit", "file")
    @classmethod
    def _text(cls, value: str | None) -> str | None:
        if value is not None and (why := text_problem(value)):
            raise ValueError(why)
        return value

    @field_validator("sealed_at", mode="before")
    @classmethod
    def _not_a_number(cls, value: object) -> object:
        return times.not_a_number(value)

    @field_validator("sealed_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return times.to_utc(value)


class PlanSeal(BaseModel):
    """A ledger line sealing one version of a question's analysis plan (`kit.predictions.plans`).

    `kind` is `plan` for a plan sealed by `kit seal`, `amend` for a version recorded by
    `kit amend` with its reason. An amendment made after evidence for the question existed
    is post-hoc (`posthoc`, with the evidence it knew of)."""

    model_config = ConfigDict(frozen=True, extra="ignore", strict=True)

    kind: Literal["plan", "amend"] = Field(description="plan (first sealed) or amend")
    question: str = Field(description="the question's id")
    plan: str = Field(description="sha256: of the canonical plan (the version's name)")
    body: dict[str, Any] = Field(
        description="the plan: type, rule, kind's fields, experiment, parameters, notebook "
        "and input digests"
    )
    sealed_at: Annotated[AwareDatetime, Field(strict=False)] = Field(
        description="when it was sealed (this machine's clock, UTC)"
    )
    commit: str | None = Field(None, description="git HEAD of the project when sealed")
    file: str = Field("", description="the question-set file it came from")
    why: str | None = Field(None, description="an amendment's reason")
    previous: str | None = Field(None, description="the plan version it replaces")
    posthoc: bool = Field(False, description="amended after evidence for the question existed")
    evidence_at: str | None = Field(None, description="that evidence's time, if any")
    evidence_run: str | None = Field(None, description="that evidence's run, if any")
    line: int = Field(0, description="its 1-based line in the ledger (not stored)")

    @property
    def amended(self) -> bool:
        return self.kind == "amend"


#: The record kinds a ledger line may hold, and their models.
RECORD_KINDS: dict[str, type[BaseModel]] = {"seal": Seal, "plan": PlanSeal, "amend": PlanSeal}


#: Fields of a ledger line besides the Seal's own: the format version, the record kind,
#: and `prev`, the SHA-256 of the line before (the chain).
LINE_FIELDS = ("v", "kind", "prev")


@dataclass
class Ledger:
    path: Path
    seals: list[Seal]
    problems: list[Problem]
    last_hash: str | None  # hash of the last whole line, for the next `prev`
    good_bytes: int  # length of the prefix of whole lines (a torn tail starts here)
    torn: bool = False  # the file ends in a line cut short
    plans: list[PlanSeal] = field(default_factory=list)  # plan versions, in ledger order

    def by_key(self) -> dict[tuple[str, str, str], Seal]:
        return {s.key: s for s in self.seals}

    def plan_versions(self) -> dict[str, list[PlanSeal]]:
        """Each question's sealed plan versions, oldest first."""
        out: dict[str, list[PlanSeal]] = {}
        for p in self.plans:
            out.setdefault(p.question, []).append(p)
        return out


def read(path: Path, shown: str) -> Ledger:
    """Read and verify the ledger; problems are located at its lines.

    A ledger that cannot be read at all (a folder, over `fileio.LEDGER_BYTES`) is one
    problem with code `unreadable`: the ledger is damaged, like a corrupt line."""
    try:
        data = fileio.read_bytes(path, fileio.LEDGER_BYTES, shown, optional=True)
    except InvalidInput as e:
        problems = [replace(p, field="ledger", code="unreadable") for p in e.problems]
        return Ledger(path, [], problems, None, 0)
    if data is None:
        return Ledger(path, [], [], None, 0)
    torn_tail = False
    seals: list[Seal] = []
    plans: list[PlanSeal] = []
    problems: list[Problem] = []
    prev: str | None = None
    offset = 0
    good = 0
    lines = data.split(b"\n")
    for n, raw in enumerate(lines, start=1):
        last = n == len(lines)
        if last and raw == b"":
            break
        end = offset + len(raw) + (0 if last else 1)
        torn = last  # a final line with no newline was cut short by a crash
        torn_tail = torn_tail or torn
        try:
            rec = json.loads(raw.decode("utf-8"))
            model = RECORD_KINDS.get(rec.get("kind")) if isinstance(rec, dict) else None
            if model is None:
                kinds = ", ".join(sorted(RECORD_KINDS))
                raise ValueError(f"not a ledger record (its kind is none of {kinds})")
            seal = model.model_validate({**rec, "line": n})
        except ValidationError as e:
            first = e.errors(include_url=False)[0]
            where = ".".join(str(p) for p in first["loc"])
            error: Exception = ValueError(f"{where}: {first['msg'].removeprefix('Value error, ')}")
            seal = None
        except (ValueError, RecursionError) as e:  # UnicodeDecodeError is a ValueError
            error, seal = e, None
        if seal is None:
            if torn:
                problems.append(
                    Problem(
                        shown,
                        n,
                        1,
                        "ledger",
                        "torn last line (a write was "
                        "cut short); earlier lines are valid; `kit seal` "
                        "moves it aside",
                        code="torn",
                    )
                )
            else:
                problems.append(
                    Problem(shown, n, 1, "ledger", f"corrupt line: {error}", code="corrupt")
                )
                prev = line_hash(raw)
                good = end
            offset = end
            continue
        if torn:
            problems.append(
                Problem(
                    shown,
                    n,
                    1,
                    "ledger",
                    "last line has no newline (a write was cut short); `kit seal` moves it aside",
                    code="torn",
                )
            )
            break
        if rec.get("prev") != prev:
            problems.append(
                Problem(
                    shown,
                    n,
                    1,
                    "ledger",
                    "chain broken: `prev` does not "
                    "match the line before (a line was edited, removed or "
                    "reordered)",
                    code="chain",
                )
            )
        prev = line_hash(raw)
        (seals if isinstance(seal, Seal) else plans).append(seal)
        offset = end
        good = end
    return Ledger(path, seals, problems, prev, good, torn_tail, plans)


def git_commit(root: Path) -> str | None:
    """HEAD of the git repository holding `root`, or None."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
            env={**os.environ, "GIT_TERMINAL_PROMPT": "0"},
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def set_aside_torn_tail(ledger: Ledger) -> int:
    """Move bytes after the last whole line to `<ledger>.torn`; return how many moved."""
    data = fileio.read_bytes(ledger.path, fileio.LEDGER_BYTES)
    tail = data[ledger.good_bytes :]
    if not tail:
        return 0
    with open(ledger.path.with_name(ledger.path.name + ".torn"), "ab") as f:
        f.write(tail + b"\n")
        f.flush()
        os.fsync(f.fileno())
    with open(ledger.path, "r+b") as f:
        f.truncate(ledger.good_bytes)
        f.flush()
        os.fsync(f.fileno())
    return len(tail)


def append(path: Path, records: list[dict], prev: str | None) -> None:
    """Append records in one write, chaining each to the line before (`kind` defaults to
    `seal`). The write is one `write` call followed by fsync: a crash leaves at worst a
    torn last line, which `read` reports and `kit seal` sets aside."""
    if not records:
        return
    lines = []
    for rec in records:
        line = json.dumps(
            {"v": LEDGER_VERSION, "kind": "seal", **rec, "prev": prev},
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )
        encoded = line.encode("utf-8")
        lines.append(encoded)
        prev = line_hash(encoded)
    with open(path, "ab") as f:
        f.write(b"".join(line + b"\n" for line in lines))
        f.flush()
        os.fsync(f.fileno())
