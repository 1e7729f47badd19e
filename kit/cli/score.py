"""`kit score`: scores of the latest forecasts on resolved questions, with their uncertainty."""

from __future__ import annotations

import math

import click

from kit.cli.common import console, outcome_options, project_of, show_skipped, witnessed_option

NOTES = {
    "brier": "binary questions: one-sided Brier (p - y)^2 in [0, 1]",
    "brier_multi": "categorical questions: multiclass Brier in [0, 2]",
    "log": "-ln P(outcome), lower is better; certain wrong forecasts are infinite and counted "
    "in infinite_log, left out of the mean",
    "baseline": "Metaculus baseline score, higher is better",
    "crps": "numeric: CRPS from quantiles (step quantile function), lower is better",
    "wis": "numeric: weighted interval score = 2 x mean pinball loss, lower is better",
    "intervals": "METRIC_low, METRIC_high: percentile bootstrap interval of the mean, "
    "resampling the questions (METRIC_questions of them; n_METRIC forecasts)",
    "pairwise": "per score, every two forecasters on the questions both answered: "
    "difference = mean(a - b) with its interval, p_value of a sign-flip permutation test "
    "(p_holm: Holm-adjusted), ratio = sum(a) / sum(b)",
    "relative_skill": "geometric mean of a forecaster's mean score ratios against every "
    "forecaster (scoringutils); below 1 is better than the field",
    "calibration": "Spiegelhalter's z: 0 when calibrated; p_value two-sided",
}
SHOWN = ("brier", "brier_multi", "log", "baseline", "rps", "crps", "wis")


