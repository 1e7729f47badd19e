"""`_resolutions.yaml` as `Resolution` records: today's files load; bad entries are located."""

from __future__ import annotations

import pytest

from kit.errors import InvalidInput
from kit.predictions import check
from kit.predictions.resolutions import load_resolutions, write_resolutions

# Written by the version before the typed records (kit 0.1.0 at 141b628), verbatim.
TODAY = """\
# Written by `kit resolve`: each question's outcome and the evidence it came from.
# Manual entries (how: manual) are kept when rules are re-evaluated.
q-binary:
  evidence_at: '2026-11-23T07:45:10.422Z'
  how: rule
  notebook: runs/exp/20261123T074508Z-b86fb5/notebook.ipynb
  outcome: true
  read: {x: 0.5485186070617558}
  resolved_at: '2026-11-23T07:49:34.727Z'
  rule: x > 0 if x > -1 else
    false
  run: exp/20261123T074508Z-b86fb5
q-cat:
  evidence_at: '2026-11-23T08:00:00.000Z'
  how: manual
  outcome: annulled
  resolved_at: '2026-11-23T08:00:00.000Z'
  why: the study changed
"""


def test_todays_file_loads_and_rewrites_unchanged(project):
    project.resolutions_path.write_text(TODAY)
    loaded = load_resolutions(check(project))
    binary, cat = loaded["q-binary"], loaded["q-cat"]
    assert (
        binary.outcome is True and binary.how == "rule" and binary.read == {"x": 0.5485186070617558}
    )
    assert binary.evidence_at.isoformat() == "2026-11-23T07:45:10.422000+00:00"
    assert cat.how == "manual" and not cat.scored and cat.why == "the study changed"
    write_resolutions(project, loaded)
    assert load_resolutions(check(project)) == loaded


@pytest.mark.parametrize(
    ("entry", "where", "message"),
    [
        (
            "{outcome: maybe, evidence_at: '2026-01-01T00:00:00Z'}",
            "1:21: q-binary.outcome",
            "a binary outcome is true or false",
        ),
        (
            "{outcome: true, evidence_at: '2026-01-01T00:00:00'}",
            "1:40: q-binary.evidence_at",
            "not an ISO 8601 time with a zone",
        ),
        ("{outcome: true}", "1:1: q-binary", "expected a mapping with outcome, evidence_at"),
        (
            "{outcome: true, evidence_at: '2026-01-01T00:00:00Z', how: guess}",
            "1:69: q-binary.how",
            "Input should be",
        ),
        (
            "{outcome: true, evidence_at: 9999-12-31T23:59:59-01:00}",
            "1:40: q-binary.evidence_at",
            "out of range once converted to UTC",
        ),
        ("{outcome: true, evidence_at: 1675209600}", "1:40: q-binary.evidence_at", "not a number"),
    ],
)
def test_bad_entries_are_located(project, entry, where, message):
    project.resolutions_path.write_text(f"q-binary: {entry}\n")
    with pytest.raises(InvalidInput) as info:
        load_resolutions(check(project))
    assert str(info.value).startswith(f"predictions/_resolutions.yaml:{where}:")
    assert message in str(info.value)


def test_a_folder_in_place_of_the_file_is_a_located_error(project):
    project.resolutions_path.mkdir()
    with pytest.raises(InvalidInput, match="_resolutions.yaml:1:1: file: is a folder, not a regul"):
        load_resolutions(check(project))
