"""The top of a question-set file, and the names the rest of the kit uses for questions.

Questions and forecasts are typed by their kind (`kit.questions`): a binary question is a
`BinaryQuestion` holding `BinaryForecast`s, and so on. `QuestionSet` checks each field on
its own; checks that need a whole question live in the kinds, and
`kit.predictions.validate` reports them all with their file positions.
"""

from __future__ import annotations

import keyword
import math
from typing import Annotated, Any

from pydantic import Field, StringConstraints, field_validator

from kit.questions import ForecastBase, QuestionBase, get
from kit.questions.base import Model, check_replicates

#: The names most code uses: any forecast, any question.
Forecast = ForecastBase
Question = QuestionBase


def question_from(raw: Any) -> QuestionBase:
    """A raw question mapping as its kind's model (pydantic ValidationError if invalid)."""
    if isinstance(raw, QuestionBase):
        return raw
    kind_name = raw.get("type") if isinstance(raw, dict) else None
    try:
        model = get(kind_name).question_model
    except KeyError as e:
        raise ValueError(str(e).strip("\"'")) from None
    return model.model_validate(raw)


class QuestionSet(Model):
    """The top of one `predictions/*.yaml` file."""

    #: The notebook that resolves the questions; none for a set of manual questions only.
    experiment: (
        Annotated[str, StringConstraints(min_length=1, max_length=200, strict=True)] | None
    ) = None
    title: str | None = None
    description: str | None = None
    parameters: dict[Annotated[str, StringConstraints(strict=True)], Any] = Field(
        default_factory=dict
    )
    #: Parameter -> values: every question is resolved over one run per combination.
    replicates: dict[str, list[Any]] = Field(default_factory=dict)
    liquidity: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 100.0
    questions: list[QuestionBase]

    @field_validator("questions", mode="before")
    @classmethod
    def _typed(cls, questions: Any) -> Any:
        if not isinstance(questions, list):
            return questions
        return [question_from(q) for q in questions]

    @field_validator("parameters")
    @classmethod
    def _plain(cls, parameters: dict[str, Any]) -> dict[str, Any]:
        for name, value in parameters.items():
            if not name.isidentifier() or keyword.iskeyword(name):
                raise ValueError(f"parameter name {name!r} is not a Python identifier")
            if isinstance(value, float) and not math.isfinite(value):
                raise ValueError(f"parameter {name}: {value} is not a finite number")
        return parameters

    @field_validator("replicates")
    @classmethod
    def _replicates(cls, replicates: dict[str, list[Any]]) -> dict[str, list[Any]]:
        return check_replicates(replicates)
