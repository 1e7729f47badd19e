"""The prediction form: one row per open question, validated and sealed on submit.

Everything goes through the registry: `add_forecast` (the same atomic, locked,
comment-preserving write and the same messages as `kit predict`) and `seal`.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

import ipywidgets as w

from kit.errors import InvalidInput, KitError
from kit.ui.common import message, project_of

LEVELS = (0.1, 0.5, 0.9)


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

    def value(self) -> dict[str, Any]:
        q = self.question
        if q.type == "binary":
            return {"p": float(self.inputs["p"].value)}
        if q.type == "categorical":
            return {"probs": {o: float(self.inputs[o].value) for o in q.options}}
        return {"quantiles": {lvl: float(self.inputs[str(lvl)].value) for lvl in LEVELS}}


def _late_reason(predictions, loaded, question, resolutions) -> str | None:
    from kit.runs import store
    from kit.runs.plan import question_experiment

    if question.id in resolutions:
        return "already resolved: a forecast made now would be late (kept, not scored)"
    run = store.latest_ok(
        predictions.project, question_experiment(loaded, question), parameters=loaded.parameters
    )
    if run is not None:
        return f"its experiment already ran ({run['id']}): a forecast made now would be late"
    return None


class PredictionForm:
    """`kit.ui.predict()`: pick a question set and a name, forecast, submit."""

    def __init__(self, project=None, question_set: str | None = None):
        from kit.predictions import load_predictions

        self.project = project_of(project)
        self.predictions = load_predictions(self.project.root, allow_errors=True)
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

    def show(self):
        from IPython.display import display

        display(self.widget)
        return self

    # rows -------------------------------------------------------------------------
    def _build_rows(self) -> None:
        from kit.runs.resolutions import load_resolutions

        try:
            resolutions = load_resolutions(self.predictions)
        except KitError:
            resolutions = {}
        self.rows = {}
        loaded = next((s for s in self.predictions.sets if s.name == self.set_choice.value), None)
        children = []
        for q in loaded.questions if loaded else []:
            row = self._row(q, _late_reason(self.predictions, loaded, q, resolutions))
            self.rows[q.id] = row
            children.append(row.box)
        if not children:
            children = [w.HTML(message("no question sets in this project", "warning"))]
        self.questions_box.children = children

    def _row(self, q, late: str | None) -> Row:
        include = w.Checkbox(value=False, description="forecast this", indent=False)
        error = w.HTML()
        why = w.Text(placeholder="why (optional)", layout=w.Layout(width="40%"))
        inputs: dict[str, w.Widget] = {}
        extra: dict[str, w.Widget] = {}
        if q.type == "binary":
            slider = w.FloatSlider(
                value=0.5,
                min=0,
                max=1,
                step=0.01,
                description="P(yes)",
                readout=False,
                continuous_update=True,
            )
            box = w.BoundedFloatText(
                value=0.5, min=0, max=1, step=0.01, layout=w.Layout(width="90px")
            )
            w.link((slider, "value"), (box, "value"))
            inputs = {"p": box}
            extra = {"slider": slider}
            controls = [slider, box]
        elif q.type == "categorical":
            n = len(q.options)
            starts = [round(1 / n, 4)] * (n - 1)
            starts.append(round(1 - sum(starts), 4))  # uniform, summing to exactly 1
            for option, start in zip(q.options, starts, strict=True):
                inputs[option] = w.BoundedFloatText(
                    value=start,
                    min=0,
                    max=1,
                    step=0.01,
                    description=option,
                    layout=w.Layout(width="200px"),
                )
            total = w.HTML()
            normalise = w.Button(description="normalise", layout=w.Layout(width="100px"))
            extra = {"sum": total, "normalise": normalise}

            def show_sum(*_):
                s = sum(x.value for x in inputs.values())
                ok = abs(s - 1) <= 1e-6
                total.value = message(
                    f"sum {s:.4f}" + ("" if ok else " (must be 1)"), "ok" if ok else "error"
                )

            def do_normalise(_):
                s = sum(x.value for x in inputs.values())
                if s <= 0:
                    return
                values = [round(x.value / s, 6) for x in inputs.values()]
                top = values.index(max(values))  # rounding remainder to the largest
                values[top] = round(1 - (sum(values) - values[top]), 6)
                for x, v in zip(inputs.values(), values, strict=True):
                    x.value = v

            for x in inputs.values():
                x.observe(show_sum, names="value")
            normalise.on_click(do_normalise)
            show_sum()
            controls = [w.VBox(list(inputs.values())), w.VBox([total, normalise])]
        else:
            lo, hi = q.bounds if q.bounds else (0.0, 1.0)
            for lvl, frac in zip(LEVELS, (0.25, 0.5, 0.75), strict=True):
                inputs[str(lvl)] = w.FloatText(
                    value=round(lo + frac * (hi - lo), 4),
                    description=f"q{int(lvl * 100)}",
                    layout=w.Layout(width="180px"),
                )
            preview = w.HTML()
            extra = {"preview": preview}

            def show_preview(*_):
                a, m, b = (inputs[str(lvl)].value for lvl in LEVELS)
                preview.value = _preview(a, m, b, q.unit)

            for x in inputs.values():
                x.observe(show_preview, names="value")
            show_preview()
            controls = [w.VBox(list(inputs.values())), preview]
        for x in inputs.values():
            x.observe(lambda _: setattr(include, "value", True), names="value")
        head = f"<b>{html.escape(q.id)}</b> <i>({q.type})</i><br>{html.escape(q.text)}"
        parts = [w.HTML(head)]
        if late:
            parts.append(w.HTML(message(late, "warning")))
        parts += [w.HBox([include, *controls]), why, error]
        row = Row(q, include, inputs, why, error, extra)
        row.box = w.VBox(
            parts, layout=w.Layout(border="1px solid #ddd", padding="6px", margin="4px 0")
        )
        return row

    # submit -----------------------------------------------------------------------
    def submit(self) -> list[str]:
        """Validate and append every included forecast, then seal; returns the ids saved."""
        from kit.predictions import load_predictions
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
        saved, failed = [], 0
        for row in chosen:
            row.error.value = ""
            try:
                added = add_forecast(
                    self.project,
                    row.question.id,
                    by,
                    why=row.why.value.strip() or None,
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
            saved.append(f"{added.question_id}: {added.forecast.kind}={added.forecast.value}")
            row.include.value = False
        if saved:
            seal(self.project)
            self.predictions = load_predictions(self.project.root, allow_errors=True)
        summary = f"saved and sealed {len(saved)} forecasts by {by}"
        if saved:
            summary += ":\n" + "\n".join(saved)
        if failed:
            summary += f"\n{failed} refused (see the messages next to them)"
        self.status.value = message(summary, "error" if failed and not saved else "ok")
        return [s.split(":")[0] for s in saved]


def _preview(lo: float, mid: float, hi: float, unit: str | None) -> str:
    """A small drawing of the implied distribution: the 80 % interval and the median."""
    if not lo <= mid <= hi:
        return message("quantiles must increase: q10 <= q50 <= q90", "error")
    span = (hi - lo) or 1.0
    left, right = lo - 0.5 * span, hi + 0.5 * span

    def x(v: float) -> float:
        return 10 + 280 * (v - left) / (right - left)

    svg = (
        "<svg width='300' height='40'>"
        f"<line x1='10' y1='20' x2='290' y2='20' stroke='#ccc'/>"
        f"<rect x='{x(lo):.1f}' y='12' width='{x(hi) - x(lo):.1f}' height='16' "
        "fill='#9ecae1'/>"
        f"<line x1='{x(mid):.1f}' y1='8' x2='{x(mid):.1f}' y2='32' stroke='#08519c' "
        "stroke-width='3'/></svg>"
    )
    text = f"80% interval [{lo:g}, {hi:g}], median {mid:g}{' ' + unit if unit else ''}"
    return svg + f"<div style='font-size:0.85em'>{html.escape(text)}</div>"
