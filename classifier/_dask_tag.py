"""Tag a whole corpus folder: in one process, on several cores (``datasets``' ``map(num_proc=...)``), or
on a Dask cluster — the same result folder, byte for byte, whichever way.

A result folder mirrors a corpus folder::

    OUT/data/part-00000.parquet   one row per article, in the corpus's (article id) order,
                                  ``partition_rows`` rows per part
    OUT/manifest.json             model sha256, corpus fingerprint, counts, columns, part hashes; written last

Columns: ``id``; per facet of the model's taxonomy ``F`` (the label id, or None), ``F_score`` (float64)
and ``F_source`` for a single-label facet, or ``F``, ``F_scores``, ``F_sources`` (lists, best first) for a
multi-label one; ``evidence`` (canonical JSON of :meth:`Evidence.to_dict`) when asked for. Scores are
the Tagger's full float64 values (``TagResult.to_dict`` rounds them for display; this does not).

The model travels as its skops file's bytes, never pickled: on a cluster they are scattered once to
every worker (``broadcast=True``) and each worker process loads them once with the reviewed skops
loader, into a cache keyed by the file's sha256.
"""

from __future__ import annotations

__all__ = ["tag_corpus", "tag_corpus_dask", "results_schema", "result_table", "PARTITION_ROWS", "RESULTS_FORMAT"]

import contextlib
import hashlib
import json
import math
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from corpus import Article, InputError, Taxonomy, check_output_folder, folder_lock
from corpus.atomic import atomic_folder, atomic_path, atomic_write_json, file_sha256
from corpus.store import corpus_files, shard_name, write_shard

from ._persist import _model_file, default_model_path
from ._tagger import load_model
from ._result import LabelScore, TagResult

RESULTS_FORMAT = "newstag-tags/1"
PARTITION_ROWS = 10_000
_TEXT_COLUMNS = ["id", "title", "body"]


# ---- the results table (one owner of the format) ---------------------------------------------

def results_schema(taxonomy: Taxonomy, evidence: bool):
    """The Arrow schema of a result part for a model's taxonomy."""
    import pyarrow as pa

    fields = [pa.field("id", pa.string())]
    for f in taxonomy.facets:
        if f.multi:
            fields += [pa.field(f.name, pa.list_(pa.string())), pa.field(f"{f.name}_scores", pa.list_(pa.float64())),
                       pa.field(f"{f.name}_sources", pa.list_(pa.string()))]
        else:
            fields += [pa.field(f.name, pa.string()), pa.field(f"{f.name}_score", pa.float64()),
                       pa.field(f"{f.name}_source", pa.string())]
    if evidence:
        fields.append(pa.field("evidence", pa.string()))
    return pa.schema(fields)


def result_table(results: Iterable[TagResult], taxonomy: Taxonomy, evidence: bool):
    """Tag results as an Arrow table with :func:`results_schema`."""
    import pyarrow as pa

    schema = results_schema(taxonomy, evidence)
    cols: dict[str, list] = {name: [] for name in schema.names}
    for r in results:
        cols["id"].append(r.id)
        for f in taxonomy.facets:
            v = r.tags.get(f.name)
            if f.multi:
                v = v or ()
                cols[f.name].append([s.label for s in v])
                cols[f"{f.name}_scores"].append([float(s.score) for s in v])
                cols[f"{f.name}_sources"].append([s.source for s in v])
            else:
                s = v if isinstance(v, LabelScore) else None
                cols[f.name].append(None if s is None else s.label)
                cols[f"{f.name}_score"].append(None if s is None else float(s.score))
                cols[f"{f.name}_source"].append(None if s is None else s.source)
        if evidence:
            cols["evidence"].append(json.dumps(r.evidence.to_dict(), sort_keys=True, ensure_ascii=False,
                                               separators=(",", ":")))
    return pa.Table.from_pydict(cols, schema=schema)


def _tag_rows(tagger, ids: Sequence[str], titles: Sequence[str], bodies: Sequence[str], *, evidence: bool,
              top_terms: int, batch_size: int):
    """Every path tags through here: articles rebuilt from the corpus columns, text as ``Article.text``."""
    arts = [Article(title=t or "", body=b or "", id=i) for i, t, b in zip(ids, titles, bodies)]
    results = tagger.tag_batch(arts, batch_size=batch_size, evidence=evidence, top_terms=top_terms)
    return result_table(results, tagger.fitted_taxonomy, evidence)


def _write_part(table, schema, out: Path, k: int) -> str:
    # One chunk, our schema, no foreign metadata: the same bytes whichever path built the table.
    return write_shard(table.select(schema.names).cast(schema).combine_chunks(), out, shard_name(k))


