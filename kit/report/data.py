"""Everything the report shows, as plain data (also written to `report.json`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kit.predictions.registry import Predictions
from kit.scoring import calibration
from kit.scoring.table import ScoreTable, score
from kit.scoring.trading import community, question_market


@dataclass
class ReportData:
    title: str
    table: ScoreTable
    leaderboard: list[dict]  # breakdown by forecaster
    by_tag: list[dict]
    by_set: list[dict]
    by_month: list[dict]
    reliability: list[dict]  # bins, all forecasters pooled (binary + categorical one-vs-rest)
    decomposition: list[dict]  # per forecaster and "all": CORP, Murphy, ECE
    pit: list[dict]  # numeric: question, by, pit
    coverage: list[dict]  # numeric: by, nominal, observed, n
    markets: list[dict]
    questions: list[dict]
    messages: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.table.records


def binary_pairs(table: ScoreTable, predictions: Predictions) -> list[tuple[str, float, int]]:
    """(forecaster, p, y) for binary forecasts and each option of categorical ones."""
    forecasts = {
        (r.question.id, r.forecast.by, r.forecast.at.isoformat()): r
        for r in predictions.forecasts()
        if r.forecast.at
    }
    out = []
    for rec in table.records:
        ref = forecasts[(rec.question, rec.by, rec.at)]
        q, f = ref.question, ref.forecast
        if q.type == "binary":
            out.append((rec.by, float(f.p), int(bool(rec.outcome))))
        elif q.type == "categorical":
            for option, p in zip(q.options, q.probabilities(f), strict=True):
                out.append((rec.by, float(p), int(option == rec.outcome)))
    return out


def _decompose(name: str, p: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    c = calibration.corp(p, y)
    m = calibration.murphy(p, y)
    return {
        "forecaster": name,
        "n": int(p.size),
        "brier": c.brier,
        "corp_mcb": c.mcb,
        "corp_dsc": c.dsc,
        "corp_unc": c.unc,
        "murphy_rel": m.rel,
        "murphy_res": m.res,
        "murphy_wbv": m.wbv,
        "murphy_wbc": m.wbc,
        "ece": calibration.expected_calibration_error(p, y),
    }


def gather(
    predictions: Predictions,
    resolutions: dict | None = None,
    outcomes: dict | None = None,
    *,
    include_late: bool = False,
    title: str = "Calibration report",
) -> ReportData:
    """Collect the report's numbers from resolutions (or a plain outcomes mapping)."""
    from kit.runs.resolutions import outcomes_and_evidence

    resolutions = resolutions or {}
    resolved, evidence = outcomes_and_evidence(resolutions)
    if outcomes is None:
        outcomes = resolved
    table = score(predictions, outcomes, evidence, include_late=include_late)
    pairs = binary_pairs(table, predictions)
    reliability, decomposition = [], []
    if pairs:
        who = np.array([b for b, _, _ in pairs])
        p = np.array([x for _, x, _ in pairs])
        y = np.array([v for _, _, v in pairs])
        reliability = calibration.reliability_table(p, y).rows()
        decomposition.append(_decompose("all", p, y))
        for name in sorted(set(who)):
            decomposition.append(_decompose(name, p[who == name], y[who == name]))
    numeric = [r for r in table.records if r.type == "numeric"]
    pit = [{"question": r.question, "by": r.by, "pit": r.scores["pit"]} for r in numeric]
    coverage = []
    for name in sorted({r.by for r in numeric}):
        mine = [r for r in numeric if r.by == name]
        for nominal, key in ((0.5, "cover50"), (0.9, "cover90")):
            hits = [r.scores[key] for r in mine if r.scores.get(key) is not None]
            if hits:
                coverage.append(
                    {
                        "by": name,
                        "nominal": nominal,
                        "observed": float(np.mean(hits)),
                        "n": len(hits),
                    }
                )
    markets, questions = [], []
    late_by_q: dict[str, int] = {}
    for r in table.late:
        late_by_q[r.question] = late_by_q.get(r.question, 0) + 1
    for s, q in predictions.questions():
        res = resolutions.get(q.id)
        if q.type != "numeric":
            m = question_market(predictions, q.id, outcomes, evidence)
            if m.history:
                markets.append(m.__dict__ | {"price": m.price})
        questions.append(
            {
                "question": q.id,
                "set": s.name,
                "type": q.type,
                "text": q.text,
                "outcome": outcomes.get(q.id),
                "how": res.how if res else None,
                "run": res.run if res else None,
                "notebook": res.notebook if res else None,
                "forecasts": len(q.forecasts),
                "late": late_by_q.get(q.id, 0),
                "community": community(predictions, q.id),
            }
        )
    messages = []
    if not table.records:
        n_questions = len(questions)
        messages.append(
            "Nothing to score yet: "
            + (
                "no question sets."
                if not n_questions
                else f"{len(table.unresolved)} of {n_questions} questions unresolved, "
                f"{len(table.not_scored)} ambiguous or annulled, {len(table.late)} late "
                "forecasts; the resolved questions have no on-time forecasts."
                if not table.unresolved
                else f"{len(table.unresolved)} of {n_questions} questions unresolved, "
                f"{len(table.not_scored)} ambiguous or annulled. Run `kit run all` and "
                "`kit resolve` (or resolve questions by hand) to fill this report."
            )
        )
    return ReportData(
        title=title,
        table=table,
        leaderboard=table.breakdown("forecaster"),
        by_tag=table.breakdown("tag"),
        by_set=table.breakdown("set"),
        by_month=table.breakdown("month"),
        reliability=reliability,
        decomposition=decomposition,
        pit=pit,
        coverage=coverage,
        markets=markets,
        questions=questions,
        messages=messages,
    )
