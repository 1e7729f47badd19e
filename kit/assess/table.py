"""Score every forecaster's latest forecast on each resolved question, and break it down.

One record per (question, forecaster): that forecaster's latest forecast, scored by its
question's kind (`QuestionKind.scores`). Binary questions get the one-sided Brier score
(0..1, `brier`), log score, spherical and baseline scores; categorical ones the multiclass
Brier (0..2, `brier_multi`, kept apart), log and baseline scores (and RPS when ordered);
numeric ones CRPS (from quantiles), WIS, PIT and 50 %/90 % coverage. Log scores of certain
wrong forecasts are +inf and counted apart (`infinite_log`), never clipped.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from kit.predictions.registry import ForecastRef, Predictions
from kit.questions import NOT_SCORED, kinds


def metrics() -> list[str]:
    """The mean scores a breakdown shows: every registered kind's, in registration order."""
    out: list[str] = []
    for kind in kinds():
        out += [m for m in kind.metrics if m not in out]
    return out


@dataclass
class ScoreRecord:
    question: str
    set: str
    type: str
    by: str
    at: str
    tags: list[str]
    outcome: Any
    scores: dict[str, float | bool | None] = field(default_factory=dict)
    late: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class ScoreTable:
    records: list[ScoreRecord]
    unresolved: list[str]  # question ids without an outcome (skipped, counted)
    not_scored: list[str]  # ambiguous or annulled
    late: list[ScoreRecord] = field(default_factory=list)  # sealed after the evidence

    def breakdown(self, by: str) -> list[dict]:
        """Mean scores and counts per forecaster, tag, set or month (of the forecast date)."""
        groups: dict[str, list[ScoreRecord]] = defaultdict(list)
        for r in self.records:
            for k in group_key(r, by):
                groups[k].append(r)
        rows = []
        for key in sorted(groups):
            recs = groups[key]
            row: dict[str, Any] = {by: key, "forecasts": len(recs)}
            for metric in metrics():
                vals = [r.scores[metric] for r in recs if r.scores.get(metric) is not None]
                finite = [v for v in vals if math.isfinite(v)]
                row[metric] = float(np.mean(finite)) if finite else None
                row[f"n_{metric}"] = len(finite)
            row["infinite_log"] = sum(1 for r in recs if r.scores.get("log") == math.inf)
            rows.append(row)
        return rows


def group_key(record: ScoreRecord, by: str) -> list[str]:
    """The groups a record counts in: its forecaster, set, month (of the forecast date,
    YYYY-MM) or each of its tags (`(none)` without tags)."""
    if by == "tag":
        keys = record.tags
    elif by == "month":
        keys = [record.at[:7]]
    else:
        keys = [getattr(record, {"forecaster": "by"}.get(by, by))]
    return keys or ["(none)"]


def latest(refs: list[ForecastRef]) -> list[ForecastRef]:
    """Each forecaster's latest forecast per question."""
    best: dict[tuple[str, str], ForecastRef] = {}
    for ref in refs:
        k = (ref.question.id, ref.forecast.by)
        if ref.forecast.at is None:
            continue
        if k not in best or ref.forecast.at > best[k].forecast.at:
            best[k] = ref
    return list(best.values())


def _record(ref: ForecastRef, outcome: Any, late: bool = False) -> ScoreRecord:
    return ScoreRecord(
        ref.question.id,
        ref.set.name,
        ref.question.type,
        ref.forecast.by,
        ref.forecast.at.isoformat(),
        list(ref.question.tags),
        outcome,
        ref.question.kind.scores(ref.question, ref.forecast, outcome),
        late,
    )


def score(
    predictions: Predictions,
    outcomes: dict[str, Any],
    evidence_at: dict[str, Any] | None = None,
    *,
    include_late: bool = False,
) -> ScoreTable:
    """Score table of the latest forecasts on resolved questions.

    `evidence_at` maps question id to the time its evidence existed (the start of the run
    that resolved it); a forecast sealed after it (or never sealed) is late: scored apart
    in `late`, and left out of `records` unless `include_late`.
    """
    evidence_at = evidence_at or {}
    records, unresolved, not_scored = [], [], []
    for _, q in predictions.questions():
        if q.id not in outcomes:
            unresolved.append(q.id)
        elif outcomes[q.id] in NOT_SCORED:
            not_scored.append(q.id)
    refs = [
        r
        for r in predictions.forecasts()
        if r.question.id in outcomes and outcomes[r.question.id] not in NOT_SCORED
    ]

    def is_late(ref: ForecastRef) -> bool:
        return ref.late(evidence_at.get(ref.question.id))

    on_time = [r for r in refs if include_late or not is_late(r)]
    late_refs = [] if include_late else [r for r in refs if is_late(r)]
    order = lambda r: (r.set.name, r.question.id, r.forecast.by)  # noqa: E731
    for ref in sorted(latest(on_time), key=order):
        records.append(_record(ref, outcomes[ref.question.id], is_late(ref)))
    late = [_record(r, outcomes[r.question.id], True) for r in sorted(latest(late_refs), key=order)]
    return ScoreTable(records, unresolved, not_scored, late)
