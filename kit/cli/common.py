"""Helpers shared by the commands."""

from __future__ import annotations

import click

from kit.errors import quote

PROJECT_HELP = "Project folder (default: the one holding predictions/ at or above here)."


def project_of(ctx: click.Context):
    from kit.project import Project

    return Project.find((ctx.obj or {}).get("project"))


def _remember_project(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.ensure_object(dict)["project"] = value


def project_option(command: click.Command) -> click.Command:
    """Let `command` take `--project DIR` too (`kit check --project D`), not only the group.

    The value lands where `project_of` reads it; given in both places, the command's wins.
    """
    command.params.append(
        click.Option(
            ["--project"],
            type=click.Path(file_okay=False),
            default=None,
            expose_value=False,
            callback=_remember_project,
            help=PROJECT_HELP,
        )
    )
    return command


def show_skipped(skipped) -> int:
    """Say on stderr what a command left out and why (`kit.predictions.skips`); how many."""
    for item in skipped:
        click.echo(f"kit: {item}", err=True)
    return len(skipped)


def parse_pairs(text: str, option: str, key_type=str) -> dict:
    """`a=0.2,b=0.8` as a dict; a clear usage error otherwise."""
    out = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, value = part.partition("=")
        if not sep:
            raise click.BadParameter(f"{quote(part)} is not name=value", param_hint=option)
        try:
            k = key_type(name.strip())
            v = float(value)
        except ValueError:
            raise click.BadParameter(
                f"{quote(part)}: expected name=number", param_hint=option
            ) from None
        if k in out:
            raise click.BadParameter(f"{name.strip()} given twice", param_hint=option)
        out[k] = v
    if not out:
        raise click.BadParameter("empty", param_hint=option)
    return out


def console(stderr: bool = False):
    """A rich console; wide when output is not a terminal, so tables in logs stay whole."""
    import sys

    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    return Console(stderr=stderr, width=None if stream.isatty() else 160)


def outcome_options(command):
    """`--outcomes FILE` and `--include-late`: where outcomes come from, shared by the
    commands that score (`kit score`, `kit report`)."""
    command = click.option(
        "--include-late", is_flag=True, help="Score forecasts sealed after the evidence."
    )(command)
    return click.option(
        "--outcomes",
        "outcomes_path",
        default=None,
        type=click.Path(exists=True, dir_okay=False),
        help="YAML: question id -> outcome, instead of predictions/_resolutions.yaml.",
    )(command)


def witnessed_option(command):
    """`--witnessed`: judge lateness on the time git first witnessed each seal."""
    return click.option(
        "--witnessed",
        is_flag=True,
        help="Judge lateness by when git first witnessed each seal (kit check --history).",
    )(command)


def mark_orphans(project) -> None:
    """Mark runs whose process is gone `interrupted` (`kit.runs.orphans`), saying so."""
    from kit.runs.orphans import mark_orphans as mark

    for record in mark(project):
        click.echo(
            f"kit: marked {record.experiment}/{record.id} interrupted: the process that ran "
            f"it ({record.host}) is gone",
            err=True,
        )
