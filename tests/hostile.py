"""The kit's own generator of hostile projects, and a harness that runs commands on them.

A hostile project is the small test project (`tests.conftest.BASIC`) after a few
mutations of its question set (values that do not fit their field, tags, huge numbers,
NUL bytes and lone surrogates, tabs, CRLF, a byte order mark, long comment lines, aliases,
merge keys, many options, deep nesting, cut or dropped lines) and with hostile files beside
it (a damaged ledger, `_resolutions.yaml`, an `--outcomes` file, run records).

`tests/predictions/test_properties.py` draws such projects with hypothesis and checks
that no command ends in an internal error (exit 70) and that JSON output stays valid.
Run as a script, it measures a few hundred of them command by command, in subprocesses:

    python -m tests.hostile [COUNT] [SEED]

and prints the internal errors, the commands that took over 5 s, and the peak memory.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import BASIC, write_project

HOSTILE_VALUES = [
    "!!bool 100",
    "!!int 1.5",
    "!!float x",
    "!!null 1",
    "!!str 1",
    "!!python/object:os.system x",
    "!!binary aGk=",
    "9" * 4000,
    "9" * 101,
    "-" + "9" * 60,
    '"\\0"',
    '"a\\ud800b"',
    '"\\e[31m"',
    '"\\x85"',
    "0",
    "-1",
    "1675209600",
    "253402300800",
    "1e999",
    "-1e999",
    ".nan",
    ".inf",
    "9999-12-31T23:59:59-01:00",
    "0001-01-01T00:00:00+01:00",
    "2026-01-01",
    "'2026-01-01T00:00:00'",
    "[]",
    "{}",
    "[1, [2, [3, [4]]]]",
    "{a: {b: {c: 1}}}",
    "null",
    "~",
    "",
    "true",
    "no",
    "0x7fffffffffffffffffffffff",
    "'" + "x" * 6000 + "'",
    "&a x",
    "*a",
    "*undefined",
    "'it''s'",
    '"\\\\"',
    "class",
    "../../etc/passwd",
    "/abs/path",
    "a:b",
    '"\\u202eevil"',
    "[" * 30 + "]" * 30,
]
HOSTILE_KEYS = ['"\\0"', '"k\\ud800"', "'" + "k" * 1000 + "'", "<<", "zzz", "1", "null", "class"]

_VALUE = re.compile(r"(?<=: )[^\n{}\[\],#]+")
_KEY = re.compile(r"(?m)(?<=[{ ,-] )[a-z_]+(?=: )|^[a-z_]+(?=:)")


def _value(text: str, rng: random.Random) -> str:
    spots = list(_VALUE.finditer(text))
    spot = rng.choice(spots)
    return text[: spot.start()] + rng.choice(HOSTILE_VALUES) + text[spot.end() :]


def _key(text: str, rng: random.Random) -> str:
    spots = list(_KEY.finditer(text))
    spot = rng.choice(spots)
    key = rng.choice(HOSTILE_KEYS)
    if key == "<<":
        key, text = "<<", "anchor: &base {by: mallory, p: 0.5}\n" + text
        return text[: spot.start() + 36] + "<<: *base, " + text[spot.start() + 36 :]
    return text[: spot.start()] + key + text[spot.end() :]


def _tab(text: str, rng: random.Random) -> str:
    spots = [m.start() for m in re.finditer(": ", text)]
    at = rng.choice(spots)
    return text[: at + 1] + "\t" + text[at + 2 :]


def _comment(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    lines.insert(rng.randrange(len(lines)), "#" + "x" * rng.choice([10, 10_000, 300_000]))
    return "\n".join(lines)


def _alias(text: str, rng: random.Random) -> str:
    first = "      - {by: ana, at: 2026-01-01T00:00:00Z, p: 0.7}\n"
    repeat = rng.choice(["      - *f\n", "      - *f\n      - *f\n"])
    untimed = rng.choice(["{by: ana, at: 2026-01-01T00:00:00Z, p: 0.7}", "{by: cy, p: 0.7}"])
    return text.replace(first, f"      - &f {untimed}\n{repeat}")


def _options(text: str, rng: random.Random) -> str:
    n = rng.choice([3, 500, 3000])
    names = [f"o{i % (n if rng.random() < 0.7 else n // 2 + 1)}" for i in range(n)]
    probs = ", ".join(f"u{i}: 0.0" for i in range(rng.choice([0, 40, 2000])))
    text = text.replace("options: [a, b, c]", f"options: [a, b, c, {', '.join(names)}]")
    if probs:
        text = text.replace("probs: {a: 0.5, b: 0.3, c: 0.2}", f"probs: {{{probs}}}")
    return text


def _deep(text: str, rng: random.Random) -> str:
    depth = rng.choice([20, 30, 10_000])
    return text.replace("tags: [t1]", "tags: " + "[" * depth + "]" * depth)


def _duplicate(text: str, rng: random.Random) -> str:
    start, end = text.index("  - id: q-binary"), text.index("  - id: q-cat")
    return text[:end] + text[start:end] + text[end:]


def _untimed(text: str, rng: random.Random) -> str:
    extra = "".join(
        f"      - {{by: f{i}, p: 0.{i % 9 + 1}}}\n" for i in range(rng.choice([1, 300]))
    )
    return text.replace("at: 2026-01-01T00:00:00Z, ", "").replace(
        "p: 0.7}\n", "p: 0.7}\n" + extra, 1
    )


def _drop_line(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    del lines[rng.randrange(len(lines))]
    return "\n".join(lines)


def _cut(text: str, rng: random.Random) -> str:
    return text[: rng.randrange(len(text))]


def _crlf(text: str, rng: random.Random) -> str:
    return text.replace("\n", "\r\n")


def _bom(text: str, rng: random.Random) -> str:
    return "\ufeff" + text


MUTATIONS: list[Callable[[str, random.Random], str]] = [
    _value,
    _value,
    _value,
    _key,
    _tab,
    _comment,
    _alias,
    _options,
    _deep,
    _duplicate,
    _untimed,
    _drop_line,
    _cut,
    _crlf,
    _bom,
]

LEDGER_LINES = [
    '{"v":1,"kind":"seal","question":["q-binary"],"by":"ana","at":"x","digest":"d",'
    '"sealed_at":"2026-01-01T00:00:00Z","prev":null}',
    '{"v":1,"kind":"seal","question":"q-binary","by":"ana","at":"2026-01-01T00:00:00.000000Z",'
    '"digest":"d","sealed_at":"2026-01-01T00:00:00","prev":null}',
    '{"v":1,"kind":"seal","question":"q-binary","by":"a\\u0000","at":"x","digest":"d",'
    '"sealed_at":1675209600,"prev":null}',
    '{"v":1,"kind":"seal","question":"q\\ud800","by":"ana","at":"x","digest":"d",'
    '"sealed_at":"9999-12-31T23:59:59-01:00","prev":null}',
    "[1]",
    "",
    '{"v":1,"kind":"seal","question":"q-bin',
    "[" * 100_000,
]
RESOLUTIONS = [
    None,
    "folder",
    "q-binary: {outcome: true, how: manual, evidence_at: '2026-11-23T10:15:00'}\n",
    "q-binary: {outcome: true, how: manual, evidence_at: 9999-12-31T23:59:59-01:00}\n",
    "q-binary: {outcome: true, how: manual, evidence_at: 0}\n",
    "q-num: {outcome: " + "9" * 400 + ", evidence_at: '2026-01-01T00:00:00Z'}\n",
    "q-cat: {outcome: !!bool 1, evidence_at: '2026-01-01T00:00:00Z'}\n",
    "? [q]\n: 1\n",
    "1: 2\nq-binary: 3\n",
    "q-binary: {outcome: true, evidence_at: '2026-01-01T00:00:00Z', read: {a: \"\\0\"}}\n",
]
OUTCOMES = [
    "q-binary: !!bool 1\n",
    "q-num: " + "9" * 4000 + "\n",
    "q-num: 1e999\n",
    "q-cat: d\nq-binary: true\nq-num: 5\n",
    "q-binary: true\n" * 2,
    "'" + "q" * 5000 + "': 1\n",
    "[1, 2]\n",
    "device",
]
RUN_RECORDS = [
    "[1]",
    '{"id": "x", "experiment": "exp", "started": "never"}',
    '{"id": "r\\u0000", "experiment": "exp"}',
    '{"id": "r", "experiment": "exp", "status": "running", "host": "nowhere:1"}',
    '{"id": "r", "experiment": "exp", "status": "ok", "started": "2026-01-01T00:00:00Z",'
    ' "parameters": {"n": 3, "seed": 0}, "results": {"x": "\\ud800"}}',
]


@dataclass(frozen=True)
class Hostile:
    """One hostile project's recipe: the question set's text and the files beside it."""

    text: str
    ledger: str | None = None
    resolutions: str | None = None
    outcomes: str | None = None
    run_record: str | None = None

    def write(self, root: Path) -> Path:
        """Write the project under `root`; return the `--outcomes` path (maybe absent)."""
        project = write_project(root, {})
        (project.predictions_dir / "s.yaml").write_bytes(self.text.encode("utf-8", "surrogatepass"))
        if self.ledger is not None:
            project.ledger_path.write_text(self.ledger)
        if self.resolutions == "folder":
            project.resolutions_path.mkdir()
        elif self.resolutions is not None:
            project.resolutions_path.write_text(self.resolutions)
        outcomes = root / "outcomes.yaml"
        if self.outcomes == "device":
            outcomes.symlink_to("/dev/zero")
        elif self.outcomes is not None:
            outcomes.write_text(self.outcomes)
        if self.run_record is not None:
            run_dir = project.runs_dir / "exp" / "20260101T000000Z-000000"
            run_dir.mkdir(parents=True)
            (run_dir / "run.json").write_text(self.run_record)
        return outcomes


def generate(rng: random.Random) -> Hostile:
    """A hostile project: one to three mutations, and some hostile files beside it."""
    text = BASIC
    for _ in range(rng.randint(1, 3)):
        with contextlib.suppress(ValueError, IndexError):  # nothing left to mutate that way
            text = rng.choice(MUTATIONS)(text, rng)

    def maybe(options: list) -> str | None:
        return rng.choice(options) if rng.random() < 0.35 else None

    ledger = maybe(LEDGER_LINES)
    return Hostile(
        text,
        None if ledger is None else ledger + rng.choice(["", "\n"]),
        maybe(RESOLUTIONS),
        maybe(OUTCOMES),
        maybe(RUN_RECORDS),
    )


#: Commands run on each hostile project, in this order (the last two write files).
COMMANDS = (
    ("check",),
    ("status",),
    ("score", "--json"),
    ("score", "--json", "--outcomes", "{outcomes}"),
    ("resolve", "--dry-run"),
    ("seal",),
    ("predict", "q-binary", "--by", "zed", "--p", "0.5"),
)
#: Exit codes of a command that refused or failed on purpose (70 is an internal error).
EXPECTED_CODES = {0, 1, 2, 3, 4}


@dataclass
class Outcome:
    code: int
    out: str
    err: str
    seconds: float
    peak_kib: int = 0  # the process's peak memory (subprocesses only)

    @property
    def internal(self) -> bool:
        return self.code not in EXPECTED_CODES or "internal error" in self.err


def run_in_process(root: Path, *args: str) -> Outcome:
    """`kit --project ROOT ARGS` in this process (fast, for tests)."""
    from kit.cli import main

    out, err = io.StringIO(), io.StringIO()
    start = time.perf_counter()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(["--project", str(root), *args])
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else 1
    return Outcome(code, out.getvalue(), err.getvalue(), time.perf_counter() - start)


def run_subprocess(root: Path, *args: str, timeout: float = 120) -> Outcome:
    """`kit --project ROOT ARGS` in a subprocess, with its time, and the peak memory of
    the largest subprocess so far (`ru_maxrss` of this process's children)."""
    import resource

    env = {**os.environ, "KIT_DEBUG": ""}
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "kit", "--project", str(root), *args],
            capture_output=True,
            env=env,
            timeout=timeout,
        )
        code, out, err = proc.returncode, proc.stdout, proc.stderr
    except subprocess.TimeoutExpired as e:
        code, out, err = -9, e.stdout or b"", (e.stderr or b"") + b" (timed out)"
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return Outcome(code, out.decode(errors="replace"), err.decode(errors="replace"), seconds, peak)