# ---- the model, loaded once per process ------------------------------------------------------

_TAGGERS: dict[str, Any] = {}
_LOADS: dict[str, int] = {}  # sha256 -> times this process loaded the model (once, if the cache works)



def _cached_tagger(sha: str, *, path: str | None = None, blob: bytes | None = None):
    """The Tagger whose skops file has ``sha``: from this process's cache, else loaded (with the
    reviewed trusted types) from ``path`` or from ``blob``, the file's bytes shipped by the client."""
    tagger = _TAGGERS.get(sha)
    if tagger is not None:
        return tagger
    if blob is not None:
        if hashlib.sha256(blob).hexdigest() != sha:
            raise InputError(f"the model bytes received do not have sha256 {sha[:12]}…; the transfer was corrupted.")
        folder = Path(tempfile.gettempdir())
        try:
            from distributed import get_worker

            folder = Path(get_worker().local_directory)
        except (ImportError, ValueError):
            pass
        file = folder / f"newstag-model-{sha}.skops"
        if not file.is_file():
            with atomic_path(file) as tmp:
                tmp.write_bytes(blob)
        path = str(file)
    tagger = load_model(path)
    _LOADS[sha] = _LOADS.get(sha, 0) + 1
    _TAGGERS.clear()  # one model per process at a time
    _TAGGERS[sha] = tagger
    return tagger


def _resolve_model(model_path: str | Path | None) -> tuple[Any, Path, str]:
    """The model on the client, with its skops file and sha256: loaded with :func:`load_model` (which checks
    the model card), unless this process already holds the model with these very bytes."""
    file = _model_file(Path(model_path) if model_path is not None else default_model_path())
    sha = file_sha256(file)
    tagger = _TAGGERS.get(sha)
    if tagger is None:
        tagger = load_model(model_path)
        _TAGGERS.clear()
        _TAGGERS[sha] = tagger
    return tagger, file, sha


# ---- planning and finishing (shared by the three paths) --------------------------------------

def _check_rows(partition_rows: int) -> None:
    if not isinstance(partition_rows, int) or partition_rows < 1:
        raise InputError(f"partition_rows={partition_rows!r}: expected a positive number of articles per result part.")


def _corpus_ids(files: Sequence[Path]) -> list[str]:
    import pyarrow.parquet as pq

    return [i for f in files for i in pq.read_table(str(f), columns=["id"])["id"].to_pylist()]


