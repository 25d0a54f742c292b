"""``python -m classifier.train --corpus DIR [-o MODEL_DIR] [--seed 0] ...``: the training script, a thin
front on the same command as ``newstag train`` (:func:`classifier._cli.train_command`, which runs
:func:`classifier.train_model`)."""

import sys

import typer

from corpus.console import run_command

from ._cli import train_command


def main(argv: list[str] | None = None) -> int:
    """Run the training script on ``argv``; returns the exit code (as ``newstag train`` does)."""
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    app.command()(train_command)
    return run_command(typer.main.get_command(app), argv, "python -m classifier.train")


if __name__ == "__main__":
    sys.exit(main())
