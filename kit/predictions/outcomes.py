"""Outcomes of questions, checked against each question's type.

Until `kit resolve` writes them from runs, outcomes come from a YAML file mapping question
id to value: true/false (binary), an option name (categorical), a number (numeric), or
`ambiguous` / `annulled` (not scored).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kit.errors import InvalidInput, Problem, shown_name
from kit.predictions import skips, yamlsafe
from kit.predictions.registry import Predictions
from kit.predictions.resolutions import check_outcome
from kit.questions import NOT_SCORED

__all__ = ["NOT_SCORED", "check_outcome", "load_outcomes"]


def load_outcomes(path: Path, predictions: Predictions) -> dict[str, Any]:
    """Read an outcomes file; every unknown id, NaN or mismatched value is a located error."""
    shown = predictions.project.relative(path)
    try:
        doc = yamlsafe.read(Path(path), shown)
    except yamlsafe.YamlProblems as e:
        raise InvalidInput(e.problems) from None
    if not isinstance(doc.tree, dict):
        raise InvalidInput(
            [Problem(shown, 1, 1, "(top level)", "expected a mapping of question id to outcome")]
        )
    known = {q.id: q for _, q in predictions.questions()}
    left_out = {k.question for k in skips.left_out(predictions)}  # have their own errors
    problems, outcomes = [], {}
    for qid, value in yamlsafe.to_plain(doc.tree).items():
        line, col = yamlsafe.position(doc.tree, (qid,))
        if qid in left_out:
            continue
        if qid not in known:
            problems.append(Problem(shown, line, col, shown_name(qid), "no such question"))
        elif why := check_outcome(known[qid], value):
            problems.append(Problem(shown, line, col, shown_name(qid), why))
        else:
            outcomes[qid] = value
    if problems:
        raise InvalidInput(problems)
    return outcomes
