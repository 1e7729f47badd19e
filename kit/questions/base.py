"""What every question kind shares: the forecast and question models and the kind's API.

A question *kind* (binary, categorical, numeric, ...) is a strategy object registered in
`kit.questions.registry`, in the spirit of papermill's engines and translators. It owns
everything that differs between kinds: the forecast value's schema and messages, the
checks that need the whole question, the canonical form a seal digests, what an outcome
may be, the scores, the market, the community forecast, and which input and chart the
views draw. Everything else in the kit asks the question's kind and never compares type
strings.

Adding a kind: subclass `QuestionKind`, give it a `ForecastBase` subclass holding the
value under one new key and a `QuestionBase` subclass (with `type: Literal[...]` and its
extra fields), and `register()` an instance. Nothing else changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, field_validator

if TYPE_CHECKING:
    import numpy as np

#: Names of forecasters and options.
Name = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,63}$", strict=True)
]
QuestionId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]{0,99}$", strict=True)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=5000, strict=True)]
Probability = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
Finite = Annotated[float, Field(allow_inf_nan=False)]

#: Outcomes that resolve a question without scoring it.
NOT_SCORED = ("ambiguous", "annulled")


class Model(BaseModel):
    """Strict, frozen, no unknown fields: the base of every registry record."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class ForecastBase(Model):
    """One forecaster's forecast at one time; subclasses add the value under `value_key`."""

    value_key: ClassVar[str] = ""

    by: Name
    at: Annotated[AwareDatetime | None, Field(strict=False)] = None
    why: str | None = None

    @field_validator("at")
    @classmethod
    def _utc(cls, at: datetime | None) -> datetime | None:
        return None if at is None else at.astimezone(UTC)

    @property
    def kind(self) -> str:
        """The key holding the value: 'p', 'probs', 'quantiles', ..."""
        return self.value_key

    @property
    def value(self) -> Any:
        return getattr(self, self.value_key)


class QuestionBase(Model):
    """A question with its resolution rule and forecasts; subclasses are the kinds."""

    id: QuestionId
    text: Text
    type: str
    resolve: Text
    experiment: str | None = None  # overrides the set's experiment for this question
    #: Parameter -> values: one run per combination; None: the set's replicates.
    replicates: dict[str, list[Any]] | None = None
    tags: list[Name] = Field(default_factory=list)
    forecasts: Sequence[ForecastBase] = Field(default_factory=list)

    @field_validator("forecasts", "tags", mode="before")
    @classmethod
    def _empty_list(cls, value: Any) -> Any:
        return [] if value is None else value  # `forecasts:` with nothing under it

    @field_validator("replicates")
    @classmethod
    def _replicates(cls, value: dict[str, list[Any]] | None) -> dict[str, list[Any]] | None:
        return None if value is None else check_replicates(value)

    @property
    def manual(self) -> bool:
        """True for `resolve: manual`: only a person can resolve it (`kit resolve --value`)."""
        return self.resolve.strip() == "manual"

    @property
    def kind(self) -> QuestionKind:
        from kit.questions.registry import get

        return get(self.type)


MAX_REPLICATES = 1000


