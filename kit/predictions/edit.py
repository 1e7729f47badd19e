"""Edit question-set files in place, keeping every byte the edit does not touch.

ruamel.yaml's round-trip tree tells where each question and forecast starts; the edit
inserts whole lines (or a short span in a flow mapping) there, so the user's comments,
order, quoting and spacing elsewhere stay exactly as written: lines are split where YAML
splits them (`\n`, `\r\n`, `\r`, not at the other breaks `str.splitlines` knows), new
lines end like the file's own (CRLF stays CRLF), and a byte order mark stays. Every edit
is checked by re-validating the new text before it is written (atomically, under the
file's lock).
"""

from __future__ import annotations

import codecs
import json
import math
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from kit import fileio
from kit.errors import KitError
from kit.predictions import yamlsafe
from kit.predictions.timefmt import yaml_time

_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.@+/ -]*[A-Za-z0-9_.@+/-]$|^[A-Za-z_]$")
_RESERVED = {"true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"}


def scalar(value: Any) -> str:
    """A value as YAML flow text (strings quoted only when plain text would be misread)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise ValueError(f"not a finite number: {value}")
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, datetime):
        return yaml_time(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{scalar(k)}: {scalar(v)}" for k, v in value.items()) + "}"
    text = str(value)
    if (
        _PLAIN.match(text)
        and text.lower() not in _RESERVED
        and ": " not in text
        and " #" not in text
    ):
        return text
    return json.dumps(text, ensure_ascii=False)


@dataclass(frozen=True)
class Source:
    """A file's text as read for editing, and whether it began with a byte order mark."""

    text: str
    bom: bool = False


def read_source(path: Path, shown: str) -> Source:
    """The text of a question-set file to edit (through the kit's one reader)."""
    data = fileio.read_bytes(path, fileio.YAML_BYTES, shown)
    return Source(fileio.decode(data, shown), fileio.has_bom(data))


def write_source(path: Path, source: Source, text: str) -> None:
    """Write the edited `text` atomically, with the byte order mark the file had."""
    fileio.atomic_write(path, (codecs.BOM_UTF8 if source.bom else b"") + text.encode("utf-8"))


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")


def split_lines(text: str) -> list[str]:
    """`text` as lines with their endings, split only at YAML's line breaks."""
    lines = _LINE.findall(text)
    return lines[:-1] if lines and lines[-1] == "" else lines


def _newline(lines: list[str]) -> str:
    """The file's line ending (that of its first line; `\n` when it has none)."""
    for line in lines:
        stripped = line.rstrip("\r\n")
        if stripped != line:
            return line[len(stripped) :]
    return "\n"


def _closed(lines: list[str], newline: str) -> list[str]:
    """`lines` with the last one ended, so that lines can be added after it."""
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += newline
    return lines


