"""Read article files and folders: the seed text format, JSON Lines, CSV and HTML."""

from __future__ import annotations

__all__ = ["ReadResult", "read_file", "read_paths", "iter_files", "is_article_file", "record_article", "html_text",
           "looks_like_html", "SUFFIXES"]

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

from ._html import html_text, looks_like_html, parse_html
from ._seedtext import parse_seed_text
from ._tabular import article_of_record, read_csv, read_jsonl
from ._text import decode
from .article import Article
from .errors import InputError, Rejection
from .taxonomy import Taxonomy

SUFFIXES = {".txt": "seed", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".html": "html", ".htm": "html"}
# Files that live beside articles but are not articles (the seeds folder's datasheet, exports, taxonomy).
_SKIP_NAMES = {"README.md", "README.txt", "LICENSE", "LICENSE.txt"}


@dataclass
class ReadResult:
    articles: list[Article] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    files: int = 0
    skipped: list[str] = field(default_factory=list)

    def extend(self, other: "ReadResult") -> None:
        self.articles += other.articles
        self.rejections += other.rejections
        self.files += other.files
        self.skipped += other.skipped


def iter_files(paths: Iterable[str | Path]) -> Iterator[tuple[Path, bool]]:
    """Yield ``(file, explicit)`` for each path; folders are walked recursively in sorted order.

    ``explicit`` is True for a file named on the command line (read whatever its suffix).
    """
    for p in paths:
        p = Path(p)
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith("."):
                        yield Path(root) / name, False
        elif p.exists():
            yield p, True
        elif p.is_symlink():
            raise InputError(f"{p}: {unusable_file(p)}; check the path passed as a source.")
        else:
            raise InputError(f"{p}: no such file or folder; check the path passed as a source.")


def unusable_file(path: Path) -> str | None:
    """Why ``path`` cannot be read as an article file (a dangling or looping symlink, a FIFO, a device,
    a socket), or None for a regular file. Checked before opening: reading a FIFO would wait forever."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if not os.path.islink(path):
            raise InputError(f"{path}: no such file; check the path passed as a source.") from None
        return f"a symlink to {os.readlink(path)!r}, which does not exist (dangling symlink); skipped"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "a symlink that loops back to itself; skipped"
        return f"cannot be read ({exc.strerror}); skipped"
    if stat.S_ISREG(st.st_mode):
        return None
    kind = ("a named pipe (FIFO)" if stat.S_ISFIFO(st.st_mode) else "a device" if stat.S_ISCHR(st.st_mode)
            or stat.S_ISBLK(st.st_mode) else "a socket" if stat.S_ISSOCK(st.st_mode) else "not a regular file")
    return f"{kind}, not an article file; skipped (reading it could wait forever)"


def read_file(path: str | Path, taxonomy: Taxonomy | None = None, fmt: str | None = None,
              where: str | None = None) -> ReadResult:
    """Read one file; problems become rejections in the result (a missing file raises).

    ``where`` names the file in origins and rejections (default: ``path`` as given); a Dask worker
    reads the absolute path but names the file as the user gave it, as a local build does.
    """
    path = Path(path)
    where = str(path) if where is None else where
    fmt = fmt or SUFFIXES.get(path.suffix.lower(), "seed")
    out = ReadResult(files=1)
    why = unusable_file(path)
    if why is not None:
        out.rejections.append(Rejection(where, why))
        return out
    try:
        try:
            data = path.read_bytes()
        except OSError as exc:  # unreadable (permissions), or gone since the folder was listed
            raise InputError(f"{where}: cannot be read ({exc.strerror}); check its permissions.") from None
        text = decode(data, where)
        if fmt == "seed" and text.lstrip()[:1] in ("[", "{"):
            raise InputError(f"{where}: this is JSON, not an article in the seed text format. A Label Studio export "
                             f"becomes a corpus with `newstag annotate import {where} --corpus NEW_DIR`; articles "
                             f"as JSON go one object per line in a .jsonl file.")
        if fmt == "seed":
            out.articles.append(parse_seed_text(text, where))
        elif fmt == "html":
            out.articles.append(parse_html(text, where))
        else:
            reader = read_jsonl if fmt == "jsonl" else read_csv
            for item in reader(text, where, taxonomy):
                (out.rejections if isinstance(item, Rejection) else out.articles).append(item)
    except InputError as exc:
        out.rejections.append(rejection_from(exc, where))
    return out


def record_article(record: Mapping[str, Any], where: str) -> Article:
    """An :class:`Article` from one record of fields, read as a JSON Lines record is: the text from ``text``
    (or ``body``, ``content``), ``title``, ``date``, ``section``, ``source``, ``url``, ``tags``, and the
    record's own ``id`` (else ``url``) as its ``source_id``; labels are not read.

    Raises
    ------
    InputError
        When the record has no text field, or its text is empty.
    """
    return article_of_record(record, where)


def rejection_from(exc: Exception, where: str) -> Rejection:
    """Turn an error whose message starts with ``where[:line]: `` into a :class:`Rejection`."""
    msg = str(exc)
    if msg.startswith(where):
        rest = msg[len(where):]
        head, sep, reason = rest.partition(": ")
        if sep and (head == "" or head.lstrip(":").isdigit()):
            return Rejection(where + head, reason)
    return Rejection(where, msg)


def is_article_file(path: Path, explicit: bool) -> bool:
    """Whether :func:`read_paths` reads a file from :func:`iter_files`: a file named explicitly always is;
    a file found in a folder is when its suffix is known and it is not a README or LICENSE."""
    return explicit or (path.suffix.lower() in SUFFIXES and path.name not in _SKIP_NAMES)


def read_paths(paths: Iterable[str | Path], taxonomy: Taxonomy | None = None, progress=None) -> ReadResult:
    """Read every article file under ``paths``.

    Files in a folder are read when their suffix is known (``.txt``, ``.md``, ``.jsonl``, ``.csv``,
    ``.html``); other files there are listed in ``skipped`` (never silently ignored). ``progress`` is
    called once per file.
    """
    result = ReadResult()
    for path, explicit in iter_files(paths):
        if not is_article_file(path, explicit):
            result.skipped.append(str(path))
            if progress is not None:
                progress(path)
            continue
        result.extend(read_file(path, taxonomy))
        if progress is not None:
            progress(path)
    return result
