"""`kit status`: one table of where each question set stands."""

from __future__ import annotations

import click

from kit.cli.common import console, project_of, show_skipped

NUMBERS = ("questions", "forecasts", "sealed", "late", "resolved")


@click.command()
@click.pass_context
def status(ctx: click.Context) -> None:
    """Per question set: questions, forecasts, sealed, late, resolved, and the runs that
    match its plan (the set's parameters, one per replicate): how many have a successful
    run, and the latest of them."""
    from rich.table import Table

    from kit.workspace import Workspace

    ws = Workspace.load(project_of(ctx), allow_errors=True)
    for problem in ws.problems:
        click.echo(f"kit: {problem}", err=True)
    project, predictions = ws.project, ws.predictions
    table = Table(title=f"kit status: {project.root}")
    columns = (
        "question set",
        "experiments",
        "questions",
        "forecasts",
        "sealed",
        "late",
        "resolved",
        "run for its plan",
    )
    for col in columns:
        table.add_column(
            col,
            justify="left"
            if col in ("question set", "experiments", "run for its plan")
            else "right",
        )
    refs = ws.forecasts()
    for s in predictions.sets:
        mine = [r for r in refs if r.set is s]
        named = {q.experiment or s.experiment for q in s.questions} | {s.experiment}
        experiments = sorted(e for e in named if e) or ["(none: manual)"]
        plan = ws.plan_runs(s)
        matching = [r for _, _, r in plan if r is not None]
        last_run = "-"
        if matching:
            r = max(matching, key=lambda r: r.started or "")
            last_run = f"{r.experiment}: {r.id} {(r.started or '')[:16]}"
        if len(plan) > 1:
            last_run = f"{len(matching)}/{len(plan)} runs; latest {last_run}"
        table.add_row(
            s.name,
            ", ".join(experiments),
            str(len(s.questions)),
            str(len(mine)),
            str(sum(r.sealed for r in mine)),
            str(sum(ws.late(r) for r in mine)),
            str(sum(q.id in ws.resolutions for q in s.questions)),
            last_run,
        )
    console().print(table)
    show_skipped(ws.skipped)
    if predictions.errors:
        click.echo(f"{len(predictions.errors)} problems: run `kit check`", err=True)


COMMANDS = (status,)
