"""The on-disk Corpus: a ``datasets.Dataset`` in Parquet, the taxonomy it was built with, a manifest.

Folder layout::

    DIR/data/part-00000.parquet   articles, sorted by id (shards of SHARD_ROWS rows)
    DIR/taxonomy.toml             the taxonomy the corpus was built with
    DIR/manifest.json             counts, content fingerprint, taxonomy hash, data-file hashes, versions
    DIR/report.json               rejected records, skipped files, merged duplicates

A write makes the whole folder anew beside the old one and switches it in by one rename
(:func:`corpus.atomic.atomic_folder`), holding the folder's writer lock (:func:`corpus.folder_lock`):
a SIGKILL at any moment leaves the old corpus or the new one. ``load`` also checks that the data
files on disk are the ones the manifest names.
"""

from __future__ import annotations

__all__ = ["Corpus", "BuildReport", "build", "load", "save", "corpus_features", "corpus_files", "is_corpus_folder",
           "MANIFEST", "SHARD_ROWS", "package_versions"]

import hashlib
import json
import platform
import shutil
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from ._annotated import count_annotated, upgrade_table
from ._build_report import (BuildReport, check_not_empty, check_strict, count_groups,  # noqa: F401 (re-exported)
                            merge_exact_duplicates, with_id)
from .article import Article
from ._folder import (FORMAT, MANIFEST, check_build_output, corpus_files, corpus_taxonomy, is_corpus_folder,
                      read_consistently, taxonomy_toml)
from ._lock import folder_lock
from .atomic import atomic_folder, atomic_path, atomic_write_json, atomic_write_text, committed_folder, file_sha256
from .errors import CorpusError
from .fingerprint import NearDuplicateParams, near_duplicate_groups, table_fingerprint
from .readers import read_paths
from .taxonomy import Taxonomy, label_counts, load_taxonomy

SHARD_ROWS = 50_000

_FIELD_COLUMNS = ("id", "title", "body", "raw", "section", "date_text", "year", "month", "day",
                  "source", "url", "source_id")  # the Article fields stored as they are
_META_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False).encode  # json.dumps(..., sort_keys=True, ensure_ascii=False)


def corpus_features(taxonomy: Taxonomy):
    """The corpus schema: article fields, one label column per facet, every annotator's labels."""
    import datasets

    lst = getattr(datasets, "List", None) or datasets.Sequence
    s, i32 = datasets.Value("string"), datasets.Value("int32")
    cols = {
        "id": s, "title": s, "body": s, "raw": s, "section": s, "date_text": s,
        "year": i32, "month": i32, "day": i32, "source": s, "url": s, "source_id": s,
        "tags": lst(s), "sources": lst(s), "group_id": s, "labeled": datasets.Value("bool"),
        "meta": s,  # canonical JSON object of format-specific fields
    }
    cols.update(taxonomy.features())
    cols["annotations"] = lst({
        "annotator": s, "facet": s, "labels": lst(s), "ground_truth": datasets.Value("bool"),
    })
    cols["needs_adjudication"] = lst(s)
    cols["annotated"] = lst(s)  # the facets annotated (see corpus._annotated); the others are unannotated
    return datasets.Features(cols)


