"""A view of the predictions restricted to a forecaster, a tag or a question set."""

from __future__ import annotations

import copy
from dataclasses import replace

from kit.predictions.registry import Predictions


def subset(
    predictions: Predictions,
    *,
    forecaster: str | None = None,
    tag: str | None = None,
    question_set: str | None = None,
) -> Predictions:
    """The same project with only the matching questions and forecasts (None: all)."""
    sets = []
    for s in predictions.sets:
        if question_set and s.name != question_set:
            continue
        kept = []
        for q in s.questions:
            if tag and tag not in q.tags:
                continue
            if forecaster:
                q = q.model_copy(
                    update={"forecasts": [f for f in q.forecasts if f.by == forecaster]}
                )
            kept.append(q)
        view = copy.copy(s)
        view.questions = kept
        sets.append(view)
    return replace(predictions, sets=sets)


def choices(predictions: Predictions) -> dict[str, list[str]]:
    """The forecasters, tags and question sets there are to filter by."""
    forecasters = sorted({f.by for _, q in predictions.questions() for f in q.forecasts})
    tags = sorted({t for _, q in predictions.questions() for t in q.tags})
    return {"forecaster": forecasters, "tag": tags, "set": [s.name for s in predictions.sets]}
