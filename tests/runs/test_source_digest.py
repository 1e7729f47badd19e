"""The cache key's `kit` input covers the code a kernel runs, not the CLI, widgets or report."""

from __future__ import annotations

import shutil

import pytest

from kit.runs.plan import KIT_ROOT, kit_source_digest


@pytest.fixture
def kit_copy(tmp_path):
    root = tmp_path / "kit"
    shutil.copytree(KIT_ROOT, root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def _digest(root):
    kit_source_digest.cache_clear()  # cached per root and per process
    return kit_source_digest(root)


@pytest.mark.parametrize(
    "view_only", ["cli/runs.py", "cli/new_command.py", "ui/launcher.py", "report/page.py"]
)
def test_editing_view_only_code_keeps_the_digest(kit_copy, view_only):
    before = _digest(kit_copy)
    path = kit_copy / view_only
    path.write_text((path.read_text() if path.exists() else "") + '\n"""A docstring edit."""\n')
    assert _digest(kit_copy) == before


@pytest.mark.parametrize("kernel_side", ["runs/record.py", "maze/env.py", "maze/new_module.py"])
def test_editing_kernel_side_code_changes_the_digest(kit_copy, kernel_side):
    before = _digest(kit_copy)
    path = kit_copy / kernel_side
    path.write_text((path.read_text() if path.exists() else "") + "\n# changed\n")
    assert _digest(kit_copy) != before


def test_the_digest_of_the_installed_kit_is_stable():
    assert kit_source_digest() == kit_source_digest(KIT_ROOT) == _digest(KIT_ROOT)