class Corpus:
    """A corpus in memory: ``dataset`` (one row per article, sorted by id), its taxonomy, its manifest."""

    def __init__(self, dataset, taxonomy: Taxonomy, manifest: Mapping[str, Any] | None = None,
                 path: Path | None = None, taxonomy_text: str | None = None):
        self.dataset = dataset
        self.taxonomy = taxonomy
        self.manifest = dict(manifest or {})
        self.path = path
        self.taxonomy_text = taxonomy_text

    def __len__(self) -> int:
        return len(self.dataset)

    def __repr__(self) -> str:
        return f"Corpus({len(self)} articles, {self.n_labeled} labeled, facets={self.taxonomy.facet_names})"

    @property
    def ids(self) -> list[str]:
        return _column(self.dataset, "id")

    def column(self, name: str) -> list:
        """One column as a list of Python values (``dataset[name]`` is a lazy column in ``datasets`` >= 3:
        indexing it row by row reads one row from Arrow per call)."""
        if name not in self.dataset.column_names:
            raise KeyError(f"{name!r}: the corpus has no such column; it has {self.dataset.column_names}.")
        return _column(self.dataset, name)

    @property
    def n_labeled(self) -> int:
        return sum(_column(self.dataset, "labeled"))

    @property
    def fingerprint(self) -> str:
        return content_fingerprint(self.dataset, self.taxonomy)

    def texts(self) -> list[str]:
        """Title and body of each article, as classifiers read them."""
        return [f"{t}\n\n{b}" if t else b for t, b in zip(self.column("title"), self.column("body"))]

    def annotated(self, facet: str) -> list[bool]:
        """Per article, whether ``facet`` was annotated: False means nobody said anything about it, so its
        empty value in :meth:`labels` is *not* "no label" (leave the article out of that facet's counts)."""
        self.taxonomy.facet(facet)  # an unknown facet raises, naming the facets
        return [facet in v for v in _column(self.dataset, "annotated")]

    def labels(self, facet: str) -> list[Any]:
        """A facet's labels as ids: a str (or None when unlabeled) per article, or a list for multi-label.

        An unannotated facet reads as None or ``[]`` too: :meth:`annotated` tells the two apart."""
        f = self.taxonomy.facet(facet)
        names = f.ids
        col = _column(self.dataset, facet)
        if f.multi:
            return [[names[i] for i in v] for v in col]
        return [names[v] if v is not None and v >= 0 else None for v in col]

    def articles(self) -> Iterator[Article]:
        facets = self.taxonomy.facets
        for row in self.dataset:
            labels = {}
            if row["labeled"]:
                for f in facets:
                    if f.name not in row["annotated"]:
                        continue
                    v = row[f.name]
                    labels[f.name] = [f.ids[i] for i in v] if f.multi else (f.ids[v] if v is not None and v >= 0 else None)
            yield Article(
                id=row["id"], title=row["title"], body=row["body"], raw=row["raw"], section=row["section"],
                date_text=row["date_text"], year=row["year"], month=row["month"], day=row["day"],
                source=row["source"], url=row["url"], source_id=row["source_id"], tags=tuple(row["tags"]),
                origin=(row["sources"] or [""])[0], labels=labels, meta=json.loads(row["meta"] or "{}"),
            )

    def to_pandas(self, *, ids: bool = False):
        """The articles as a pandas DataFrame, one row per article, label columns as label ids.

        ``corpus.dataset.to_pandas()`` (HF datasets' own) shows each facet as the ``ClassLabel`` integer
        codes; here a single-label facet is its label id (missing when unlabeled) and a multi-label facet a list
        of label ids, as :meth:`labels` gives them.

        Parameters
        ----------
        ids : keep the integer codes instead (what ``dataset.to_pandas()`` gives)
        """
        frame = self.dataset.to_pandas()
        if ids:
            return frame
        for f in self.taxonomy.facets:
            if f.name in frame.columns:
                frame[f.name] = self.labels(f.name)
        return frame

    def save(self, path: str | Path, **options: Any) -> Path:
        """Write the corpus folder as a whole (see :func:`save` for the options)."""
        return save(self, path, **options)


def _column(dataset, name: str) -> list:
    """One column as Python values, read as Arrow in one go (iterating a ``datasets`` column formats
    row by row: ~60 times slower, and it dominated writing a manifest)."""
    return dataset.with_format("arrow")[name].to_pylist()


def content_fingerprint(dataset, taxonomy: Taxonomy) -> str:
    """SHA-256 over every article's id, text and labels, in order: equal corpora, equal fingerprints."""
    h = hashlib.sha256()
    h.update(taxonomy.hash.encode())
    _hash_rows(h, dataset, taxonomy)
    return h.hexdigest()


