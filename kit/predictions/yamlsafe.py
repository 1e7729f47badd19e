"""Safe YAML loading with line numbers.

Every event goes through `yamlscan` as the parser hands it to the composer, before it
becomes part of the tree: foreign tags, values that do not fit their tag, deep nesting,
alias bombs, huge integers, NUL bytes and other control characters are refused, each
located. ruamel.yaml builds the round-trip tree, which keeps each key's line and column;
merge keys (`<<`) and keys that are lists or mappings are refused.
Timestamps stay strings here; the models parse them (ruamel would drop their zone).

ruamel's round-trip scanner gathers comments one character at a time by string
concatenation, which turns quadratic for a long comment line (a 2 MB line took a minute);
the kit keeps no comments from the tree (edits work on the text), so it uses the plain
scanner, which skips comments in one step here.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar, merge_attrib
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError, YAMLWarning
from ruamel.yaml.parser import RoundTripParser
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.scanner import Scanner

from kit import fileio
from kit.errors import InvalidInput, printable, quote
from kit.predictions.yamlscan import (
    ALLOWED_TAGS,
    MAX_DEPTH,
    MAX_INT_DIGITS,
    MAX_NODES,
    Alias,
    Scan,
    YamlProblems,
    problem,
)

__all__ = [
    "ALLOWED_TAGS",
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_INT_DIGITS",
    "MAX_NODES",
    "YamlDoc",
    "YamlProblems",
    "load",
    "position",
    "read",
    "to_plain",
]

MAX_BYTES = fileio.YAML_BYTES
_CORE = "tag:yaml.org,2002:"
_COMMENT_END = re.compile(r"[\n\r\x00\x85\u2028\u2029]")


class _Constructor(RoundTripConstructor):
    """Round-trip constructor that keeps timestamps as the text the user wrote."""


_Constructor.add_constructor(_CORE + "timestamp", RoundTripConstructor.construct_yaml_str)


class _Scanner(Scanner):
    """ruamel's plain scanner, skipping a comment in one step instead of per character."""

    def scan_to_next_token(self) -> Any:
        reader = self.reader
        if reader.index == 0 and reader.peek() == "\ufeff":
            reader.forward()
        white_space = " \t" if self.flow_level > 0 else " "
        while True:
            while reader.peek() in white_space:
                reader.forward()
            if reader.peek() == "#":
                found = _COMMENT_END.search(reader.buffer, reader.pointer)
                end = found.start() if found else len(reader.buffer)
                skipped = end - reader.pointer  # no line break in it: only the column moves
                columns = skipped - reader.buffer.count("\ufeff", reader.pointer, end)
                reader.pointer, reader.index = end, reader.index + skipped
                reader.column += columns
            if not self.scan_line_break():
                return None
            if not self.flow_level:
                self.allow_simple_key = True


class _Parser(RoundTripParser):
    """The round-trip parser, passing each event the composer takes through the scan
    (`loader.kit_scan`): one pass checks and builds, and the checks come first."""

    def get_event(self) -> Any:
        event = super().get_event()
        scan = getattr(self.loader, "kit_scan", None)
        if scan is not None:
            scan.feed(event)
        return event


def _yaml(file: str) -> YAML:
    """A round-trip loader whose events are checked by a `Scan` of `file` (`kit_scan`)."""
    yaml = YAML(typ="rt", pure=True)
    yaml.Constructor = _Constructor
    yaml.Scanner = _Scanner
    yaml.Parser = _Parser
    yaml.kit_scan = Scan(file, yaml.resolver)
    return yaml


@dataclass
class YamlDoc:
    """A parsed file: the round-trip tree (with positions), its text, and its aliases."""

    file: str
    text: str
    tree: Any
    aliases: list[Alias] = field(default_factory=list)


_TAB_HELP = (
    "a tab character: replace the tab with spaces (the kit's YAML reader takes only spaces "
    "for indentation and between the items of a line)"
)


def _syntax_problem(file: str, text: str, error: MarkedYAMLError) -> YamlProblems:
    mark = error.problem_mark or error.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    index = getattr(error.problem_mark, "index", None)
    if index is not None and 0 <= index < len(text) and text[index] == "\t":
        return problem(file, line, col, _TAB_HELP)
    what = " ".join(s for s in (error.context, error.problem) if s) or "invalid YAML"
    return problem(file, line, col, f"syntax error: {printable(what, 300)}")


