"""The report's charts (altair). The same functions draw them in JupyterLab."""

from __future__ import annotations

from typing import Any

import altair as alt

from kit.report.data import ReportData

WIDTH = 360
HEIGHT = 300


def _data(rows: list[dict]) -> alt.Data:
    return alt.Data(values=rows)


def reliability(data: ReportData) -> alt.Chart:
    """Observed frequency against mean forecast per integer-percent bin, 90 % Wilson
    intervals, and the count of forecasts in each bin."""
    rows = [
        r | {"label": f"n={r['count']}", "bin": f"{r['lower_pct']}-{r['upper_pct']}%"}
        for r in data.reliability
    ]
    base = alt.Chart(_data(rows))
    x = alt.X("mean_forecast:Q", scale=alt.Scale(domain=[0, 1]), title="mean forecast in bin")
    y = alt.Y("observed:Q", scale=alt.Scale(domain=[0, 1]), title="observed frequency")
    diagonal = (
        alt.Chart(_data([{"v": 0}, {"v": 1}]))
        .mark_line(color="#999", strokeDash=[4, 4])
        .encode(x="v:Q", y="v:Q")
    )
    bars = base.mark_rule(color="#1f77b4").encode(x=x, y="ci_low:Q", y2="ci_high:Q")
    tooltip = ["bin:N", "count:Q", "mean_forecast:Q", "observed:Q", "ci_low:Q", "ci_high:Q"]
    points = base.mark_circle(size=70, color="#1f77b4").encode(x=x, y=y, tooltip=tooltip)
    counts = base.mark_text(dy=-12, fontSize=10).encode(x=x, y=y, text="label:N")
    return (diagonal + bars + points + counts).properties(
        width=WIDTH,
        height=HEIGHT,
        title="Reliability (binary, categorical one-vs-rest), 90% Wilson intervals",
    )


def leaderboard(data: ReportData) -> alt.Chart:
    """Mean one-sided Brier score (0..1, lower is better) per forecaster, binary questions."""
    rows = [r for r in data.leaderboard if r.get("brier") is not None]
    return (
        alt.Chart(_data(rows))
        .mark_bar()
        .encode(
            y=alt.Y("forecaster:N", sort="x", title=None),
            x=alt.X("brier:Q", title="mean Brier (one-sided, 0..1, lower is better)"),
            tooltip=["forecaster:N", "brier:Q", "n_brier:Q", "log:Q", "baseline:Q"],
        )
        .properties(width=WIDTH, title="Leaderboard: binary questions")
    )


def over_time(data: ReportData) -> alt.Chart:
    """Mean Brier by month of the forecast date."""
    rows = [r for r in data.by_month if r.get("brier") is not None]
    return (
        alt.Chart(_data(rows))
        .mark_line(point=True)
        .encode(
            x=alt.X("month:O", title="month of forecast"),
            y=alt.Y("brier:Q", title="mean Brier (one-sided)"),
            tooltip=["month:O", "brier:Q", "n_brier:Q"],
        )
        .properties(width=WIDTH, height=200, title="Scores over time")
    )


def price_rows(market: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per (trade, option) of a market, from the uniform start (binary: yes only)."""
    options = market["options"]
    shown = market.get("shown") or options
    start = {"step": 0, "by": "(start)", "prices": [1 / len(options)] * len(options)}
    return [
        {"question": market["question"], "step": h["step"], "by": h["by"], "option": o, "price": p}
        for h in [start, *market["history"]]
        for o, p in zip(options, h["prices"], strict=True)
        if o in shown
    ]


def markets(data: ReportData) -> alt.FacetChart:
    """Price after each trade (forecasts in seal order), one panel per question."""
    rows = [row for m in data.markets for row in price_rows(m)]
    return (
        alt.Chart(_data(rows))
        .mark_line(point=True, interpolate="step-after")
        .encode(
            x=alt.X("step:Q", title="trade", axis=alt.Axis(tickMinStep=1)),
            y=alt.Y("price:Q", scale=alt.Scale(domain=[0, 1]), title="price"),
            color=alt.Color("option:N"),
            tooltip=["question:N", "step:Q", "by:N", "option:N", "price:Q"],
        )
        .properties(width=200, height=120)
        .facet(facet=alt.Facet("question:N", title=None), columns=3)
        .resolve_scale(x="independent")
        .properties(title="Market prices (LMSR; binary: P(yes))")
    )


def pit_histogram(data: ReportData) -> alt.LayerChart:
    """PIT values of numeric forecasts; calibrated forecasts give a flat histogram."""
    n = len(data.pit)
    hist = (
        alt.Chart(_data(data.pit))
        .mark_bar()
        .encode(
            x=alt.X("pit:Q", bin=alt.Bin(extent=[0, 1], step=0.1), title="PIT"),
            y=alt.Y("count():Q", title="forecasts"),
        )
    )
    flat = (
        alt.Chart(_data([{"expected": n / 10}])).mark_rule(strokeDash=[4, 4]).encode(y="expected:Q")
    )
    return (hist + flat).properties(width=WIDTH, height=200, title="PIT (numeric questions)")


def coverage(data: ReportData) -> alt.LayerChart:
    """Share of outcomes inside the central 50 % and 90 % intervals, against nominal."""
    base = alt.Chart(_data(data.coverage))
    bars = base.mark_bar().encode(
        x=alt.X("by:N", title=None),
        xOffset="nominal:N",
        y=alt.Y("observed:Q", scale=alt.Scale(domain=[0, 1]), title="observed coverage"),
        color=alt.Color("nominal:N", title="nominal"),
        tooltip=["by:N", "nominal:Q", "observed:Q", "n:Q"],
    )
    ticks = base.mark_tick(color="black", thickness=2).encode(
        x="by:N", xOffset="nominal:N", y="nominal:Q"
    )
    return (bars + ticks).properties(width=WIDTH, height=200, title="Interval coverage")


def all_charts(data: ReportData) -> dict[str, alt.TopLevelMixin]:
    """Every chart that has data, by file name."""
    charts: dict[str, alt.TopLevelMixin] = {}
    if data.reliability:
        charts["reliability"] = reliability(data)
    if any(r.get("brier") is not None for r in data.leaderboard):
        charts["leaderboard"] = leaderboard(data)
        charts["over_time"] = over_time(data)
    if data.markets:
        charts["markets"] = markets(data)
    if data.pit:
        charts["pit"] = pit_histogram(data)
    if data.coverage:
        charts["coverage"] = coverage(data)
    return charts
