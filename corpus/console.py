"""What every ``newstag`` command shares for the terminal: the two consoles, the progress bar, and running a
command with newstag's error handling. Public, so ``annotation`` and ``classifier`` use it without reaching
into ``corpus``'s private modules.

>>> from corpus.console import out, progress_bar       # doctest: +SKIP
>>> with progress_bar("build") as bar: ...             # doctest: +SKIP
"""

from __future__ import annotations

__all__ = ["err", "out", "progress_bar", "run_command"]

import sys

from rich.console import Console

from .errors import NewstagError

err = Console(stderr=True, soft_wrap=True)  # progress, warnings and rejections
out = Console(soft_wrap=True)  # results on stdout; lines are not wrapped so they can be grepped


def progress_bar(description: str, total: int | None = None):
    """A rich progress bar on stderr; add tasks with ``bar.add_task(description, total=...)``."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=err, transient=False)


def run_command(command, argv: list[str] | None, prog_name: str) -> int:
    """Run a click command (``typer.main.get_command(app)``) on ``argv``; returns the exit code.

    Errors newstag raises on purpose (:class:`corpus.NewstagError`) and the system's refusals (``OSError``,
    naming the file) print as ``error: ...`` and exit 2, without a traceback; usage errors print click's
    message with its exit code.
    """
    import typer

    try:
        command.main(args=argv if argv is not None else sys.argv[1:], prog_name=prog_name, standalone_mode=False)
    except NewstagError as exc:
        print(f"error: {exc}", file=sys.stderr)  # plain text, never wrapped: scripts grep it
        return 2
    except OSError as exc:  # the system refused (permissions, a full disk, a path in the way): say which file
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc} ({type(exc).__name__}); check the path, its permissions and "
              f"the free disk space, then run the command again.", file=sys.stderr)
        return 2
    except SystemExit as exc:
        return int(exc.code or 0)
    except typer.Exit as exc:
        return exc.exit_code
    except Exception as exc:
        import click

        usage_errors: tuple[type, ...] = (click.ClickException,)
        try:  # typer >= 0.29 raises the exceptions of its own vendored click
            from typer._click.exceptions import ClickException as _TyperClickException

            usage_errors += (_TyperClickException,)
        except ImportError:
            pass
        if isinstance(exc, usage_errors):
            exc.show()
            return exc.exit_code
        if isinstance(exc, click.exceptions.Abort):
            return 1
        raise
    return 0
