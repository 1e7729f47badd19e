"""Binary questions: will it happen? A forecast is `p`, the probability of yes.

Outcome: true or false. Scores: one-sided Brier, log, spherical, Metaculus baseline.
Market: an LMSR over (no, yes). Community: the geometric mean of odds.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from kit.questions.base import ForecastBase, Probability, QuestionBase, QuestionKind


class BinaryForecast(ForecastBase):
    value_key: ClassVar[str] = "p"
    p: Probability


class BinaryQuestion(QuestionBase):
    type: Literal["binary"]
    forecasts: list[BinaryForecast] = []


class Binary(QuestionKind):
    name = "binary"
    question_model = BinaryQuestion
    forecast_model = BinaryForecast
    value_help = "p (a probability)"
    outcome_help = "true or false"
    metrics = ("brier", "log", "baseline")  # the spherical score is recorded, not averaged
    input_style = "probability"

    def canonical_value(self, forecast: BinaryForecast) -> float:
        return float(forecast.p)

    def check_outcome(self, question: QuestionBase, value: Any) -> str | None:
        if not isinstance(value, bool):
            return f"a binary outcome is true or false, got {value!r}"
        return None

    def parse_outcome(self, question: QuestionBase, text: str) -> bool:
        low = text.strip().lower()
        if low in ("true", "yes", "1"):
            return True
        if low in ("false", "no", "0"):
            return False
        raise ValueError(f"is true or false, not {text!r}")

    def scores(self, question: QuestionBase, forecast: BinaryForecast, outcome: bool) -> dict:
        from kit.scoring import binary

        p, y = forecast.p, int(outcome)
        return {
            "brier": float(binary.brier(p, y)),
            "log": float(binary.log_score(p, y)),
            "spherical": float(binary.spherical(p, y)),
            "baseline": float(binary.baseline_score(p, y)),
        }

    def calibration_pairs(self, question, forecast: BinaryForecast, outcome: bool):
        return [(float(forecast.p), int(bool(outcome)))]

    def market_options(self, question: QuestionBase) -> list[str]:
        return ["no", "yes"]

    def market_shown(self, question: QuestionBase) -> list[str]:
        return ["yes"]

    def market_target(self, question: QuestionBase, forecast: BinaryForecast):
        from kit.scoring import market

        return market.binary_target(forecast.p)

    def outcome_index(self, question: QuestionBase, outcome: bool) -> int:
        return int(outcome)

    def community(self, question, forecasts: list[BinaryForecast], extremize: float = 1.0):
        from kit.scoring import market

        if not forecasts:
            return None
        try:
            p = market.community_binary([f.p for f in forecasts], extremize)
        except ValueError:
            return {"n": len(forecasts), "p": None, "note": "forecasts of both 0 and 1"}
        return {"n": len(forecasts), "p": p}

    def surprise(self, question, community, outcome: bool):
        from kit.scoring.surprise import surprisal

        if not community or community.get("p") is None:
            return None
        p = community["p"] if outcome else 1 - community["p"]
        return {"p_outcome": p, "surprise": float(surprisal(p))}
