"""Jupyter widgets over the registry, runner and scorer (no logic of their own).

kit.ui.predict()          the prediction form
kit.ui.market(question)   an LMSR market: price history, positions, what-if
kit.ui.review()           the calibration report's charts and tables, filterable
kit.ui.runs()             experiments, their runs, and a launcher

The widgets live in modules named apart from these functions (`form`, `market_view`,
`review_view`, `launcher`): importing a submodule sets an attribute of this package, and
a submodule named `predict` would replace the function `predict` after its first call.
"""

from __future__ import annotations

from typing import Any


def predict(project=None, question_set: str | None = None) -> Any:
    from kit.ui.form import PredictionForm

    return PredictionForm(project, question_set).show()


def market(question_id: str, project=None) -> Any:
    from kit.ui.market_view import MarketView

    return MarketView(question_id, project).show()


def review(project=None) -> Any:
    from kit.ui.review_view import Review

    return Review(project).show()


def runs(project=None) -> Any:
    from kit.ui.launcher import RunLauncher

    return RunLauncher(project).show()
