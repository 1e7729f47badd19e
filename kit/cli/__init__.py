"""The `kit` command. A thin layer over the Python API.

Keep imports here light: `kit --help` must not import pydantic, torch, papermill or
altair; each command imports what it needs when it runs.

Exit codes: 0 ok; 1 invalid input or a failed run; 2 bad usage; 3 not found;
4 damaged ledger; 70 internal error; 130 interrupted.
"""

from __future__ import annotations

import os
import sys

import click

from kit.cli import importing as _importing
from kit.cli import predictions as _predictions
from kit.cli import report as _report
from kit.cli import runlist as _runlist
from kit.cli import runs as _runs
from kit.cli import scaffold as _scaffold
from kit.cli import score as _score
from kit.cli import status as _status
from kit.cli import surprise as _surprise
from kit.cli.common import PROJECT_HELP, project_option

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(context_settings=CONTEXT)
@click.option(
    "--project",
    type=click.Path(file_okay=False),
    default=None,
    help=PROJECT_HELP,
)
@click.version_option(package_name="prediction-kit")
@click.pass_context
def cli(ctx: click.Context, project: str | None) -> None:
    """Write predictions before experiments, run them as notebooks, get scored.

    \b
    Start:     kit init my-study   (a project that runs at once)
    The loop:  kit predict / kit seal  ->  kit run  ->  kit resolve  ->  kit score / kit report
    """
    ctx.obj = {"project": project}


for command in (
    *_predictions.COMMANDS,
    *_importing.COMMANDS,
    *_report.COMMANDS,
    *_runs.COMMANDS,
    *_runlist.COMMANDS,
    *_score.COMMANDS,
    *_status.COMMANDS,
    *_surprise.COMMANDS,
    *_scaffold.COMMANDS,
):
    cli.add_command(project_option(command))
cli.add_command(_scaffold.init)  # takes its folder as an argument: no --project


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the command; turn every error into a message and an exit code."""
    from kit.errors import KitError

    try:
        code = cli.main(args=argv, prog_name="kit", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("kit: interrupted", err=True)
        code = 130
    except click.ClickException as e:
        e.show()
        code = e.exit_code
    except KitError as e:
        click.echo(f"kit: {e}" if "\n" not in str(e) else str(e), err=True)
        code = e.exit_code
    except KeyboardInterrupt:
        click.echo("kit: interrupted", err=True)
        code = 130
    except Exception as e:  # never a traceback for users; KIT_DEBUG=1 shows it
        if os.environ.get("KIT_DEBUG"):
            raise
        click.echo(
            f"kit: internal error: {type(e).__name__}: {e} (KIT_DEBUG=1 shows the "
            "traceback; please report it)",
            err=True,
        )
        code = 70
    sys.exit(code if isinstance(code, int) else 0)
