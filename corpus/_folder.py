"""A corpus folder as files: what makes a folder a corpus, whether a build may write it, its data files
checked against its manifest, and the TOML of a taxonomy built in memory."""

from __future__ import annotations

__all__ = ["MANIFEST", "FORMAT", "is_corpus_folder", "check_build_output", "corpus_files", "corpus_taxonomy",
           "read_consistently", "taxonomy_toml"]

import json
import os
from pathlib import Path
from typing import Any, Callable, TypeVar

from ._output import check_output_folder, read_json_file
from .atomic import committed_folder, file_sha256
from .errors import CorpusError, NewstagError
from .taxonomy import Taxonomy

MANIFEST = "manifest.json"
FORMAT = "newstag-corpus/1"
T = TypeVar("T")


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(committed_folder(path))
    except OSError:
        return None
    return st.st_dev, st.st_ino


def read_consistently(path: str | Path, read: Callable[[], T], attempts: int = 3) -> T:
    """``read()`` a folder's files; when that fails because a writer switched a new version in meanwhile
    (the folder is another one afterwards), read again: a reader sees the old version or the new one."""
    for _ in range(attempts - 1):
        before = _identity(Path(path))
        try:
            return read()
        except (NewstagError, OSError):
            if _identity(Path(path)) == before:
                raise
    return read()


def corpus_taxonomy(folder: Path, path: Path) -> tuple[Taxonomy, str]:
    """The taxonomy of the corpus in ``folder`` (named ``path`` in messages), and its file's text."""
    from .taxonomy import parse_taxonomy, tomllib

    tax_path = folder / "taxonomy.toml"
    if not tax_path.is_file():
        raise CorpusError(f"{path}: taxonomy.toml is missing from the corpus folder; the corpus cannot be read "
                          f"without the taxonomy it was built with. Rebuild it with `newstag corpus build SRC -o {path} "
                          f"--overwrite`, or copy that taxonomy file back as {tax_path.name}.")
    text = tax_path.read_text(encoding="utf-8")
    try:
        return parse_taxonomy(tomllib.loads(text), str(path / "taxonomy.toml")), text
    except tomllib.TOMLDecodeError as exc:
        raise CorpusError(f"{path / 'taxonomy.toml'}: not valid TOML ({exc}); rebuild the corpus or restore the "
                          f"file.") from None


def is_corpus_folder(path: str | Path) -> bool:
    """Whether ``path`` holds a corpus newstag wrote (a manifest of the corpus format)."""
    try:
        return json.loads((Path(path) / MANIFEST).read_text(encoding="utf-8")).get("format") == FORMAT
    except (OSError, ValueError, AttributeError):
        return False


def check_build_output(path: str | Path, overwrite: bool) -> bool:
    """Check that a build may write folder ``path``; True when it replaces a corpus there.

    Raises
    ------
    CorpusError
        When ``path`` is a file or a non-empty folder that is not a corpus, or a corpus and not ``overwrite``
        (the message says how many labeled articles would go).
    """
    path = Path(path)
    if not check_output_folder(path, what="corpus", is_ours=is_corpus_folder):
        return False
    if not overwrite:
        counts = json.loads((path / MANIFEST).read_text(encoding="utf-8")).get("counts", {})
        extra = " and its split (splits.json)" if (path / "splits.json").exists() else ""
        raise CorpusError(
            f"{path}: already holds a corpus ({counts.get('articles', '?')} articles, {counts.get('labeled', '?')} "
            f"labeled); building over it would replace it: its {counts.get('labeled', '?')} labeled article(s){extra} "
            f"would go. Pass --overwrite (overwrite=True) to replace it, or give another folder."
        )
    return True


def corpus_files(path: str | Path) -> tuple[dict[str, Any], list[Path]]:
    """A corpus folder's manifest and its data shards in order, each checked against the manifest's sha256
    (for readers that stream the shards instead of loading the corpus: Dask, ``datasets``).

    Raises
    ------
    CorpusError
        As :func:`load`.
    """
    given = Path(path)
    path = committed_folder(given)  # the old version while an interrupted write is cleaned up
    mpath = path / MANIFEST
    if path.is_file():
        raise CorpusError(f"{given}: a file, not a corpus folder; give the folder `newstag corpus build` wrote.")
    if not mpath.is_file():
        raise CorpusError(
            f"{given}: not a corpus folder (no {MANIFEST}); build one with `newstag corpus build SRC -o {given}`."
        )
    manifest = read_json_file(mpath, "corpus manifest", f"rebuild the corpus with `newstag corpus build SRC -o {given} "
                                                        f"--overwrite`.")
    data_files = manifest.get("data_files") if isinstance(manifest, dict) else None
    if not isinstance(data_files, dict) or manifest.get("format") != FORMAT:
        raise CorpusError(f"{mpath}: not a newstag corpus manifest (expected format {FORMAT!r} and data_files); "
                          f"rebuild the corpus with `newstag corpus build SRC -o {given} --overwrite`.")
    files = []
    for name, digest in data_files.items():
        f = path / name
        if not f.is_file():
            raise CorpusError(f"{path}: data file {name} named in the manifest is missing; rebuild the corpus.")
        if file_sha256(f) != digest:
            raise CorpusError(
                f"{path}: data file {name} does not match the manifest (sha256 differs); it was changed after the "
                f"build or the write was interrupted. Rebuild the corpus."
            )
        files.append(f)
    return manifest, files


def taxonomy_toml(taxonomy: Taxonomy) -> str:
    """A TOML rendering of a taxonomy built in memory (files loaded from disk are copied verbatim)."""
    q = lambda s: json.dumps(s, ensure_ascii=False)  # noqa: E731 - TOML basic strings are JSON strings
    d = taxonomy.to_dict()
    out = [f'[taxonomy]\nname = {q(taxonomy.name)}\nversion = {q(taxonomy.version)}\n']
    for fname, f in d["facets"].items():
        out.append(f"[facets.{fname}]\nkind = {q(f['kind'])}\ndescription = {q(f['description'])}\n")
        for lid, lab in f["labels"].items():
            lines = [f"[facets.{fname}.labels.{q(lid)}]"]
            for k, v in lab.items():
                if isinstance(v, dict):
                    lines.append(f"{k} = {{ " + ", ".join(f"{q(a)} = {q(b)}" for a, b in v.items()) + " }")
                elif isinstance(v, list):
                    lines.append(f"{k} = [" + ", ".join(q(x) for x in v) + "]")
                else:
                    lines.append(f"{k} = {q(v)}")
            out.append("\n".join(lines) + "\n")
    return "\n".join(out)