def _fmt(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    return "inf" if value == math.inf else f"{value:.3f}"


def _p(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:.2g}" if value >= 0.001 else "<0.001"


@click.command()
@outcome_options
@click.option(
    "--by",
    "by",
    type=click.Choice(["forecaster", "tag", "set", "month"]),
    default="forecaster",
    show_default=True,
)
@click.option("--pairwise", is_flag=True, help="Compare every two forecasters.")
@click.option(
    "--level",
    type=click.FloatRange(0.5, 0.999),
    default=0.9,
    show_default=True,
    help="Level of every interval.",
)
@click.option(
    "--resamples",
    type=click.IntRange(100, 100_000),
    default=1000,
    show_default=True,
    help="Bootstrap resamples.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the resampling.")
@click.option("--csv", "as_csv", is_flag=True, help="CSV: the table (or --pairwise's).")
@click.option("--json", "as_json", is_flag=True, help="JSON for scripts (shape in README).")
@click.option(
    "--exclude-deviations",
    is_flag=True,
    help="Leave out questions whose plan was amended after evidence existed.",
)
@witnessed_option
@click.pass_context
def score(
    ctx: click.Context,
    outcomes_path: str | None,
    include_late: bool,
    by: str,
    pairwise: bool,
    level: float,
    resamples: int,
    seed: int,
    as_csv: bool,
    as_json: bool,
    exclude_deviations: bool,
    witnessed: bool,
) -> None:
    """Score each forecaster's latest forecast on every resolved question.

    Every mean score comes with a bootstrap interval over the questions and the number of
    questions behind it; --pairwise compares every two forecasters on the questions both
    answered. Outcomes come from `kit resolve` (predictions/_resolutions.yaml) unless
    --outcomes. Forecasts sealed after their question's evidence are late: listed, not
    scored. Outcomes of questions whose plan changed are withheld; questions amended after
    evidence existed (post-hoc deviations) are marked.
    """
    from kit import csvout, jsonout
    from kit.assess import calibration, uncertainty
    from kit.errors import UsageError
    from kit.workspace import Workspace

    if as_csv and as_json:
        raise UsageError("--csv and --json: choose one")
    settings = uncertainty.Settings(level=level, resamples=resamples, seed=seed)
    ws = Workspace.load(project_of(ctx), outcomes_path=outcomes_path, witnessed=witnessed)
    table = ws.scores(include_late=include_late, exclude_deviations=exclude_deviations)
    posthoc = {q.id: ws.posthoc(q.id) for _, q in ws.questions()}
    posthoc = {qid: found for qid, found in posthoc.items() if found}
    n_skipped = show_skipped(ws.skipped)
    groups = uncertainty.add_intervals(table.breakdown(by), table, by, settings)
    compared = uncertainty.pairwise(table, settings=settings) if pairwise or as_json else None
    if as_csv:
        if pairwise:
            columns = csvout.columns_of(compared.rows, ["metric", "a", "b"])
            click.echo(csvout.dumps(compared.rows, columns), nl=False)
        else:
            click.echo(csvout.dumps(groups, uncertainty.group_columns(by)), nl=False)
        ctx.exit(1 if n_skipped else 0)
    pairs = ws.calibration_pairs(table)
    tests = calibration.spiegelhalter_rows(pairs)
    if as_json:
        pooled = {q.id: ws.community(q.id) for _, q in ws.questions()}
        click.echo(
            jsonout.dumps(
                {
                    "by": by,
                    "groups": groups,
                    "records": [r.as_dict() for r in table.records],
                    "unresolved": table.unresolved,
                    "not_scored": table.not_scored,
                    "late": [r.as_dict() for r in table.late],
                    "unrevealed": table.unrevealed,
                    "withheld": ws.withheld,
                    "deviations": {
                        qid: [{"at": a.sealed_at, "why": a.why} for a in found]
                        for qid, found in posthoc.items()
                    },
                    "excluded": table.excluded,
                    "skipped": [
                        {"file": k.file, "question": k.question, "why": k.why} for k in ws.skipped
                    ],
                    "community": pooled,
                    "pairwise": compared.rows,
                    "relative_skill": compared.skill,
                    "calibration": tests,
                    "discrimination": calibration.discrimination_rows(pairs)[1],
                    "uncertainty": {
                        "level": level,
                        "resamples": resamples,
                        "permutations": settings.permutations,
                        "seed": seed,
                    },
                    "notes": NOTES,
                }
            )
        )
        ctx.exit(1 if n_skipped else 0)
    _notes(ws, table, posthoc, exclude_deviations)
    if not table.records:
        click.echo(
            f"nothing to score: {len(table.unresolved)} questions unresolved, "
            f"{len(table.not_scored)} ambiguous or annulled"
        )
        _late(table)
        ctx.exit(1 if n_skipped else 0)
    _print_scores(groups, by, level)
    if tests:
        _print_calibration(tests)
    if pairwise:
        _print_pairwise(compared, level)
    click.echo(
        f"{len(table.records)} forecasts scored; {len(table.unresolved)} questions "
        f"unresolved (skipped), {len(table.not_scored)} ambiguous or annulled"
    )
    infinite = [f"{r[by]} ({r['infinite_log']})" for r in groups if r["infinite_log"]]
    if infinite:
        click.echo(
            "infinite log scores (certain and wrong), left out of log means: " + ", ".join(infinite)
        )
    _late(table)
    if n_skipped:
        ctx.exit(1)


def _print_scores(groups: list[dict], by: str, level: float) -> None:
    from rich.table import Table

    t = Table(title=f"scores by {by} (latest forecast per question and forecaster)")
    for c in (by, "score", "mean", f"{level:.0%} interval", "questions", "forecasts"):
        t.add_column(c, justify="left" if c in (by, "score") else "right", no_wrap=c == by)
    for row in groups:
        first = True
        for metric in SHOWN:
            if row.get(metric) is None:
                continue
            low, high = row.get(f"{metric}_low"), row.get(f"{metric}_high")
            interval = f"{_fmt(low)} to {_fmt(high)}" if low is not None else "-"
            t.add_row(
                str(row[by]) if first else "",
                "brier (one-sided)" if metric == "brier" else metric,
                _fmt(row[metric]),
                interval,
                str(row.get(f"{metric}_questions", "-")),
                str(row[f"n_{metric}"]),
            )
            first = False
    console().print(t)


def _print_calibration(tests: list[dict]) -> None:
    from rich.table import Table

    t = Table(title="calibration: Spiegelhalter's z (binary; categorical one-vs-rest)")
    for c in ("forecaster", "z", "p-value", "forecasts"):
        t.add_column(c, justify="left" if c == "forecaster" else "right")
    for row in tests:
        t.add_row(row["forecaster"], _fmt(row["z"]), _p(row["p_value"]), str(row["n"]))
    console().print(t)


def _print_pairwise(compared, level: float) -> None:
    from rich.table import Table

    if not compared.rows:
        click.echo("pairwise: fewer than two forecasters share a scored question")
        return
    t = Table(title="pairwise, on the questions both answered (difference = a - b; lower wins)")
    columns = ("score", "a", "b", "questions", "difference", f"{level:.0%} interval")
    for c in (*columns, "p", "p (Holm)", "ratio a/b"):
        t.add_column(c, justify="left" if c in ("score", "a", "b") else "right")
    for r in compared.rows:
        t.add_row(
            r["metric"],
            r["a"],
            r["b"],
            str(r["questions"]),
            _fmt(r["difference"]),
            f"{_fmt(r['low'])} to {_fmt(r['high'])}",
            _p(r["p_value"]),
            _p(r["p_holm"]),
            _fmt(r["ratio"]),
        )
    console().print(t)
    s = Table(title="relative skill (geometric mean of mean score ratios; below 1 is better)")
    for c in ("score", "forecaster", "relative skill", "compared with", "questions"):
        s.add_column(c, justify="left" if c in ("score", "forecaster") else "right")
    for r in compared.skill:
        s.add_row(
            r["metric"],
            r["forecaster"],
            _fmt(r["relative_skill"]),
            str(r["compared_with"]),
            str(r["questions"]),
        )
    console().print(s)


def _late(table) -> None:
    """Say which forecasts were left out as late, even when nothing else scores."""
    if table.late:
        click.echo(
            f"{len(table.late)} late forecasts (sealed after the evidence) not scored: "
            + ", ".join(f"{r.by} on {r.question}" for r in table.late)
            + " (--include-late scores them)"
        )


def _notes(ws, table, posthoc: dict, excluded: bool) -> None:
    """What is held back or marked, said before the table."""
    for qid, why in ws.withheld.items():
        click.echo(f"kit: {qid}: outcome withheld: {why}", err=True)
    if posthoc and not excluded:
        click.echo(
            f"{len(posthoc)} questions have post-hoc plan deviations (amended after evidence "
            f"existed; see the report): {', '.join(sorted(posthoc))} "
            "(--exclude-deviations leaves them out)"
        )
    if table.excluded:
        click.echo(f"left out as post-hoc deviations: {', '.join(table.excluded)}")
    if table.unrevealed:
        click.echo(
            f"{len(table.unrevealed)} blind forecasts not revealed, counted not scored: "
            + ", ".join(table.unrevealed)
            + " (kit reveal)"
        )


COMMANDS = (score,)
