"""`kit check`, `kit predict`, `kit seal`."""

from __future__ import annotations

import click

from kit.cli.common import parse_pairs, project_of, show_skipped


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@click.option("--strict", is_flag=True, help="Fail on warnings too (e.g. unsealed forecasts).")
@click.option(
    "--history",
    is_flag=True,
    help="Also check the ledger against git: append-only across commits, witnessed times.",
)
@click.option(
    "--tolerance",
    type=click.FloatRange(min=0),
    default=24.0,
    show_default=True,
    help="With --history: hours a seal may wait for its first commit before it is flagged.",
)
@click.pass_context
def check(
    ctx: click.Context, paths: tuple[str, ...], strict: bool, history: bool, tolerance: float
) -> None:
    """Validate question sets, plans, the seal ledger and the resolutions; list every
    problem as file:line:col.

    Also checks each set against its notebook, without running it: its parameters (names
    and types, as `kit run` does) and the results its rules read (a warning when no
    `record("name", ...)` in the notebook could record one).
    """
    from pathlib import Path

    from kit.predictions import check as check_project
    from kit.predictions.registry import DAMAGED
    from kit.project import Project
    from kit.runs.static import notebook_problems
    from kit.runs.verify import resolution_problems

    project = Project.find(paths[0]) if paths else project_of(ctx)
    result = check_project(project, [Path(p) for p in paths] or None)
    problems = list(result.problems)
    found = notebook_problems(result)
    if paths:
        wanted = {project.relative(Path(p)) for p in paths}
        found = [p for p in found if p.file in wanted]
    problems += found
    if not paths:
        problems += resolution_problems(result)
    if history:
        from datetime import timedelta

        from kit.predictions.history import check_history

        witnessed = check_history(project, timedelta(hours=tolerance))
        for row in witnessed.lines:
            click.echo(row.describe())
        problems += witnessed.problems
    problems = sorted(set(problems))
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
@click.option("--seal/--no-seal", "do_seal", default=False, help="Seal this forecast right away.")
@click.option(
    "--blind",
    is_flag=True,
    help="Write only a commitment (sealed now); the value waits in .kit/private/ for kit reveal.",
)
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
    blind: bool,
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
    added = add_forecast(project, question_id, by, why=why, blind=blind, **value)
    f = added.forecast
    shown = "a blind commitment" if blind else f"{f.kind}={f.value}"
    click.echo(
        f"{project.relative(added.path)}: {question_id}: added {by}'s forecast "
        f"{shown} at {f.at.isoformat()}"
    )
    _warn_if_late(project, question_id)
    if do_seal or blind:
        from kit.predictions.ledger import key
        from kit.predictions.seal import seal as seal_some

        report = seal_some(project, keys={key(question_id, by, f.at)})
        _print_seal(project, report)
        if report.tampered or report.held:
            ctx.exit(1)
    if blind:
        from kit.predictions.blind import store_path

        click.echo(
            f"the value is in {project.relative(store_path(project, by))} (private, not "
            f"committed): `kit reveal --by {by} {question_id}` writes it in"
        )


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
@click.option("--by", default=None, help="Seal only this forecaster's forecasts.")
@click.option("--tag", "tag", is_flag=True, help="Record the ledger's head in a git tag.")
@click.option(
    "--amend",
    "amend_why",
    default=None,
    metavar="WHY",
    help="First record every plan that changed or was never sealed as an amendment with "
    "this reason (kit amend).",
)
@click.pass_context
def seal(ctx: click.Context, by: str | None, tag: bool, amend_why: str | None) -> None:
    """Seal forecasts not yet sealed (fills in missing times first) and their questions'
    plans; a question whose plan changed since it was sealed waits for `kit amend`."""
    from kit.predictions.seal import seal as seal_all

    project = project_of(ctx)
    if amend_why is not None:
        _amend_changed(ctx, amend_why)
    report = seal_all(project, by=by)
    _print_seal(project, report)
    if tag:
        _tag(project)
    if report.tampered or report.held or report.skipped:
        ctx.exit(1)


