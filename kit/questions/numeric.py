"""Numeric questions: how much? A forecast is `quantiles`, level -> value, the values not
decreasing as the level rises; optional `bounds` [low, high] and `unit`.

Outcome: a finite number. Scores: CRPS (from quantiles), weighted interval score, PIT and
50 %/90 % coverage. No market (quantile forecasts are not prices). Community: the mean of
the forecasters' quantiles at the levels they all gave.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, field_validator

from kit.questions.base import Finite, ForecastBase, Issue, QuestionBase, QuestionKind

Level = Annotated[float, Field(gt=0.0, lt=1.0, allow_inf_nan=False)]


class NumericForecast(ForecastBase):
    value_key: ClassVar[str] = "quantiles"
    quantiles: dict[Level, Finite]

    @field_validator("quantiles")
    @classmethod
    def _increasing(cls, quantiles: dict[float, float]) -> dict[float, float]:
        if not quantiles:
            raise ValueError("give at least one level: value pair")
        ordered = sorted(quantiles.items())
        for (lo, qlo), (hi, qhi) in zip(ordered, ordered[1:], strict=False):
            if qhi < qlo:
                raise ValueError(
                    f"quantiles must not decrease as the level rises: {lo:g} -> {qlo:g} "
                    f"but {hi:g} -> {qhi:g}"
                )
        return dict(ordered)


class NumericQuestion(QuestionBase):
    type: Literal["numeric"]
    bounds: Annotated[tuple[Finite, Finite] | None, Field(strict=False)] = None
    unit: str | None = None
    forecasts: list[NumericForecast] = []


class Numeric(QuestionKind):
    name = "numeric"
    question_model = NumericQuestion
    forecast_model = NumericForecast
    value_help = "quantiles (level: value)"
    outcome_help = "a number"
    metrics = ("crps", "wis")
    input_style = "quantiles"

    def check_question(self, question: NumericQuestion) -> list[Issue]:
        if question.bounds is not None and not question.bounds[0] < question.bounds[1]:
            return [
                Issue(
                    ("bounds",),
                    f"bounds must be [low, high] with low < high, got {list(question.bounds)}",
                )
            ]
        return []

    def check_forecast(self, question: NumericQuestion, forecast: NumericForecast):
        if question.bounds is None:
            return []
        lo, hi = question.bounds
        return [
            Issue(
                ("quantiles", level),
                f"quantile {level:g} -> {value:g} is outside the bounds [{lo:g}, {hi:g}]",
            )
            for level, value in forecast.quantiles.items()
            if not lo <= value <= hi
        ]

    def canonical_value(self, forecast: NumericForecast) -> dict[str, float]:
        return {repr(float(k)): float(v) for k, v in sorted(forecast.quantiles.items())}

    def check_outcome(self, question: QuestionBase, value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"a numeric outcome is a number, got {value!r}"
        if not math.isfinite(value):
            return f"outcome {value!r} is not a finite number"
        return None

    def rule_value(self, question: QuestionBase, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            try:
                return float(value)
            except OverflowError:
                return value  # check_outcome then says it is not a finite number
        return value

    def parse_outcome(self, question: QuestionBase, text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a number") from None
        if not math.isfinite(value):
            raise ValueError("must be a finite number")
        return value

    def scores(self, question: QuestionBase, forecast: NumericForecast, outcome: float) -> dict:
        from kit.scoring import numeric

        levels, values = list(forecast.quantiles), list(forecast.quantiles.values())
        y = float(outcome)
        return {
            "crps": numeric.crps(levels, values, y),
            "wis": numeric.weighted_interval_score(levels, values, y),
            "pit": numeric.pit(levels, values, y),
            "cover50": numeric.coverage(levels, values, y, 0.5),
            "cover90": numeric.coverage(levels, values, y, 0.9),
        }

    def community(self, question, forecasts: list[NumericForecast], extremize: float = 1.0):
        """Quantile averaging at the levels every forecaster gave (`extremize` unused)."""
        from kit.scoring import numeric

        if not forecasts:
            return None
        levels = sorted(set.intersection(*(set(f.quantiles) for f in forecasts)))
        if not levels:
            return {
                "n": len(forecasts),
                "quantiles": None,
                "note": "no quantile level given by every forecaster",
            }
        pooled = numeric.vincentize([[f.quantiles[t] for t in levels] for f in forecasts])
        return {
            "n": len(forecasts),
            "quantiles": dict(zip(levels, map(float, pooled), strict=True)),
        }

    def surprise(self, question, community, outcome: float):
        from kit.scoring import numeric
        from kit.scoring.surprise import tail_surprisal

        if not community or not community.get("quantiles"):
            return None
        levels = list(community["quantiles"])
        u = numeric.pit(levels, [community["quantiles"][t] for t in levels], float(outcome))
        return {"pit": u, "surprise": float(tail_surprisal(u))}
