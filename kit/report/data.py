"""Everything the report shows, as plain data (also written to `report.json`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kit.assess import calibration as assess_calibration
from kit.assess import uncertainty
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
    # uncertainty (leaderboard and breakdowns carry METRIC_low/_high/_questions too)
    pairwise: list[dict] = field(default_factory=list)  # every two forecasters per score
    relative_skill: list[dict] = field(default_factory=list)
    calibration_tests: list[dict] = field(default_factory=list)  # Spiegelhalter's z
    consistency: list[dict] = field(default_factory=list)  # CORP curve and band, per point
    discrimination: list[dict] = field(default_factory=list)  # forecasts by outcome, binned
    discrimination_summary: list[dict] = field(default_factory=list)  # means and AUC
    surprise: list[dict] = field(default_factory=list)  # by experiment, most surprising first
    uncertainty: dict[str, Any] = field(default_factory=dict)  # level, resamples, seed
    deviations: list[dict] = field(default_factory=list)  # every amendment, with its diff

    @property
    def empty(self) -> bool:
        return not self.table.records


def calibration_pairs(ws: Workspace, table: ScoreTable) -> list[tuple[str, float, int]]:
    """(forecaster, p, y) pairs of the scored forecasts, as their kinds give them (binary:
    the forecast; categorical: each option one-vs-rest; numeric: none)."""
    return ws.calibration_pairs(table)


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


def amendments(ws: Workspace) -> list[dict]:
    """Every amendment of every question's plan: when, why, clean or post-hoc, and what
    it changed from the version before (the deviations a journal asks to see)."""
    from kit.predictions.plans import changes

    rows = []
    for _, q in ws.questions():
        status = ws.plan(q.id)
        posthoc = {a.line for a in ws.posthoc(q.id)}
        for n, version in enumerate(status.versions, start=1):
            if not version.amended:
                continue
            before = status.versions[n - 2].body if n > 1 else None
            rows.append(
                {
                    "question": q.id,
                    "version": n,
                    "at": version.sealed_at.strftime("%Y-%m-%d %H:%M UTC"),
                    "kind": "post-hoc" if version.line in posthoc else "clean",
                    "why": version.why,
                    "changes": "; ".join(changes(before, version.body))
                    if before
                    else "first sealed version of the plan",
                    "evidence": version.evidence_run,
                }
            )
    return rows


def gather(
    ws: Workspace,
    *,
    include_late: bool = False,
    title: str = "Calibration report",
    settings: uncertainty.Settings | None = None,
    exclude_deviations: bool = False,
) -> ReportData:
    """Collect the report's numbers from a workspace (its outcomes, lateness, markets)."""
    settings = settings or uncertainty.Settings()
    table = ws.scores(include_late=include_late, exclude_deviations=exclude_deviations)
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
        status = ws.plan(q.id)
        plan = f"v{len(status.versions)}" if status.sealed else "not sealed"
        if status.deviation:
            plan += ", changed since (not amended)"
        elif ws.posthoc(q.id):
            plan += ", post-hoc deviation"
        questions.append(
            {
                "question": q.id,
                "set": s.name,
                "type": q.type,
                "text": q.text,
                "plan": plan,
                "withheld": ws.withheld.get(q.id),
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
    compared = uncertainty.pairwise(table, settings=settings)
    histogram, summary = assess_calibration.discrimination_rows(pairs)

    def breakdown(by: str) -> list[dict]:
        return uncertainty.add_intervals(table.breakdown(by), table, by, settings)

    return ReportData(
        title=title,
        table=table,
        leaderboard=breakdown("forecaster"),
        by_tag=breakdown("tag"),
        by_set=breakdown("set"),
        by_month=breakdown("month"),
        pairwise=compared.rows,
        relative_skill=compared.skill,
        calibration_tests=assess_calibration.spiegelhalter_rows(pairs),
        consistency=assess_calibration.consistency_rows(
            pairs, level=settings.level, seed=settings.seed
        ),
        discrimination=histogram,
        discrimination_summary=summary,
        surprise=ws.surprises(),
        uncertainty={
            "level": settings.level,
            "resamples": settings.resamples,
            "permutations": settings.permutations,
            "seed": settings.seed,
        },
        reliability=reliability,
        decomposition=decomposition,
        pit=pit,
        coverage=coverage,
        markets=markets,
        questions=questions,
        messages=messages,
        deviations=amendments(ws),
    )