def _print_seal(project, report) -> None:
    if report.torn_bytes:
        click.echo(
            f"repaired: moved a torn last ledger line ({report.torn_bytes} bytes) to "
            f"{project.relative(project.ledger_path)}.torn",
            err=True,
        )
    if report.timed:
        click.echo(f"filled in the time of {report.timed} forecasts")
    for qid in report.plans:
        click.echo(f"sealed the plan of {qid}")
    for ref in report.sealed:
        click.echo(f"sealed {ref.question.id} by {ref.forecast.by} at {ref.key[2]}")
    total = sum(1 for _ in report.predictions.forecasts())
    click.echo(f"{len(report.sealed)} newly sealed; {total} forecasts in all")
    for what in report.tampered:
        click.echo(f"not sealed, changed after its seal (tampered): {what}", err=True)
    for what in report.held:
        click.echo(f"not sealed, its question's plan changed: {what}", err=True)
    for why in report.deviations:
        click.echo(f"kit: {why}", err=True)
    show_skipped(report.skipped)


def _tag(project) -> None:
    from kit.predictions.history import tag_head

    made = tag_head(project)
    click.echo(f"tagged the ledger's head: {made.name} ({made.head}); push it: git push origin tag")


def _amend_changed(ctx: click.Context, why: str) -> None:
    from kit.predictions import check as check_project

    project = project_of(ctx)
    plans = check_project(project).plans
    changed = [qid for qid, st in plans.items() if st.deviation or not st.sealed]
    if changed:
        ctx.invoke(amend, question_ids=tuple(changed), why=why)


@click.command()
@click.argument("question_ids", nargs=-1, required=True)
@click.option("--why", default=None, help="The reason (required): kept in the ledger and report.")
@click.pass_context
def amend(ctx: click.Context, question_ids: tuple[str, ...], why: str | None) -> None:
    """Seal the current plan of each QUESTION_ID as a new version, with the reason.

    Made before any evidence for the question existed, it is a clean amendment; after,
    a post-hoc deviation: the question still resolves, and status, score and the report
    mark it. A question whose plan was never sealed gets its first version this way.
    """
    from kit.predictions.amend import amend as amend_plans
    from kit.workspace import Workspace

    project = project_of(ctx)
    report = amend_plans(project, list(question_ids), why or "", Workspace.evidence_for(project))
    for rec in report.amended:
        kind = "post-hoc deviation" if rec["posthoc"] else "clean amendment"
        seen = ""
        if rec["posthoc"]:
            seen = f" (evidence: {rec['evidence_run']} at {rec['evidence_at']})"
        click.echo(f"amended the plan of {rec['question']}: {kind}{seen}")
        for change in report.changes.get(rec["question"], []):
            click.echo(f"  {change}")


@click.command()
@click.argument("question_ids", nargs=-1)
@click.option("--by", default=None, help="Reveal only this forecaster's blind forecasts.")
@click.option(
    "--store",
    "store_file",
    default=None,
    type=click.Path(dir_okay=False),
    help="A copy of a private store to read (default: .kit/private/NAME.jsonl).",
)
@click.pass_context
def reveal(
    ctx: click.Context, question_ids: tuple[str, ...], by: str | None, store_file: str | None
) -> None:
    """Write blind forecasts' values (from the private store) into the question sets.

    Every value is checked against its sealed commitment first; nothing is written if any
    chosen forecast cannot be revealed. Reveals held by `reveal_after:` wait.
    """
    from pathlib import Path

    from kit.predictions.reveal import reveal as reveal_forecasts

    project = project_of(ctx)
    report = reveal_forecasts(
        project,
        by=by,
        question_ids=question_ids,
        store_file=Path(store_file) if store_file else None,
    )
    for what in report.revealed:
        click.echo(f"revealed {what}")
    for what in report.held:
        click.echo(f"held: {what}", err=True)
    for name in report.no_store:
        click.echo(f"skipped {name}'s blind forecasts: no private store of theirs here", err=True)
    click.echo(f"{len(report.revealed)} revealed; {len(report.held)} held")


COMMANDS = (check, predict, seal, amend, reveal)
