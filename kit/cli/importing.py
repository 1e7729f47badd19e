"""`kit import`: forecasts from a Fatebook or Metaculus export become a question set."""

from __future__ import annotations

import click

from kit.cli.common import project_of


@click.command("import")
@click.argument("file", type=click.Path(exists=True))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["fatebook", "metaculus"]),
    required=True,
    help="fatebook: its CSV export; metaculus: its data export (zip or folder).",
)
@click.option("--name", default=None, help="The new set: predictions/NAME.yaml (default: FILE's).")
@click.option("--skip-invalid", is_flag=True, help="Import the rows that map; list the others.")
@click.option("--dry-run", is_flag=True, help="Print the YAML; write nothing.")
@click.pass_context
def import_(ctx, file, fmt, name, skip_invalid, dry_run):
    """Import questions and forecasts from another platform's export.

    They become predictions/NAME.yaml (every question resolve: manual, no experiment);
    resolved questions become manual resolutions citing the export's line. A row that
    cannot be mapped is reported with its line, and then nothing is written unless
    --skip-invalid.
    """
    from pathlib import Path

    from kit.predictions.imports import import_file

    project = project_of(ctx)
    report = import_file(
        project, Path(file), fmt, name=name, skip_invalid=skip_invalid, dry_run=dry_run
    )
    for problem in report.skipped:
        click.echo(f"skipped: {problem}", err=True)
    if dry_run:
        click.echo(report.text, nl=False)
        return
    renamed = {k: v for k, v in report.people.items() if k != v}
    click.echo(
        f"wrote {project.relative(report.path)}: {report.questions} questions, "
        f"{report.forecasts} forecasts; {report.resolved} resolutions in "
        f"{project.relative(project.resolutions_path)}"
    )
    if renamed:
        click.echo("forecasters: " + ", ".join(f"{k!r} -> {v}" for k, v in renamed.items()))
    click.echo(
        "next: `kit seal` seals them; forecasts on questions already resolved are late "
        "(not sealed before the outcome): `kit score --include-late` scores them"
    )


COMMANDS = (import_,)
