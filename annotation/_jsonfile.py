"""Reading a small JSON file the user names (an annotators file, a predictions file)."""

from __future__ import annotations

__all__ = ["read_json_file"]

import json
from pathlib import Path
from typing import Any

from .errors import ExportError


def read_json_file(path: str | Path, kind: str) -> Any:
    """The parsed content of a JSON file (UTF-8, a byte-order mark allowed).

    ``kind`` names the file in the errors, e.g. ``"predictions file"``.

    Raises
    ------
    ExportError
        When the file does not exist, is not UTF-8, or is not valid JSON (with the line and column).
    """
    path = Path(path)
    if not path.is_file():
        raise ExportError(f"{kind} {str(path)!r} does not exist.")
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as exc:
        raise ExportError(f"{kind} {str(path)!r}: invalid JSON at line {exc.lineno} column {exc.colno}: "
                          f"{exc.msg}.") from None
    except UnicodeDecodeError as exc:
        raise ExportError(f"{kind} {str(path)!r}: not UTF-8 text (invalid byte 0x{exc.object[exc.start:exc.start + 1].hex()} "
                          f"at byte {exc.start}); save it as UTF-8 JSON.") from None
