"""The one reader (type and size before reading, located decoding, streamed digests) and
files the kit writes (they follow the umask; replaced files keep their mode)."""

from __future__ import annotations

import hashlib
import os
import stat
import tracemalloc

import pytest

from kit import fileio
from kit.errors import InvalidInput, listed, quote
from kit.fileio import atomic_write
from kit.predictions.seal import seal
from tests.conftest import BASIC, write_project
from tests.test_cli import kit


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_new_files_follow_the_umask_and_replaced_files_keep_their_mode(tmp_path):
    old = os.umask(0o027)
    try:
        atomic_write(tmp_path / "new.txt", "x")
        assert _mode(tmp_path / "new.txt") == 0o640
        (tmp_path / "kept.txt").write_text("a")
        os.chmod(tmp_path / "kept.txt", 0o604)
        atomic_write(tmp_path / "kept.txt", "b")
        assert _mode(tmp_path / "kept.txt") == 0o604
    finally:
        os.umask(old)


@pytest.mark.slow
def test_report_and_resolutions_are_not_private(tmp_path):
    project = write_project(tmp_path, {"basic.yaml": BASIC})
    seal(project)
    assert (
        kit("resolve", "q-binary", "--value", "true", "--why", "t", cwd=project.root).returncode
        == 0
    )
    assert kit("report", "--no-images", cwd=project.root).returncode == 0
    mask = os.umask(0o022)  # the kit subprocesses ran with this process's umask
    os.umask(mask)
    for path in (project.resolutions_path, project.root / "report" / "report.html"):
        assert _mode(path) == 0o666 & ~mask, path


def _refusal(path, limit=100, **kw) -> str:
    with pytest.raises(InvalidInput) as info:
        fileio.read_bytes(path, limit, "shown.yaml", **kw)
    return str(info.value)


def test_the_reader_refuses_what_is_not_a_regular_file(tmp_path):
    assert _refusal(tmp_path) == "shown.yaml:1:1: file: is a folder, not a regular file"
    assert _refusal("/dev/zero").endswith("is a character device, not a regular file")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)  # opening it would block until a writer came: it is never opened
    assert _refusal(fifo).endswith("is a named pipe (FIFO), not a regular file")
    assert _refusal(tmp_path / "missing").endswith("file: no such file")
    assert fileio.read_bytes(tmp_path / "missing", 100, optional=True) is None
    link = tmp_path / "zero"
    link.symlink_to("/dev/zero")
    assert _refusal(link).endswith("is a character device, not a regular file")


def test_the_size_is_checked_before_reading(tmp_path):
    sparse = tmp_path / "big.yaml"
    with open(sparse, "wb") as f:
        f.truncate(3 * 1024**3)  # 3 GiB that take no disk space
    tracemalloc.start()
    try:
        message = _refusal(sparse, fileio.YAML_BYTES)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert message.endswith(
        "file: is 3072.0 MiB (3221225472 bytes); the limit is 2.0 MiB (2097152 bytes)"
    )
    assert peak < 1024 * 1024
    (tmp_path / "ok").write_bytes(b"x" * 100)
    assert fileio.read_bytes(tmp_path / "ok", 100) == b"x" * 100
    assert _refusal(tmp_path / "ok", 99).endswith("is 100 bytes; the limit is 99 bytes")


def test_text_is_decoded_with_the_bad_byte_located(tmp_path):
    (tmp_path / "t").write_bytes(b"\xef\xbb\xbfa: 1\nb: caf\xe9\n")
    with pytest.raises(InvalidInput, match=r"^t:2:7: file: not UTF-8 text \(byte 0xe9\)"):
        fileio.read_text(tmp_path / "t", 100, "t")
    (tmp_path / "u").write_bytes(b"\xef\xbb\xbfa: 1\n")
    assert fileio.read_text(tmp_path / "u", 100) == "a: 1\n"  # the byte order mark dropped


def test_digests_are_streamed_with_their_own_limit(tmp_path):
    big = tmp_path / "policy.pt"
    data = os.urandom(1024 * 1024) * 24  # 24 MiB: a policy checkpoint's size
    big.write_bytes(data)
    tracemalloc.start()
    try:
        digest = fileio.digest(big)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert digest == hashlib.sha256(data).hexdigest()
    assert peak < 4 * 1024 * 1024  # one chunk at a time, not the file
    assert fileio.digest(tmp_path / "missing") is None
    with pytest.raises(InvalidInput, match="is a character device"):
        fileio.digest("/dev/zero")
    with pytest.raises(InvalidInput, match="the limit is"):
        fileio.digest(big, limit=1024)


def test_messages_quote_user_data_bounded():
    assert len(quote("x" * 1_000_000)) < 200 and "(1000000 characters)" in quote("x" * 1_000_000)
    assert quote(10**5000) == "<an integer of about 5001 digits>"
    assert quote("a\x00b\ud800") == "'a\\x00b\\ud800'"  # escaped: printable, encodable
    assert len(quote(list(range(10**6)))) < 200
    names = [f"o{i}" for i in range(20_000)]
    assert listed(names).endswith("o19, ... (20000 in all)") and len(listed(names)) < 200
