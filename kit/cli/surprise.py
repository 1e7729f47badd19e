"""`kit surprise`: what each study taught the people who predicted it."""

from __future__ import annotations

import click

from kit.cli.common import console, project_of


def _short(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_short(v)}" for k, v in value.items())
    return str(value)


@click.command()
@click.argument("experiment", required=False)
@click.option(
    "--outcomes",
    "outcomes_path",
    default=None,
    type=click.Path(exists=True, dir_okay=False),
    help="YAML: question id -> outcome, instead of predictions/_resolutions.yaml.",
)
@click.option("--csv", "as_csv", is_flag=True, help="CSV: one row per question.")
@click.option("--json", "as_json", is_flag=True, help="JSON for scripts.")
@click.pass_context
def surprise(ctx, experiment, outcomes_path, as_csv, as_json):
    """Each resolved question against the community forecast before the evidence, most
    surprising first, per experiment (or only EXPERIMENT's).

    Surprise is -ln P(outcome) in nats under the pooled on-time forecasts (0.69: a coin
    flip); for numeric questions, the two-sided tail surprisal of the outcome's PIT.
    """
    from kit import csvout, jsonout
    from kit.errors import UsageError
    from kit.workspace import Workspace

    if as_csv and as_json:
        raise UsageError("--csv and --json: choose one")
    ws = Workspace.load(project_of(ctx), outcomes_path=outcomes_path)
    rows = [r for r in ws.surprises() if experiment in (None, r["experiment"])]
    if as_json:
        click.echo(jsonout.dumps(rows))
        return
    if as_csv:
        click.echo(csvout.dumps(rows, csvout.columns_of(rows, ["experiment"])), nl=False)
        return
    if not rows:
        click.echo("no resolved questions" + (f" of {experiment}" if experiment else ""))
        return
    from rich.table import Table

    for name in dict.fromkeys(r["experiment"] for r in rows):
        t = Table(title=f"{name}: most surprising first (nats; community before the evidence)")
        for c in ("question", "outcome", "community", "forecasters", "P(outcome)", "PIT"):
            t.add_column(c, justify="left" if c in ("question", "community") else "right")
        t.add_column("surprise", justify="right")
        for r in rows:
            if r["experiment"] == name:
                t.add_row(
                    r["question"],
                    _short(r["outcome"]),
                    _short(r["community"]),
                    str(r["forecasters"]),
                    _short(r["p_outcome"]),
                    _short(r["pit"]),
                    _short(r["surprise"]),
                )
        console().print(t)


COMMANDS = (surprise,)
