"""Outcomes of questions, checked against each question's type.

Until `kit resolve` writes them from runs, outcomes come from a YAML file mapping question
id to value: true/false (binary), an option name (categorical), a number (numeric), or
`ambiguous` / `annulled` (not scored).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from kit.errors import InvalidInput, Problem
from kit.predictions import yamlsafe
from kit.predictions.registry import Predictions

NOT_SCORED = ("ambiguous", "annulled")


def check_outcome(question, value: Any) -> str | None:
    """Why `value` cannot be `question`'s outcome, or None if it can."""
    if isinstance(value, str) and value in NOT_SCORED:
        return None
    if question.type == "binary" and not isinstance(value, bool):
        return f"a binary outcome is true or false, got {value!r}"
    if question.type == "categorical" and value not in (question.options or []):
        return f"outcome {value!r} is not an option ({', '.join(question.options or [])})"
    if question.type == "numeric":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"a numeric outcome is a number, got {value!r}"
        if not math.isfinite(value):
            return f"outcome {value!r} is not a finite number"
    return None


def load_outcomes(path: Path, predictions: Predictions) -> dict[str, Any]:
    """Read an outcomes file; every unknown id, NaN or mismatched value is a located error."""
    shown = predictions.project.relative(path)
    try:
        doc = yamlsafe.load(shown, Path(path).read_bytes())
    except yamlsafe.YamlProblems as e:
        raise InvalidInput(e.problems) from None
    except OSError as e:
        raise InvalidInput([Problem(shown, 1, 1, "file", f"cannot read: {e.strerror}")]) from None
    if not isinstance(doc.tree, dict):
        raise InvalidInput(
            [Problem(shown, 1, 1, "(top level)", "expected a mapping of question id to outcome")]
        )
    known = {q.id: q for _, q in predictions.questions()}
    problems, outcomes = [], {}
    for qid, value in yamlsafe.to_plain(doc.tree).items():
        line, col = yamlsafe.position(doc.tree, (qid,))
        if qid not in known:
            problems.append(Problem(shown, line, col, str(qid), "no such question"))
        elif why := check_outcome(known[qid], value):
            problems.append(Problem(shown, line, col, str(qid), why))
        else:
            outcomes[qid] = value
    if problems:
        raise InvalidInput(problems)
    return outcomes
