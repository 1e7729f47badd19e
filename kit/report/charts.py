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


def leaderboard(data: ReportData) -> alt.LayerChart:
    """Mean one-sided Brier score (0..1, lower is better) per forecaster, binary questions,
    with its bootstrap interval over the questions and their number."""
    level = data.uncertainty.get("level", 0.9)
    rows = [
        r | {"label": f"n={r['brier_questions']}"}
        for r in data.leaderboard
        if r.get("brier") is not None
    ]
    base = alt.Chart(_data(rows)).encode(y=alt.Y("forecaster:N", sort="x", title=None))
    tooltip = ["forecaster:N", "brier:Q", "brier_low:Q", "brier_high:Q", "brier_questions:Q"]
    bars = base.mark_bar(color="#9ecae1").encode(
        x=alt.X("brier:Q", title="mean Brier (one-sided, 0..1, lower is better)"),
        tooltip=tooltip,
    )
    whiskers = base.mark_rule(color="#08519c", strokeWidth=2).encode(
        x="brier_low:Q", x2="brier_high:Q"
    )
    counts = base.mark_text(align="left", dx=4, fontSize=10).encode(
        x="brier_high:Q", text="label:N"
    )
    return (bars + whiskers + counts).properties(
        width=WIDTH, title=f"Leaderboard: binary questions, {level:.0%} bootstrap intervals"
    )


def consistency(data: ReportData) -> alt.LayerChart:
    """The CORP reliability curve of all forecasts pooled, inside the band where a
    calibrated forecaster's curve would lie (resampling; reliabilitydiag's consistency)."""
    rows = [r for r in data.consistency if r["forecaster"] == "all"]
    level = rows[0]["level"] if rows else 0.9
    base = alt.Chart(_data(rows))
    x = alt.X("forecast:Q", scale=alt.Scale(domain=[0, 1]), title="forecast")
    band = base.mark_area(color="#bbb", opacity=0.5, interpolate="step-after").encode(
        x=x, y=alt.Y("low:Q", scale=alt.Scale(domain=[0, 1])), y2="high:Q"
    )
    diagonal = (
        alt.Chart(_data([{"v": 0}, {"v": 1}]))
        .mark_line(color="#999", strokeDash=[4, 4])
        .encode(x="v:Q", y="v:Q")
    )
    curve = base.mark_line(color="#d62728", interpolate="step-after").encode(
        x=x,
        y=alt.Y("recalibrated:Q", title="conditional event probability (CORP)"),
        tooltip=["forecast:Q", "recalibrated:Q", "low:Q", "high:Q", "n:Q"],
    )
    n = rows[0]["n"] if rows else 0
    return (band + diagonal + curve).properties(
        width=WIDTH,
        height=HEIGHT,
        title=f"CORP reliability with {level:.0%} consistency band (n={n})",
    )


def discrimination(data: ReportData) -> alt.Chart:
    """Forecasts of what happened and of what did not, on 10-point bins (all pooled)."""
    rows = [
        r | {"bin": f"{r['lower_pct']}-{r['upper_pct']}%"}
        for r in data.discrimination
        if r["forecaster"] == "all"
    ]
    order = list(dict.fromkeys(r["bin"] for r in rows))
    summary = next((r for r in data.discrimination_summary if r["forecaster"] == "all"), {})
    auc = summary.get("auc")
    shown = f", AUC {auc:.2f}" if isinstance(auc, float) and auc == auc else ""
    return (
        alt.Chart(_data(rows))
        .mark_bar(opacity=0.7)
        .encode(
            x=alt.X("bin:N", sort=order, title="forecast"),
            xOffset="outcome:N",
            y=alt.Y("count:Q", title="forecasts"),
            color=alt.Color("outcome:N", title="outcome"),
            tooltip=["lower_pct:Q", "upper_pct:Q", "outcome:N", "count:Q"],
        )
        .properties(
            width=WIDTH,
            height=200,
            title=f"Discrimination: forecasts by outcome (n={summary.get('n', 0)}{shown})",
        )
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
    if data.consistency:
        charts["consistency"] = consistency(data)
    if data.discrimination:
        charts["discrimination"] = discrimination(data)
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
