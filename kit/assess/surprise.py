"""What a study taught the people who predicted it: its resolved questions by surprise.

For each resolved, scored question: the outcome, the community forecast before the
evidence (each forecaster's latest on-time forecast, pooled by the question's kind), and
how surprising the outcome was to it (the kind's `surprise`: −ln P(outcome) for binary and
categorical questions; for numeric ones the two-sided tail surprisal of the outcome's PIT,
see `kit.scoring.surprise`), most surprising first, one table per experiment.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kit.questions import NOT_SCORED, QuestionBase

Item = tuple[str, str, QuestionBase, dict[str, Any] | None, Any]  # experiment, set, ...


def surprise_rows(items: Iterable[Item]) -> list[dict[str, Any]]:
    """Rows (experiment, set, question, type, outcome, community, forecasters, p_outcome,
    pit, surprise), by experiment, then most surprising first (no community forecast:
    last, with surprise None)."""
    rows = []
    for experiment, set_name, q, community, outcome in items:
        if isinstance(outcome, str) and outcome in NOT_SCORED:
            continue
        found = q.kind.surprise(q, community, outcome) or {}
        shown = None
        if community:
            shown = community.get("p", community.get("probs", community.get("quantiles")))
        rows.append(
            {
                "experiment": experiment,
                "set": set_name,
                "question": q.id,
                "type": q.type,
                "text": q.text,
                "outcome": outcome,
                "community": shown,
                "forecasters": (community or {}).get("n", 0),
                "p_outcome": found.get("p_outcome"),
                "pit": found.get("pit"),
                "surprise": found.get("surprise"),
            }
        )

    def order(row: dict) -> tuple:
        s = row["surprise"]
        return (row["experiment"], s is None, -(s if s is not None else 0.0), row["question"])

    rows.sort(key=order)
    return rows
