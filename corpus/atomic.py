"""Atomic, deterministic writes shared by every package: files (manifests, reports, exports) and whole
folders (corpora, models), so that a SIGKILL at any moment leaves the old version or the new one.

A file is written to a temporary name beside it and renamed over it. A folder is written as a new
folder beside it (``.NAME.new-XXXX``) and switched in by one rename: on Linux an atomic exchange of the
two folders (``renameat2(RENAME_EXCHANGE)``); elsewhere two renames, the old folder parked as
``.NAME.old-XXXX`` in between, where readers find it (:func:`committed_folder`). The next write of the
folder removes what an interrupted write left behind (:func:`clean_leftovers`).
"""

from __future__ import annotations

__all__ = ["atomic_savefig", "atomic_write_bytes", "atomic_write_text", "atomic_write_json", "dumps_json", "atomic_path", "file_sha256",
           "atomic_folder", "committed_folder", "clean_leftovers", "private_file"]

import contextlib
import ctypes
import errno
import hashlib
import json
import os
import secrets
import shutil
from pathlib import Path
from typing import Any, Iterable, Iterator

from .errors import InputError


def dumps_json(obj: Any) -> str:
    """Canonical JSON: sorted keys, two-space indent, UTF-8 characters kept, final newline."""
    return json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _create(path: Path, mode: int) -> int:
    """Create a new file with permissions ``mode`` (less the umask) from the start: ``os.open`` applies
    them when the file is made, so no other process ever sees it with wider ones."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), mode)


def _temp_name(path: Path, kind: str) -> Path:
    """``.NAME.KIND-PID-RANDOM`` beside ``path``: the writer's process id tells a leftover from a live write."""
    return path.parent / f".{path.name}.{kind}-{os.getpid()}-{secrets.token_hex(4)}"


def _writer_gone(temp: Path) -> bool:
    """Whether the process that made temporary file ``temp`` no longer runs (on this machine)."""
    try:
        pid = int(temp.name.rsplit("-", 2)[-2])
    except (ValueError, IndexError):
        return True
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # another user's live process
        return False
    return False


def _clean_temp_files(path: Path) -> None:
    """Remove the temporary files that killed writers of ``path`` left beside it (live writers' are kept)."""
    for temp in path.parent.glob(f".{path.name}.tmp-*"):
        if _writer_gone(temp):
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()


@contextlib.contextmanager
def atomic_path(path: str | Path, *, mode: int = 0o666) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it is fsynced and renamed over ``path``.

    Raises :class:`InputError` when ``path`` is a folder (nothing is written). Readers see the old file or
    the new one, never half of one; on error the temporary file is removed,
    and temporary files that killed writers left beside ``path`` are removed by the next write.
    The temporary file is created with permissions ``mode`` (less the umask): pass ``0o600`` for a file
    that holds credentials.
    """
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path}: a folder, where a file is to be written; give a file path (a new one or a file "
                         f"to replace), never a folder.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise InputError(f"{path}: cannot make folder {path.parent}, a file of that name is in the way; give another "
                         f"path.") from None
    _clean_temp_files(path)
    while True:
        tmp_path = _temp_name(path, "tmp")
        try:
            os.close(_create(tmp_path, mode))
            break
        except FileExistsError:  # pragma: no cover - 32 random bits
            continue
    try:
        yield tmp_path
        with open(tmp_path, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp_path, path)
        _fsync_dir(path.parent)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def private_file(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically, readable by its owner only (0600 from its creation)."""
    with atomic_path(path, mode=0o600) as tmp:
        tmp.write_text(text, encoding="utf-8")


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def atomic_write_text(path: str | Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: str | Path, obj: Any) -> None:
    atomic_write_text(path, dumps_json(obj))


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes, read in 1 MiB chunks (data shards, model files)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory descriptors
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def _fsync_tree(root: Path) -> None:
    for dirpath, _, files in os.walk(root):
        for name in files:
            with open(os.path.join(dirpath, name), "rb") as fh:
                os.fsync(fh.fileno())
        _fsync_dir(Path(dirpath))


def _leftovers(path: Path, kind: str) -> list[Path]:
    return sorted(path.parent.glob(f".{path.name}.{kind}-*"))


def committed_folder(path: str | Path) -> Path:
    """The folder that holds the last complete version written to ``path``: ``path`` itself, or, when a
    write was interrupted between its two renames (platforms without an atomic exchange), the old
    version parked beside it."""
    path = Path(path)
    if not path.exists():
        parked = _leftovers(path, "old")
        if parked:
            return parked[-1]
    return path


def clean_leftovers(path: str | Path) -> list[Path]:
    """Remove what interrupted writes of folder ``path`` left beside it (call it holding the folder's
    lock); a version parked between two renames is moved back first. Returns the paths removed."""
    path = Path(path)
    parked = _leftovers(path, "old")
    if parked and not path.exists():
        os.rename(parked.pop(), path)
    gone = parked + _leftovers(path, "new") + _leftovers(path, "tmp")
    for p in gone:
        shutil.rmtree(p) if p.is_dir() and not p.is_symlink() else p.unlink()
    return gone


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux ``renameat2(RENAME_EXCHANGE)``); False where unsupported."""
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    at_fdcwd, rename_exchange = -100, 2
    if fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _switch_in(new: Path, path: Path) -> None:
    """Make ``new`` the folder ``path`` in one step, then remove the old version (a process working in
    ``path`` follows it to the new one)."""
    try:
        inside = os.path.samefile(os.getcwd(), path)
    except OSError:
        inside = False
    if not path.exists():
        os.rename(new, path)
    elif _exchange(new, path):
        shutil.rmtree(new)  # now the old version
    else:
        old = _temp_name(path, "old")
        os.rename(path, old)
        os.rename(new, path)
        shutil.rmtree(old)
    _fsync_dir(path.parent)
    if inside:
        os.chdir(path)


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)  # every later write replaces a file by rename, so sharing the inode is safe
    except OSError:
        shutil.copy2(src, dst)


@contextlib.contextmanager
def atomic_folder(path: str | Path, *, keep: Iterable[str] = ()) -> Iterator[Path]:
    """Yield a new, empty folder beside ``path`` to write a whole new version in; on success it replaces
    ``path`` in one step, so a SIGKILL at any moment leaves the old version or the new one.

    ``keep`` names entries of the old version to carry into the new one (hard links, or copies) before
    the caller writes. Hold the folder's writer lock (:func:`corpus.folder_lock`) around this: the
    leftovers of interrupted writes are removed first. On error the new folder is removed and ``path``
    is untouched.
    """
    path = Path(os.path.abspath(path))
    if path.is_symlink():
        path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    clean_leftovers(path)
    new = _temp_name(path, "new")
    os.mkdir(new, 0o777)  # the umask applies, as for any folder the user makes
    try:
        for name in keep:
            src = path / name
            if src.is_dir() and not src.is_symlink():
                shutil.copytree(src, new / name, copy_function=_link_or_copy)
            elif src.is_file():
                _link_or_copy(str(src), str(new / name))
        yield new
        _fsync_tree(new)
        _switch_in(new, path)
    finally:
        if new.exists():
            shutil.rmtree(new)


def atomic_savefig(fig, path: str | Path, *, dpi: int = 100) -> Path:
    """Save a matplotlib figure as a PNG at ``path`` atomically, laid out tight, with no software or time
    stamp (the same figure gives the same bytes), and close it. Every plot newstag writes goes through here."""
    import matplotlib.pyplot as plt

    path = Path(path)
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=dpi, metadata={"Software": None})
    plt.close(fig)
    return path
