"""kill -9 during `kit amend` and `kit reveal`: the ledger and the YAML stay consistent.

The kill is put where it hurts most, in a child process running the real command: in the
middle of the ledger append (half a line written, then SIGKILL), or between writing a
question set's new text and putting it in place (SIGKILL instead of the rename). A few
kills at random moments from outside follow (slow).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import pytest

from kit.predictions import check
from kit.predictions.amend import amend
from kit.predictions.ledger import key
from kit.predictions.predict import add_forecast
from kit.predictions.reveal import reveal
from kit.predictions.seal import seal

CHILD = """
import os, signal, sys
import kit.fileio, kit.predictions.ledger as ledger
from kit.cli import main

def die():
    os.kill(os.getpid(), signal.SIGKILL)

class Torn:
    def __init__(self, f):
        self.f = f
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        self.f.close()
    def write(self, data):
        self.f.write(data[: len(data) // 2])
        self.f.flush()
        os.fsync(self.f.fileno())
        die()

where, args = sys.argv[1], sys.argv[2:]
if where == "ledger":
    real_open = open
    def torn_open(path, mode="r", *a, **k):
        f = real_open(path, mode, *a, **k)
        return Torn(f) if "a" in mode else f
    ledger.open = torn_open
elif where == "rename":
    kit.fileio.os.replace = lambda src, dst: die()
main(args)
"""


def _kit_killed(project, where: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", CHILD, where, "--project", str(project.root), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _changed_rule(project):
    seal(project)
    path = project.predictions_dir / "basic.yaml"
    path.write_text(path.read_text().replace("resolve: x > 0", "resolve: x > 1"))


def test_kill_during_amend_leaves_a_torn_line_that_is_reported_and_set_aside(project):
    _changed_rule(project)
    yaml_before = (project.predictions_dir / "basic.yaml").read_bytes()
    done = _kit_killed(project, "ledger", "amend", "q-binary", "--why", "stated in the protocol")
    assert done.returncode == -signal.SIGKILL
    result = check(project)
    assert [p.code for p in result.ledger.problems] == ["torn"]  # earlier lines valid
    assert result.plans["q-binary"].deviation  # the amendment did not happen
    assert (project.predictions_dir / "basic.yaml").read_bytes() == yaml_before
    report = amend(project, ["q-binary"], "stated in the protocol")
    assert report.torn_bytes > 0
    assert check(project).problems == []


def _blind_bo(project):
    added = add_forecast(project, "q-binary", "bo", blind=True, p=0.4)
    seal(project)
    return added


def test_kill_during_reveal_leaves_the_question_set_as_it_was(project):
    _blind_bo(project)
    path = project.predictions_dir / "basic.yaml"
    before = path.read_bytes()
    done = _kit_killed(project, "rename", "reveal", "--by", "bo")
    assert done.returncode == -signal.SIGKILL
    assert path.read_bytes() == before
    assert check(project).problems == []  # the temporary file is no question set
    assert reveal(project, by="bo").revealed == ["q-binary by bo"]
    assert check(project).problems == []


def test_kill_during_a_blind_predict_never_leaves_a_commitment_without_its_secret(project):
    seal(project)
    path = project.predictions_dir / "basic.yaml"
    before = path.read_bytes()
    args = ("predict", "q-binary", "--by", "bo", "--p", "0.4", "--blind")
    done = _kit_killed(project, "rename", *args)
    assert done.returncode == -signal.SIGKILL
    assert path.read_bytes() == before  # the store may hold an entry nothing refers to
    assert check(project).problems == []
    added = add_forecast(project, "q-binary", "bo", blind=True, p=0.4)
    seal(project, keys={key("q-binary", "bo", added.forecast.at)})
    assert reveal(project, by="bo").revealed == ["q-binary by bo"]


@pytest.mark.slow
def test_random_kills_during_amend_and_reveal_keep_everything_consistent(project):
    rng = random.Random(17)
    _changed_rule(project)
    _blind_bo(project)
    path = project.predictions_dir / "basic.yaml"
    for attempt in range(6):
        args = (
            ("amend", "q-binary", "--why", f"try {attempt}")
            if attempt % 2 == 0
            else ("reveal", "--by", "bo")
        )
        proc = subprocess.Popen(
            [sys.executable, "-m", "kit", "--project", str(project.root), *args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.2, 1.5))
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        result = check(project)
        assert {p.code for p in result.ledger.problems} <= {"torn"}
        assert not [p for p in result.errors if p.code not in ("torn", "deviation")]
        assert path.read_text().count("- {by: bo") == 1
    seal(project)  # sets any torn tail aside
    assert not [p for p in check(project).ledger.problems]