def _text_parts(files: Sequence[Path], rows: int) -> Iterator:
    """The corpus's id, title and body columns in consecutive tables of ``rows`` rows (the last shorter)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    buf = None
    for f in files:
        t = pq.read_table(str(f), columns=_TEXT_COLUMNS)
        buf = t if buf is None else pa.concat_tables([buf, t])
        while buf.num_rows >= rows:
            yield buf.slice(0, rows)
            buf = buf.slice(rows)
    if buf is not None and buf.num_rows:
        yield buf


def _finish(out: Path, digests: dict[str, str], *, n: int, partition_rows: int, sha: str, tagger, schema,
            corpus_manifest: dict, evidence: bool, top_terms: int) -> Path:
    from corpus import environment

    for stale in (out / "data").glob("part-*.parquet"):
        if f"data/{stale.name}" not in digests:
            stale.unlink()
    tax = tagger.fitted_taxonomy
    atomic_write_json(out / "manifest.json", {
        "format": RESULTS_FORMAT,
        "articles": n,
        "partition_rows": partition_rows,
        "model": {"sha256": sha, "taxonomy": {"name": tax.name, "version": tax.version, "hash": tax.hash}},
        "corpus": {"fingerprint": corpus_manifest.get("fingerprint"),
                   "articles": corpus_manifest.get("counts", {}).get("articles")},
        "evidence": evidence,
        "top_terms": top_terms if evidence else None,
        "columns": schema.names,
        "data_files": dict(sorted(digests.items())),
        "versions": environment(),
    })
    return out


# ---- one machine -----------------------------------------------------------------------------

def _map_batch(batch: dict[str, list], *, sha: str, model_file: str, evidence: bool, top_terms: int,
               batch_size: int) -> dict[str, list]:
    tagger = _cached_tagger(sha, path=model_file)
    return _tag_rows(tagger, batch["id"], batch["title"], batch["body"], evidence=evidence, top_terms=top_terms,
                     batch_size=batch_size).to_pydict()


def is_results_folder(path: str | Path) -> bool:
    """Whether ``path`` holds a result folder that :func:`tag_corpus` or :func:`tag_corpus_dask` wrote."""
    try:
        return json.loads((Path(path) / "manifest.json").read_text(encoding="utf-8")).get("format") == RESULTS_FORMAT
    except (OSError, ValueError, AttributeError):
        return False


@contextlib.contextmanager
def _result_folder(out_dir: str | Path) -> Iterator[Path]:
    """A new folder to write the results in, switched in as ``out_dir`` as a whole at the end, holding its
    writer lock. ``out_dir`` must be missing, empty or an earlier result folder: never a corpus, nor any
    other folder this command did not make."""
    out = Path(out_dir).absolute()
    with folder_lock(out, what="tag result"):
        check_output_folder(out, what="tag result", is_ours=is_results_folder, error=InputError)
        with atomic_folder(out) as new:
            yield new


def tag_corpus(model_path: str | Path | None, corpus_dir: str | Path, out_dir: str | Path, **options: Any) -> Path:
    """Tag every article of a corpus folder on this machine and write a result folder (see
    :func:`_tag_corpus` for the options); the folder changes as a whole, and only a missing, empty or
    earlier result folder is written."""
    with _result_folder(out_dir) as new:
        _tag_corpus(model_path, corpus_dir, new, **options)
    return Path(out_dir)


def _tag_corpus(model_path: str | Path | None, corpus_dir: str | Path, out_dir: str | Path, *,
               num_proc: int | None = None, partition_rows: int = PARTITION_ROWS, evidence: bool = True,
               top_terms: int = 5, batch_size: int = 512, progress: Callable[[int], None] | None = None) -> Path:
    """Tag every article of a corpus folder on this machine and write a result folder.

    Parameters
    ----------
    model_path : model folder or ``.skops`` file (None: the default model)
    corpus_dir : corpus folder (``newstag corpus build``)
    out_dir : result folder to write (see the module docstring for its layout)
    num_proc : None or 1 tags in this process, streaming the corpus a part at a time; N > 1 spreads the
        corpus over N processes with ``datasets.Dataset.map(num_proc=N)`` (each loads the model once)
    partition_rows : articles per result part
    progress : called with the number of articles tagged so far, after each part (single process) or at the end

    Returns
    -------
    The result folder; the same bytes as :func:`tag_corpus_dask` gives for the same model, corpus and settings.

    Raises
    ------
    CorpusError, ModelError, InputError
        A missing or inconsistent corpus or model folder, or a bad setting (the message says which).
    """
    _check_rows(partition_rows)
    if num_proc is not None and (not isinstance(num_proc, int) or num_proc < 1):
        raise InputError(f"num_proc={num_proc!r}: expected a positive number of processes (or None for this one).")
    manifest, files = corpus_files(corpus_dir)
    tagger, file, sha = _resolve_model(model_path)
    schema = results_schema(tagger.fitted_taxonomy, evidence)
    out = Path(out_dir)
    (out / "data").mkdir(parents=True, exist_ok=True)
    digests: dict[str, str] = {}
    kw = dict(evidence=evidence, top_terms=top_terms, batch_size=batch_size)
    n = 0
    if num_proc is None or num_proc == 1:
        for k, part in enumerate(_text_parts(files, partition_rows)):
            cols = part.to_pydict()
            digests[shard_name(k)] = _write_part(_tag_rows(tagger, cols["id"], cols["title"], cols["body"], **kw),
                                                 schema, out, k)
            n += part.num_rows
            if progress is not None:
                progress(n)
    elif files:
        import datasets
        import pyarrow as pa
        import pyarrow.parquet as pq

        texts = datasets.Dataset(pa.concat_tables([pq.read_table(str(f), columns=_TEXT_COLUMNS) for f in files]))
        n = len(texts)
        if n:
            tagged = texts.map(_map_batch, batched=True, batch_size=batch_size, num_proc=min(num_proc, n),
                               remove_columns=_TEXT_COLUMNS, features=datasets.Features.from_arrow_schema(schema),
                               fn_kwargs=dict(sha=sha, model_file=str(file), **kw), desc="tagging")
            table = tagged.with_format("arrow")[0:n]
            for k, start in enumerate(range(0, n, partition_rows)):
                digests[shard_name(k)] = _write_part(table.slice(start, partition_rows), schema, out, k)
            if progress is not None:
                progress(n)
    if not digests:  # an empty corpus still has one (empty) part, like a corpus folder
        digests[shard_name(0)] = _write_part(schema.empty_table(), schema, out, 0)
    return _finish(out, digests, n=n, partition_rows=partition_rows, sha=sha, tagger=tagger, schema=schema,
                   corpus_manifest=manifest, evidence=evidence, top_terms=top_terms)


# ---- a Dask cluster --------------------------------------------------------------------------

def _tag_partition(df, blob, *, sha: str, out: str, evidence: bool, top_terms: int, batch_size: int,
                   partition_info=None):
    """On a worker: tag one partition (index ``id``, columns title and body) and write it as result part
    ``partition_info['number']``; returns one row: the part's name, sha256 and article count."""
    import pandas as pd

    tagger = _cached_tagger(sha, blob=blob)
    k = partition_info["number"]
    table = _tag_rows(tagger, df.index.tolist(), df["title"].tolist(), df["body"].tolist(), evidence=evidence,
                      top_terms=top_terms, batch_size=batch_size)
    schema = results_schema(tagger.fitted_taxonomy, evidence)
    digest = _write_part(table, schema, Path(out), k)
    return pd.DataFrame({"name": [shard_name(k)], "sha256": [digest], "articles": [len(df)]})


