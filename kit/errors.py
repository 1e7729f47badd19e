"""The kit's exceptions: one base class, one exit code each.

The command line turns any `KitError` into its message on stderr and its `exit_code`;
anything else is an internal error (exit 70) shown without a traceback.
"""

from __future__ import annotations

import reprlib
from dataclasses import dataclass

#: Messages quote user data at most this long (characters).
QUOTED = 80


class KitError(Exception):
    """Base of every error the kit raises on purpose."""

    exit_code = 1


class UsageError(KitError):
    """The command was called with arguments that cannot work."""

    exit_code = 2


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with an input file, located as `file:line:column`."""

    file: str
    line: int
    column: int
    field: str
    message: str
    severity: str = "error"  # "error" or "warning"
    code: str = ""  # machine-readable kind, e.g. "tampered", "chain", "torn" (ledger checks)

    def __str__(self) -> str:
        tag = "" if self.severity == "error" else f"{self.severity}: "
        return f"{self.file}:{self.line}:{self.column}: {self.field}: {tag}{self.message}"


class InvalidInput(KitError):
    """Input files have problems; `problems` lists every one of them."""

    exit_code = 1

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        super().__init__("\n".join(str(p) for p in errors) or "invalid input")


class NotFound(KitError):
    """A named question, experiment, run or file does not exist."""

    exit_code = 3


class LedgerError(KitError):
    """The seal ledger is damaged in a way the kit will not paper over."""

    exit_code = 4


class RunFailed(KitError):
    """One or more runs of `kit run` failed, timed out, died or were interrupted."""

    exit_code = 1


class _Repr(reprlib.Repr):
    """reprlib's bounded repr, with integers too long to print given by their size."""

    def repr_int(self, x: int, level: int) -> str:
        bits = abs(x).bit_length()
        if bits > 256:
            return f"<an integer of about {int(bits * 0.30103) + 1} digits>"
        return super().repr_int(x, level)


def quote(value: object, limit: int = QUOTED) -> str:
    """`value` as a message quotes it: its repr, at most about `limit` characters.

    Long text keeps its start and says how long it was; containers show a few items;
    huge integers their size. Being a repr, it escapes NUL bytes, lone surrogates and
    other unprintable characters, so quoting a hostile value never breaks the output."""
    bounded = _Repr()
    bounded.maxlevel, bounded.maxlist, bounded.maxdict, bounded.maxtuple = 3, 6, 6, 6
    bounded.maxset = bounded.maxfrozenset = 6
    bounded.maxstring = bounded.maxother = bounded.maxlong = max(limit, 12)
    text = bounded.repr(value)
    if isinstance(value, str) and len(value) > limit:
        text += f" ({len(value)} characters)"
    return text if len(text) <= 2 * limit else text[: 2 * limit - 3] + "..."


def shown_name(name: object, limit: int = 40) -> str:
    """A key or name as a message's field shows it: as written when short and printable,
    else quoted (bounded)."""
    if isinstance(name, str) and name.isprintable() and 0 < len(name) <= limit:
        return name
    return quote(name, limit)


def printable(text: str, limit: int = 300) -> str:
    """Message text from elsewhere (a parser's message) made safe to print: unprintable
    characters escaped, at most `limit` characters."""
    safe = "".join(c if c.isprintable() or c in "\n" else repr(c)[1:-1] for c in text[:limit])
    return safe + ("..." if len(text) > limit else "")


#: Messages list at most this many names (options, notebooks, experiments).
SHOWN_NAMES = 20


def listed(names: list, limit: int = SHOWN_NAMES) -> str:
    """Names for a message: at most `limit` of them, each bounded, and how many in all."""
    shown = ", ".join(shown_name(n) for n in names[:limit])
    return shown if len(names) <= limit else f"{shown}, ... ({len(names)} in all)"


def debugging() -> bool:
    """Whether `KIT_DEBUG` asks for tracebacks instead of messages."""
    import os

    return bool(os.environ.get("KIT_DEBUG"))


def internal_problem(file: str, error: BaseException, doing: str = "reading this file") -> Problem:
    """An unexpected exception while handling one file or record, as a problem located
    there: the command goes on with the others (KIT_DEBUG=1 raises it instead)."""
    what = f"{type(error).__name__}: {quote(str(error), 200)}"
    return Problem(
        file,
        1,
        1,
        "internal",
        f"internal error while {doing}: {what} (a bug in the kit: please report it; "
        "KIT_DEBUG=1 shows the traceback)",
        code="internal",
    )
