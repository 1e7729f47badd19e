"""Files the kit writes follow the umask like any other file; replaced files keep theirs."""

from __future__ import annotations

import os
import stat

import pytest

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
