"""Parameters: read from the notebook, validated before a kernel starts."""

from __future__ import annotations

import pytest

from kit.errors import UsageError
from kit.runs.params import (
    check_parameters,
    expand_grid,
    notebook_digest,
    notebook_parameters,
    parse_value,
)
from tests.runs.conftest import notebook


@pytest.fixture
def nb(tmp_path):
    path = tmp_path / "e.ipynb"
    path.write_text(
        notebook(
            "n_mazes = 100\nrate: float = 0.5\nname = 'a'\nsizes = [3, 5]\nflag = False\n"
            "anything = None",
            "print(n_mazes)",
        )
    )
    return path


def test_reads_names_defaults_and_lines(nb):
    found = notebook_parameters(nb)
    assert {k: p.default for k, p in found.items()} == {
        "n_mazes": 100,
        "rate": 0.5,
        "name": "a",
        "sizes": [3, 5],
        "flag": False,
        "anything": None,
    }
    assert found["rate"].line == 2


def test_converts_where_harmless(nb):
    out = check_parameters({"rate": 1, "name": 7, "sizes": (1,), "anything": {"a": 1}}, nb, "-p")
    assert out == {"rate": 1.0, "name": "7", "sizes": [1], "anything": {"a": 1}}
    assert type(out["rate"]) is float


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"n_maze": 3}, "has no parameter 'n_maze'; did you mean n_mazes"),
        (
            {"n_mazes": "many"},
            "parameter 'n_mazes' takes an integer .its default is 100., got 'many', which is text",
        ),
        ({"n_mazes": 2.5}, "takes an integer .* got 2.5, which is a number"),
        ({"n_mazes": True}, "takes an integer"),
        ({"rate": "x"}, "takes a number"),
        ({"flag": 1}, "takes true or false"),
        ({"sizes": 3}, "takes a list"),
    ],
)
def test_refuses_unknown_names_and_wrong_types(nb, values, message):
    with pytest.raises(UsageError, match=message):
        check_parameters(values, nb, "-p")


def test_parse_value():
    assert parse_value("3") == 3
    assert parse_value("0.5") == 0.5
    assert parse_value("true") is True and parse_value("None") is None
    assert parse_value("[1, 2]") == [1, 2]
    assert parse_value("hello world") == "hello world"
    assert parse_value("'quoted'") == "quoted"


def test_grid_is_a_product_in_order():
    assert expand_grid({"a": [1, 2], "b": ["x", "y"]}) == [
        {"a": 1, "b": "x"},
        {"a": 1, "b": "y"},
        {"a": 2, "b": "x"},
        {"a": 2, "b": "y"},
    ]
    assert expand_grid({}) == [{}]


def test_digest_ignores_outputs_but_not_code(nb, tmp_path):
    import json

    before = notebook_digest(nb)
    data = json.loads(nb.read_text())
    data["cells"][1]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "100"}]
    nb.write_text(json.dumps(data))
    assert notebook_digest(nb) == before
    data["cells"][1]["source"] = "print(n_mazes + 1)"
    nb.write_text(json.dumps(data))
    assert notebook_digest(nb) != before
