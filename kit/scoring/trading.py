"""The registry's questions as markets, and the community forecast.

Each binary or categorical question is an LMSR market (liquidity `b` from its question
set, uniform start). Its forecasts, in seal order (the order of the ledger; unsealed ones
after, by time), are trades that move the price to the forecaster's probabilities.
Late forecasts (sealed after the evidence) are left out, as in scores. The community
forecast is the geometric mean of odds (binary) or the normalised geometric mean
(categorical) of each forecaster's latest forecast, optionally extremized.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from kit.predictions.registry import ForecastRef, Predictions
from kit.scoring import market as lmsr
from kit.scoring.outcomes import NOT_SCORED


@dataclass
class QuestionMarket:
    question: str
    type: str
    options: list[str]  # binary: ["no", "yes"]
    b: float
    history: list[dict[str, Any]] = field(default_factory=list)  # one row per trade
    outcome: Any = None
    profits: dict[str, float] | None = None  # on resolution
    maker_loss: float | None = None
    worst_case_loss: float = 0.0
    clipped: list[str] = field(default_factory=list)  # forecasters moved to 0 or 1 (floored)
    positions: dict[str, list[float]] = field(default_factory=dict)  # earnings per outcome

    @property
    def price(self) -> list[float]:
        if self.history:
            return self.history[-1]["prices"]
        return [1.0 / len(self.options)] * len(self.options)


def _target(ref: ForecastRef) -> np.ndarray:
    q, f = ref.question, ref.forecast
    if q.type == "binary":
        return lmsr.binary_target(f.p)
    return np.asarray(q.probabilities(f), dtype=float)


def seal_order(refs: list[ForecastRef]) -> list[ForecastRef]:
    """Sealed forecasts in ledger order, then unsealed ones by their time."""
    sealed = sorted((r for r in refs if r.seal), key=lambda r: r.seal.line)
    loose = sorted((r for r in refs if not r.seal and r.forecast.at), key=lambda r: r.forecast.at)
    return sealed + loose


def question_market(
    predictions: Predictions,
    question_id: str,
    outcomes: dict[str, Any] | None = None,
    evidence_at: dict[str, datetime] | None = None,
) -> QuestionMarket:
    """The market of one binary or categorical question, settled if it is resolved."""
    loaded, q = predictions.question(question_id)
    if q.type == "numeric":
        raise ValueError(f"{q.id}: numeric questions have no market (quantile forecasts)")
    options = ["no", "yes"] if q.type == "binary" else list(q.options)
    when = (evidence_at or {}).get(q.id)
    refs = [r for r in predictions.forecasts(q.id) if r.forecast.at and not r.late(when)]
    m = lmsr.Market(len(options), loaded.spec.liquidity)
    view = QuestionMarket(q.id, q.type, options, m.b, worst_case_loss=m.worst_case_loss)
    for step, ref in enumerate(seal_order(refs), start=1):
        trade = m.trade(ref.forecast.by, _target(ref))
        if trade.clipped:
            view.clipped.append(ref.forecast.by)
        view.history.append(
            {
                "step": step,
                "by": ref.forecast.by,
                "at": ref.forecast.at.isoformat(),
                "sealed_at": ref.seal.sealed_at.isoformat() if ref.seal else None,
                "prices": [float(x) for x in m.price],
            }
        )
    per_outcome = [m.profits(i) for i in range(len(options))]
    view.positions = {by: [p[by] for p in per_outcome] for by in sorted(per_outcome[0])}
    outcome = (outcomes or {}).get(q.id)
    if outcome is not None and outcome not in NOT_SCORED:
        index = int(outcome) if q.type == "binary" else options.index(outcome)
        view.outcome = outcome
        view.profits = {k: float(v) for k, v in m.profits(index).items()}
        view.maker_loss = m.maker_loss(index)
    return view


def community(
    predictions: Predictions, question_id: str, extremize: float = 1.0
) -> dict[str, Any] | None:
    """Community forecast of a binary or categorical question (None without forecasts)."""
    from kit.scoring.table import latest

    _, q = predictions.question(question_id)
    refs = latest(list(predictions.forecasts(q.id)))
    if not refs or q.type == "numeric":
        return None
    if q.type == "binary":
        ps = [r.forecast.p for r in refs]
        try:
            p = lmsr.community_binary(ps, extremize)
        except ValueError:
            return {"n": len(refs), "p": None, "note": "forecasts of both 0 and 1"}
        return {"n": len(refs), "p": p}
    probs = np.array([q.probabilities(r.forecast) for r in refs])
    pooled = lmsr.community_categorical(probs, extremize)
    if not np.isfinite(pooled).all():
        return {"n": len(refs), "probs": None, "note": "no option kept by every forecaster"}
    return {"n": len(refs), "probs": dict(zip(q.options, map(float, pooled), strict=True))}
