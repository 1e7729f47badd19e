"""`kit report`: the offline calibration report."""

from __future__ import annotations

import click

from kit.cli.common import outcome_options, project_of, witnessed_option


@click.command()
@click.option(
    "-o",
    "--out",
    "out_dir",
    default=None,
    type=click.Path(file_okay=False),
    help="Folder to write (default: report/ in the project).",
)
@outcome_options
@click.option("--no-images", is_flag=True, help="Skip the PNG and SVG files (faster).")
@click.option(
    "--exclude-deviations",
    is_flag=True,
    help="Leave out questions whose plan was amended after evidence existed.",
)
@witnessed_option
@click.pass_context
def report(ctx, out_dir, outcomes_path, include_late, no_images, exclude_deviations, witnessed):
    """Write report.html (opens offline), report.json and each chart as PNG and SVG."""
    from pathlib import Path

    from kit.report.build import build_report
    from kit.workspace import Workspace

    ws = Workspace.load(project_of(ctx), outcomes_path=outcomes_path, witnessed=witnessed)
    out = Path(out_dir) if out_dir else ws.project.root / "report"
    written = build_report(
        ws,
        out,
        include_late=include_late,
        images=not no_images,
        exclude_deviations=exclude_deviations,
    )
    for message in written.data.messages:
        click.echo(message, err=True)
    images = [p for p in written.charts if p.suffix in (".png", ".svg")]
    click.echo(f"wrote {written.html} ({len(images)} chart images in {out / 'charts'})")
    if ws.skipped:  # said above, with the report's other messages
        ctx.exit(1)


COMMANDS = (report,)
