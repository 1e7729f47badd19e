"""Categorical questions: which one of several options? A forecast is `probs`, option ->
probability (omitted options count as 0; the probabilities sum to 1).

Outcome: an option name. Scores: multiclass Brier (0..2), log, Metaculus baseline, and the
ranked probability score when `ordered`. Market: an LMSR over the options. Community: the
normalised geometric mean.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any, ClassVar, Literal

from kit.questions.base import (
    ForecastBase,
    Issue,
    Name,
    Probability,
    QuestionBase,
    QuestionKind,
)

#: Categorical probabilities must sum to 1 within this absolute tolerance.
SUM_TOLERANCE = 1e-6
#: Messages list at most this many option names.
SHOWN_OPTIONS = 20


class CategoricalForecast(ForecastBase):
    value_key: ClassVar[str] = "probs"
    probs: dict[Name, Probability]


class CategoricalQuestion(QuestionBase):
    type: Literal["categorical"]
    options: list[Name] | None = None
    ordered: bool = False
    forecasts: list[CategoricalForecast] = []

    def probabilities(self, forecast: CategoricalForecast) -> list[float]:
        """A forecast as a vector in the order of `options` (omitted options: 0)."""
        return [forecast.probs.get(option, 0.0) for option in self.options or []]


def listed(options: list[str]) -> str:
    """Option names for a message, at most `SHOWN_OPTIONS` of them."""
    if len(options) <= SHOWN_OPTIONS:
        return ", ".join(options)
    return ", ".join(options[:SHOWN_OPTIONS]) + f", ... ({len(options)} in all)"


class Categorical(QuestionKind):
    name = "categorical"
    question_model = CategoricalQuestion
    forecast_model = CategoricalForecast
    value_help = "probs (option: probability)"
    outcome_help = "an option name"
    metrics = ("brier_multi", "log", "baseline", "rps")
    input_style = "distribution"

    def check_question(self, question: CategoricalQuestion) -> list[Issue]:
        options = question.options
        if not options or len(options) < 2:
            return [
                Issue(
                    ("options",) if options is not None else (),
                    "a categorical question needs options: a list of at least two option names",
                )
            ]
        repeated = sorted(o for o, n in Counter(options).items() if n > 1)
        if repeated:
            return [
                Issue(("options",), f"option names must be unique; repeated: {listed(repeated)}")
            ]
        return []

    def check_forecast(self, question: CategoricalQuestion, forecast: CategoricalForecast):
        if not question.options:
            return []
        known = set(question.options)
        unknown = [o for o in forecast.probs if o not in known]
        issues = [
            Issue(
                ("probs", o),
                f"unknown option {o!r}; options are {listed(question.options)}",
                key=True,
            )
            for o in unknown[:SHOWN_OPTIONS]
        ]
        if len(unknown) > SHOWN_OPTIONS:
            issues.append(Issue(("probs",), f"{len(unknown)} unknown options in all", key=True))
        total = math.fsum(forecast.probs.values())
        if not unknown and abs(total - 1.0) > SUM_TOLERANCE:
            issues.append(
                Issue(
                    ("probs",),
                    f"probabilities sum to {total:.10g}, not 1 (tolerance {SUM_TOLERANCE:g})",
                )
            )
        return issues

    def canonical_value(self, forecast: CategoricalForecast) -> dict[str, float]:
        return {k: float(v) for k, v in sorted(forecast.probs.items())}

    def check_outcome(self, question: CategoricalQuestion, value: Any) -> str | None:
        if not isinstance(value, str) or value not in (question.options or []):
            return f"outcome {value!r} is not an option ({listed(question.options or [])})"
        return None

    def parse_outcome(self, question: CategoricalQuestion, text: str) -> str:
        if text not in (question.options or []):
            raise ValueError(f"{text!r} is not an option ({listed(question.options or [])})")
        return text

    def scores(self, question: CategoricalQuestion, forecast: CategoricalForecast, outcome):
        from kit.scoring import categorical

        probs, idx = question.probabilities(forecast), question.options.index(outcome)
        out = {
            "brier_multi": float(categorical.brier(probs, idx)[0]),
            "log": float(categorical.log_score(probs, idx)[0]),
            "baseline": float(categorical.baseline_score(probs, idx)[0]),
        }
        if question.ordered:
            out["rps"] = float(categorical.ranked_probability_score(probs, idx)[0])
        return out

    def calibration_pairs(self, question: CategoricalQuestion, forecast, outcome):
        """One-vs-rest: each option is a binary forecast of "this option"."""
        probs = question.probabilities(forecast)
        return [(float(p), int(o == outcome)) for o, p in zip(question.options, probs, strict=True)]

    def market_options(self, question: CategoricalQuestion) -> list[str]:
        return list(question.options or [])

    def market_target(self, question: CategoricalQuestion, forecast: CategoricalForecast):
        import numpy as np

        return np.asarray(question.probabilities(forecast), dtype=float)

    def outcome_index(self, question: CategoricalQuestion, outcome: str) -> int:
        return question.options.index(outcome)

    def community(self, question: CategoricalQuestion, forecasts, extremize: float = 1.0):
        import numpy as np

        from kit.scoring import market

        if not forecasts:
            return None
        probs = np.array([question.probabilities(f) for f in forecasts])
        pooled = market.community_categorical(probs, extremize)
        if not np.isfinite(pooled).all():
            return {
                "n": len(forecasts),
                "probs": None,
                "note": "no option kept by every forecaster",
            }
        return {
            "n": len(forecasts),
            "probs": dict(zip(question.options, map(float, pooled), strict=True)),
        }

    def surprise(self, question, community, outcome: str):
        from kit.scoring.surprise import surprisal

        if not community or not community.get("probs"):
            return None
        p = community["probs"].get(outcome, 0.0)
        return {"p_outcome": p, "surprise": float(surprisal(p))}