def _hash_rows(h, dataset, taxonomy: Taxonomy) -> None:
    label_cols = taxonomy.facet_names + ["annotations", "annotated", "labeled", "group_id", "meta"]
    for row in dataset.select_columns(["id", "title", "body"] + label_cols).iter(batch_size=1000):
        for i in range(len(row["id"])):
            rec = {k: row[k][i] for k in row}
            h.update(json.dumps(rec, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
            h.update(b"\n")


def _versions() -> dict[str, str]:
    return {"python": platform.python_version(), **package_versions(("newstag", "datasets", "pyarrow"))}


def package_versions(packages, missing: str = "unknown") -> dict[str, str]:
    """``{distribution: installed version}`` for each of ``packages``, ``missing`` for one not installed."""
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for pkg in packages:
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = missing
    return out


def _rows(articles: Sequence[Article], groups: Sequence[str], sources: Mapping[str, list[str]],
          taxonomy: Taxonomy) -> dict[str, list]:
    """The corpus columns of ``articles`` (in order), one list each, built column by column."""
    cols: dict[str, list] = {c: [getattr(a, c) for a in articles] for c in _FIELD_COLUMNS}
    cols["tags"] = [list(a.tags) for a in articles]
    cols["sources"] = [sources[a.id] for a in articles]
    cols["group_id"] = list(groups)
    cols["labeled"] = [bool(a.labels) for a in articles]
    cols["meta"] = [_META_JSON(a.meta) for a in articles]
    for f in taxonomy.facets:
        index = {lid: i for i, lid in enumerate(f.ids)}  # Facet.ids builds a list on every call
        values = [a.labels.get(f.name) for a in articles]
        if f.multi:
            cols[f.name] = [[index[x] for x in v] if v else [] for v in values]
        else:
            cols[f.name] = [index[v] if v is not None else None for v in values]
    cols["annotations"] = [[] for _ in articles]
    cols["needs_adjudication"] = [[] for _ in articles]
    cols["annotated"] = [[f.name for f in taxonomy.facets if f.name in a.labels] for a in articles]
    return cols


def from_articles(articles: Iterable[Article], taxonomy: Taxonomy, *, near_duplicates: NearDuplicateParams | None = None,
                  report: BuildReport | None = None, progress: Callable[[int], None] | None = None,
                  taxonomy_text: str | None = None) -> Corpus:
    """Fingerprint, dedupe and group articles into a :class:`Corpus` (in memory)."""
    report = report if report is not None else BuildReport()
    by_id, sources = merge_exact_duplicates((with_id(a) for a in articles), report)
    ordered = [by_id[k] for k in sorted(by_id)]
    texts = [a.text for a in ordered]
    groups = near_duplicate_groups([a.id for a in ordered], texts, near_duplicates, progress)
    count_groups(groups, report)
    report.added = len(ordered)
    ds = articles_dataset(ordered, groups, sources, taxonomy)
    manifest = {"near_duplicates": (near_duplicates or NearDuplicateParams()).as_dict()}
    return Corpus(ds, taxonomy, manifest, taxonomy_text=taxonomy_text)


def articles_dataset(articles: Sequence[Article], groups: Sequence[str], sources: Mapping[str, list[str]],
                     taxonomy: Taxonomy):
    """The corpus rows of ``articles`` (in this order, with their group ids and origins) as a ``datasets.Dataset``.

    Arrow builds the table straight from the Python lists: ``Dataset.from_dict`` encodes every value in
    Python first (a third of a build's CPU time on the real corpora) and then builds the same table.
    Values of another type than the schema's (a JSON Lines file's numbers as tags, ...) make Arrow
    refuse; those columns go through ``from_dict``, which converts them (``str``, ``int``) as before.
    """
    import datasets
    import pyarrow as pa

    cols, features = _rows(articles, groups, sources, taxonomy), corpus_features(taxonomy)
    try:
        table = pa.Table.from_pydict(cols, schema=features.arrow_schema)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return datasets.Dataset.from_dict(cols, features=features)
    return _dataset_of_table(table, features)


def _dataset_of_table(table, features):
    """An Arrow table with the corpus schema as an in-memory ``datasets.Dataset`` (no cache files)."""
    import datasets

    return datasets.Dataset(table, info=datasets.DatasetInfo(features=features), fingerprint=table_fingerprint(table))


def build(sources: Sequence[str | Path], *, taxonomy: Taxonomy | str | Path | None = None,
          output: str | Path | None = None, near_duplicates: NearDuplicateParams | None = None,
          strict: bool = False, progress: Callable[[str, int], None] | None = None,
          overwrite: bool = False) -> tuple[Corpus, BuildReport]:
    """Read article files and folders into a :class:`Corpus`; save it to ``output`` if given.

    Parameters
    ----------
    sources : files or folders (read recursively)
    taxonomy : a Taxonomy, a TOML path, or None for the shipped default ``corpus/data/taxonomy.toml``
    output : the corpus folder to write (atomically)
    strict : raise :class:`CorpusError` when any record was rejected, instead of reporting it
    progress : called as ``progress(stage, n)`` while reading files and fingerprinting
    overwrite : replace a corpus already in ``output`` (its labels and split go); without it that is refused

    Returns
    -------
    (corpus, report) : the report lists what was read, added, merged, grouped and rejected (with reasons).
    """
    taxonomy, taxonomy_text = resolve_taxonomy(taxonomy)
    if output is not None:
        check_build_output(output, overwrite)  # before the work; checked again under the lock
    report = BuildReport()
    read = read_paths(sources, taxonomy, progress=(lambda p: progress("read", 1)) if progress else None)
    report.files_read, report.rejections, report.skipped_files = read.files, list(read.rejections), list(read.skipped)
    if strict:
        check_strict(report)
    check_not_empty(report, len(read.articles))
    corpus = from_articles(read.articles, taxonomy, near_duplicates=near_duplicates, report=report,
                           progress=(lambda n: progress("fingerprint", n)) if progress else None,
                           taxonomy_text=taxonomy_text)
    if output is not None:
        save(corpus, output, report, overwrite=overwrite, keep_extra=False)
    return corpus, report


def resolve_taxonomy(taxonomy: Taxonomy | str | Path | None) -> tuple[Taxonomy, str | None]:
    """The taxonomy (loaded from a path, or the default) and its file's text, copied verbatim into the corpus."""
    if not isinstance(taxonomy, Taxonomy):
        taxonomy = load_taxonomy(taxonomy)
    path = Path(taxonomy.path) if taxonomy.path else None
    return taxonomy, (path.read_text(encoding="utf-8") if path is not None and path.is_file() else None)


def manifest_for(corpus: Corpus, data_files: Mapping[str, str]) -> dict[str, Any]:
    return manifest_from_pieces([corpus], corpus.taxonomy, data_files,
                                corpus.manifest.get("near_duplicates", NearDuplicateParams().as_dict()))


def manifest_from_pieces(pieces: Iterable[Corpus], taxonomy: Taxonomy, data_files: Mapping[str, str],
                         near_duplicates: Mapping[str, Any]) -> dict[str, Any]:
    """The manifest of a corpus given as consecutive pieces (in id order), e.g. its shards read back one
    at a time: the same bytes as for the whole corpus in one piece."""
    tax = taxonomy
    h = hashlib.sha256()
    h.update(tax.hash.encode())
    n = n_labeled = 0
    sizes: dict[str, int] = {}
    labeled: list[dict[str, Any]] = []
    annotated = dict.fromkeys(tax.facet_names, 0)
    for piece in pieces:
        n += len(piece)
        n_labeled += piece.n_labeled
        for g in _column(piece.dataset, "group_id"):
            sizes[g] = sizes.get(g, 0) + 1
        _hash_rows(h, piece.dataset, tax)
        rows = [
            {f: v for f, v in zip(tax.facet_names, vals)}
            for vals in zip(*(piece.labels(f) for f in tax.facet_names))
        ] if len(piece) else []
        labeled += [r for r, ok in zip(rows, _column(piece.dataset, "labeled")) if ok]
        count_annotated(annotated, _column(piece.dataset, "annotated"))
    counts = {"articles": n, "labeled": n_labeled, "near_duplicate_groups": sum(1 for k in sizes.values() if k > 1),
              "annotated": annotated}
    return {
        "format": FORMAT,
        "counts": counts,
        "fingerprint": h.hexdigest(),
        "taxonomy": {"name": tax.name, "version": tax.version, "hash": tax.hash},
        "label_counts": {f: {k: v for k, v in c.items() if v} for f, c in label_counts(tax, labeled).items()},
        "data_files": dict(sorted(data_files.items())),
        "near_duplicates": dict(near_duplicates),
        "versions": _versions(),
    }


CORPUS_ENTRIES = ("data", "taxonomy.toml", "report.json", MANIFEST)  # what a write makes; other entries are extras


def save(corpus: Corpus, path: str | Path, report: BuildReport | None = None, *, shard_rows: int = SHARD_ROWS,
         overwrite: bool = True, keep_extra: bool = True, extra_files: Mapping[str, Any] | None = None) -> Path:
    """Write ``corpus`` to folder ``path`` as a whole: data shards of ``shard_rows`` rows, taxonomy, report,
    manifest, in a new folder switched in by one rename, holding the folder's writer lock.

    Parameters
    ----------
    overwrite : replace a corpus already at ``path`` (False: refuse, see :func:`check_build_output`)
    keep_extra : carry the old version's other files (``splits.json``, ``annotation-report.json``) over
    extra_files : more JSON files to write in the same step (name -> value), e.g. an import's report

    Raises
    ------
    CorpusError
        When ``path`` is a file, a non-empty folder that is not a corpus, or (``overwrite=False``) a corpus.
    """
    path = Path(path)
    with folder_lock(path):
        replacing = check_build_output(path, overwrite)
        keep = [p.name for p in sorted(path.iterdir()) if p.name not in CORPUS_ENTRIES] if replacing and keep_extra else []
        with atomic_folder(path, keep=keep) as new:
            (new / "data").mkdir()
            files: dict[str, str] = {}
            n = len(corpus)
            for k, start in enumerate(range(0, max(n, 1), shard_rows)):
                name = shard_name(k)
                files[name] = write_shard(corpus.dataset.with_format("arrow")[start : min(start + shard_rows, n)],
                                          new, name)
            manifest = manifest_for(corpus, files)
            for name, value in (extra_files or {}).items():
                atomic_write_json(new / name, value)
            finish_folder(new, files, corpus.taxonomy, corpus.taxonomy_text, report, manifest)
    corpus.manifest, corpus.path = manifest, path
    return path


def shard_name(k: int) -> str:
    """The path of data shard ``k`` inside a corpus folder."""
    return f"data/part-{k:05d}.parquet"


def write_shard(table, path: Path, name: str) -> str:
    """Write one Arrow table as shard ``name`` of corpus folder ``path`` (atomically); returns its sha256."""
    import pyarrow.parquet as pq

    with atomic_path(path / name) as tmp:
        pq.write_table(table, str(tmp), compression="zstd")
    return file_sha256(path / name)


def finish_folder(path: Path, files: Mapping[str, str], taxonomy: Taxonomy, taxonomy_text: str | None,
                  report: BuildReport | None, manifest: Mapping[str, Any]) -> None:
    """After the shards: drop stale shards, write the taxonomy and report, then the manifest (the commit point)."""
    for stale in (path / "data").glob("part-*.parquet"):
        if f"data/{stale.name}" not in files:
            stale.unlink()
    atomic_write_text(path / "taxonomy.toml", taxonomy_text if taxonomy_text is not None else taxonomy_toml(taxonomy))
    if report is not None:
        atomic_write_json(path / "report.json", report.as_dict())
    atomic_write_json(path / MANIFEST, manifest)


def load(path: str | Path) -> Corpus:
    """Load a corpus folder written by :func:`build` or :meth:`Corpus.save`.

    Raises
    ------
    CorpusError
        When the folder, its manifest or a data file is missing, or a data file does not match the
        manifest (an interrupted or hand-edited write).
    """
    path = Path(path)
    return read_consistently(path, lambda: _load(path))


def _load(path: Path) -> Corpus:
    manifest, files = corpus_files(path)
    taxonomy, tax_text = corpus_taxonomy(files[0].parent.parent if files else committed_folder(path), path)
    ds = read_dataset(files, corpus_features(taxonomy))
    return Corpus(ds, taxonomy, manifest, path=path, taxonomy_text=tax_text)


def read_dataset(files: Sequence[str | Path], features):
    """Parquet shards as one in-memory ``datasets.Dataset`` with ``features``."""
    import datasets

    if files:
        import pyarrow as pa
        import pyarrow.parquet as pq

        # Read with pyarrow into memory: no cache files under the user's home directory.
        table = upgrade_table(pa.concat_tables([pq.read_table(str(f)) for f in files]), features)
        return _dataset_of_table(table.cast(features.arrow_schema), features)
    return datasets.Dataset.from_dict({k: [] for k in features}, features=features)


def copy_corpus(src: str | Path, dst: str | Path) -> Path:
    """Copy a corpus folder (used by tests and by commands that derive a corpus from another)."""
    shutil.copytree(src, dst, dirs_exist_ok=False)
    return Path(dst)
