"""Append a commented template question to a question set (what `kit new-question` does).

The template is the kit's own (`kit/init/templates/questions/<type>.yaml`): every field
with a comment on what to write there. It goes through the same line-preserving edit as
`kit predict`: the file is re-validated with the question added, and written atomically
under its lock only if that adds no error.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from kit.errors import InvalidInput, NotFound, Problem, UsageError
from kit.fileio import locked
from kit.init import question_types, template
from kit.predictions import edit, yamlsafe
from kit.predictions.registry import check
from kit.predictions.validate import pattern_help, validate_file
from kit.project import Project

_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,99}$")  # as kit.questions.base.QuestionId


def set_path(project: Project, name: str) -> Path:
    """The question-set file named `name` (`sgd_regression`, or a path to a .yaml file)."""
    candidates = [Path(name), project.root / name]
    if Path(name).suffix not in (".yaml", ".yml"):
        candidates = [project.predictions_dir / f"{name}{ext}" for ext in (".yaml", ".yml")]
    found = next((c for c in candidates if c.is_file()), None)
    if found is None or found.name.startswith("_"):
        known = ", ".join(p.stem for p in project.question_set_files()) or "none"
        raise NotFound(f"no question set {name!r} in predictions/ (question sets: {known})")
    return found


def question_block(kind: str, question_id: str, text: str | None, resolve: str | None) -> str:
    """The template question of `kind`, with its id (and text and rule, when given)."""
    if kind not in question_types():
        raise UsageError(
            f"no template for a {kind!r} question; types: {', '.join(question_types())}"
        )
    block = template("questions", f"{kind}.yaml").replace("{id}", question_id)
    block = "\n".join(line[2:] if line.startswith("  ") else line for line in block.splitlines())
    if text is not None:
        block = re.sub(r"(?m)^(  text: ).*$", lambda m: m.group(1) + json.dumps(text), block)
    if resolve is not None:
        rule = edit.scalar(resolve)
        block = re.sub(r"(?m)^(  resolve: ).*$", lambda m: m.group(1) + rule, block)
    return block


def add_question(
    project: Project,
    set_name: str,
    kind: str,
    question_id: str,
    *,
    text: str | None = None,
    resolve: str | None = None,
) -> Path:
    """Append a template question to a set; returns the file. Refused (nothing written)
    for an invalid or taken id, or when the file would gain an error."""
    if not _ID.match(question_id):
        raise UsageError(f"question id {question_id!r}: {pattern_help(('id',))}")
    predictions = check(project)
    taken = {q.id: s.file for s, q in predictions.questions()}
    if question_id in taken:
        raise UsageError(f"question id {question_id!r} is taken (in {taken[question_id]})")
    path = set_path(project, set_name)
    block = question_block(kind, question_id, text, resolve)
    shown = project.relative(path)
    with locked(path):
        original = edit.read_source(path, shown)
        source = original.text
        try:
            doc = yamlsafe.load(shown, source)
        except yamlsafe.YamlProblems as e:
            raise InvalidInput(e.problems) from None
        if not isinstance(doc.tree, dict):
            raise InvalidInput([Problem(shown, 1, 1, "(top level)", "not a question set")])
        new_text = edit.append_question(source, doc.tree, block)
        _, before = validate_file(project, path, source)
        _, after = validate_file(project, path, new_text)
        old = {(p.field, p.message) for p in before if p.severity == "error"}
        added = [p for p in after if p.severity == "error" and (p.field, p.message) not in old]
        if added:
            raise InvalidInput(
                [
                    Problem(
                        p.file, p.line, p.column, p.field, f"refused, nothing written: {p.message}"
                    )
                    for p in added
                ]
            )
        edit.write_source(path, original, new_text)
    return path
