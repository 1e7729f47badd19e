import time

import pytest

from kit.predictions import yamlsafe
from kit.predictions.yamlsafe import YamlProblems, load


def problems(data: bytes | str) -> list[str]:
    with pytest.raises(YamlProblems) as info:
        load("f.yaml", data)
    return [str(p) for p in info.value.problems]


def test_loads_mapping_with_positions_and_keeps_timestamps_as_text():
    doc = load("f.yaml", "a: 1\nb:\n  - {c: 2026-11-20T09:30:00+02:00}\n")
    assert doc.tree["b"][0]["c"] == "2026-11-20T09:30:00+02:00"
    assert yamlsafe.position(doc.tree, ("b", 0, "c")) == (3, 9)
    assert yamlsafe.position(doc.tree, ("b", 0, "c"), key=True) == (3, 6)
    assert yamlsafe.position(doc.tree, ("b", 5)) == (3, 3)  # deepest existing element: b


def test_syntax_error_is_located():
    assert problems("a: [1, 2\nb: 3\n") == [
        "f.yaml:2:2: yaml: syntax error: while parsing a flow sequence expected ',' or ']', "
        "but got ':'"
    ]


@pytest.mark.parametrize(
    "tag", ["!!python/object:os.system", "!!python/name:os.system", "!custom", "!!binary"]
)
def test_foreign_tags_are_errors_not_constructors(tag):
    (msg,) = problems(f"a: 1\nb: {tag} x\n")
    assert msg.startswith("f.yaml:2:4: yaml: tag ")
    assert "is not allowed: prediction files are plain data" in msg


def test_alias_bomb_rejected_without_expanding():
    # 9**10 (3.4 billion) nodes if expanded: this test would not finish if it were.
    lines = ["l0: &l0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 11):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]")
    (msg,) = problems("\n".join(lines) + "\n")
    assert "document expands to more than 200000 nodes (alias bomb or huge document)" in msg
    assert msg.startswith("f.yaml:6:15:")  # 9**6 nodes pass the limit there


def test_modest_aliases_are_fine():
    doc = load("f.yaml", "a: &x {p: 1}\nb: *x\n")
    assert doc.tree["b"]["p"] == 1


def test_deep_nesting_rejected():
    (msg,) = problems("a: " + "[" * 100 + "]" * 100 + "\n")
    assert msg == "f.yaml:1:27: yaml: nested more than 24 levels deep"


def test_very_deep_nesting_does_not_crash():
    (msg,) = problems("[" * 100_000)
    assert "nested more than 24 levels deep" in msg


def test_not_utf8_located_at_bad_byte():
    assert problems(b"a: 1\nb: caf\xe9\n") == [
        "f.yaml:2:7: file: not UTF-8 text (byte 0xe9); save as UTF-8"
    ]


@pytest.mark.parametrize("text", ["", "   \n\n", "# just a comment\n"])
def test_empty_files(text):
    assert problems(text) == [
        "f.yaml:1:1: file: file is empty: expected a mapping with experiment and questions"
    ]


def test_huge_file_rejected_before_parsing():
    (msg,) = problems(b"a: " + b"x" * (yamlsafe.MAX_BYTES + 1))
    assert "the limit is" in msg and msg.startswith("f.yaml:1:1: file:")


def test_duplicate_keys_are_errors():
    (msg,) = problems("a: 1\na: 2\n")
    assert msg.startswith("f.yaml:2:1: yaml: syntax error:") and 'duplicate key "a"' in msg


def test_a_long_comment_line_is_read_in_linear_time():
    # ruamel's round-trip scanner built comments a character at a time: a 2 MB comment
    # line took a minute in `kit check`. The time must grow with the size, not its square.
    def seconds(n: int) -> float:
        text = "#" + "x" * n + "\na: 1  # " + "y" * n + "\n"
        start = time.perf_counter()
        assert load("f.yaml", text).tree == {"a": 1}
        return time.perf_counter() - start

    small, big = seconds(100_000), seconds(1_000_000)
    assert big < 30 * small + 1.0  # quadratic would be about 100 times


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: !!bool 100\n", "1:4: yaml: !!bool needs true or false, not '100'"),
        ("a: !!int 1.5\n", "1:4: yaml: !!int needs an integer, not '1.5'"),
        ("a: !!null x\n", "1:4: yaml: !!null needs null, ~ or nothing, not 'x'"),
        ("a: " + "9" * 4000 + "\n", "1:4: yaml: an integer of 4000 digits; the limit is 100"),
        ('a: "x\\0y"\n', "1:4: yaml: text holds a NUL byte (\\0) at character 2: remove it"),
        (
            'a: "x\\ud800"\n',
            "1:4: yaml: text holds a lone surrogate (\\ud800: not Unicode text) at character 2",
        ),
        ('"a\\e": 1\n', "1:1: yaml: text holds a control character (\\x1b) at character 2"),
        ("a: &b {x: 1}\nc: {<<: *b}\n", "2:4: yaml: merge keys (<<) are not allowed"),
        ("? [a, b]\n: 1\n", "1:3: yaml: a key must be a name, not a list or mapping"),
        ("liquidity:\t100\n", "1:11: yaml: a tab character: replace the tab with spaces"),
        ("a: 1\t# note\n", "1:5: yaml: a tab character: replace the tab with spaces"),
        ("a: 1\nb: x\x0cy\n", "2:5: yaml: a character YAML does not allow ('\\x0c'): remove it"),
    ],
)
def test_values_that_cannot_be_read_are_located(text, message):
    (msg,) = problems(text)
    assert msg.startswith(f"f.yaml:{message}"), msg


def test_what_fits_its_tag_is_read():
    doc = load("f.yaml", "a: !!bool true\nb: !!float 1\nc: !!str 1\nd: !!int 0x10\ne: [x\t, y]\n")
    assert yamlsafe.to_plain(doc.tree) == {"a": True, "b": 1.0, "c": "1", "d": 16, "e": ["x", "y"]}


def test_syntax_errors_quote_at_most_a_bounded_text():
    value = "v" * 100_000
    (msg,) = problems(f"a: {value}\na: {value}\n")
    assert "duplicate key" in msg and len(msg) < 400


def test_aliases_are_noted_where_they_are_used():
    doc = load("f.yaml", "a: &x {p: 1}\nb: [1, *x]\n")
    assert [(a.anchor, a.line, a.column) for a in doc.aliases] == [("x", 2, 8)]
