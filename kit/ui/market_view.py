"""The market view: price history, each forecaster's position, and a what-if slider.

All numbers come from the workspace (`Workspace.market`, on-time forecasts) and the LMSR
of `kit.scoring.market`: a move
of the price from p to q earns b·ln(q_o / p_o) if outcome o happens.
"""

from __future__ import annotations

import html
import math

import ipywidgets as w

from kit.ui.common import message, project_of


def what_if(prices: list[float], target: list[float], b: float) -> list[float]:
    """Earnings in each outcome of moving the market from `prices` to `target`."""
    return [b * math.log(q / p) for p, q in zip(prices, target, strict=True)]


class MarketView:
    """`kit.ui.market(question_id)`."""

    def __init__(self, question_id: str, project=None):
        from kit.workspace import Workspace

        self.project = project_of(project)
        ws = Workspace.load(self.project, allow_errors=True)
        self.market = m = ws.market(question_id)
        shown = m.shown
        self.option = w.Dropdown(options=shown, value=shown[0], description="outcome")
        index = m.options.index(shown[0])
        self.slider = w.FloatSlider(
            value=round(m.price[index], 4),
            min=0.001,
            max=0.999,
            step=0.001,
            description="move to",
            readout_format=".3f",
        )
        self.result = w.HTML()
        self.slider.observe(lambda _: self._update(), names="value")
        self.option.observe(lambda _: self._on_option(), names="value")
        self.chart_out = w.Output()
        self.widget = w.VBox(
            [
                w.HTML(self._summary()),
                self.chart_out,
                w.HTML(self._positions()),
                w.HTML("<b>What if you moved the price now?</b>"),
                w.HBox([self.option, self.slider]),
                self.result,
            ]
        )
        self._update()

    def show(self):
        from IPython.display import display

        display(self.widget)
        with self.chart_out:
            display(self.chart())
        return self

    def _summary(self) -> str:
        m = self.market
        prices = ", ".join(f"{o}: {p:.3f}" for o, p in zip(m.options, m.price, strict=True))
        out = (
            f"<b>{html.escape(m.question)}</b>: LMSR b={m.b:g}, {len(m.history)} trades; "
            f"price now {html.escape(prices)}; the maker can lose at most "
            f"{m.worst_case_loss:.1f}"
        )
        if m.clipped:
            out += f"<br>{message('held off 0/1: ' + ', '.join(m.clipped), 'warning')}"
        return out

    def _positions(self) -> str:
        """Each forecaster's total earnings in each outcome (settled ones marked)."""
        m = self.market
        rows = []
        for name, earnings in m.positions.items():
            cells = "".join(f"<td>{e:+.2f}</td>" for e in earnings)
            rows.append(f"<tr><td>{html.escape(name)}</td>{cells}</tr>")
        head = "".join(f"<th>if {html.escape(o)}</th>" for o in m.options)
        settled = f"<p>resolved: {html.escape(str(m.outcome))}</p>" if m.profits else ""
        return f"{settled}<table><tr><th>forecaster</th>{head}</tr>{''.join(rows)}</table>"

    def _target(self) -> list[float]:
        m = self.market
        q = self.slider.value
        i = m.options.index(self.option.value)
        rest = [p for j, p in enumerate(m.price) if j != i]
        scale = (1 - q) / sum(rest)
        return [q if j == i else p * scale for j, p in enumerate(m.price)]

    def _on_option(self) -> None:
        self.slider.value = round(
            self.market.price[self.market.options.index(self.option.value)], 4
        )
        self._update()

    def _update(self) -> None:
        m = self.market
        gains = what_if(m.price, self._target(), m.b)
        cells = ", ".join(f"if {o}: {g:+.2f}" for o, g in zip(m.options, gains, strict=True))
        self.result.value = html.escape(cells)

    def chart(self):
        import altair as alt

        from kit.report.charts import price_rows

        m = self.market
        rows = price_rows(vars(m))
        return (
            alt.Chart(alt.Data(values=rows))
            .mark_line(point=True, interpolate="step-after")
            .encode(
                x="step:Q",
                y=alt.Y("price:Q", scale=alt.Scale(domain=[0, 1])),
                color="option:N",
                tooltip=["step:Q", "by:N", "option:N", "price:Q"],
            )
            .properties(width=400, height=200, title=f"{m.question}: price history")
        )
