"""The checks the YAML event stream goes through before anything is constructed.

One pass over ruamel.yaml's events, no recursion, linear time. It refuses:

- explicit tags outside YAML's core schema (`!!python/object` is an error, never a
  constructor), and core tags whose value does not fit (`!!bool 100`);
- nesting deeper than `MAX_DEPTH`, and documents that would expand, with every alias
  expanded, to more than `MAX_NODES` nodes (an alias bomb is refused after one read);
- integers longer than `MAX_INT_DIGITS` digits (no number the kit reads needs more,
  and a float cannot hold one);
- text holding a NUL byte, a lone surrogate or another control character (other than
  tab and line breaks): such text cannot be a name, a path or a terminal line.

It also notes where each alias is used, for checks that refuse aliases in some places.
Each problem is located at the event's line and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    NodeEvent,
    ScalarEvent,
)
from ruamel.yaml.nodes import ScalarNode

from kit.errors import Problem, quote

MAX_DEPTH = 24
MAX_NODES = 200_000  # counted with every alias expanded
MAX_INT_DIGITS = 100

CORE = "tag:yaml.org,2002:"
ALLOWED_TAGS = {CORE + t for t in ("str", "int", "float", "bool", "null", "map", "seq")}
#: What the plain text under an explicit scalar tag must resolve to by itself.
_FITS = {
    CORE + "bool": ({CORE + "bool"}, "true or false"),
    CORE + "int": ({CORE + "int"}, "an integer"),
    CORE + "float": ({CORE + "float", CORE + "int"}, "a number"),
    CORE + "null": ({CORE + "null"}, "null, ~ or nothing"),
}
_BAD_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_DIGITS = re.compile(r"[0-9a-fA-F]")


class YamlProblems(Exception):
    """Located problems that stop a YAML file from being read."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def problem(file: str, line: int, col: int, message: str, field: str = "yaml") -> YamlProblems:
    return YamlProblems([Problem(file, line, col, field, message)])


@dataclass
class Alias:
    """Where an alias (`*name`) is used: 1-based line and column."""

    anchor: str
    line: int
    column: int


def text_problem(value: str) -> str | None:
    """Why `value` cannot be text in a kit file (NUL, lone surrogate, control), or None."""
    bad = _BAD_TEXT.search(value)
    if bad is None:
        return None
    char = bad.group()
    if char == "\x00":
        what = "a NUL byte (\\0)"
    elif "\ud800" <= char <= "\udfff":
        what = f"a lone surrogate ({quote(char)[1:-1]}: not Unicode text)"
    else:
        what = f"a control character ({quote(char)[1:-1]})"
    return f"text holds {what} at character {bad.start() + 1}: remove it"


def _tag(event: NodeEvent) -> str | None:
    tag = getattr(event, "ctag", None) or getattr(event, "tag", None)
    if tag is None:
        return None
    value = getattr(tag, "value", tag)
    return None if value in (None, "!") else str(value)


def _scalar_problem(event: ScalarEvent, tag: str | None, resolver: Any) -> str | None:
    """Why a scalar cannot be read (wrong value for its tag, huge integer, bad text)."""
    value = event.value
    if why := text_problem(value):
        return why
    plain = event.style is None
    if tag is None and not plain:
        return None  # quoted: a string
    resolved = str(resolver.resolve(ScalarNode, value, (True, False)))
    if tag in _FITS:
        fits, wanted = _FITS[tag]
        if resolved not in fits:
            return f"{tag.replace(CORE, '!!')} needs {wanted}, not {quote(value, 40)}"
    if (tag or resolved) == CORE + "int" and len(_DIGITS.findall(value)) > MAX_INT_DIGITS:
        digits = len(_DIGITS.findall(value))
        return f"an integer of {digits} digits; the limit is {MAX_INT_DIGITS}"
    return None


class Scan:
    """The checks, fed one event at a time (see the module's docstring).

    `feed` raises `YamlProblems` at the first problem; `aliases` lists the aliases seen."""

    def __init__(self, file: str, resolver: Any):
        self.file, self.resolver = file, resolver
        self.aliases: list[Alias] = []
        self._sizes: dict[str, tuple[int, int]] = {}  # anchor -> (expanded nodes, depth)
        self._stack: list[list] = []  # open collections: [anchor, nodes so far, depth below]
        self._done = 0  # expanded nodes of finished top-level nodes
        self._open = 0  # nodes of the open collections so far

    def _fail(self, where: tuple[int, int], message: str) -> YamlProblems:
        return problem(self.file, *where, message)

    def _add(self, nodes: int, depth: int, where: tuple[int, int]) -> None:
        stack = self._stack
        if stack:
            stack[-1][1] += nodes
            stack[-1][2] = max(stack[-1][2], depth)
            self._open += nodes
        else:
            self._done += nodes
        if len(stack) + depth > MAX_DEPTH:
            raise self._fail(where, f"nested more than {MAX_DEPTH} levels deep")
        if self._done + self._open > MAX_NODES:
            raise self._fail(
                where,
                f"document expands to more than {MAX_NODES} nodes (alias bomb or huge document)",
            )

    def feed(self, event: Any) -> None:
        """Check one event."""
        mark = event.start_mark
        where = (mark.line + 1, mark.column + 1)
        tag = None
        if isinstance(event, NodeEvent) and not isinstance(event, AliasEvent):
            tag = _tag(event)
            if tag is not None and tag not in ALLOWED_TAGS:
                shown = quote(tag.replace(CORE, "!!"), 40)[1:-1]
                raise self._fail(
                    where, f"tag {shown} is not allowed: prediction files are plain data"
                )
        if isinstance(event, CollectionStartEvent):
            self._stack.append([event.anchor, 1, 0])
            self._open += 1
            if len(self._stack) > MAX_DEPTH:
                raise self._fail(where, f"nested more than {MAX_DEPTH} levels deep")
        elif isinstance(event, CollectionEndEvent):
            anchor, nodes, depth = self._stack.pop()
            self._open -= nodes
            if anchor is not None:
                self._sizes[anchor] = (nodes, depth + 1)
            self._add(nodes, depth + 1, where)
        elif isinstance(event, ScalarEvent):
            if why := _scalar_problem(event, tag, self.resolver):
                raise self._fail(where, why)
            if event.anchor is not None:
                self._sizes[event.anchor] = (1, 1)
            self._add(1, 1, where)
        elif isinstance(event, AliasEvent):
            self.aliases.append(Alias(str(event.anchor), *where))
            nodes, depth = self._sizes.get(event.anchor, (1, 1))
            self._add(nodes, depth, where)
