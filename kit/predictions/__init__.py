"""Predict: question sets and forecasts in YAML, validated, editable and sealed."""

from kit.predictions.models import Forecast, Question, QuestionSet
from kit.predictions.registry import ForecastRef, Predictions, check, load_predictions

__all__ = [
    "Forecast",
    "ForecastRef",
    "Predictions",
    "Question",
    "QuestionSet",
    "check",
    "load_predictions",
]
