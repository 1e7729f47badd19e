"""Everything the report shows, as plain data (also written to `report.json`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kit.assess.table import ScoreTable
from kit.scoring import calibration
from kit.workspace import Workspace


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


def calibration_pairs(ws: Workspace, table: ScoreTable) -> list[tuple[str, float, int]]:
    """(forecaster, p, y) pairs of the scored forecasts, as their kinds give them (binary:
    the forecast; categorical: each option one-vs-rest; numeric: none)."""
    forecasts = {
        (r.question.id, r.forecast.by, r.forecast.at.isoformat()): r
        for r in ws.forecasts()
        if r.forecast.at
    }
    out = []
    for rec in table.records:
        ref = forecasts[(rec.question, rec.by, rec.at)]
        q = ref.question
        out += [(rec.by, p, y) for p, y in q.kind.calibration_pairs(q, ref.forecast, rec.outcome)]
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
    ws: Workspace, *, include_late: bool = False, title: str = "Calibration report"
) -> ReportData:
    """Collect the report's numbers from a workspace (its outcomes, lateness, markets)."""
    table = ws.scores(include_late=include_late)
    pairs = calibration_pairs(ws, table)
    reliability, decomposition = [], []
    if pairs:
        who = np.array([b for b, _, _ in pairs])
        p = np.array([x for _, x, _ in pairs])
        y = np.array([v for _, _, v in pairs])
        reliability = calibration.reliability_table(p, y).rows()
        decomposition.append(_decompose("all", p, y))
        for name in sorted(set(who)):
            decomposition.append(_decompose(name, p[who == name], y[who == name]))
    quantile_scored = [r for r in table.records if "pit" in r.scores]
    pit = [{"question": r.question, "by": r.by, "pit": r.scores["pit"]} for r in quantile_scored]
    coverage = []
    for name in sorted({r.by for r in quantile_scored}):
        mine = [r for r in quantile_scored if r.by == name]
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
    for s, q in ws.questions():
        res = ws.resolutions.get(q.id)
        if ws.has_market(q.id):
            m = ws.market(q.id)
            if m.history:
                markets.append(m.__dict__ | {"price": m.price})
        questions.append(
            {
                "question": q.id,
                "set": s.name,
                "type": q.type,
                "text": q.text,
                "outcome": ws.outcomes.get(q.id),
                "how": res.how if res else None,
                "run": res.run if res else None,
                "notebook": res.notebook if res else None,
                "forecasts": len(q.forecasts),
                "late": ws.late_count(q.id),
                "community": ws.community(q.id),
            }
        )
    messages = [str(k) for k in ws.skipped]  # what the report leaves out, and why
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
