"""The review: the calibration report's charts and tables inline, filterable."""

from __future__ import annotations

import ipywidgets as w

from kit.ui.common import message, project_of

ALL = "(all)"


class Review:
    """`kit.ui.review()`: filter by forecaster, tag and question set."""

    def __init__(self, project=None):
        from kit.predictions import load_predictions
        from kit.report.subset import choices
        from kit.runs.resolutions import load_resolutions

        self.project = project_of(project)
        self.predictions = load_predictions(self.project.root, allow_errors=True)
        self.resolutions = load_resolutions(self.predictions)
        options = choices(self.predictions)
        self.filters = {
            key: w.Dropdown(options=[ALL, *values], value=ALL, description=key)
            for key, values in options.items()
        }
        for f in self.filters.values():
            f.observe(lambda _: self.refresh(), names="value")
        self.out = w.Output()
        self.widget = w.VBox([w.HBox(list(self.filters.values())), self.out])
        self.data = None

    def show(self):
        from IPython.display import display

        display(self.widget)
        self.refresh()
        return self

    def selected(self) -> dict[str, str | None]:
        return {k: (None if f.value == ALL else f.value) for k, f in self.filters.items()}

    def compute(self):
        from kit.report.data import gather
        from kit.report.subset import subset

        s = self.selected()
        view = subset(
            self.predictions, forecaster=s["forecaster"], tag=s["tag"], question_set=s["set"]
        )
        self.data = gather(view, self.resolutions)
        return self.data

    def refresh(self) -> None:
        import pandas as pd
        from IPython.display import HTML, display

        from kit.report import charts

        data = self.compute()
        self.out.clear_output()
        with self.out:
            for m in data.messages:
                display(HTML(message(m, "warning")))
            for chart in charts.all_charts(data).values():
                display(chart)
            if data.leaderboard:
                display(pd.DataFrame(data.leaderboard))
            if data.decomposition:
                display(pd.DataFrame(data.decomposition))
            display(pd.DataFrame(data.questions)[["question", "set", "type", "outcome", "run"]])
