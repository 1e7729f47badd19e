"""The prediction form: one row per open question, validated and sealed on submit.

Everything goes through the registry: `add_forecast` (the same atomic, locked,
comment-preserving write and the same messages as `kit predict`) and `seal`, which
seals only the forecasts this form just wrote. A row can be submitted blind (only a
commitment is written; `kit reveal` later); where a question requires blindness the row
is blind and others' values are not shown (`kit.predictions.blind`).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

import ipywidgets as w

from kit.errors import InvalidInput, KitError
from kit.ui import inputs as inputs_mod
from kit.ui.common import message, project_of


@dataclass
class Row:
    """The inputs of one question."""

    question: Any
    include: w.Checkbox
    inputs: dict[str, w.Widget]
    why: w.Text
    error: w.HTML
    extra: dict[str, w.Widget] = field(default_factory=dict)
    box: w.VBox | None = None
    blind: w.Checkbox | None = None

    def value(self) -> dict[str, Any]:
        """The forecast value as `{value_key: value}`, read by the question's kind's input."""
        return inputs_mod.value(self.question, self.inputs)


def others(ws, loaded, question) -> str:
    """What others forecast so far: each one's latest value, or only how many there are
    when blindness is on for the question (values are not shown, revealed or not)."""
    from kit.predictions.blind import hidden

    refs = [r for r in ws.forecasts(question.id) if r.forecast.at is not None]
    if not refs:
        return "no forecasts yet"
    if hidden(loaded, question):
        return f"{len(refs)} forecasts so far (values hidden: blind forecasting)"
    latest = {}
    for r in sorted(refs, key=lambda r: r.forecast.at):
        latest[r.forecast.by] = r.forecast
    shown = [
        f"{by} {question.kind.describe(f)}" if f.revealed else f"{by} (blind, not revealed)"
        for by, f in latest.items()
    ]
    return "so far: " + ", ".join(shown)


def late_reason(ws, question_id: str) -> str | None:
    """Why a forecast made now on this question would be late, or None."""
    why = ws.late_reason(question_id)
    return f"{why}: a forecast made now would be late (kept, not scored)" if why else None


class PredictionForm:
    """`kit.ui.predict()`: pick a question set and a name, forecast, submit."""

    def __init__(self, project=None, question_set: str | None = None):
        self.project = project_of(project)
        self._load()
        names = [s.name for s in self.predictions.sets]
        self.set_choice = w.Dropdown(
            options=names,
            value=question_set or (names[0] if names else None),
            description="question set",
        )
        self.forecaster = w.Text(description="forecaster", placeholder="your name")
        self.submit_button = w.Button(description="Submit and seal", button_style="primary")
        self.status = w.HTML()
        self.rows: dict[str, Row] = {}
        self.questions_box = w.VBox()
        self.submit_button.on_click(lambda _: self.submit())
        self.set_choice.observe(lambda _: self._build_rows(), names="value")
        self._build_rows()
        self.widget = w.VBox(
            [
                w.HBox([self.set_choice, self.forecaster]),
                self.questions_box,
                w.HBox([self.submit_button]),
                self.status,
            ]
        )

    def _load(self) -> None:
        from kit.workspace import Workspace

        self.workspace = Workspace.load(self.project, allow_errors=True)
        self.predictions = self.workspace.predictions

    def show(self):
        from IPython.display import display

        display(self.widget)
        return self

    # rows -------------------------------------------------------------------------
    def _build_rows(self) -> None:
        self.rows = {}
        loaded = next((s for s in self.predictions.sets if s.name == self.set_choice.value), None)
        children = []
        for q in loaded.questions if loaded else []:
            row = self._row(q, late_reason(self.workspace, q.id), loaded)
            self.rows[q.id] = row
            children.append(row.box)
        if not children:
            children = [w.HTML(message("no question sets in this project", "warning"))]
        self.questions_box.children = children

    def _row(self, q, late: str | None, loaded=None) -> Row:
        from kit.predictions.blind import blind_required

        include = w.Checkbox(value=False, description="forecast this", indent=False)
        required = loaded is not None and blind_required(loaded, q)
        blind = w.Checkbox(
            value=required,
            disabled=required,
            description="blind (commit now, reveal later)",
            indent=False,
        )
        error = w.HTML()
        why = w.Text(placeholder="why (optional)", layout=w.Layout(width="40%"))
        inputs: dict[str, w.Widget] = {}
        extra: dict[str, w.Widget] = {}
        drawn = inputs_mod.draw(q)
        inputs, extra, controls = drawn.inputs, drawn.extra, drawn.controls
        for x in inputs.values():
            x.observe(lambda _: setattr(include, "value", True), names="value")
        head = f"<b>{html.escape(q.id)}</b> <i>({q.type})</i><br>{html.escape(q.text)}"
        parts = [w.HTML(head)]
        if loaded is not None:
            parts.append(w.HTML(message(others(self.workspace, loaded, q))))
        if late:
            parts.append(w.HTML(message(late, "warning")))
        parts += [w.HBox([include, *controls]), w.HBox([why, blind]), error]
        row = Row(q, include, inputs, why, error, extra, blind=blind)
        row.box = w.VBox(
            parts, layout=w.Layout(border="1px solid #ddd", padding="6px", margin="4px 0")
        )
        return row

    # submit -----------------------------------------------------------------------
    def submit(self) -> list[str]:
        """Validate and append every included forecast, then seal them (only them);
        returns the ids saved."""
        from kit.predictions.ledger import key
        from kit.predictions.predict import add_forecast
        from kit.predictions.seal import seal

        by = self.forecaster.value.strip()
        if not by:
            self.status.value = message("enter your forecaster name first", "error")
            return []
        chosen = [r for r in self.rows.values() if r.include.value]
        if not chosen:
            self.status.value = message("nothing to submit: tick 'forecast this'", "warning")
            return []
        saved, failed, keys = [], 0, set()
        for row in chosen:
            row.error.value = ""
            blind = bool(row.blind and row.blind.value)
            try:
                added = add_forecast(
                    self.project,
                    row.question.id,
                    by,
                    why=row.why.value.strip() or None,
                    blind=blind,
                    **row.value(),
                )
            except InvalidInput as e:
                failed += 1
                row.error.value = message("\n".join(p.message for p in e.problems), "error")
                continue
            except KitError as e:
                failed += 1
                row.error.value = message(str(e), "error")
                continue
            shown = "blind" if blind else f"{added.forecast.kind}={added.forecast.value}"
            saved.append(f"{added.question_id}: {shown}")
            keys.add(key(added.question_id, by, added.forecast.at))
            row.include.value = False
        if saved:
            seal(self.project, keys=keys)
            self._load()
        summary = f"saved and sealed {len(saved)} forecasts by {by}"
        if saved:
            summary += ":\n" + "\n".join(saved)
        if failed:
            summary += f"\n{failed} refused (see the messages next to them)"
        self.status.value = message(summary, "error" if failed and not saved else "ok")
        return [s.split(":")[0] for s in saved]
