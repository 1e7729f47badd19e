"""Blind forecasts: commit now, reveal later (commit–reveal), checkable in plain files.

`kit predict ID --by NAME --p 0.7 --blind` writes to the question set only a commitment,

    commit = sha256:SHA-256(salt + "\\n" + the forecast's canonical form)

(the canonical form is the one a plain forecast's seal digests: question id, text and
type, forecaster, `at` and the value), and seals it. The value, the salt (32 random
bytes, 64 hex digits) and the reasoning go to the forecaster's private store,
`.kit/private/<forecaster>.jsonl` (mode 0600, git-ignored): whoever reads the repository
sees that ana forecast, and when, but not what. `kit reveal` writes value, salt and
reasoning into the question set; `kit check` recomputes every revealed forecast's
commitment, so a value changed after committing is tampering.

A question (or its set) may require blindness (`blind: true`): a plain forecast on it is
an error until it resolves. `reveal_after:` holds reveals until a time, or until each
listed forecaster has sealed a forecast (blind or plain) on the question.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kit import fileio
from kit.errors import InvalidInput, KitError, Problem
from kit.fileio import locked
from kit.predictions.ledger import iso, revealed_canonical
from kit.project import Project
from kit.questions.base import Commitment, Name, Salt

if TYPE_CHECKING:
    from kit.predictions.registry import Predictions
    from kit.predictions.validate import LoadedSet
    from kit.questions import ForecastBase, QuestionBase

SALT_BYTES = 32
PRIVATE_DIR = Path(".kit") / "private"


class PrivateStoreError(KitError):
    """A private store is missing, unreadable or holds an entry that opens nothing."""

    exit_code = 1


def new_salt() -> str:
    return secrets.token_hex(SALT_BYTES)


def commitment(question: QuestionBase, forecast: ForecastBase, salt: str) -> str:
    """The commitment to a forecast with its value (`forecast.commit` is ignored)."""
    if len(salt) != 2 * SALT_BYTES or any(c not in "0123456789abcdef" for c in salt):
        raise PrivateStoreError(
            f"salt {salt[:16]!r}... is {len(salt)} characters; a salt is {2 * SALT_BYTES} "
            "lowercase hex digits"
        )
    body = salt.encode("ascii") + b"\n" + revealed_canonical(question, forecast)
    return "sha256:" + hashlib.sha256(body).hexdigest()


def opens(question: QuestionBase, forecast: ForecastBase) -> bool:
    """A revealed blind forecast's value and salt open its commitment."""
    return commitment(question, forecast, forecast.salt or "") == forecast.commit


# the rules a set or question sets ----------------------------------------------------
def blind_required(loaded: LoadedSet, question: QuestionBase) -> bool:
    return question.blind if question.blind is not None else loaded.spec.blind


def reveal_rule(loaded: LoadedSet, question: QuestionBase) -> datetime | list[str] | None:
    if question.reveal_after is not None:
        return question.reveal_after
    return loaded.spec.reveal_after


def hidden(loaded: LoadedSet, question: QuestionBase) -> bool:
    """Others' values are not to be shown (blindness is on for the question)."""
    return blind_required(loaded, question) or reveal_rule(loaded, question) is not None


def held(
    loaded: LoadedSet, question: QuestionBase, committed: set[str], now: datetime
) -> str | None:
    """Why reveals on this question are held now, or None (a resolved question is never
    held: pass `committed` of everyone then, or call only for unresolved questions)."""
    rule = reveal_rule(loaded, question)
    if rule is None:
        return None
    if isinstance(rule, datetime):
        if now < rule:
            return f"reveals held until {iso(rule)} (reveal_after)"
        return None
    missing = [name for name in rule if name not in committed]
    if missing:
        return f"reveals held until {', '.join(missing)} committed (reveal_after)"
    return None


def resolved_ids(project: Project) -> set[str]:
    """Question ids that `_resolutions.yaml` resolves (none when it cannot be read:
    `kit check` reports that file's own problems)."""
    from kit.predictions.resolutions import read_entries

    try:
        entries, _ = read_entries(project)
    except KitError:
        return set()
    return {str(k) for k in entries}


