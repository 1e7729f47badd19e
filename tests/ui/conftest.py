from __future__ import annotations

import pytest

from kit.predictions.resolutions import Resolution, write_resolutions
from kit.predictions.seal import seal
from kit.predictions.timefmt import parse_iso
from tests.conftest import write_project
from tests.report.conftest import scored_project_files


@pytest.fixture
def scored_project_ui(tmp_path):
    """The report's scored project, resolved through `_resolutions.yaml` (manual)."""
    from ruamel.yaml import YAML

    questions, outcomes = scored_project_files()
    project = write_project(tmp_path, {"set.yaml": questions})
    seal(project)
    when = parse_iso("2030-01-01T00:00:00Z")
    entries = YAML(typ="safe").load(outcomes)
    write_resolutions(
        project,
        {
            qid: Resolution(
                question=qid,
                outcome=value,
                how="manual",
                evidence_at=when,
                resolved_at="2030-01-01T00:00:00Z",
                why="test",
            )
            for qid, value in entries.items()
        },
    )
    return project
