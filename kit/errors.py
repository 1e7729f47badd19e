"""The kit's exceptions: one base class, one exit code each.

The command line turns any `KitError` into its message on stderr and its `exit_code`;
anything else is an internal error (exit 70) shown without a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


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