def problems_of(args: tuple[str, ...], outcome: Outcome) -> list[str]:
    """What is wrong with a command's outcome on a hostile project (nothing, normally)."""
    found = []
    if outcome.internal:
        found.append(f"internal error (exit {outcome.code}): {outcome.err[-500:]}")
    if "--json" in args and outcome.code == 0:
        try:
            json.loads(outcome.out)
        except ValueError as e:
            found.append(f"invalid JSON: {e}")
    return found


def _report(
    count: int = 300, seed: int = 0
) -> None:  # pragma: no cover - a measurement, not a test
    import tempfile

    rng = random.Random(seed)
    internal, slow, peak, runs = [], [], 0, 0
    for i in range(count):
        hostile = generate(rng)
        with tempfile.TemporaryDirectory() as tmp:
            outcomes = hostile.write(Path(tmp))
            for command in COMMANDS:
                args = tuple(a.format(outcomes=outcomes) for a in command)
                outcome = run_subprocess(Path(tmp), *args)
                runs += 1
                peak = max(peak, outcome.peak_kib)
                if found := problems_of(args, outcome):
                    internal.append((i, args, found))
                if outcome.seconds > 5:
                    slow.append((i, args, round(outcome.seconds, 1)))
        print(f"\r{i + 1}/{count} projects", end="", file=sys.stderr)
    print(file=sys.stderr)
    print(f"{count} hostile projects, {runs} commands (seed {seed})")
    print(f"internal errors or invalid JSON: {len(internal)}")
    for item in internal[:20]:
        print("  ", item)
    print(f"commands over 5 s: {len(slow)}")
    for item in slow[:20]:
        print("  ", item)
    print(f"peak memory of one command: {peak / 1024:.0f} MiB")


if __name__ == "__main__":  # pragma: no cover
    _report(*(int(a) for a in sys.argv[1:3]))
