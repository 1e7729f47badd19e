"""`kit init` and `kit new-question`: a project, and questions, from the kit's templates."""

from __future__ import annotations

import click

from kit.cli.common import project_of

#: The question types with a template (kit/init/templates/questions), listed without
#: importing anything heavy: `kit --help` stays fast.
TYPES = ("binary", "categorical", "numeric")


@click.command()
@click.argument("folder", default=".", type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Replace the kit's files where they exist.")
def init(folder: str, force: bool) -> None:
    """Create a project in FOLDER (default: here) that runs at once.

    An example question set (one question of each type, two forecasters), its notebook
    (runs in a second), a README and a .gitignore (an existing one only gains the lines
    it lacks). Refuses, writing nothing, if one of these files exists, unless --force.
    """
    import os

    from kit.init import LOOP
    from kit.init import init as create

    created = create(folder, force=force)
    for path in created.written:
        click.echo(f"wrote {os.path.relpath(path)}")
    if created.gitignore_added:
        shown = os.path.relpath(created.root / ".gitignore")
        click.echo(f"added to {shown}: {' '.join(created.gitignore_added)}")
    go = "" if os.path.samefile(created.root, ".") else f"cd {folder} && "
    click.echo(
        "next, the whole loop on the example:\n  "
        + go
        + " && ".join(f"kit {step}" for step in LOOP)
    )


@click.command("new-question")
@click.argument("question_set")
@click.argument("question_id")
@click.option("--type", "kind", type=click.Choice(TYPES), required=True, help="Question type.")
@click.option("--text", default=None, help="The question (default: a TODO to replace).")
@click.option(
    "--resolve", "rule", default=None, help="Its rule over recorded results (default: manual)."
)
@click.pass_context
def new_question(ctx, question_set: str, question_id: str, kind: str, text, rule) -> None:
    """Append a commented QUESTION_ID of --type to QUESTION_SET (e.g. sgd_regression).

    The rest of the file stays as it is; the file is checked with the question added and
    written only if that adds no error. Then edit the question's text, rule and options,
    and add forecasts with `kit predict`.
    """
    from kit.predictions.new_question import add_question

    project = project_of(ctx)
    path = add_question(project, question_set, kind, question_id, text=text, resolve=rule)
    click.echo(f"{project.relative(path)}: added {kind} question {question_id}; edit it there")


COMMANDS = (new_question,)