def _check_tree(file: str, tree: Any) -> None:
    """Refuse merge keys (`<<: *base` copies fields invisibly: write them out) and keys
    that are lists or mappings (`? [a, b]`): no field of a kit file has such a name."""
    todo = [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, CommentedMap):
            where = (node.lc.line + 1, node.lc.col + 1)
            if getattr(node, merge_attrib, None):
                raise problem(file, *where, "merge keys (<<) are not allowed: write the fields out")
            for key in node:
                if not isinstance(key, str | int | float | TaggedScalar | None):
                    where = node.lc.key(key)
                    raise problem(
                        file,
                        where[0] + 1,
                        where[1] + 1,
                        "a key must be a name, not a list or mapping",
                    )
            todo.extend(node.values())
        elif isinstance(node, CommentedSeq):
            todo.extend(node)


def load(file: str, data: bytes | str) -> YamlDoc:
    """Parse one YAML document safely; raise `YamlProblems` with located problems."""
    if isinstance(data, bytes):
        if len(data) > MAX_BYTES:
            message = f"is {len(data)} bytes; the limit is {MAX_BYTES}"
            raise problem(file, 1, 1, message, "file")
        try:
            text = fileio.decode(data, file)
        except InvalidInput as e:
            raise YamlProblems(e.problems) from None
    else:
        text = data
    if not text.strip() or all(
        not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()
    ):
        raise problem(
            file, 1, 1, "file is empty: expected a mapping with experiment and questions", "file"
        )
    yaml = _yaml(file)
    try:
        with warnings.catch_warnings():  # e.g. an anchor name used twice: YAML allows it
            warnings.simplefilter("ignore", YAMLWarning)
            tree = yaml.load(text)
        _check_tree(file, tree)
    except YamlProblems:
        raise
    except MarkedYAMLError as e:
        raise _syntax_problem(file, text, e) from None
    except ReaderError as e:  # a character YAML does not allow anywhere
        at = max(0, min(int(e.position), len(text)))
        line = text.count("\n", 0, at) + 1
        column = at - (text.rfind("\n", 0, at) + 1) + 1
        char = quote(chr(e.character) if isinstance(e.character, int) else e.character)
        message = f"a character YAML does not allow ({char}): remove it"
        raise problem(file, line, column, message) from None
    except (YAMLError, RecursionError, ValueError, OverflowError, KeyError, TypeError) as e:
        raise problem(file, 1, 1, f"invalid YAML: {printable(str(e), 300)}") from None
    return YamlDoc(file, text, tree, yaml.kit_scan.aliases)


def read(path: Path, shown: str, *, optional: bool = False) -> YamlDoc | None:
    """Read and parse the YAML file at `path` through the kit's one reader (`kit.fileio`):
    a regular file of at most `MAX_BYTES`. None when it is missing and `optional`."""
    try:
        data = fileio.read_bytes(path, MAX_BYTES, shown, optional=optional)
    except InvalidInput as e:
        raise YamlProblems(e.problems) from None
    return None if data is None else load(shown, data)


def to_plain(node: Any) -> Any:
    """The round-trip tree as plain dicts, lists and Python scalars (for validation)."""
    if isinstance(node, CommentedMap | dict):
        return {to_plain(k): to_plain(v) for k, v in node.items()}
    if isinstance(node, CommentedSeq | list):
        return [to_plain(v) for v in node]
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    if isinstance(node, TaggedScalar):  # `!!str 1`: the only tagged scalar the scan lets by
        return str(node.value)
    return node


def position(tree: Any, loc: tuple, *, key: bool = False) -> tuple[int, int]:
    """1-based (line, column) of the deepest element of `loc` present in the tree.

    Points at the value of a mapping entry, or at its key when `key` is true (used for
    unknown fields).
    """
    line, col = 1, 1
    node = tree
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        try:
            if isinstance(node, CommentedMap) and part in node:
                ln, cl = node.lc.key(part) if (key and last) else node.lc.value(part)
                node = node[part]
            elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
                ln, cl = node.lc.item(part)
                node = node[part]
            else:
                break
        except (KeyError, IndexError, TypeError, AttributeError):
            break
        line, col = ln + 1, cl + 1
    return line, col
