"""The registry's questions as markets, and the community forecast.

A question whose kind trades (`QuestionKind.market_options`: binary and categorical) is an
LMSR market (liquidity `b` from its question set, uniform start). Its forecasts, in seal
order (the order of the ledger; unsealed ones after, by time), are trades that move the
price to the forecaster's probabilities. The community forecast pools each forecaster's
latest forecast (the kind says how: geometric mean of odds for binary, normalised
geometric mean for categorical). Both take only the forecasts they are given: the
workspace passes the on-time ones, so late forecasts are left out exactly as in scores.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kit.assess.table import latest
from kit.predictions.registry import ForecastRef
from kit.questions import NOT_SCORED, QuestionBase
from kit.scoring import market as lmsr


@dataclass
class QuestionMarket:
    question: str
    type: str
    options: list[str]  # binary: ["no", "yes"]
    b: float
    shown: list[str] = field(default_factory=list)  # outcomes charts draw (binary: yes)
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


def seal_order(refs: list[ForecastRef]) -> list[ForecastRef]:
    """Sealed forecasts in ledger order, then unsealed ones by their time."""
    sealed = sorted((r for r in refs if r.seal), key=lambda r: r.seal.line)
    loose = sorted((r for r in refs if not r.seal and r.forecast.at), key=lambda r: r.forecast.at)
    return sealed + loose


def question_market(
    question: QuestionBase, liquidity: float, refs: list[ForecastRef], outcome: Any = None
) -> QuestionMarket:
    """The market of one question over the forecasts `refs`, settled if `outcome` is given."""
    kind = question.kind
    options = kind.market_options(question)
    if options is None:
        raise ValueError(f"{question.id}: {question.type} questions have no market")
    m = lmsr.Market(len(options), liquidity)
    view = QuestionMarket(
        question.id,
        question.type,
        options,
        m.b,
        shown=kind.market_shown(question),
        worst_case_loss=m.worst_case_loss,
    )
    for step, ref in enumerate(seal_order([r for r in refs if r.forecast.at]), start=1):
        trade = m.trade(ref.forecast.by, kind.market_target(question, ref.forecast))
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
    if outcome is not None and not (isinstance(outcome, str) and outcome in NOT_SCORED):
        index = kind.outcome_index(question, outcome)
        view.outcome = outcome
        view.profits = {k: float(v) for k, v in m.profits(index).items()}
        view.maker_loss = m.maker_loss(index)
    return view


def community(
    question: QuestionBase, refs: list[ForecastRef], extremize: float = 1.0
) -> dict[str, Any] | None:
    """The pooled forecast of each forecaster's latest forecast among `refs` (None: none,
    or the kind does not pool)."""
    forecasts = [r.forecast for r in latest(refs)]
    return question.kind.community(question, forecasts, extremize) if forecasts else None
