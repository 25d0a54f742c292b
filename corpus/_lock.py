"""One writer per folder at a time: a lock file beside the folder (``.NAME.lock``), held with ``filelock``.

The lock lives beside the folder, not in it, because a write replaces the folder as a whole
(:func:`corpus.atomic.atomic_folder`). A second writer logs that it waits, then waits up to
``timeout`` seconds (``NEWSTAG_LOCK_TIMEOUT``, default 600) and fails with a :class:`CorpusError`
naming the lock. Within one process the lock is re-entrant for the thread that holds it (a command that holds
it may call library functions that take it again).
"""

from __future__ import annotations

__all__ = ["folder_lock", "lock_path", "DEFAULT_TIMEOUT"]

import contextlib
import logging
import os
import threading
from pathlib import Path
from typing import Iterator

from .errors import CorpusError

DEFAULT_TIMEOUT = 600.0
log = logging.getLogger("newstag")
_local = threading.local()  # the locks this thread holds, with their depth


def _held() -> dict[Path, int]:
    if not hasattr(_local, "held"):
        _local.held = {}
    return _local.held


def lock_path(folder: str | Path) -> Path:
    """The lock file of ``folder``: ``.NAME.lock`` in its parent folder (of the folder a symlink points to:
    two names of one folder share its lock)."""
    folder = Path(os.path.realpath(folder))
    return folder.parent / f".{folder.name}.lock"


def _timeout(timeout: float | None) -> float:
    if timeout is not None:
        return timeout
    env = os.environ.get("NEWSTAG_LOCK_TIMEOUT", "")
    try:
        return float(env) if env else DEFAULT_TIMEOUT
    except ValueError:
        raise CorpusError(f"NEWSTAG_LOCK_TIMEOUT={env!r}: expected a number of seconds, e.g. 600.") from None


@contextlib.contextmanager
def folder_lock(folder: str | Path, *, timeout: float | None = None, what: str = "corpus") -> Iterator[Path]:
    """Hold the writer lock of ``folder`` (a corpus or model folder) for the ``with`` block.

    Parameters
    ----------
    folder : the folder about to be written
    timeout : seconds to wait for another writer (default ``NEWSTAG_LOCK_TIMEOUT`` or 600; 0: fail at once)
    what : the kind of folder, for messages ("corpus", "model")

    Raises
    ------
    CorpusError
        When another process still holds the lock after ``timeout`` seconds.
    """
    from filelock import FileLock, Timeout

    lock_file = lock_path(folder)
    held = _held()
    if held.get(lock_file):
        held[lock_file] += 1
        try:
            yield lock_file
        finally:
            held[lock_file] -= 1
        return
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(lock_file), mode=0o666, thread_local=False)
    wait = _timeout(timeout)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        log.warning("%s: another newstag process is writing this %s; waiting up to %g s for it (lock %s).",
                    Path(folder), what, wait, lock_file)
        try:
            lock.acquire(timeout=wait)
        except Timeout:
            raise CorpusError(
                f"{folder}: another newstag process is still writing this {what} after {wait:g} s (lock {lock_file}). "
                f"Wait for it to finish and run the command again, or set NEWSTAG_LOCK_TIMEOUT to wait longer."
            ) from None
    held[lock_file] = 1
    try:
        yield lock_file
    finally:
        del held[lock_file]
        lock.release()
