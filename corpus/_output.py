"""Where a command may write a folder: nowhere over a file, nor over a folder that newstag did not make."""

from __future__ import annotations

__all__ = ["check_output_folder", "read_json_file"]

import json
from pathlib import Path
from typing import Any, Callable

from .errors import CorpusError, NewstagError


def read_json_file(path: str | Path, what: str, fix: str, error: type[NewstagError] = CorpusError) -> Any:
    """A JSON file's value, or ``error`` saying which file is unreadable, why, and ``fix``."""
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise error(f"{path}: the {what} is not UTF-8 text (byte {exc.start}); {fix}") from None
    except json.JSONDecodeError as exc:
        raise error(f"{path}:{exc.lineno}: the {what} is not valid JSON ({exc.msg} at column {exc.colno}); {fix}") from None
    except OSError as exc:
        raise error(f"{path}: the {what} cannot be read ({exc.strerror}); {fix}") from None


def check_output_folder(path: str | Path, *, what: str, is_ours: Callable[[Path], bool], option: str = "-o",
                        error: type[NewstagError] = CorpusError) -> bool:
    """Check that ``path`` may receive a new ``what`` folder; True when it holds a previous one.

    A missing or empty folder is fine; so is one ``is_ours`` recognises. A file, or a non-empty folder
    that is not ours, raises ``error`` (nothing in it is touched).
    """
    path = Path(path)
    if path.is_file() or (path.exists() and not path.is_dir()):
        raise error(f"{path}: {option} names a file, not a folder; {option} is the {what} folder to write. "
                    f"Give a folder path (a new one or an existing {what} folder).")
    if not path.exists():
        return False
    entries = sorted(p.name for p in path.iterdir())
    if not entries:
        return False
    if is_ours(path):
        return True
    shown = ", ".join(entries[:5]) + (", …" if len(entries) > 5 else "")
    raise error(f"{path}: this folder is not empty ({len(entries)} entries: {shown}) and is not a {what} folder "
                f"newstag wrote; refusing to write over it. Give a new or empty folder to {option}.")
