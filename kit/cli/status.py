"""`kit status`: one table of where each question set stands."""

from __future__ import annotations

import click

from kit.cli.common import console, mark_orphans, project_of, show_skipped, witnessed_option

NUMBERS = ("questions", "forecasts", "sealed", "late", "resolved")


@click.command()
@witnessed_option
@click.pass_context
def status(ctx: click.Context, witnessed: bool) -> None:
    """Per question set: questions, forecasts, sealed, late, resolved, the runs that
    match its plan (the set's parameters, one per replicate: how many have a successful
    run, and the latest of them), plans (sealed, changed, amended post-hoc) and blind
    forecasts not yet revealed."""
    from rich.table import Table

    from kit.workspace import Workspace

    project = project_of(ctx)
    mark_orphans(project)
    ws = Workspace.load(project, allow_errors=True, witnessed=witnessed)
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
        "plans",
        "blind",
    )
    for col in columns:
        table.add_column(
            col,
            justify="left"
            if col in ("question set", "experiments", "run for its plan", "plans")
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
            str(sum(q.id in ws.outcomes for q in s.questions)),
            last_run,
            _plans(ws, s),
            str(sum(not r.forecast.revealed for r in mine)),
        )
    console().print(table)
    for qid, why in ws.withheld.items():
        click.echo(f"kit: {qid}: outcome withheld: {why}", err=True)
    for problem in ws.problems:  # after the table: reading the runs may add some
        click.echo(f"kit: {problem}", err=True)
    show_skipped(ws.skipped)
    if predictions.errors:
        click.echo(f"{len(predictions.errors)} problems: run `kit check`", err=True)


def _plans(ws, loaded) -> str:
    """`3 sealed`, with how many changed (not amended) and amended post-hoc."""
    statuses = [ws.plan(q.id) for q in loaded.questions]
    text = f"{sum(st.sealed for st in statuses)}/{len(statuses)} sealed"
    changed = sum(st.deviation for st in statuses)
    posthoc = sum(bool(ws.posthoc(q.id)) for q in loaded.questions)
    if changed:
        text += f", {changed} changed"
    if posthoc:
        text += f", {posthoc} post-hoc"
    return text


COMMANDS = (status,)
