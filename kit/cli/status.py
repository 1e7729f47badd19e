"""`kit status`: one table of where each question set stands."""

from __future__ import annotations

import click

from kit.cli.common import project_of


@click.command()
@click.pass_context
def status(ctx: click.Context) -> None:
    """Per question set: questions, forecasts, sealed."""
    from rich.console import Console
    from rich.table import Table

    from kit.predictions import load_predictions

    project = project_of(ctx)
    predictions = load_predictions(project.root, allow_errors=True)
    table = Table(title=f"kit status: {project.root}")
    for col in ("question set", "experiment", "questions", "forecasts", "sealed"):
        table.add_column(col, justify="left" if col in ("question set", "experiment") else "right")
    refs = list(predictions.forecasts())
    for s in predictions.sets:
        mine = [r for r in refs if r.set is s]
        table.add_row(
            s.name,
            s.experiment,
            str(len(s.questions)),
            str(len(mine)),
            str(sum(r.sealed for r in mine)),
        )
    Console().print(table)
    if predictions.errors:
        click.echo(f"{len(predictions.errors)} problems: run `kit check`", err=True)


COMMANDS = (status,)
