"""Atomic writes and file locks: the two ways the kit keeps files whole."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock, Timeout

from kit.errors import KitError

LOCK_TIMEOUT_S = 120.0


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
