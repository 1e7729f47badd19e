"""run.json as `RunRecord`: old files stay readable, the README lists every field."""

from __future__ import annotations

import json
import re
import typing
from pathlib import Path

import pytest

from kit.project import Project
from kit.runs import store
from kit.runs.store import RunError, RunRecord

README = Path(__file__).resolve().parents[2] / "README.md"

# A run.json exactly as the kit wrote it before RunRecord (field order, indent, a
# `procgen` version, hostname:pid in `host`).
TODAYS_RUN_JSON = """\
{
  "id": "20261123T101500Z-3f9a1c",
  "experiment": "exp",
  "notebook": "notebooks/exp.ipynb",
  "notebook_digest": "9f2c",
  "parameters": {
    "n": 3,
    "seed": 0,
    "mode": "fail"
  },
  "cache_key": "0a1b2c",
  "git_commit": null,
  "ledger_digest": "e3b0",
  "allow_unsealed": false,
  "timeout_s": null,
  "inputs": {
    "weights.bin": null,
    "kit": "77aa"
  },
  "status": "failed",
  "started": "2026-11-23T10:15:00.123Z",
  "ended": "2026-11-23T10:15:04.456Z",
  "duration_s": 4.333,
  "error": {
    "cell": 3,
    "ename": "ValueError",
    "evalue": "boom on purpose — ünïcode",
    "source": "import os, time"
  },
  "results": {
    "x": 1,
    "n_plus": [
      3,
      4
    ]
  },
  "warnings": [],
  "versions": {
    "python": "3.11.9",
    "kit": "0.1.0",
    "papermill": "2.7.0",
    "torch": "2.13.0",
    "procgen": "0.10.7"
  },
  "host": "lab-7:4242"
}
"""


def _write(run_dir: Path, text: str) -> Path:
    run_dir.mkdir(parents=True)
    (run_dir / store.RUN_FILE).write_text(text, encoding="utf-8")
    return run_dir


def test_a_run_json_of_todays_format_reads_and_writes_back_byte_for_byte(tmp_path):
    run_dir = _write(tmp_path / "runs" / "exp" / "20261123T101500Z-3f9a1c", TODAYS_RUN_JSON)
    record = store.read_run(run_dir)
    assert record is not None and record.dir == run_dir
    assert record.status == "failed" and record.duration_s == 4.333
    assert record.error == RunError(
        cell=3, ename="ValueError", evalue="boom on purpose — ünïcode", source="import os, time"
    )
    assert record.results == {"x": 1, "n_plus": [3, 4]}
    assert record.inputs == {"weights.bin": None, "kit": "77aa"}
    assert record.versions["procgen"] == "0.10.7"
    store.write_run(tmp_path, record)
    assert (tmp_path / store.RUN_FILE).read_text(encoding="utf-8") == TODAYS_RUN_JSON


def test_dict_style_reads_still_work_for_callers_not_yet_migrated(tmp_path):
    run_dir = _write(tmp_path / "r", TODAYS_RUN_JSON)
    record = store.read_run(run_dir)
    assert record["id"] == "20261123T101500Z-3f9a1c" and record.get("status") == "failed"
    assert record["results"]["x"] == 1 and record.get("results", {}) == record.results
    assert record["error"] == {  # a plain dict, as before
        "cell": 3,
        "ename": "ValueError",
        "evalue": "boom on purpose — ünïcode",
        "source": "import os, time",
    }
    assert record["_dir"] == str(run_dir)
    assert record.get("no_such_field", "fallback") == "fallback"
    with pytest.raises(KeyError):
        record["no_such_field"]


def test_older_and_partial_records_are_read_leniently(tmp_path):
    data = json.loads(TODAYS_RUN_JSON)
    data["pid"] = 4242  # an unknown field: ignored
    for name in ("inputs", "versions", "host", "git_commit", "ledger_digest", "timeout_s"):
        del data[name]
    record = store.read_run(_write(tmp_path / "old", json.dumps(data)))
    assert record is not None
    assert record.inputs == {} and record.versions == {} and record.host is None
    assert "pid" not in record.to_json()
    minimal = {"id": "r1", "experiment": "exp", "status": "running"}
    assert store.read_run(_write(tmp_path / "min", json.dumps(minimal))).status == "running"
    assert store.read_run(_write(tmp_path / "bad", '{"id": "r2"}')) is None  # no experiment
    assert store.read_run(_write(tmp_path / "torn", TODAYS_RUN_JSON[:100])) is None
    status = dict(minimal, status="exploded")
    assert store.read_run(_write(tmp_path / "odd", json.dumps(status))) is None


def test_list_runs_and_latest_ok_return_records_with_their_folders(tmp_path):
    project = Project(tmp_path)
    ok = json.loads(TODAYS_RUN_JSON) | {"status": "ok", "error": None}
    older = ok | {"id": "20261122T000000Z-aaaaaa", "started": "2026-11-22T00:00:00.000Z"}
    for data in (ok, older):
        _write(project.runs_dir / "exp" / data["id"], json.dumps(data))
    _write(project.runs_dir / "exp" / "broken", "{")
    runs = store.list_runs(project, "exp")
    assert [r.id for r in runs] == [older["id"], ok["id"]]
    assert all(isinstance(r, RunRecord) and r.dir.name == r.id for r in runs)
    latest = store.latest_ok(project, "exp", parameters={"n": 3, "seed": 0, "mode": "fail"})
    assert latest.id == ok["id"] and latest.dir == project.runs_dir / "exp" / ok["id"]
    assert store.latest_ok(project, "exp", key="other") is None


def test_versions_holds_the_generic_three_and_what_the_notebook_names():
    found = store.versions(["pydantic", "no-such-distribution-here"])
    assert list(found) == ["python", "kit", "papermill", "pydantic", "no-such-distribution-here"]
    assert found["pydantic"] and found["no-such-distribution-here"] is None
    assert "torch" not in store.versions()


def test_field_table_describes_every_field():
    rows = RunRecord.field_table()
    assert [name for name, _, _ in rows] == list(RunRecord.model_fields)
    assert all(description for _, _, description in rows)
    assert dict((n, t) for n, t, _ in rows)["error"] == "RunError | None"


def _readme_run_json_section() -> str:
    """The README's section on run.json: its heading names the file, a field table follows."""
    text = README.read_text(encoding="utf-8")
    match = re.search(r"^#+ [^\n]*run\.json[^\n]*\n(.*?)(?=^#)", text, re.S | re.M)
    assert match, "README.md has no section headed with run.json"
    return match.group(1)


def test_readme_lists_every_run_json_field():
    section = _readme_run_json_section()
    listed = re.findall(r"^\| `(\w+)` \|", section, re.M)
    assert listed == list(RunRecord.model_fields), "README.md's run.json table differs"
    details = [
        *RunError.model_fields,
        *typing.get_args(RunRecord.model_fields["status"].annotation),
    ]
    missing = [n for n in details if not re.search(rf"\b{n}\b", section)]
    assert not missing, f"README.md's run.json section does not mention {missing}"
