"""`kit runs`: list, filter and export the runs of a project."""

from __future__ import annotations

import click

from kit.cli.common import console, project_of


@click.command("runs")
@click.argument("experiment", required=False)
@click.option(
    "--status",
    type=click.Choice(["ok", "failed", "timeout", "died", "interrupted", "running"]),
    default=None,
    help="Only runs with this status.",
)
@click.option(
    "-p", "--param", "params", multiple=True, metavar="NAME=VALUE", help="Only runs with it."
)
@click.option(
    "-r", "--result", "results", multiple=True, metavar="NAME", help="A result column to show."
)
@click.option("--last", type=click.IntRange(min=1), default=None, help="Only the N latest.")
@click.option("--csv", "as_csv", is_flag=True, help="CSV: one row per run.")
@click.option(
    "--json", "as_json", is_flag=True, help="JSON: the run records as run.json holds them."
)
@click.pass_context
def runs(ctx, experiment, status, params, results, last, as_csv, as_json):
    """List runs, oldest first: experiment, id, status, start, duration, the parameters
    that differ between the listed runs, and the chosen results (-r NAME)."""
    from kit import csvout, jsonout
    from kit.cli.runs import _pairs
    from kit.errors import UsageError
    from kit.runs import listing, store
    from kit.runs.params import parse_value

    if as_csv and as_json:
        raise UsageError("--csv and --json: choose one")
    project = project_of(ctx)
    wanted = {k: parse_value(v) for k, v in _pairs(params, "-p")}
    found = listing.select(
        store.list_runs(project), experiment=experiment, status=status, parameters=wanted
    )
    if last:
        found = found[-last:]
    if as_json:
        records = [r.to_json() | {"folder": listing.folder(project, r)} for r in found]
        click.echo(jsonout.dumps(records))
        return
    rows = listing.rows(found, results)
    if as_csv:
        click.echo(csvout.dumps(rows, csvout.columns_of(rows, listing.BASE_COLUMNS)), nl=False)
        return
    if not rows:
        click.echo("no runs" + (" match" if experiment or status or wanted else " yet"))
        return
    from rich.table import Table

    table = Table(title=f"{len(rows)} runs")
    columns = csvout.columns_of(rows, listing.BASE_COLUMNS)
    for c in columns:
        table.add_column(c, justify="right" if c == "duration_s" else "left")
    for row in rows:
        table.add_row(*(_shown(c, row.get(c)) for c in columns))
    console().print(table)


def _shown(column: str, value) -> str:
    from kit.runs.listing import short_value

    if value is None:
        return "-"
    if column == "started":
        return str(value)[:19].replace("T", " ")
    if column in ("id", "experiment", "status"):
        return str(value)
    return short_value(value)


COMMANDS = (runs,)
