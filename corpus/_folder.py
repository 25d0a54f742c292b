"""A corpus folder as files: what makes a folder a corpus, whether a build may write it, its data files
checked against its manifest, and the TOML of a taxonomy built in memory."""

from __future__ import annotations

__all__ = ["MANIFEST", "FORMAT", "is_corpus_folder", "check_build_output", "corpus_files", "taxonomy_toml"]

import json
from pathlib import Path
from typing import Any

from ._output import check_output_folder, read_json_file
from .atomic import committed_folder, file_sha256
from .errors import CorpusError
from .taxonomy import Taxonomy

MANIFEST = "manifest.json"
FORMAT = "newstag-corpus/1"


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