def tag_corpus_dask(model_path: str | Path | None, corpus_dir: str | Path, out_dir: str | Path,
                    scheduler: Any = "local", **options: Any) -> Path:
    """:func:`tag_corpus` on a Dask cluster (see :func:`_tag_corpus_dask` for the options): the workers
    write into a new folder beside ``out_dir``, switched in as a whole at the end."""
    with _result_folder(out_dir) as new:
        _tag_corpus_dask(model_path, corpus_dir, new, scheduler, **options)
    return Path(out_dir)


def _tag_corpus_dask(model_path: str | Path | None, corpus_dir: str | Path, out_dir: str | Path,
                    scheduler: Any = "local", *, n_workers: int | None = None,
                    partition_rows: int = PARTITION_ROWS, evidence: bool = True, top_terms: int = 5,
                    batch_size: int = 512, progress: Callable[[int], None] | None = None) -> Path:
    """Tag every article of a corpus folder on a Dask cluster and write a result folder.

    The corpus shards are read with ``dask.dataframe.read_parquet`` (index ``id``, divisions from the
    shards' statistics), cut into partitions of ``partition_rows`` articles by id, and tagged with
    ``map_partitions``; each worker writes its result parts itself. The model's skops bytes are scattered
    to every worker once.

    Parameters
    ----------
    scheduler : a ``distributed.Client``, ``"local"`` (a LocalCluster of ``n_workers`` processes) or a
        scheduler address ``tcp://HOST:8786``. The corpus and result folders must be at the same path on
        the client and every worker (a shared file system).
    Other parameters as :func:`tag_corpus`; ``progress`` is called with the articles tagged so far as parts finish.

    Returns
    -------
    The result folder, byte-identical to :func:`tag_corpus`'s for the same model, corpus and settings.
    """
    _check_rows(partition_rows)
    manifest, files = corpus_files(corpus_dir)
    tagger, file, sha = _resolve_model(model_path)
    schema = results_schema(tagger.fitted_taxonomy, evidence)
    out = Path(out_dir).absolute()
    (out / "data").mkdir(parents=True, exist_ok=True)
    ids = _corpus_ids(files)
    digests: dict[str, str] = {}
    if ids:
        from corpus import dask_client

        # Partition k holds the ids ranked [k*rows, (k+1)*rows); the last division closes the last one.
        divisions = ids[::partition_rows] + [ids[-1]]
        with dask_client(scheduler, n_workers=n_workers) as client:
            import dask.dataframe as dd
            from distributed import as_completed

            ddf = dd.read_parquet([str(Path(f).absolute()) for f in files], columns=["title", "body"], index="id",
                                  calculate_divisions=True)
            ddf = ddf.repartition(divisions=divisions)
            blob = client.scatter(file.read_bytes(), broadcast=True)
            meta = {"name": "object", "sha256": "object", "articles": "int64"}
            tagged = ddf.map_partitions(_tag_partition, blob, sha=sha, out=str(out), evidence=evidence,
                                        top_terms=top_terms, batch_size=batch_size, meta=meta)
            futures = client.compute(tagged.to_delayed())
            done = 0
            for fut in as_completed(futures):
                row = fut.result()
                digests[row["name"].iloc[0]] = row["sha256"].iloc[0]
                done += int(row["articles"].iloc[0])
                if progress is not None:
                    progress(done)
            if done != len(ids) or len(digests) != math.ceil(len(ids) / partition_rows):
                raise RuntimeError(f"the cluster tagged {done} of {len(ids)} articles in {len(digests)} parts.")
    else:
        digests[shard_name(0)] = _write_part(schema.empty_table(), schema, out, 0)
    return _finish(out, digests, n=len(ids), partition_rows=partition_rows, sha=sha, tagger=tagger, schema=schema,
                   corpus_manifest=manifest, evidence=evidence, top_terms=top_terms)