def flow_map(fields: dict[str, Any]) -> str:
    return "{" + ", ".join(f"{k}: {scalar(v)}" for k, v in fields.items() if v is not None) + "}"


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _is_content(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _block_end(lines: list[str], start: int, column: int) -> int:
    """Index after the last content line of the block starting at `start`.

    The block is every following line indented deeper than `column` (comments and blank
    lines inside it included); trailing comments and blanks are left where they are.
    """
    end = start + 1
    i = start + 1
    while i < len(lines):
        line = lines[i]
        if _is_content(line):
            if _indent(line) <= column:
                break
            end = i + 1
        i += 1
    return end


def _question_node(tree: Any, index: int) -> CommentedMap:
    return tree["questions"][index]


def append_forecast(text: str, tree: Any, q_index: int, fields: dict[str, Any]) -> str:
    """`text` with a forecast (a flow mapping line) appended to question `q_index`."""
    lines = split_lines(text)
    nl = _newline(lines)
    _closed(lines, nl)
    question = _question_node(tree, q_index)
    item = flow_map(fields)
    forecasts = question.get("forecasts")
    if isinstance(forecasts, CommentedSeq) and len(forecasts) and not forecasts.fa.flow_style():
        line, col = forecasts.lc.item(len(forecasts) - 1)
        dash = lines[line].rfind("-", 0, col)
        dash = col - 2 if dash < 0 else dash
        end = _block_end(lines, line, dash)
        lines.insert(end, " " * dash + "- " + item + nl)
        return "".join(lines)
    if "forecasts" in question:
        if isinstance(forecasts, CommentedSeq) and len(forecasts):
            raise KitError(
                "forecasts is a flow list [...] with items; write it as a block "
                "list (one '- ' line per forecast) to let the kit append to it"
            )
        # `forecasts:` (empty) or `forecasts: []`: replace the value with a block list.
        key_line, key_col = question.lc.key("forecasts")
        original = lines[key_line]
        newline = original[len(original.rstrip("\r\n")) :] or nl
        rest = original.rstrip("\r\n")[key_col + len("forecasts:") :]
        comment = re.sub(r"^\s*\[\s*\]", "", rest, count=1)  # drop `[]`, keep a comment
        lines[key_line] = " " * key_col + "forecasts:" + comment + newline
        lines.insert(key_line + 1, " " * (key_col + 2) + "- " + item + newline)
        return "".join(lines)
    # No forecasts key: add one after the question's last line.
    first_key = next(iter(question))
    q_line, q_col = question.lc.key(first_key)
    dash = lines[q_line].rfind("-", 0, q_col)
    end = _block_end(lines, q_line, dash if dash >= 0 else q_col - 2)
    lines.insert(end, " " * q_col + "forecasts:" + nl)
    lines.insert(end + 1, " " * (q_col + 2) + "- " + item + nl)
    return "".join(lines)


def append_question(text: str, tree: Any, block: str) -> str:
    """`text` with a question appended to its `questions` list.

    `block` is the question as a block-style list item written with its dash at column
    0 (comments allowed); it is indented like the questions already there.
    """
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    questions = tree.get("questions")

    def indented(dash: int) -> list[str]:
        return [" " * dash + ln + "\n" if ln.strip() else "\n" for ln in block.splitlines()]

    if isinstance(questions, CommentedSeq) and len(questions) and not questions.fa.flow_style():
        line, col = questions.lc.item(len(questions) - 1)
        dash = lines[line].rfind("-", 0, col)
        dash = col - 2 if dash < 0 else dash
        end = _block_end(lines, line, dash)
        lines[end:end] = ["\n", *indented(dash)]
        return "".join(lines)
    if "questions" not in tree:
        return "".join(lines) + "questions:\n" + "".join(indented(2))
    if isinstance(questions, CommentedSeq) and len(questions):
        raise KitError(
            "questions is a flow list [...] with items; write it as a block list (one "
            "'- ' item per question) to let the kit append to it"
        )
    # `questions:` (empty) or `questions: []`: the value becomes a block list.
    key_line, key_col = tree.lc.key("questions")
    original = lines[key_line]
    newline = original[len(original.rstrip("\r\n")) :] or "\n"
    rest = original.rstrip("\r\n")[key_col + len("questions:") :]
    comment = re.sub(r"^\s*\[\s*\]", "", rest, count=1)  # drop `[]`, keep a comment
    lines[key_line] = " " * key_col + "questions:" + comment + newline
    lines[key_line + 1 : key_line + 1] = indented(key_col + 2)
    return "".join(lines)


def insert_time(text: str, tree: Any, q_index: int, f_index: int, at: datetime) -> str:
    """`text` with `at: <time>` added to forecast `f_index` of question `q_index`."""
    return insert_times(text, tree, [(q_index, f_index)], at)


def insert_times(text: str, tree: Any, forecasts: list[tuple[int, int]], at: datetime) -> str:
    """`text` with `at: <time>` added to each (question index, forecast index), all
    located in one parse (`tree`): edited from the bottom up, so that each edit leaves
    the positions of those above it valid."""
    lines = split_lines(text)
    nl = _newline(lines)
    _closed(lines, nl)
    stamp = f"at: {yaml_time(at)}"
    for q_index, f_index in sorted(set(forecasts), reverse=True):
        node = _question_node(tree, q_index)["forecasts"][f_index]
        if not isinstance(node, CommentedMap) or not len(node):
            raise KitError("forecast is not a mapping")
        keys = list(node)
        first_line, first_col = node.lc.key(keys[0])
        if node.fa.flow_style():
            line = lines[first_line]
            lines[first_line] = line[:first_col] + stamp + ", " + line[first_col:]
            continue
        later = [k for k in keys if node.lc.key(k)[0] > first_line]
        if later:
            line, col = node.lc.key(later[0])
            lines.insert(line, " " * col + stamp + nl)
        else:
            lines.insert(first_line + 1, " " * first_col + stamp + nl)
    return "".join(lines)


def reload(file: str, text: str) -> yamlsafe.YamlDoc:
    return yamlsafe.load(file, text)


def _flow_end(text: str, start: int) -> int:
    """Index of the `}` closing the flow mapping whose content includes `start`."""
    depth, i, quote = 0, start, None
    while i < len(text):
        c = text[i]
        if quote == '"':
            if c == "\\":
                i += 1
            elif c == '"':
                quote = None
        elif quote == "'":
            if c == "'" and text[i + 1 : i + 2] == "'":
                i += 1
            elif c == "'":
                quote = None
        elif c in "\"'":
            quote = c
        elif c in "{[":
            depth += 1
        elif c in "]}":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    raise KitError("a flow mapping has no closing }")


def add_fields(text: str, tree: Any, q_index: int, f_index: int, fields: dict[str, Any]) -> str:
    """`text` with `fields` added at the end of forecast `f_index` of question `q_index`
    (inside its `{...}`, or as lines of its block mapping); nothing else changes."""
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    node = _question_node(tree, q_index)["forecasts"][f_index]
    if not isinstance(node, CommentedMap) or not len(node):
        raise KitError("forecast is not a mapping")
    keys = list(node)
    if node.fa.flow_style():
        line, col = node.lc.value(keys[-1])
        offset = sum(len(x) for x in lines[:line]) + col
        joined = "".join(lines)
        end = _flow_end(joined, offset)
        cut = len(joined[:end].rstrip())
        added = "".join(f", {k}: {scalar(v)}" for k, v in fields.items())
        return joined[:cut] + added + joined[cut:]
    first_line, first_col = node.lc.key(keys[0])
    dash = lines[first_line].rfind("-", 0, first_col)
    end = _block_end(lines, first_line, dash if dash >= 0 else first_col - 1)
    for k, v in reversed(list(fields.items())):
        lines.insert(end, " " * first_col + f"{k}: {scalar(v)}\n")
    return "".join(lines)
