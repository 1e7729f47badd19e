"""`kit run` and `kit resolve`: execute experiments, then settle questions from their runs."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from kit.cli.common import mark_orphans, project_of, show_skipped
from kit.errors import quote

if TYPE_CHECKING:
    from kit.runs.store import RunRecord


def _pairs(values: tuple[str, ...], option: str) -> list[tuple[str, str]]:
    out = []
    for text in values:
        name, sep, value = text.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{quote(text)} is not name=value", param_hint=option)
        out.append((name.strip(), value))
    return out


def _describe(record: RunRecord) -> str:
    """`failed in cell 3 (raise ValueError(...)): ValueError: boom`."""
    err = record.error
    if err is None:
        return record.status
    what = f"{err.ename}: {err.evalue}".strip(": ")
    return f"{record.status} in {err.where}: {what}"[:300]


@click.command("run")
@click.argument("target")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE")
@click.option("--grid", multiple=True, metavar="NAME=V1,V2", help="Sweep: one run per value.")
@click.option("--workers", type=click.IntRange(min=1), default=None, help="Default: cores.")
@click.option("--force", is_flag=True, help="Run again even if a cached run matches.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Seconds any one cell may run.",
)
@click.option("--cluster", default=None, metavar="ADDRESS", help="Dask scheduler address.")
@click.option("--allow-unsealed", is_flag=True, help="Run although forecasts are unsealed.")
@click.option("--json", "as_json", is_flag=True, help="Print the run records as JSON.")
@click.pass_context
def run(ctx, target, params, grid, workers, force, timeout, cluster, allow_unsealed, as_json):
    """Execute TARGET (an experiment, a predictions/*.yaml file, or `all`) with papermill.

    Each run goes to runs/<experiment>/<run-id>/ (notebook.ipynb and run.json).
    A run with the same notebook code and parameters as a successful one is reused.
    """
    import json

    from kit.errors import KitError, RunFailed
    from kit.predictions import load_predictions, skips
    from kit.predictions.registry import raise_for_damage
    from kit.runs.params import parse_value
    from kit.runs.plan import held_back, make_plan, select

    project = project_of(ctx)
    mark_orphans(project)
    predictions = load_predictions(project.root, allow_errors=True)
    raise_for_damage(predictions)
    overrides = {k: parse_value(v) for k, v in _pairs(params, "-p")}
    sweep = {k: [parse_value(x) for x in v.split(",")] for k, v in _pairs(grid, "--grid")}
    planned = make_plan(
        predictions,
        target,
        overrides=overrides,
        grid=sweep,
        force=force,
        allow_unsealed=allow_unsealed,
        timeout_s=timeout,
    )
    specs, cached = planned.specs, planned.cached
    # files left out whole name no experiment that could be listed below
    whole = [k for k in skips.left_out(predictions) if k.question is None and target == "all"]
    n_skipped = len({t.experiment for t, _ in planned.skipped}) + show_skipped(whole)
    if planned.skipped and not specs and not cached:
        if not whole and len({str(why) for _, why in planned.skipped}) == 1:
            raise planned.skipped[0][1]  # one reason for all asked for: that error itself
        _show_skipped(planned.skipped)
        raise KitError(f"nothing to run: {n_skipped} experiments or files skipped")
    _show_skipped(planned.skipped)
    for why in held_back(predictions, select(predictions, target)):
        click.echo(f"kit: will not resolve until amended: {why}", err=True)
    for record in cached:
        click.echo(f"cached: {record.experiment}/{record.id} {record.parameters}", err=True)
    records = _execute(specs, workers, cluster, as_json)
    everything = cached + records
    if not as_json:
        _print_finished(project, records)
    if as_json:
        click.echo(json.dumps([r.to_json() for r in everything], indent=2))
    bad = [r for r in records if r.status != "ok"]
    ok = len(records) - len(bad)
    summary = f"{ok} runs ok, {len(bad)} not ok, {len(cached)} cached"
    if not records and not cached:
        summary = "nothing to run"
    click.echo(summary, err=True)
    for r in bad:
        click.echo(f"  {r.experiment}/{r.id} {r.parameters}: {_describe(r)}", err=True)
        click.echo(f"    evidence: runs/{r.experiment}/{r.id}/notebook.ipynb", err=True)
    if bad:
        raise RunFailed(f"{len(bad)} of {len(records)} runs did not succeed")


def _show_skipped(skipped) -> None:
    """Each experiment skipped, and why: once per reason, however many runs it stops."""
    grouped: dict[tuple[str, str], list] = {}
    for t, why in skipped:
        grouped.setdefault((t.experiment, str(why)), []).append(t)
    for (experiment, why), stopped in grouped.items():
        runs = f", {len(stopped)} parameter sets" if len(stopped) > 1 else ""
        text = why.replace("\n", "\n    ")
        click.echo(
            f"kit: skipped experiment {experiment} ({stopped[0].where}{runs}): {text}", err=True
        )


def _print_finished(project, records) -> None:
    """Each finished run: its folder, parameters and results (short form) or its failure."""
    from kit.runs import listing

    for r in records:
        params = " ".join(f"{k}={listing.short_value(v)}" for k, v in r.parameters.items())
        what = listing.short_results(r) if r.status == "ok" else _describe(r)
        click.echo(
            f"{r.status:<7} {listing.folder(project, r)}  {params}\n        {what}", err=True
        )


def _execute(specs, workers, cluster, quiet):
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from kit.runs import runner

    if not specs:
        return []
    console = Console(stderr=True)
    columns = (
        TextColumn("[bold]kit run"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
    )
    with Progress(*columns, console=console, disable=quiet, transient=False) as bar:
        task = bar.add_task("", total=len(specs))

        def update(p: runner.Progress) -> None:
            bar.update(
                task, completed=p.done, description=f"failed {p.failed}, running {p.running}"
            )

        try:
            if cluster:
                return runner.run_cluster(specs, cluster, update)
            return runner.run_local(specs, workers, update)
        except KeyboardInterrupt:
            records = runner.mark_unfinished(specs)
            started = {r.id for r in records}
            never = [s for s in specs if s["id"] not in started]
            console.print(
                f"interrupted: {sum(r.status == 'ok' for r in records)} runs finished, "
                f"{sum(r.status != 'ok' for r in records)} marked interrupted or failed, "
                f"{len(never)} never started"
            )
            raise


@click.command()
@click.argument("question", required=False)
@click.option(
    "--value",
    default=None,
    help="Manual outcome: true/false, an option, a number, ambiguous or annulled.",
)
@click.option("--why", default=None, help="Reason for a manual outcome (kept as evidence).")
@click.option("--dry-run", is_flag=True, help="Show outcomes without writing them.")
@click.option(
    "--archive", is_flag=True, help="Then copy the resolving runs into evidence/ (kit evidence)."
)
@click.pass_context
def resolve(ctx, question, value, why, dry_run, archive):
    """Resolve questions from the first successful runs of their sealed plans, or one
    QUESTION by hand.

    A question with replicates resolves once every replicate has a successful run; the
    ones still missing (and the failed ones) are listed. A question whose rule fails is
    listed with where its rule is; every other question is still written.
    """
    from kit.errors import KitError, UsageError
    from kit.predictions import load_predictions, skips
    from kit.predictions.registry import raise_for_damage
    from kit.runs.resolve import resolve_all, resolve_manual

    project = project_of(ctx)
    predictions = load_predictions(project.root, allow_errors=True)
    raise_for_damage(predictions)
    if question or value is not None:
        if not question or value is None:
            raise UsageError("a manual resolution needs QUESTION and --value (and --why)")
        res = resolve_manual(predictions, question, value, why or "")
        click.echo(f"{res.question}: {quote(res.outcome)} (manual: {res.why})")
        if archive:
            ctx.invoke(evidence)
        return
    report = resolve_all(predictions, write=not dry_run)
    n_skipped = show_skipped(skips.left_out(predictions))
    for qid, res in report.resolved.items():
        more = f" and {len(res.replicates) - 1} more replicate runs" if res.replicates else ""
        click.echo(f"{qid}: {quote(res.outcome)}  <- {res.run}{more}")
    for line in report.incomplete:
        click.echo(f"waiting: {line}", err=True)
    for qid, why in report.rederived.items():
        click.echo(f"kit: {qid}: stale outcome re-derived ({why})", err=True)
    for qid, why in report.dropped.items():
        click.echo(
            f"kit: {qid}: stale outcome dropped ({why}); no run of its sealed plan yet: "
            "`kit run` it",
            err=True,
        )
    for why in report.blocked:
        click.echo(f"kit: not resolved: {why}", err=True)
    if report.pending:
        click.echo(
            f"{len(report.pending)} questions have no successful run yet: "
            + ", ".join(report.pending),
            err=True,
        )
    if report.manual:
        click.echo(
            f"{len(report.manual)} manual questions unresolved (kit resolve ID --value V "
            "--why TEXT): " + ", ".join(report.manual),
            err=True,
        )
    for line in report.problems:
        click.echo(f"kit: {line}", err=True)
    if archive and not dry_run:
        ctx.invoke(evidence)
    if report.problems or report.blocked or n_skipped:
        n = len(report.problems) + len(report.blocked) + n_skipped
        raise KitError(f"{n} questions or files could not be resolved (listed above)")


@click.command()
@click.pass_context
def evidence(ctx):
    """Copy the runs that resolved questions (run.json and the executed notebook) into
    evidence/, to commit: then `kit check` verifies every outcome from the repository."""
    from kit.predictions import load_predictions
    from kit.runs.evidence import archive

    project = project_of(ctx)
    report = archive(load_predictions(project.root))
    for run in report.copied:
        click.echo(f"archived {run}")
    for what in report.missing:
        click.echo(f"kit: cannot archive {what}: not in runs/", err=True)
    click.echo(
        f"{len(report.copied)} runs copied ({report.copied_bytes / 1e6:.1f} MB), "
        f"{len(report.present)} already there; evidence/ holds "
        f"{report.total_bytes / 1e6:.1f} MB: commit it"
    )


COMMANDS = (run, resolve, evidence)
