"""The run launcher: experiments with their last run, and `kit run` with a progress bar.

Runs start in worker processes: the user's own kernel (where the launcher lives) keeps
its environment as it was.
"""

from __future__ import annotations

import html
import threading

import ipywidgets as w

from kit.errors import KitError
from kit.runs.store import RunError, RunRecord
from kit.ui.common import message, project_of


class RunLauncher:
    """`kit.ui.runs()`: pick an experiment, run it, see failures with their evidence."""

    def __init__(self, project=None):
        from kit.predictions import load_predictions

        self.project = project_of(project)
        self.predictions = load_predictions(self.project.root, allow_errors=True)
        self.experiment = w.Dropdown(options=self.experiment_names(), description="experiment")
        self.force = w.Checkbox(value=False, description="force (ignore cache)")
        self.button = w.Button(description="Run", button_style="primary")
        self.progress = w.IntProgress(value=0, min=0, max=1, description="runs")
        self.status = w.HTML()
        self.table = w.HTML(self._table())
        self.thread: threading.Thread | None = None
        self.records: list[RunRecord] = []
        self.button.on_click(lambda _: self.start())
        self.widget = w.VBox(
            [
                self.table,
                w.HBox([self.experiment, self.force, self.button]),
                self.progress,
                self.status,
            ]
        )

    def show(self):
        from IPython.display import display

        display(self.widget)
        return self

    def _table(self) -> str:
        from kit.runs import store

        rows = []
        for name in self.experiment_names():
            runs = store.list_runs(self.project, name)
            last = runs[-1] if runs else None
            state = f"{last.status} ({last.id})" if last else "never run"
            ok = sum(r.status == "ok" for r in runs)
            rows.append(
                f"<tr><td>{html.escape(name)}</td><td>{len(runs)}</td><td>{ok}</td>"
                f"<td>{html.escape(state)}</td></tr>"
            )
        return (
            "<table><tr><th>experiment</th><th>runs</th><th>ok</th><th>last</th></tr>"
            + "".join(rows)
            + "</table>"
        )

    def experiment_names(self) -> list[str]:
        from kit.runs.plan import targets

        return sorted({t.experiment for t in targets(self.predictions)})

    def start(self, wait: bool = False) -> None:
        """Start the selected experiment's runs in the background (or wait for them)."""
        from kit.runs import runner
        from kit.runs.plan import plan

        if self.thread and self.thread.is_alive():
            self.status.value = message("a run is already going", "warning")
            return
        try:
            specs, cached = plan(self.predictions, self.experiment.value, force=self.force.value)
        except KitError as e:
            self.status.value = message(str(e), "error")
            return
        self.progress.max, self.progress.value = max(1, len(specs)), 0
        if not specs:
            self.status.value = message(f"{len(cached)} cached runs reused: nothing to run", "ok")
            return
        self.status.value = message(f"running {len(specs)} runs...")

        def update(p: runner.Progress) -> None:
            self.progress.value = p.done

        def work() -> None:
            try:
                self.records = runner.run_local(specs, None, update)
            except Exception as e:  # noqa: BLE001 - shown in the widget, never lost
                self.status.value = message(f"{type(e).__name__}: {e}", "error")
                return
            self._finished()

        self.thread = threading.Thread(target=work, daemon=True)
        self.thread.start()
        if wait:
            self.thread.join()

    def _finished(self) -> None:
        bad = [r for r in self.records if r.status != "ok"]
        lines = [f"{len(self.records) - len(bad)} ok, {len(bad)} not ok"]
        for r in bad:
            err = r.error or RunError()
            path = f"runs/{r.experiment}/{r.id}/notebook.ipynb"
            lines.append(f"{r.status} in {err.where}: {err.ename}: {err.evalue} (evidence: {path})")
        self.status.value = message("\n".join(lines), "error" if bad else "ok")
        self.table.value = self._table()
