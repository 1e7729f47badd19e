"""The self-contained HTML page: vega, vega-lite and vega-embed inlined (from vl-convert),
so the file opens with no network; tables are plain HTML."""

from __future__ import annotations

import html
import json
import math
import os
from pathlib import Path
from typing import Any

from kit.report.data import ReportData

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1200px; color: #222; }
h1 { margin-bottom: 0.2em; } h2 { margin-top: 1.6em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.9em; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: right; }
th { background: #f4f4f4; } td.l, th.l { text-align: left; }
.note { color: #555; font-size: 0.9em; max-width: 60em; }
.message { background: #fff6d6; border: 1px solid #e8d48a; padding: 0.8em; }
.charts { display: flex; flex-wrap: wrap; gap: 24px; }
"""

NOTES = (
    "Brier: one-sided (p − y)², 0..1, binary questions; categorical questions have the "
    "multiclass Brier (0..2) in brier_multi. Log: −ln P(outcome), lower is better; forecasts "
    "of exactly 0 or 1 that were wrong score +∞, are counted in inf_log and left out of means. "
    "Baseline: Metaculus baseline score, higher is better. CRPS is computed from the "
    "quantiles as a step quantile function; WIS = 2 × mean pinball loss. Each forecaster's "
    "latest forecast per question counts; late forecasts (sealed after the run that resolved "
    "the question started) are listed apart and not scored."
)


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return "∞" if value == math.inf else f"{value:.3f}"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_fmt(v)}" for k, v in value.items())
    return str(value)


def table(rows: list[dict], columns: list[str], left: tuple[str, ...] = ()) -> str:
    """An HTML table of `columns` of `rows` (values escaped)."""
    if not rows:
        return "<p class='note'>(none)</p>"
    head = "".join(f"<th class='{'l' if c in left else ''}'>{html.escape(c)}</th>" for c in columns)
    body = []
    for row in rows:
        cells = []
        for c in columns:
            value = row.get(c)
            text = value if isinstance(value, _Raw) else html.escape(_fmt(value))
            cells.append(f"<td class='{'l' if c in left else ''}'>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


class _Raw(str):
    """Already-escaped HTML for a table cell."""


def _question_rows(data: ReportData, root: Path, out_dir: Path) -> list[dict]:
    rows = []
    for q in data.questions:
        row = dict(q)
        if q["notebook"]:
            target = os.path.relpath(root / q["notebook"], out_dir)
            row["evidence"] = _Raw(
                f"<a href='{html.escape(target)}'>{html.escape(q['run'] or q['notebook'])}</a>"
            )
        else:
            row["evidence"] = "manual" if q["how"] == "manual" else None
        c = q["community"] or {}
        row["community"] = c.get("p", c.get("probs", c.get("quantiles")))
        rows.append(row)
    return rows


def interval_rows(rows: list[dict], by: str) -> list[dict]:
    """Long form of a breakdown with intervals: one row per group and score."""
    from kit.assess.table import metrics

    out = []
    for row in rows:
        for metric in metrics():
            if row.get(metric) is None:
                continue
            out.append(
                {
                    by: row[by],
                    "score": metric,
                    "mean": row[metric],
                    "low": row.get(f"{metric}_low"),
                    "high": row.get(f"{metric}_high"),
                    "questions": row.get(f"{metric}_questions"),
                    "forecasts": row.get(f"n_{metric}"),
                }
            )
    return out


def _uncertainty_sections(data: ReportData) -> list[str]:
    u = data.uncertainty
    level = f"{u.get('level', 0.9):.0%}"
    return [
        "<h2>How sure are these scores?</h2>",
        f"<p class='note'>Each mean score with its {level} percentile bootstrap interval: "
        f"the questions resampled {u.get('resamples')} times (seed {u.get('seed')}), the "
        "forecasts of one question kept together; `questions` is how many questions it "
        "rests on, `forecasts` how many forecasts.</p>",
        table(
            interval_rows(data.leaderboard, "forecaster"),
            ["forecaster", "score", "mean", "low", "high", "questions", "forecasts"],
            left=("forecaster", "score"),
        ),
        "<h3>Every two forecasters, on the questions both answered</h3>",
        f"<p class='note'>difference = mean of (a − b) over their shared questions (lower "
        f"scores are better, so a negative difference favours a), with its {level} bootstrap "
        "interval; p: two-sided sign-flip permutation test of no difference "
        f"({u.get('permutations')} permutations, exact for few questions), p_holm adjusted "
        "for the comparisons of one score (Holm); ratio = Σa / Σb.</p>",
        table(
            data.pairwise,
            ["metric", "a", "b", "questions", "difference", "low", "high", "p_value", "p_holm"]
            + ["ratio"],
            left=("metric", "a", "b"),
        ),
        "<p class='note'>Relative skill: the geometric mean of a forecaster's mean score "
        "ratios against every forecaster, itself included (as scoringutils defines it); "
        "below 1 is better than the field.</p>",
        table(
            data.relative_skill,
            ["metric", "forecaster", "relative_skill", "compared_with", "questions"],
            left=("metric", "forecaster"),
        ),
        "<h3>Calibration tests</h3>",
        "<p class='note'>Spiegelhalter's z (binary forecasts and categorical options "
        "one-vs-rest, treated as independent): about N(0, 1) for a calibrated forecaster; "
        "positive when outcomes are further from the forecasts than calibration allows. "
        "The CORP chart shows where a calibrated forecaster's curve would lie.</p>",
        table(data.calibration_tests, ["forecaster", "z", "p_value", "n"], left=("forecaster",)),
        "<h3>Discrimination</h3>",
        "<p class='note'>Mean forecast for what happened and for what did not, and the AUC "
        "(0.5: no discrimination, 1: every event forecast above every non-event).</p>",
        table(
            data.discrimination_summary,
            ["forecaster", "n", "happened", "mean_if_happened", "mean_if_not", "auc"],
            left=("forecaster",),
        ),
    ]


def _surprise_section(data: ReportData) -> list[str]:
    parts = [
        "<h2>What the studies taught: surprise</h2>",
        "<p class='note'>Each resolved question against the community forecast before the "
        "evidence (on-time forecasts pooled), most surprising first: −ln P(outcome) in nats "
        "(0.69 = a coin flip's surprise); for numeric questions the outcome's PIT under the "
        "pooled quantiles and its two-sided tail surprisal −ln(2·min(PIT, 1 − PIT)).</p>",
    ]
    for experiment in dict.fromkeys(r["experiment"] for r in data.surprise):
        parts += [
            f"<h3>{html.escape(str(experiment))}</h3>",
            table(
                [r for r in data.surprise if r["experiment"] == experiment],
                ["question", "type", "outcome", "community", "forecasters", "p_outcome"]
                + ["pit", "surprise"],
                left=("question", "type", "community"),
            ),
        ]
    return parts if data.surprise else []


def render(
    data: ReportData, specs: dict[str, dict], root: Path, out_dir: Path, generated: str
) -> str:
    """The report page; `specs` are the vega-lite specs of the charts, by name."""
    import vl_convert
    from altair.utils._importers import vl_version_for_vl_convert

    bundle = vl_convert.javascript_bundle(vl_version=vl_version_for_vl_convert())
    t = data.table
    parts = [
        f"<h1>{html.escape(data.title)}</h1>",
        f"<p class='note'>Generated {html.escape(generated)}. {len(t.records)} forecasts "
        f"scored; {len(t.unresolved)} questions unresolved (skipped); {len(t.not_scored)} "
        f"ambiguous or annulled; {len(t.late)} late forecasts not scored.</p>",
    ]
    parts += [f"<p class='message'>{html.escape(m)}</p>" for m in data.messages]
    if specs:
        parts.append("<h2>Charts</h2><div class='charts'>")
        parts += [f"<div class='chart' id='chart-{name}'></div>" for name in specs]
        parts.append("</div>")
    metrics = [
        "forecasts",
        "brier",
        "n_brier",
        "brier_multi",
        "log",
        "infinite_log",
        "baseline",
        "rps",
        "crps",
        "wis",
    ]
    parts += [
        "<h2>Leaderboard</h2>",
        table(data.leaderboard, ["forecaster", *metrics], left=("forecaster",)),
        f"<p class='note'>{html.escape(NOTES)}</p>",
        "<h2>Calibration</h2>",
        "<p class='note'>Reliability bins on integer percent (10-point bins, 90 % Wilson "
        "intervals). CORP: Brier = MCB − DSC + UNC exactly (isotonic recalibration). Murphy: "
        "Brier = REL − RES + UNC + WBV − 2·WBC (binned, with within-bin terms). ECE over the "
        "same 10-point bins.</p>",
        table(
            data.reliability,
            ["lower_pct", "upper_pct", "count", "mean_forecast", "observed", "ci_low", "ci_high"],
        ),
        table(
            data.decomposition,
            [
                "forecaster",
                "n",
                "brier",
                "corp_mcb",
                "corp_dsc",
                "corp_unc",
                "murphy_rel",
                "murphy_res",
                "murphy_wbv",
                "murphy_wbc",
                "ece",
            ],
            left=("forecaster",),
        ),
        *_uncertainty_sections(data),
        "<h2>By tag, set and month</h2>",
        table(data.by_tag, ["tag", *metrics], left=("tag",)),
        table(data.by_set, ["set", *metrics], left=("set",)),
        table(data.by_month, ["month", *metrics], left=("month",)),
        "<h2>Markets</h2>",
        table(
            [
                m
                | {
                    "final price": dict(zip(m["options"], m["price"], strict=True)),
                    "trades": len(m["history"]),
                }
                for m in data.markets
            ],
            [
                "question",
                "b",
                "trades",
                "final price",
                "outcome",
                "profits",
                "maker_loss",
                "worst_case_loss",
            ],
            left=("question", "final price", "profits"),
        ),
        "<h2>Questions</h2>",
        table(
            _question_rows(data, root, out_dir),
            [
                "question",
                "set",
                "type",
                "outcome",
                "how",
                "evidence",
                "forecasts",
                "late",
                "community",
            ],
            left=("question", "set", "type", "evidence", "community"),
        ),
        *_surprise_section(data),
        "<h2>Late forecasts (not scored)</h2>",
        table(
            [r.as_dict() for r in t.late],
            ["question", "by", "at", "outcome"],
            left=("question", "by", "at"),
        ),
    ]
    embeds = json.dumps(specs)
    script = f"""
const specs = {embeds};
Promise.all(Object.entries(specs).map(([name, spec]) =>
  vegaEmbed('#chart-' + name, spec, {{actions: false, renderer: 'svg'}})))
  .then(() => {{ document.body.dataset.chartsDrawn = Object.keys(specs).length; }})
  .catch(err => {{ document.body.dataset.chartsError = String(err); console.error(err); }});
"""
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(data.title)}</title><style>{STYLE}</style>"
        f"<script>{bundle}</script></head><body>"
        + "\n".join(parts)
        + f"<script>{script}</script></body></html>"
    )
