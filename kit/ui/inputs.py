"""The prediction form's inputs, one per input style a question kind names.

A kind says which input suits it (`QuestionKind.input_style`): a probability (slider and
box), a distribution over options (one box per option, a running sum, "normalise"), or
quantiles (three boxes and a drawing of the implied interval). A new kind reuses one of
these, or registers a style of its own in `STYLES`.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import ipywidgets as w

from kit.ui.common import message

LEVELS = (0.1, 0.5, 0.9)


@dataclass
class Drawn:
    """The widgets of one question's input: the value boxes, helpers, and their layout."""

    inputs: dict[str, w.Widget]
    extra: dict[str, w.Widget] = field(default_factory=dict)
    controls: list[w.Widget] = field(default_factory=list)


def probability(q) -> Drawn:
    slider = w.FloatSlider(
        value=0.5,
        min=0,
        max=1,
        step=0.01,
        description="P(yes)",
        readout=False,
        continuous_update=True,
    )
    box = w.BoundedFloatText(value=0.5, min=0, max=1, step=0.01, layout=w.Layout(width="90px"))
    w.link((slider, "value"), (box, "value"))
    return Drawn({"p": box}, {"slider": slider}, [slider, box])


def distribution(q) -> Drawn:
    inputs: dict[str, w.Widget] = {}
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
    return Drawn(inputs, {"sum": total, "normalise": normalise}, controls)


def quantiles(q) -> Drawn:
    inputs: dict[str, w.Widget] = {}
    bounds = getattr(q, "bounds", None)
    lo, hi = bounds if bounds else (0.0, 1.0)
    for lvl, frac in zip(LEVELS, (0.25, 0.5, 0.75), strict=True):
        inputs[str(lvl)] = w.FloatText(
            value=round(lo + frac * (hi - lo), 4),
            description=f"q{int(lvl * 100)}",
            layout=w.Layout(width="180px"),
        )
    preview = w.HTML()

    def show_preview(*_):
        a, m, b = (inputs[str(lvl)].value for lvl in LEVELS)
        preview.value = _preview(a, m, b, getattr(q, "unit", None))

    for x in inputs.values():
        x.observe(show_preview, names="value")
    show_preview()
    return Drawn(inputs, {"preview": preview}, [w.VBox(list(inputs.values())), preview])


#: input style -> (draw the widgets, read the value from them)
STYLES: dict[str, tuple[Callable[[Any], Drawn], Callable[[Any, dict], Any]]] = {
    "probability": (probability, lambda q, inputs: float(inputs["p"].value)),
    "distribution": (
        distribution,
        lambda q, inputs: {o: float(inputs[o].value) for o in q.options},
    ),
    "quantiles": (
        quantiles,
        lambda q, inputs: {lvl: float(inputs[str(lvl)].value) for lvl in LEVELS},
    ),
}


def draw(q) -> Drawn:
    """The input for question `q`, as its kind asks."""
    return STYLES[q.kind.input_style][0](q)


def value(q, inputs: dict[str, w.Widget]) -> dict[str, Any]:
    """The forecast value in `inputs`, as `{value_key: value}` for `add_forecast`."""
    return {q.kind.value_key: STYLES[q.kind.input_style][1](q, inputs)}


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
