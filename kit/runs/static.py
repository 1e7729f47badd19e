"""What `kit check` can tell about experiments before any kernel starts.

Two checks of each question set against its notebook, read as text, never executed:

- its `parameters` against the notebook's `parameters` cell: names and types, exactly as
  `kit run` checks them (`kit.runs.params`), so a typo fails `kit check`, not a run;
- each rule's result names against the `record("name", ...)` calls in the notebook. Names
  are found with `ast`: literal names, and f-strings as patterns (`f"acc_{k}"` can record
  `acc_train`). A notebook that records a name computed some other way could record
  anything, so it is not checked. A rule naming a result that no call could record is a
  warning, not an error: the name may come from code the check cannot see.

These need `kit.runs` (the notebook's parameters), so they live here and not in
`kit.predictions`; the command line adds them to `kit check`.
"""

from __future__ import annotations

import ast
import difflib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from kit.errors import KitError, Problem
from kit.predictions import yamlsafe
from kit.predictions.registry import Predictions
from kit.predictions.rules import RuleError, parse_rule
from kit.predictions.validate import LoadedSet, field_name
from kit.runs import params as params_mod
from kit.runs.plan import question_experiment

#: Modules whose `record` is the kit's.
_RECORD_MODULES = ("kit", "kit.runs", "kit.runs.record")


@dataclass
class Recorded:
    """The result names a notebook's `record(...)` calls can produce."""

    names: set[str] = field(default_factory=set)  # literal names
    patterns: list[re.Pattern] = field(default_factory=list)  # from f-strings
    anything: bool = False  # some name is computed in a way the check cannot follow

    def can_record(self, name: str) -> bool:
        return self.anything or name in self.names or any(p.fullmatch(name) for p in self.patterns)

    def shown(self) -> str:
        found = sorted(self.names) + [_pattern_text(p) for p in self.patterns]
        return ", ".join(found) or "nothing"


def _pattern_text(pattern: re.Pattern) -> str:
    return pattern.pattern.replace("(.+)", "{...}").replace("\\", "")


def _code_cells(nb_path: Path) -> list[str]:
    try:
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise KitError(f"{nb_path.name} is not a readable notebook ({e})") from None
    cells = nb.get("cells", []) if isinstance(nb, dict) else []
    out = []
    for cell in cells:
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            src = cell.get("source", "")
            out.append("".join(src) if isinstance(src, list) else str(src))
    return out


def _without_magics(source: str) -> str:
    """IPython's `%magic` and `!shell` lines as `pass`, so that the rest parses."""
    lines = []
    for line in source.splitlines():
        stripped = line.lstrip()
        indent = line[: len(line) - len(stripped)]
        lines.append(indent + "pass" if stripped.startswith(("%", "!")) else line)
    return "\n".join(lines)


def _record_aliases(tree: ast.AST) -> set[str]:
    """The names `record` is imported as (`from kit import record as rec`)."""
    found = {"record"}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in _RECORD_MODULES:
            found |= {a.asname or a.name for a in node.names if a.name == "record"}
    return found


def _is_record(func: ast.expr, aliases: set[str]) -> bool:
    if isinstance(func, ast.Name):
        return func.id in aliases
    return isinstance(func, ast.Attribute) and func.attr == "record"


def _name_of(node: ast.expr, found: Recorded) -> None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        found.names.add(node.value)
    elif isinstance(node, ast.JoinedStr):
        parts = [re.escape(v.value) if isinstance(v, ast.Constant) else "(.+)" for v in node.values]
        found.patterns.append(re.compile("".join(parts)))
    else:
        found.anything = True


def recorded_names(nb_path: Path) -> Recorded:
    """Every result name the notebook's code can record, found without running it."""
    found = Recorded()
    for source in _code_cells(nb_path):
        try:
            tree = ast.parse(_without_magics(source))
        except (SyntaxError, ValueError):
            found.anything = found.anything or "record" in source
            continue
        aliases = _record_aliases(tree)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and _is_record(node.func, aliases)):
                continue
            name = node.args[0] if node.args else None
            name = name or next((k.value for k in node.keywords if k.arg == "name"), None)
            if name is None:
                found.anything = True  # record(*args) or record(**kw)
            else:
                _name_of(name, found)
    return found


def _parameter_problems(
    s: LoadedSet, experiment: str, nb_path: Path, questions: list
) -> list[Problem]:
    """The set's parameters, and each replicate's values, as the notebook takes them."""
    shown = f"notebooks/{experiment}.ipynb"
    runs: list[tuple[tuple, dict]] = [(("parameters",), s.parameters)]
    for q in questions:  # replicates: the set's (at the top) or a question's own
        where = ("replicates",) if q.replicates is None else s.question_loc(q.id) + ("replicates",)
        varying = s.replicates(q)
        for combo in s.run_parameters(q):
            runs.append((where, {k: v for k, v in combo.items() if k in varying}))
    out = set()
    for where, values in runs:
        try:
            refused = params_mod.parameter_problems(values, nb_path)
        except KitError as e:
            line, col = s.where(("experiment",))
            return [Problem(s.file, line, col, "experiment", str(e))]
        for name, why in refused.items():
            line, col = yamlsafe.position(s.doc.tree, where + (name,), key=True)
            message = why.replace(nb_path.name, shown, 1) if why.startswith(nb_path.name) else why
            message += "" if message.startswith(shown) else f" (in {shown})"
            out.add(Problem(s.file, line, col, field_name(where + (name,)), message))
    return sorted(out)


def _rule_warnings(s: LoadedSet, question, experiment: str, recorded: Recorded) -> list[Problem]:
    try:
        rule = parse_rule(question.resolve)
    except RuleError:
        return []  # reported by the question-set check
    out = []
    loc = s.question_loc(question.id) + ("resolve",)
    line, col = s.where(loc)
    for name in sorted(rule.names):
        if recorded.can_record(name):
            continue
        close = difflib.get_close_matches(name, sorted(recorded.names), n=1, cutoff=0.5)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        message = (
            f"the rule reads result {name!r}, but no record({name!r}, ...) in "
            f"notebooks/{experiment}.ipynb could record it (it records: {recorded.shown()}{hint})"
        )
        out.append(Problem(s.file, line, col, field_name(loc), message, "warning", "unrecorded"))
    return out


def notebook_problems(predictions: Predictions) -> list[Problem]:
    """Each set's parameters and rules checked against its notebooks (those that exist;
    a missing notebook is already a warning of its own)."""
    project = predictions.project
    problems: list[Problem] = []
    recorded: dict[str, Recorded | None] = {}
    for s in predictions.sets:
        experiments = {question_experiment(s, q) for q in s.questions} or {s.experiment}
        for experiment in sorted(e for e in experiments if e):  # None: manual questions only
            nb_path = project.notebook_path(experiment)
            mine = [q for q in s.questions if question_experiment(s, q) == experiment]
            if nb_path.is_file():
                problems += _parameter_problems(s, experiment, nb_path, mine)
        for q in s.questions:
            experiment = question_experiment(s, q)
            if q.manual or not experiment or not project.notebook_path(experiment).is_file():
                continue
            nb_path = project.notebook_path(experiment)
            if experiment not in recorded:
                try:
                    recorded[experiment] = recorded_names(nb_path)
                except KitError:
                    recorded[experiment] = None  # said by the parameter check
            if recorded[experiment] is not None:
                problems += _rule_warnings(s, q, experiment, recorded[experiment])
    return sorted(set(problems))
