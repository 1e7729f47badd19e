"""`kit status`: one table of where each question set stands."""

from __future__ import annotations

import click

from kit.cli.common import console, project_of


@click.command()
@click.pass_context
def status(ctx: click.Context) -> None:
    """Per question set: questions, forecasts, sealed, late, resolved, last run."""
    from rich.table import Table

    from kit.errors import KitError
    from kit.predictions import load_predictions
    from kit.runs import store
    from kit.runs.plan import question_experiment
    from kit.runs.resolutions import load_resolutions

    project = project_of(ctx)
    predictions = load_predictions(project.root, allow_errors=True)
    try:
        resolutions = load_resolutions(predictions)
    except KitError as e:
        click.echo(f"kit: cannot read resolutions: {e}", err=True)
        resolutions = {}
    runs = store.list_runs(project)
    table = Table(title=f"kit status: {project.root}")
    columns = (
        "question set",
        "experiments",
        "questions",
        "forecasts",
        "sealed",
        "late",
        "resolved",
        "last run",
    )
    for col in columns:
        table.add_column(
            col, justify="left" if col in ("question set", "experiments", "last run") else "right"
        )
    refs = list(predictions.forecasts())
    for s in predictions.sets:
        mine = [r for r in refs if r.set is s]
        experiments = sorted({question_experiment(s, q) for q in s.questions} or {s.experiment})
        last = [r for r in runs if r.get("experiment") in experiments]
        last_run = "-"
        if last:
            r = last[-1]
            last_run = f"{r['experiment']}: {r.get('status')} {str(r.get('started', ''))[:16]}"
        late = sum(
            r.late(res.evidence_at if (res := resolutions.get(r.question.id)) else None)
            for r in mine
        )
        table.add_row(
            s.name,
            ", ".join(experiments),
            str(len(s.questions)),
            str(len(mine)),
            str(sum(r.sealed for r in mine)),
            str(late),
            str(sum(q.id in resolutions for q in s.questions)),
            last_run,
        )
    console().print(table)
    if predictions.errors:
        click.echo(f"{len(predictions.errors)} problems: run `kit check`", err=True)


COMMANDS = (status,)
