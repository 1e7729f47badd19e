"""The review: the calibration report's charts and tables inline, filterable."""

from __future__ import annotations

import ipywidgets as w

from kit.ui.common import message, project_of

ALL = "(all)"


class Review:
    """`kit.ui.review()`: filter by forecaster, tag and question set."""

    def __init__(self, project=None):
        from kit.workspace import Workspace

        self.project = project_of(project)
        self.workspace = Workspace.load(self.project, allow_errors=True)
        options = self.workspace.choices()
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

        s = self.selected()
        view = self.workspace.subset(
            forecaster=s["forecaster"], tag=s["tag"], question_set=s["set"]
        )
        self.data = gather(view)
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
