"""`kit score`: scores of the latest forecasts on resolved questions, by forecaster/tag/set."""

from __future__ import annotations

import math

import click

from kit.cli.common import console, outcome_options, project_of, witnessed_option

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
    as_json: bool,
    exclude_deviations: bool,
    witnessed: bool,
) -> None:
    """Score each forecaster's latest forecast on every resolved question.

    Outcomes come from `kit resolve` (predictions/_resolutions.yaml) unless --outcomes.
    Forecasts sealed after their question's evidence are late: listed, not scored.
    Outcomes of questions whose plan changed are withheld; questions amended after
    evidence existed (post-hoc deviations) are marked.
    """
    from kit import jsonout
    from kit.workspace import Workspace

    ws = Workspace.load(project_of(ctx), outcomes_path=outcomes_path, witnessed=witnessed)
    table = ws.scores(include_late=include_late, exclude_deviations=exclude_deviations)
    posthoc = {q.id: ws.posthoc(q.id) for _, q in ws.questions()}
    posthoc = {qid: found for qid, found in posthoc.items() if found}
    groups = table.breakdown(by)
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
                    "community": pooled,
                    "notes": NOTES,
                }
            )
        )
        return
    _notes(ws, table, posthoc, exclude_deviations)
    if not table.records:
        click.echo(
            f"nothing to score: {len(table.unresolved)} questions unresolved, "
            f"{len(table.not_scored)} ambiguous or annulled"
        )
        return
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
