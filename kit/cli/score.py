"""`kit score`: scores of the latest forecasts on resolved questions, by forecaster/tag/set."""

from __future__ import annotations

import math

import click

from kit.cli.common import console, outcome_options, project_of, show_skipped

NOTES = {
    "brier": "binary questions: one-sided Brier (p - y)^2 in [0, 1]",
    "brier_multi": "categorical questions: multiclass Brier in [0, 2]",
    "log": "-ln P(outcome), lower is better; certain wrong forecasts are infinite and counted "
    "in infinite_log, left out of the mean",
    "baseline": "Metaculus baseline score, higher is better",
    "crps": "numeric: CRPS from quantiles (step quantile function), lower is better",
    "wis": "numeric: weighted interval score = 2 x mean pinball loss, lower is better",
}


def _fmt(value) -> str:
    if value is None:
        return "-"
    return "inf" if value == math.inf else f"{value:.3f}"


@click.command()
@outcome_options
@click.option(
    "--by",
    "by",
    type=click.Choice(["forecaster", "tag", "set", "month"]),
    default="forecaster",
    show_default=True,
)
@click.option("--json", "as_json", is_flag=True, help="JSON for scripts (shape in README).")
@click.pass_context
def score(
    ctx: click.Context, outcomes_path: str | None, include_late: bool, by: str, as_json: bool
) -> None:
    """Score each forecaster's latest forecast on every resolved question.

    Outcomes come from `kit resolve` (predictions/_resolutions.yaml) unless --outcomes.
    Forecasts sealed after their question's evidence are late: listed, not scored.
    """
    from kit import jsonout
    from kit.workspace import Workspace

    ws = Workspace.load(project_of(ctx), outcomes_path=outcomes_path)
    table = ws.scores(include_late=include_late)
    groups = table.breakdown(by)
    n_skipped = show_skipped(ws.skipped)
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
                    "skipped": [
                        {"file": k.file, "question": k.question, "why": k.why} for k in ws.skipped
                    ],
                    "community": pooled,
                    "notes": NOTES,
                }
            )
        )
        ctx.exit(1 if n_skipped else 0)
    if not table.records:
        click.echo(
            f"nothing to score: {len(table.unresolved)} questions unresolved, "
            f"{len(table.not_scored)} ambiguous or annulled"
        )
        _late(table)
        ctx.exit(1 if n_skipped else 0)
    from rich.table import Table

    t = Table(title=f"scores by {by} (latest forecast per question and forecaster)")
    cols = [by, "forecasts", "brier (one-sided)", "log", "inf log", "baseline", "crps", "wis"]
    for c in cols:
        t.add_column(c, justify="left" if c == by else "right", no_wrap=c == by)
    for row in groups:
        t.add_row(
            str(row[by]),
            str(row["forecasts"]),
            _fmt(row["brier"]),
            _fmt(row["log"]),
            str(row["infinite_log"]),
            _fmt(row["baseline"]),
            _fmt(row["crps"]),
            _fmt(row["wis"]),
        )
    console().print(t)
    click.echo(
        f"{len(table.records)} forecasts scored; {len(table.unresolved)} questions "
        f"unresolved (skipped), {len(table.not_scored)} ambiguous or annulled"
    )
    _late(table)
    if n_skipped:
        ctx.exit(1)


def _late(table) -> None:
    """Say which forecasts were left out as late, even when nothing else scores."""
    if table.late:
        click.echo(
            f"{len(table.late)} late forecasts (sealed after the evidence) not scored: "
            + ", ".join(f"{r.by} on {r.question}" for r in table.late)
            + " (--include-late scores them)"
        )


COMMANDS = (score,)
