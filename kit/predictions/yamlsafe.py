"""Safe YAML loading with line numbers.

Before anything is constructed, the event stream is scanned (no recursion, linear time):
explicit tags outside YAML's core schema are refused (`!!python/object` is an error,
never a constructor), nesting deeper than `MAX_DEPTH` is refused, and the size the
document would have with every alias expanded is counted from the anchors' sizes, so an
alias bomb is rejected after reading it once instead of being expanded. Only then does
ruamel.yaml build the round-trip tree, which keeps each key's line and column.
Timestamps stay strings here; the models parse them (ruamel would drop their zone).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    NodeEvent,
    ScalarEvent,
)

from kit.errors import Problem

MAX_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 24
MAX_NODES = 200_000  # counted with every alias expanded

_CORE = "tag:yaml.org,2002:"
ALLOWED_TAGS = {_CORE + t for t in ("str", "int", "float", "bool", "null", "map", "seq")}


class _Constructor(RoundTripConstructor):
    """Round-trip constructor that keeps timestamps as the text the user wrote."""


_Constructor.add_constructor(_CORE + "timestamp", RoundTripConstructor.construct_yaml_str)


def _yaml() -> YAML:
    yaml = YAML(typ="rt", pure=True)
    yaml.Constructor = _Constructor
    return yaml


@dataclass
class YamlDoc:
    """A parsed file: the round-trip tree (with positions) and its text."""

    file: str
    text: str
    tree: Any


class YamlProblems(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems


def _problem(file: str, line: int, col: int, message: str, field: str = "yaml") -> YamlProblems:
    return YamlProblems([Problem(file, line, col, field, message)])


def decode(file: str, data: bytes) -> str:
    """UTF-8 text of a file, or a problem located at the first bad byte."""
    if len(data) > MAX_BYTES:
        raise _problem(file, 1, 1, f"file is {len(data)} bytes; the limit is {MAX_BYTES}", "file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        col = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        raise _problem(
            file, line, col, f"not UTF-8 text (byte 0x{data[e.start]:02x}); save as UTF-8", "file"
        ) from None


def _tag(event: NodeEvent) -> str | None:
    tag = getattr(event, "ctag", None) or getattr(event, "tag", None)
    if tag is None:
        return None
    value = getattr(tag, "value", tag)
    return None if value in (None, "!") else str(value)


def _scan(file: str, text: str) -> None:
    """Refuse foreign tags, deep nesting and alias bombs before constructing anything."""
    sizes: dict[str, tuple[int, int]] = {}  # anchor -> (expanded nodes, depth)
    stack: list[list] = []  # open collections: [anchor, expanded nodes so far, depth below]
    done = 0  # expanded nodes of finished top-level nodes

    def add(nodes: int, depth: int, mark) -> None:
        nonlocal done
        if stack:
            stack[-1][1] += nodes
            stack[-1][2] = max(stack[-1][2], depth)
        else:
            done += nodes
        where = (file, mark.line + 1, mark.column + 1)
        if len(stack) + depth > MAX_DEPTH:
            raise _problem(*where, f"nested more than {MAX_DEPTH} levels deep")
        if done + sum(frame[1] for frame in stack) > MAX_NODES:
            raise _problem(
                *where,
                f"document expands to more than {MAX_NODES} nodes (alias bomb or huge document)",
            )

    for event in _yaml().parse(text):
        mark = event.start_mark
        if isinstance(event, NodeEvent) and not isinstance(event, AliasEvent):
            tag = _tag(event)
            if tag is not None and tag not in ALLOWED_TAGS:
                raise _problem(
                    file,
                    mark.line + 1,
                    mark.column + 1,
                    f"tag {tag.replace(_CORE, '!!')} is not allowed: "
                    "prediction files are plain data",
                )
        if isinstance(event, CollectionStartEvent):
            stack.append([event.anchor, 1, 0])
            if len(stack) > MAX_DEPTH:
                raise _problem(
                    file,
                    mark.line + 1,
                    mark.column + 1,
                    f"nested more than {MAX_DEPTH} levels deep",
                )
        elif isinstance(event, CollectionEndEvent):
            anchor, nodes, depth = stack.pop()
            if anchor is not None:
                sizes[anchor] = (nodes, depth + 1)
            add(nodes, depth + 1, mark)
        elif isinstance(event, ScalarEvent):
            if event.anchor is not None:
                sizes[event.anchor] = (1, 1)
            add(1, 1, mark)
        elif isinstance(event, AliasEvent):
            nodes, depth = sizes.get(event.anchor, (1, 1))
            add(nodes, depth, mark)


def load(file: str, data: bytes | str) -> YamlDoc:
    """Parse one YAML document safely; raise `YamlProblems` with located problems."""
    text = decode(file, data) if isinstance(data, bytes) else data
    if not text.strip() or all(
        not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()
    ):
        raise _problem(
            file, 1, 1, "file is empty: expected a mapping with experiment and questions", "file"
        )
    try:
        _scan(file, text)
        tree = _yaml().load(text)
    except YamlProblems:
        raise
    except MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = " ".join(s for s in (e.context, e.problem) if s) or "invalid YAML"
        raise _problem(file, line, col, f"syntax error: {what}") from None
    except (YAMLError, RecursionError, ValueError, OverflowError) as e:
        raise _problem(file, 1, 1, f"invalid YAML: {e}") from None
    return YamlDoc(file, text, tree)


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
