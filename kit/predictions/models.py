"""The registry's typed objects: question sets, questions and forecasts (pydantic).

These models check each field on its own (types, ranges, unknown fields); checks that
need a whole question (a forecast's value against the question's type and options) live
in `kit.predictions.validate`, which reports them with their file positions.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

#: Categorical probabilities must sum to 1 within this absolute tolerance.
SUM_TOLERANCE = 1e-6

Name = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,63}$", strict=True)
]
QuestionId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]{0,99}$", strict=True)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=5000, strict=True)]
Probability = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
Finite = Annotated[float, Field(allow_inf_nan=False)]
Level = Annotated[float, Field(gt=0.0, lt=1.0, allow_inf_nan=False)]
QuestionType = Literal["binary", "categorical", "numeric"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Forecast(_Model):
    """One forecaster's probabilities for one question, at one time."""

    by: Name
    at: Annotated[AwareDatetime | None, Field(strict=False)] = None
    p: Probability | None = None
    probs: dict[Name, Probability] | None = None
    quantiles: dict[Level, Finite] | None = None
    why: str | None = None

    @field_validator("at")
    @classmethod
    def _utc(cls, at: datetime | None) -> datetime | None:
        return None if at is None else at.astimezone(UTC)

    @field_validator("quantiles")
    @classmethod
    def _increasing(cls, quantiles: dict[float, float] | None) -> dict[float, float] | None:
        if quantiles is None:
            return None
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

    @model_validator(mode="after")
    def _one_value(self) -> Forecast:
        given = [k for k in ("p", "probs", "quantiles") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of p (binary), probs (categorical) or quantiles (numeric)"
                + (f"; got {', '.join(given)}" if given else "")
            )
        return self

    @property
    def kind(self) -> str:
        """Which value the forecast holds: 'p', 'probs' or 'quantiles'."""
        return "p" if self.p is not None else "probs" if self.probs is not None else "quantiles"

    @property
    def value(self) -> float | dict[str, float] | dict[float, float]:
        return getattr(self, self.kind)


class Question(_Model):
    """A question with its resolution rule and forecasts."""

    id: QuestionId
    text: Text
    type: QuestionType
    options: list[Name] | None = None
    ordered: bool = False
    bounds: Annotated[tuple[Finite, Finite] | None, Field(strict=False)] = None
    unit: str | None = None
    resolve: Text
    experiment: str | None = None  # overrides the set's experiment for this question
    tags: list[Name] = Field(default_factory=list)
    forecasts: list[Forecast] = Field(default_factory=list)

    @property
    def manual(self) -> bool:
        """True for `resolve: manual`: only a person can resolve it (`kit resolve --value`)."""
        return self.resolve.strip() == "manual"

    @field_validator("forecasts", "tags", mode="before")
    @classmethod
    def _empty_list(cls, value: Any) -> Any:
        return [] if value is None else value  # `forecasts:` with nothing under it

    def probabilities(self, forecast: Forecast) -> list[float]:
        """A categorical forecast as a vector in the order of `options` (omitted options: 0)."""
        assert self.options is not None and forecast.probs is not None
        return [forecast.probs.get(option, 0.0) for option in self.options]


class QuestionSet(_Model):
    """The top of one `predictions/*.yaml` file."""

    experiment: Annotated[str, StringConstraints(min_length=1, max_length=200, strict=True)]
    title: str | None = None
    description: str | None = None
    parameters: dict[Annotated[str, StringConstraints(strict=True)], Any] = Field(
        default_factory=dict
    )
    liquidity: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 100.0
    questions: list[Any]

    @field_validator("parameters")
    @classmethod
    def _plain(cls, parameters: dict[str, Any]) -> dict[str, Any]:
        for name, value in parameters.items():
            if not name.isidentifier():
                raise ValueError(f"parameter name {name!r} is not a Python identifier")
            if isinstance(value, float) and not math.isfinite(value):
                raise ValueError(f"parameter {name}: {value} is not a finite number")
        return parameters
