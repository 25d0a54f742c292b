"""What the real-data loaders share: finding their folder, and building a Corpus from what they read."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..errors import CorpusError, InputError
from ..fingerprint import NearDuplicateParams
from ..readers import ReadResult
from ..store import BuildReport, Corpus, from_articles, save
from ..taxonomy import Taxonomy


def _data_dir(path: str | Path, what: str, hint: str) -> Path:
    p = Path(path)
    if not p.is_dir():
        raise InputError(f"{p}: no such folder; expected the {what} ({hint}).")
    return p


def _build(read: ReadResult, taxonomy: Taxonomy, *, output: str | Path | None, strict: bool,
           near_duplicates: NearDuplicateParams | None, progress: Callable[[str, int], None] | None,
           what: str, overwrite: bool = False) -> tuple[Corpus, BuildReport]:
    report = BuildReport(files_read=read.files, rejections=list(read.rejections), skipped_files=list(read.skipped))
    if strict and report.rejections:
        listed = "\n  ".join(str(r) for r in report.rejections[:20])
        raise CorpusError(f"{what}: {len(report.rejections)} record(s) rejected (strict mode):\n  {listed}")
    corpus = from_articles(read.articles, taxonomy, near_duplicates=near_duplicates, report=report,
                           progress=(lambda n: progress("fingerprint", n)) if progress else None)
    if output is not None:
        save(corpus, output, report, overwrite=overwrite)
    return corpus, report
