"""What a corpus build reports, and the bookkeeping that fills it: exact duplicates merged, near-duplicate
groups counted, empty and strict builds refused (shared by the local build and the Dask build)."""

from __future__ import annotations

__all__ = ["BuildReport", "with_id", "merge_exact_duplicates", "count_groups", "check_not_empty", "check_strict"]

from dataclasses import dataclass, field
from typing import Any, Iterable

from .article import Article
from .errors import CorpusError, Rejection
from .fingerprint import article_id


@dataclass
class BuildReport:
    files_read: int = 0
    records_read: int = 0
    added: int = 0
    duplicates: list[dict[str, Any]] = field(default_factory=list)
    near_duplicate_groups: int = 0
    articles_in_groups: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    skipped_files: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "files_read": self.files_read,
            "records_read": self.records_read,
            "added": self.added,
            "duplicates": self.duplicates,
            "near_duplicate_groups": self.near_duplicate_groups,
            "articles_in_groups": self.articles_in_groups,
            "rejected": [{"source": r.source, "reason": r.reason} for r in self.rejections],
            "skipped_files": self.skipped_files,
        }


def with_id(a: Article) -> Article:
    """The article with its :func:`article_id` set (an id the reader gave is kept)."""
    aid = a.id or article_id(a.title, a.body)
    return a.with_changes(id=aid) if a.id != aid else a


def merge_exact_duplicates(articles: Iterable[Article], report: BuildReport
                           ) -> tuple[dict[str, Article], dict[str, list[str]]]:
    """Keep the first article of each id (taking a later copy's labels when the first has none).

    ``articles`` must carry their ids (:func:`with_id`). Returns the kept article by id and the sorted
    origins of each id; every merged copy is listed in ``report.duplicates``.
    """
    by_id: dict[str, Article] = {}
    sources: dict[str, list[str]] = {}
    for a in articles:
        report.records_read += 1
        aid = a.id
        if aid in by_id:
            first = by_id[aid]
            entry = {"id": aid, "kept": first.origin, "duplicate": a.origin}
            if a.labels and a.labels != first.labels:
                if first.labels:
                    entry["note"] = f"labels differ; kept those of {first.origin}"
                else:
                    by_id[aid] = first.with_changes(labels=a.labels)
                    entry["note"] = f"labels taken from {a.origin}"
            report.duplicates.append(entry)
            sources[aid].append(a.origin)
            continue
        by_id[aid] = a
        sources[aid] = [a.origin]
    for k in sources:
        sources[k] = sorted(set(sources[k]))
    return by_id, sources


def count_groups(groups: Iterable[str], report: BuildReport) -> None:
    """Record how many near-duplicate groups (of two or more articles) there are, and their articles."""
    sizes: dict[str, int] = {}
    for g in groups:
        sizes[g] = sizes.get(g, 0) + 1
    report.near_duplicate_groups = sum(1 for n in sizes.values() if n > 1)
    report.articles_in_groups = sum(n for n in sizes.values() if n > 1)


def check_not_empty(report: BuildReport, n_articles: int) -> None:
    """Raise :class:`CorpusError` when files were read but gave no article (nothing is written then)."""
    if n_articles or not (report.files_read or report.skipped_files):
        return
    cause = (f"all {len(report.rejections)} record(s) were rejected, e.g. {report.rejections[0]}"
             if report.rejections else f"no file was an article file ({len(report.skipped_files)} skipped, e.g. "
                                       f"{report.skipped_files[:3]})" if report.skipped_files else "the files hold no record")
    raise CorpusError(f"{report.files_read} file(s) read, 0 articles: {cause}. Fix the records (see the reasons), "
                      f"or, for a Label Studio export, build the corpus with `newstag annotate import EXPORT "
                      f"--corpus NEW_DIR`.")


def check_strict(report: BuildReport) -> None:
    """Strict mode: raise :class:`CorpusError` listing the rejected records (the first 20) when there are any."""
    if report.rejections:
        listed = "\n  ".join(str(r) for r in report.rejections[:20])
        raise CorpusError(f"{len(report.rejections)} record(s) rejected (strict mode):\n  {listed}")
