"""Question kinds: binary, categorical and numeric, as registered strategies.

`kit.questions.get("binary")` is the strategy for binary questions; `register()` adds a
kind. See `kit.questions.base` for what a kind owns.
"""

from kit.questions.base import (
    NOT_SCORED,
    ForecastBase,
    Issue,
    QuestionBase,
    QuestionKind,
)
from kit.questions.binary import Binary, BinaryForecast, BinaryQuestion
from kit.questions.categorical import Categorical, CategoricalForecast, CategoricalQuestion
from kit.questions.numeric import Numeric, NumericForecast, NumericQuestion
from kit.questions.registry import (
    by_value_key,
    fields_of_other_kinds,
    get,
    kinds,
    names,
    register,
    unregister,
)

for _kind in (Binary(), Categorical(), Numeric()):
    register(_kind)

__all__ = [
    "NOT_SCORED",
    "Binary",
    "BinaryForecast",
    "BinaryQuestion",
    "Categorical",
    "CategoricalForecast",
    "CategoricalQuestion",
    "ForecastBase",
    "Issue",
    "Numeric",
    "NumericForecast",
    "NumericQuestion",
    "QuestionBase",
    "QuestionKind",
    "by_value_key",
    "fields_of_other_kinds",
    "get",
    "kinds",
    "names",
    "register",
    "unregister",
]