def blind_problems(predictions: Predictions) -> list[Problem]:
    """A revealed value that does not open its commitment (tampering), and a plain
    forecast on a question that requires blindness and is not resolved."""
    problems: list[Problem] = []
    resolved: set[str] | None = None
    for ref in predictions.forecasts():
        s, q, f = ref.set, ref.question, ref.forecast
        line, col = s.where(s.question_loc(q.id) + ("forecasts", ref.index))
        fld = f"questions[{s.question_index[q.id]}].forecasts[{ref.index}]"
        if f.blind and f.revealed and not opens(q, f):
            problems.append(
                Problem(
                    s.file,
                    line,
                    col,
                    fld,
                    f"tampered: {f.by}'s revealed forecast on {q.id} does not open its "
                    "commitment (the value, salt, time or question changed after it was "
                    "committed); restore what was revealed (`git checkout` the file) and "
                    "reveal again with `kit reveal`",
                    code="tampered",
                )
            )
        elif not f.blind and blind_required(s, q):
            if resolved is None:
                resolved = resolved_ids(predictions.project)
            if q.id not in resolved:
                problems.append(
                    Problem(
                        s.file,
                        line,
                        col,
                        fld,
                        f"{q.id} requires blind forecasts (blind: true) until it resolves: "
                        f"{f.by}'s plain value is visible to everyone; remove it and use "
                        f"`kit predict {q.id} --by {f.by} --blind ...`",
                        code="blind",
                    )
                )
    return problems


# the private store -------------------------------------------------------------------
class Secret(BaseModel):
    """One line of a private store: what opens one commitment."""

    model_config = ConfigDict(extra="ignore", frozen=True, strict=True)

    question: str = Field(description="the question's id")
    by: Name = Field(description="the forecaster")
    at: str = Field(description="the forecast's time, as its seal keys it")
    commit: Commitment = Field(description="the commitment in the question set")
    salt: Salt = Field(description="32 random bytes, hex")
    value_key: str = Field(description="p, probs, quantiles, ...")
    value: str = Field(description="the value as YAML flow text, as the reveal writes it")
    why: str | None = Field(None, description="the reasoning, revealed with the value")
    file: str = Field("", description="the question-set file")

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.question, self.by, self.at)


def store_path(project: Project, by: str) -> Path:
    return project.root / PRIVATE_DIR / f"{by}.jsonl"


def append_secret(path: Path, secret: Secret) -> None:
    """Append one entry, fsynced, to a 0600 store in a 0700 folder (created if needed)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    line = json.dumps(secret.model_dump(), sort_keys=True, ensure_ascii=False) + "\n"
    with locked(path):
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, line.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)


@dataclass
class Store:
    path: Path
    secrets: dict[tuple[str, str, str], Secret]


def read_store(path: Path, shown: str) -> Store:
    """Every entry of a store (a torn last line from a crash is skipped); a missing or
    unreadable store, or a bad entry, raises `PrivateStoreError` naming the line."""
    try:
        data = fileio.read_bytes(path, fileio.LEDGER_BYTES, shown, optional=True)
    except InvalidInput as e:
        why = e.problems[0].message
        raise PrivateStoreError(f"{shown}: cannot read: {why}; nothing changed") from None
    if data is None:
        raise PrivateStoreError(
            f"{shown}: no private store: the values of blind forecasts are only there. "
            "Copy it from the machine the forecasts were made on (it is git-ignored), or "
            "give its copy with --store FILE; nothing changed"
        )
    found: dict[tuple[str, str, str], Secret] = {}
    lines = data.split(b"\n")
    for n, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        if n == len(lines):
            break  # no newline: torn by a crash before the commitment was written
        try:
            rec: Any = json.loads(raw.decode("utf-8"))
            secret = Secret.model_validate(rec)
        except ValidationError as e:
            err = e.errors(include_url=False)[0]
            where = ".".join(str(p) for p in err["loc"])
            raise PrivateStoreError(
                f"{shown}:{n}: {where}: {err['msg']}; nothing changed"
            ) from None
        except (ValueError, UnicodeDecodeError) as e:
            raise PrivateStoreError(
                f"{shown}:{n}: not a store entry: {e}; nothing changed"
            ) from None
        found[secret.key] = secret
    return Store(path, found)
