"""`kit check`, `kit predict`, `kit seal`."""

from __future__ import annotations

import click

from kit.cli.common import parse_pairs, project_of, show_skipped


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@click.option("--strict", is_flag=True, help="Fail on warnings too (e.g. unsealed forecasts).")
@click.pass_context
def check(ctx: click.Context, paths: tuple[str, ...], strict: bool) -> None:
    """Validate question sets and the seal ledger; list every problem as file:line:col.

    Also checks each set against its notebook, without running it: its parameters (names
    and types, as `kit run` does) and the results its rules read (a warning when no
    `record("name", ...)` in the notebook could record one).
    """
    from pathlib import Path

    from kit.predictions import check as check_project
    from kit.predictions.registry import DAMAGED
    from kit.project import Project
    from kit.runs.static import notebook_problems

    project = Project.find(paths[0]) if paths else project_of(ctx)
    result = check_project(project, [Path(p) for p in paths] or None)
    found = notebook_problems(result)
    if paths:
        wanted = {project.relative(Path(p)) for p in paths}
        found = [p for p in found if p.file in wanted]
    problems = sorted(set(result.problems) | set(found))
    for problem in problems:
        click.echo(str(problem), err=problem.severity == "error")
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    n_q = sum(len(s.questions) for s in result.sets)
    n_f = sum(len(q.forecasts) for _, q in result.questions())
    summary = f"{len(result.sets)} question sets, {n_q} questions, {n_f} forecasts: "
    summary += f"{errors} errors, {warnings} warnings"
    click.echo(summary, err=bool(errors))
    if any(p.code in DAMAGED for p in result.errors):
        ctx.exit(4)  # the ledger itself is damaged
    if errors or (strict and warnings):
        ctx.exit(1)


@click.command()
@click.argument("question_id")
@click.option("--by", required=True, help="Forecaster name.")
@click.option("--p", "p", type=float, help="Binary: probability of yes.")
@click.option("--probs", help="Categorical: option=prob,... (summing to 1).")
@click.option("--quantiles", help="Numeric: level=value,... e.g. 0.1=3,0.5=5,0.9=9.")
@click.option("--why", help="Your reasoning, kept with the forecast.")
@click.option("--seal/--no-seal", "do_seal", default=False, help="Seal right away.")
@click.pass_context
def predict(
    ctx: click.Context,
    question_id: str,
    by: str,
    p: float | None,
    probs: str | None,
    quantiles: str | None,
    why: str | None,
    do_seal: bool,
) -> None:
    """Add a forecast to QUESTION_ID's file (comments and layout kept)."""
    given = [n for n, v in (("--p", p), ("--probs", probs), ("--quantiles", quantiles)) if v]
    if p is not None and "--p" not in given:
        given.append("--p")
    if len(given) != 1:
        raise click.UsageError("give exactly one of --p, --probs, --quantiles")
    from kit.predictions.predict import add_forecast

    project = project_of(ctx)
    value = {}
    if p is not None:
        value["p"] = p
    if probs:
        value["probs"] = parse_pairs(probs, "--probs")
    if quantiles:
        value["quantiles"] = parse_pairs(quantiles, "--quantiles", float)
    added = add_forecast(project, question_id, by, why=why, **value)
    click.echo(
        f"{project.relative(added.path)}: {question_id}: added {by}'s forecast "
        f"{added.forecast.kind}={added.forecast.value} at {added.forecast.at.isoformat()}"
    )
    _warn_if_late(project, question_id)
    if do_seal:
        ctx.invoke(seal)


def _warn_if_late(project, question_id: str) -> None:
    """Say so when the new forecast is late: there is evidence on its question already."""
    from kit.workspace import Workspace

    why = Workspace.load(project, allow_errors=True).late_reason(question_id)
    if why:
        click.echo(
            f"warning: {question_id}: this forecast is late, since {why}: it is kept and "
            "shown, but not scored (`kit score --include-late` scores it)",
            err=True,
        )


@click.command()
@click.pass_context
def seal(ctx: click.Context) -> None:
    """Seal every forecast not yet sealed (fills in missing times first)."""
    from kit.predictions.seal import seal as seal_all

    project = project_of(ctx)
    report = seal_all(project)
    if report.torn_bytes:
        click.echo(
            f"repaired: moved a torn last ledger line ({report.torn_bytes} bytes) to "
            f"{project.relative(project.ledger_path)}.torn",
            err=True,
        )
    if report.timed:
        click.echo(f"filled in the time of {report.timed} forecasts")
    for ref in report.sealed:
        click.echo(f"sealed {ref.question.id} by {ref.forecast.by} at {ref.key[2]}")
    total = sum(1 for _ in report.predictions.forecasts())
    click.echo(f"{len(report.sealed)} newly sealed; {total} forecasts in all")
    for what in report.tampered:
        click.echo(f"not sealed, changed after its seal (tampered): {what}", err=True)
    if show_skipped(report.skipped) or report.tampered:
        ctx.exit(1)


COMMANDS = (check, predict, seal)
