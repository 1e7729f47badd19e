"""Reading and writing files safely: the one reader, atomic writes and file locks.

Every file the kit reads goes through `read_bytes` (or `read_text`, `digest`): it checks
that the path is a regular file (not a folder, a FIFO, `/dev/zero` or a socket) and no
larger than the limit for its kind *before* reading, reads at most that many bytes (a
file that grows meanwhile is refused too), and decodes text with an error located at
the first bad byte. Problems are `UnreadableFile`, an `InvalidInput` located at
`file:1:1` (or at the bad byte), never an OSError or a MemoryError.
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock, Timeout

from kit.errors import InvalidInput, KitError, Problem

LOCK_TIMEOUT_S = 120.0

MiB = 1024 * 1024
# The limits, by kind of file (docs/limits-and-safety.md lists them).
#: Question sets, `_resolutions.yaml` and `--outcomes` files (YAML, parsed whole).
YAML_BYTES = 2 * MiB
#: The seal ledger `_seals.jsonl` (about 400 bytes a seal: over 150,000 seals).
LEDGER_BYTES = 64 * MiB
#: A run's `run.json` (its recorded results included; each result is at most 1 MB).
RUN_RECORD_BYTES = 64 * MiB
#: Notebooks the kit reads: experiments before a run, executed notebooks after one.
NOTEBOOK_BYTES = 128 * MiB
#: Files a notebook declares as inputs (`kit.inputs`, e.g. a policy checkpoint): only
#: digested, in chunks, so the limit bounds time (a few seconds), not memory.
INPUT_BYTES = 4 * 1024 * MiB
#: Other small text files the kit reads or edits (a project's `.gitignore`).
TEXT_BYTES = 2 * MiB
CHUNK = MiB


class UnreadableFile(InvalidInput):
    """A file the kit will not read: missing, not a regular file, too large, not UTF-8."""

    def __init__(self, shown: str, message: str, line: int = 1, column: int = 1):
        super().__init__([Problem(shown, line, column, "file", message)])


_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _size(n: int) -> str:
    return f"{n} bytes" if n < MiB else f"{n / MiB:.1f} MiB ({n} bytes)"


@contextlib.contextmanager
def _opened(path: Path, limit: int, shown: str) -> Iterator[int]:
    """A descriptor of `path` once it is known to be a regular file within `limit`.

    `stat` first, so that a FIFO or a device is never opened (opening a FIFO blocks);
    then `fstat` of what was opened, in case the path was swapped in between."""
    try:
        before = os.stat(path)  # FileNotFoundError goes to the caller
    except ValueError as e:  # a NUL byte in the path
        raise UnreadableFile(shown, f"cannot read: {e}") from None
    if not stat.S_ISREG(before.st_mode):
        raise UnreadableFile(shown, f"is {_kind(before.st_mode)}, not a regular file")
    if before.st_size > limit:
        raise UnreadableFile(shown, f"is {_size(before.st_size)}; the limit is {_size(limit)}")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as e:
        raise UnreadableFile(shown, f"cannot read: {e.strerror}") from None
    try:
        now = os.fstat(fd)
        if not stat.S_ISREG(now.st_mode):
            raise UnreadableFile(shown, f"is {_kind(now.st_mode)}, not a regular file")
        yield fd
    finally:
        os.close(fd)


def read_bytes(
    path: Path | str, limit: int, shown: str | None = None, *, optional: bool = False
) -> bytes | None:
    """The bytes of the regular file `path`, at most `limit` of them.

    `shown` is the name messages use (default: the path). A missing file is None when
    `optional`, else an `UnreadableFile` like every other refusal."""
    shown = shown or str(path)
    try:
        with _opened(Path(path), limit, shown) as fd:
            chunks, total = [], 0
            while chunk := os.read(fd, min(CHUNK, limit + 1 - total)):
                chunks.append(chunk)
                total += len(chunk)
                if total > limit:
                    raise UnreadableFile(shown, f"grew past the limit of {_size(limit)}")
            return b"".join(chunks)
    except FileNotFoundError:
        if optional:
            return None
        raise UnreadableFile(shown, "no such file") from None
    except OSError as e:
        raise UnreadableFile(shown, f"cannot read: {e.strerror}") from None


def decode(data: bytes, shown: str) -> str:
    """UTF-8 text of a file (a leading byte order mark dropped), or an `UnreadableFile`
    located at the first byte that is not UTF-8."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]  # positions below count from after it
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        column = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        raise UnreadableFile(
            shown, f"not UTF-8 text (byte 0x{data[e.start]:02x}); save as UTF-8", line, column
        ) from None


def read_text(
    path: Path | str, limit: int, shown: str | None = None, *, optional: bool = False
) -> str | None:
    """`read_bytes`, decoded as UTF-8 (see `decode`)."""
    data = read_bytes(path, limit, shown, optional=optional)
    return None if data is None else decode(data, shown or str(path))


def has_bom(data: bytes) -> bool:
    """Whether the bytes start with a UTF-8 byte order mark (kept when a file is edited)."""
    return data.startswith(codecs.BOM_UTF8)


def digest(path: Path | str, limit: int = INPUT_BYTES, shown: str | None = None) -> str | None:
    """SHA-256 (hex) of the regular file `path`, read in chunks; None when it is missing.

    For files that are only compared, never parsed (a notebook's declared inputs)."""
    shown = shown or str(path)
    h = hashlib.sha256()
    try:
        with _opened(Path(path), limit, shown) as fd:
            total = 0
            while chunk := os.read(fd, CHUNK):
                total += len(chunk)
                if total > limit:
                    raise UnreadableFile(shown, f"grew past the limit of {_size(limit)}")
                h.update(chunk)
    except FileNotFoundError:
        return None
    except OSError as e:
        raise UnreadableFile(shown, f"cannot read: {e.strerror}") from None
    return h.hexdigest()


def _umask() -> int:
    """This process's umask, read without changing it (Linux), else set and restored."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write(path: Path, data: str | bytes) -> None:
    """Replace `path` with `data` so that readers see the old file or the new, never half.

    A new file gets the mode any new file gets (0666 less the umask; the temporary file
    it is written to is 0600); a replaced file keeps its mode."""
    path = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
            f.flush()
            os.fsync(f.fileno())
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask()
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def lock_path(path: Path) -> Path:
    path = Path(path)
    return path.parent / f".{path.name}.lock"


@contextlib.contextmanager
def locked(path: Path, timeout: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    """Hold the lock that every writer of `path` takes (a `.NAME.lock` beside it)."""
    lock = FileLock(lock_path(path), timeout=timeout)
    try:
        with lock:
            yield
    except Timeout:
        raise KitError(
            f"{path}: another kit process has held its lock for {timeout:.0f} s; "
            f"if none is running, delete {lock_path(path)}"
        ) from None
