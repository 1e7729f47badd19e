"""Recording results: JSON conversion, names, reading back, duplicates."""

from __future__ import annotations

import nbformat
import numpy as np
import pytest

from kit.runs.record import MIME, record, to_json
from kit.runs.results import read_results


def test_numpy_values_become_plain_json():
    assert to_json(np.float32(0.5)) == 0.5
    assert to_json(np.int64(3)) == 3 and type(to_json(np.int64(3))) is int
    assert to_json(np.arange(4).reshape(2, 2)) == [[0, 1], [2, 3]]
    assert to_json({"a": (1, 2.5, None, "s", np.bool_(True))}) == {"a": [1, 2.5, None, "s", True]}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (object(), "value is a object"),
        ({1: 2}, "dict keys must be strings"),
        ({"$float": "x"}, "a dict whose one key is '$float' is reserved"),
        ([1, {"k": set()}], "value[1]['k'] is a set"),
    ],
)
def test_unstorable_values_are_named(value, message):
    with pytest.raises(
        (TypeError, ValueError),
        match=message.replace("[", r"\[").replace("]", r"\]").replace("$", r"\$"),
    ):
        to_json(value)


@pytest.mark.parametrize("name", ["", "1x", "a-b", "_private", 3])
def test_result_names_are_identifiers(name):
    with pytest.raises(ValueError, match="Python identifier"):
        record(name, 1)


def _nb(*items):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={MIME: {"name": n, "value": v}})
        for n, v in items
    ]
    nb.cells = [cell]
    return nb


def test_read_back_last_wins_with_a_warning():
    values, warnings = read_results(_nb(("a", 1), ("b", [1, 2]), ("a", 2)))
    assert values == {"b": [1, 2], "a": 2}
    assert len(warnings) == 1 and "'a' recorded more than once" in warnings[0]


def test_notebook_round_trip_through_nbformat(tmp_path):
    path = tmp_path / "n.ipynb"
    nbformat.write(_nb(("rate", 0.41)), str(path))
    from kit import results

    assert results(path) == {"rate": 0.41}


def test_nan_and_infinities_are_results(tmp_path):
    import json
    import math

    from kit.runs.record import decode
    from kit.runs.store import RunRecord, read_run, write_run

    stored = to_json({"loss": math.nan, "curve": [1.0, math.inf, -math.inf]})
    assert stored == {
        "loss": {"$float": "nan"},
        "curve": [1.0, {"$float": "inf"}, {"$float": "-inf"}],
    }
    json.dumps(stored, allow_nan=False)  # plain JSON
    back = decode(stored)
    assert math.isnan(back["loss"]) and back["curve"] == [1.0, math.inf, -math.inf]
    # in a notebook's outputs, and through run.json
    values, _ = read_results(_nb(("loss", {"$float": "nan"}), ("peak", {"$float": "inf"})))
    assert math.isnan(values["loss"]) and values["peak"] == math.inf
    record = RunRecord(id="r", experiment="e", results=values)
    write_run(tmp_path, record)
    text = (tmp_path / "run.json").read_text()
    assert '"loss": {\n      "$float": "nan"\n    }' in text and "NaN" not in text
    again = read_run(tmp_path)
    assert math.isnan(again.results["loss"]) and again.results["peak"] == math.inf
