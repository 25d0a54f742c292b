"""`newstag annotate …` sub-commands."""

import typer

app = typer.Typer(no_args_is_help=True, help="Label Studio: config, tasks, push, pull, import, agreement.")