def check_replicates(replicates: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """`replicates` (parameter name -> values, one run per combination) if well formed.

    Names are Python identifiers; each list holds at least one plain value (a finite
    number, a string, true/false or null), none twice; at most `MAX_REPLICATES` runs.
    """
    import keyword
    import math

    total = 1
    for name, values in replicates.items():
        if not name.isidentifier() or keyword.iskeyword(name):
            raise ValueError(f"replicates: {name!r} is not a parameter name (a Python identifier)")
        if not values:
            raise ValueError(f"replicates: {name} needs at least one value")
        for value in values:
            if value is not None and not isinstance(value, bool | int | float | str):
                raise ValueError(f"replicates: {name}: {value!r} is not a plain value")
            if isinstance(value, float) and not math.isfinite(value):
                raise ValueError(f"replicates: {name}: {value} is not a finite number")
        seen = [json_key(v) for v in values]
        if len(set(seen)) < len(seen):
            raise ValueError(f"replicates: {name} lists a value twice")
        total *= len(values)
    if total > MAX_REPLICATES:
        raise ValueError(f"replicates: {total} combinations; the limit is {MAX_REPLICATES}")
    return replicates


def json_key(value: Any) -> str:
    """A value's identity as JSON (so that 1 and true, or 1 and 1.0, stay apart)."""
    import json

    return type(value).__name__ + ":" + json.dumps(value, sort_keys=True)


@dataclass(frozen=True)
class Issue:
    """A problem a kind finds in a question: where (a path below the question), what."""

    loc: tuple
    message: str
    severity: str = "error"
    key: bool = False  # locate at the key rather than the value


class QuestionKind:
    """The strategy for one question type. Subclasses set the class attributes and
    override what differs; the defaults suit a kind without markets or calibration."""

    name: ClassVar[str]
    question_model: ClassVar[type[QuestionBase]]
    forecast_model: ClassVar[type[ForecastBase]]
    value_help: ClassVar[str]  # e.g. "p (a probability)", for messages
    outcome_help: ClassVar[str]  # e.g. "true or false", for messages
    #: Score names this kind fills in, in display order (lower is better unless noted).
    metrics: ClassVar[tuple[str, ...]] = ()
    #: Which input the prediction form draws: "probability", "distribution", "quantiles".
    input_style: ClassVar[str] = ""

    @property
    def value_key(self) -> str:
        return self.forecast_model.value_key

    # checking -----------------------------------------------------------------------
    def check_question(self, question: QuestionBase) -> list[Issue]:
        """Checks that need the whole question (beyond each field's own type)."""
        return []

    def check_forecast(self, question: QuestionBase, forecast: ForecastBase) -> list[Issue]:
        """Checks of one forecast's value against its question (loc below the forecast)."""
        return []

    # sealing ------------------------------------------------------------------------
    def canonical_value(self, forecast: ForecastBase) -> Any:
        """The forecast's value as plain JSON data, in one canonical form for seals."""
        raise NotImplementedError

    # outcomes -----------------------------------------------------------------------
    def check_outcome(self, question: QuestionBase, value: Any) -> str | None:
        """Why `value` cannot be the outcome (`ambiguous`/`annulled` aside), or None."""
        raise NotImplementedError

    def rule_value(self, question: QuestionBase, value: Any) -> Any:
        """A rule's result as this kind's outcome (e.g. an int as a float)."""
        return value

    def parse_outcome(self, question: QuestionBase, text: str) -> Any:
        """A person's `--value` text as an outcome; ValueError completes "--value ..."."""
        raise NotImplementedError

    # scoring ------------------------------------------------------------------------
    def scores(self, question: QuestionBase, forecast: ForecastBase, outcome: Any) -> dict:
        """Every score of one forecast on its question's outcome."""
        raise NotImplementedError

    def calibration_pairs(
        self, question: QuestionBase, forecast: ForecastBase, outcome: Any
    ) -> list[tuple[float, int]]:
        """(probability, happened) pairs for reliability diagrams; none by default."""
        return []

    # markets and the community forecast ---------------------------------------------
    def market_options(self, question: QuestionBase) -> list[str] | None:
        """The outcomes an LMSR market trades, or None when the kind has no market."""
        return None

    def market_shown(self, question: QuestionBase) -> list[str]:
        """The outcomes whose prices a chart draws (binary: yes only)."""
        return self.market_options(question) or []

    def market_target(self, question: QuestionBase, forecast: ForecastBase) -> np.ndarray:
        """The prices a forecast moves the market to, in `market_options` order."""
        raise NotImplementedError

    def outcome_index(self, question: QuestionBase, outcome: Any) -> int:
        """The position of `outcome` in `market_options`."""
        raise NotImplementedError

    def community(
        self, question: QuestionBase, forecasts: list[ForecastBase], extremize: float = 1.0
    ) -> dict[str, Any] | None:
        """The pooled forecast of each forecaster's latest forecast (None: not pooled)."""
        return None

    def surprise(
        self, question: QuestionBase, community: dict[str, Any] | None, outcome: Any
    ) -> dict[str, Any] | None:
        """How surprising `outcome` was to the community forecast: `surprise` in nats and
        the probability or PIT behind it (None: the kind has no pooled forecast)."""
        return None

    def describe(self, forecast: ForecastBase) -> str:
        """The forecast's value in a few characters, for listings."""
        return f"{self.value_key}={forecast.value}"
