"""Build a corpus on a Dask cluster: the same folder, byte for byte, as :func:`corpus.build`.

The steps are the local build's, spread out:

1. **Parse and fingerprint, on the workers.** The article files become a ``dask.bag`` (one element per
   file, contiguous partitions); each worker reads its files with :func:`~corpus.readers.read_file`,
   gives every article its :func:`~corpus.article_id` and MinHash signature, and keeps the articles in
   its memory (``persist``).
2. **Merge and group, on the client.** Only ids, origins, labels and signatures travel to the client,
   which merges exact duplicates (:func:`~corpus.store.merge_exact_duplicates`) in the order a local
   build reads them and groups near-duplicates over every signature at once
   (:func:`~corpus.fingerprint.groups_from_signatures`): groups cross partitions as they cross files.
3. **Write, on the workers.** Shard ``k`` holds the articles ranked ``k*shard_rows`` to
   ``(k+1)*shard_rows`` by id, like :func:`~corpus.store.save`; a worker gathers them from every
   partition and writes the shard with :func:`~corpus.store.write_shard`.
4. **Commit, on the client.** The client reads the shards back one at a time for the manifest
   (:func:`~corpus.store.manifest_from_pieces`) and writes it last (:func:`~corpus.store.finish_folder`).

The sources and the output folder must be readable (and the output writable) at the same path on the
client and every worker: a shared file system. Dask is an optional extra (``newstag[dask]``): it is
imported inside the functions, never when ``corpus`` is imported.
"""

from __future__ import annotations

__all__ = ["build_dask", "dask_client", "check_workers", "environment"]

import contextlib
import functools
import math
import os
import platform
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from .article import Article
from .errors import InputError, NewstagError, Rejection
from .fingerprint import NearDuplicateIndex, NearDuplicateParams, groups_from_signatures
from .readers import is_article_file, iter_files, read_file
from ._lock import folder_lock
from .atomic import atomic_folder
from .store import (SHARD_ROWS, BuildReport, Corpus, articles_dataset, check_build_output, check_not_empty, check_strict,
                    corpus_features, count_groups,
                    finish_folder, manifest_from_pieces, merge_exact_duplicates, read_dataset, resolve_taxonomy,
                    shard_name, with_id, write_shard)
from .taxonomy import Taxonomy

# Packages whose versions decide the bytes a worker writes or the tags it computes: a worker that
# differs from the client would give other results, so check_workers refuses it.
_PINNED = ("newstag", "datasets", "pyarrow", "numpy", "scikit-learn", "skops", "dask", "distributed")
_INSTALL_HINT = "pip install -c constraints.txt 'newstag[dask]'"


def _import_distributed():
    try:
        import dask  # noqa: F401
        import distributed
    except ImportError as exc:
        raise NewstagError(
            f"the Dask path needs the optional extra: {exc}. Install it with `{_INSTALL_HINT}` "
            f"(on the client and on every worker)."
        ) from None
    return distributed


def environment() -> dict[str, str]:
    """Python and the versions of the packages that decide the results (run on each worker)."""
    from .store import package_versions

    return {"python": platform.python_version(), **package_versions(_PINNED, missing="absent")}


def check_workers(client, *, timeout: float = 30.0) -> dict[str, dict[str, str]]:
    """Check that the cluster has workers and that each runs the client's environment.

    Returns the environment of each worker (by address).

    Raises
    ------
    NewstagError
        When no worker joins within ``timeout`` seconds, a worker cannot import newstag, or a worker's
        Python or package versions differ from the client's (the message lists them and what to install).
    """
    try:
        client.wait_for_workers(1, timeout=timeout)
    except TimeoutError:
        raise NewstagError(
            f"the Dask scheduler at {client.scheduler.address} has no workers after {timeout:g} s; start some "
            f"with `dask worker {client.scheduler.address}` on machines that have newstag installed."
        ) from None
    try:
        envs = client.run(environment)
    except Exception as exc:  # a worker without newstag cannot even unpickle the function
        raise NewstagError(
            f"the Dask workers cannot run newstag ({type(exc).__name__}: {exc}); install the client's "
            f"environment on every worker: `{_INSTALL_HINT}`."
        ) from None
    mine = environment()
    bad = []
    for addr, env in sorted(envs.items()):
        diff = [f"{k} {env.get(k)} (client {v})" for k, v in mine.items() if env.get(k) != v]
        if diff:
            bad.append(f"{addr}: " + ", ".join(diff))
    if bad:
        raise NewstagError(
            "Dask workers differ from the client, so their results would not be the local ones:\n  "
            + "\n  ".join(bad) + f"\nInstall the same environment everywhere: `{_INSTALL_HINT}` (same newstag version)."
        )
    return envs


@contextlib.contextmanager
def dask_client(client_or_address: Any = "local", *, n_workers: int | None = None) -> Iterator[Any]:
    """A ``distributed.Client`` for ``client_or_address``, closed on exit when this function opened it.

    Parameters
    ----------
    client_or_address : an existing ``distributed.Client`` (used as is), ``"local"`` (a
        ``LocalCluster`` of ``n_workers`` single-threaded worker processes on 127.0.0.1, default one per
        CPU, no dashboard), or a scheduler address such as ``tcp://10.0.0.5:8786``.

    Raises
    ------
    NewstagError
        When Dask is not installed, the scheduler cannot be reached, or the workers are unfit
        (see :func:`check_workers`).
    """
    distributed = _import_distributed()
    if isinstance(client_or_address, distributed.Client):
        check_workers(client_or_address)
        yield client_or_address
        return
    address = str(client_or_address)
    if address == "local":
        n = n_workers or os.cpu_count() or 1
        with distributed.LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                                      dashboard_address=None) as cluster, distributed.Client(cluster) as client:
            yield client
        return
    if n_workers is not None:
        raise NewstagError(f"n_workers={n_workers} applies to 'local' only; the cluster at {address} has the "
                           f"workers its operators started (`dask worker {address}`).")
    try:  # waits up to the Dask setting distributed.comm.timeouts.connect (DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT)
        client = distributed.Client(address)
    except (OSError, TimeoutError, ValueError) as exc:
        raise NewstagError(
            f"cannot reach the Dask scheduler at {address!r} ({type(exc).__name__}: {exc}). Start one with "
            f"`dask scheduler` and pass the address it prints (tcp://HOST:8786), or pass 'local'."
        ) from None
    with client:
        check_workers(client)
        yield client


# ---- worker side -------------------------------------------------------------------------------

@dataclass
class _Parsed:
    """One file, parsed on a worker: its articles (with ids), rejections, and the articles' signatures."""

    articles: list[Article]
    rejections: list[Rejection]
    signatures: np.ndarray


@functools.lru_cache(maxsize=4)
def _index(params: NearDuplicateParams) -> NearDuplicateIndex:
    return NearDuplicateIndex(params)  # one per worker process: its token-hash cache is reused


def _parse_file(item: tuple[str, str], taxonomy: Taxonomy, params: NearDuplicateParams) -> _Parsed:
    where, absolute = item
    read = read_file(absolute, taxonomy, where=where)
    articles = [with_id(a) for a in read.articles]
    return _Parsed(articles, list(read.rejections), _index(params).signatures([a.text for a in articles]))


def _summary(parsed: list[_Parsed]) -> list[tuple[list[Article], list[Rejection], np.ndarray]]:
    """What the client needs of a partition: ids, origins, labels and signatures, not the texts."""
    return [([Article(title="", body="", id=a.id, origin=a.origin, labels=a.labels) for a in p.articles],
             p.rejections, p.signatures) for p in parsed]


def _pick(parsed: list[_Parsed], locations: Sequence[tuple[int, int]]) -> list[Article]:
    return [parsed[f].articles[i] for f, i in locations]


def _write(picked: list[list[Article]], plan: tuple[list[str], list[str], list[list[str]], list[dict[str, Any]]],
           taxonomy: Taxonomy, path: str, name: str) -> str:
    """Write one shard: ``plan`` holds its ids in order, their group ids, origins and (merged) labels."""
    ids, groups, sources, labels = plan
    by_id = {a.id: a for part in picked for a in part}
    ordered = [by_id[i] if by_id[i].labels == lab else by_id[i].with_changes(labels=lab) for i, lab in zip(ids, labels)]
    ds = articles_dataset(ordered, groups, dict(zip(ids, sources)), taxonomy)
    return write_shard(ds.with_format("arrow")[0:len(ds)], Path(path), name)


# ---- client side -------------------------------------------------------------------------------

def build_dask(sources: Sequence[str | Path], output: str | Path, client_or_address: Any = "local", *,
               taxonomy: Taxonomy | str | Path | None = None, near_duplicates: NearDuplicateParams | None = None,
               strict: bool = False, shard_rows: int = SHARD_ROWS, files_per_partition: int | None = None,
               n_workers: int | None = None, progress: Callable[[str, int], None] | None = None,
               overwrite: bool = False) -> tuple[Path, BuildReport]:
    """:func:`corpus.build` on a Dask cluster: parse and fingerprint on the workers, dedupe across all
    partitions, write the shards on the workers. The folder is byte-identical to a local build's
    (``build(sources, output=...)`` followed by ``save(..., shard_rows=shard_rows)``).

    Parameters
    ----------
    sources : files or folders (read recursively), at the same path on the client and every worker
    output : the corpus folder to write; the workers write its shards, so it must be on shared storage
    client_or_address : a ``distributed.Client``, ``"local"`` or a scheduler address (see :func:`dask_client`)
    shard_rows : rows per Parquet shard (the local default :data:`~corpus.store.SHARD_ROWS`)
    files_per_partition : files per Dask partition (default: about four partitions per worker thread);
        one file is never split, so split a very large JSON Lines file to spread it out
    n_workers : worker processes of a ``"local"`` cluster
    progress : called on the client as ``progress(stage, n)``: ``"read"`` (files), ``"fingerprint"``
        (articles), ``"write"`` (shards)
    overwrite : replace a corpus already in ``output`` (as :func:`corpus.build`); the workers write the new
        version beside it, switched in as a whole at the end

    Returns
    -------
    (path, report) : the corpus folder (load it with :func:`corpus.load`) and the build report.

    Raises
    ------
    CorpusError
        In strict mode, when a record was rejected (nothing is written).
    InputError
        When a source is missing, or ``shard_rows`` or ``files_per_partition`` is not a positive number.
    NewstagError
        When Dask is missing or the cluster is unreachable or unfit (see :func:`dask_client`).
    """
    if not isinstance(shard_rows, int) or shard_rows < 1:
        raise InputError(f"shard_rows={shard_rows!r}: expected a positive number of articles per Parquet shard.")
    if files_per_partition is not None and (not isinstance(files_per_partition, int) or files_per_partition < 1):
        raise InputError(f"files_per_partition={files_per_partition!r}: expected a positive number of files "
                         f"(or None for about four partitions per worker thread).")
    as_completed = _import_distributed().as_completed
    import dask
    import dask.bag as db

    taxonomy, taxonomy_text = resolve_taxonomy(taxonomy)
    params = near_duplicates or NearDuplicateParams()
    output = Path(output).absolute()
    check_build_output(output, overwrite)  # before the work; checked again under the lock
    tick = progress or (lambda stage, n: None)
    report = BuildReport()
    files: list[tuple[str, str]] = []
    for path, explicit in iter_files(sources):
        if is_article_file(path, explicit):
            files.append((str(path), str(path.absolute())))
        else:
            report.skipped_files.append(str(path))
            tick("read", 1)
    report.files_read = len(files)

    with folder_lock(output):
        check_build_output(output, overwrite)
        with atomic_folder(output) as new, dask_client(client_or_address, n_workers=n_workers) as client:
            threads = sum(client.nthreads().values()) or 1
            size = files_per_partition or max(1, math.ceil(len(files) / (4 * threads)))
            bounds = [(s, min(s + size, len(files))) for s in range(0, len(files), size)]
            parsed = client.persist(
                db.from_sequence(files, partition_size=size).map(_parse_file, taxonomy=taxonomy, params=params))
            parts = parsed.to_delayed()[:len(bounds)]  # no files: one empty partition, nothing to read
            futures = client.compute([dask.delayed(_summary)(p) for p in parts])
            index = {f.key: k for k, f in enumerate(futures)}
            summaries: list[Any] = [None] * len(futures)
            for fut in as_completed(futures):
                k = index[fut.key]
                summaries[k] = fut.result()
                tick("read", bounds[k][1] - bounds[k][0])
                tick("fingerprint", sum(len(arts) for arts, _, _ in summaries[k]))
            del futures

            # Exact duplicates, in the order a local build reads the files.
            light: list[Article] = []
            first: dict[str, tuple[int, int, int]] = {}  # id -> (partition, file in partition, article in file)
            signature: dict[str, np.ndarray] = {}
            for p, summary in enumerate(summaries):
                for f, (arts, rejections, sigs) in enumerate(summary):
                    report.rejections += rejections
                    for i, a in enumerate(arts):
                        light.append(a)
                        if a.id not in first:
                            first[a.id], signature[a.id] = (p, f, i), sigs[i]
            del summaries
            if strict:
                check_strict(report)
            check_not_empty(report, len(light))
            kept, origins = merge_exact_duplicates(light, report)
            del light
            ids = sorted(kept)
            sigs = (np.stack([signature.pop(i) for i in ids]) if ids
                    else np.empty((0, params.permutations), dtype=np.uint64))
            groups = groups_from_signatures(ids, sigs, params)
            del sigs
            count_groups(groups, report)
            report.added = len(ids)

            # Shard k: ids ranked [k*shard_rows, (k+1)*shard_rows), gathered from the partitions that hold them.
            (new / "data").mkdir()
            names, writes = [], []
            tax = dask.delayed(taxonomy, traverse=False)
            for k, start in enumerate(range(0, max(len(ids), 1), shard_rows)):
                chunk = ids[start:start + shard_rows]
                where: dict[int, list[tuple[int, int]]] = {}
                for aid in chunk:
                    p, f, i = first[aid]
                    where.setdefault(p, []).append((f, i))
                # traverse=False: plain data, no Dask objects inside; walking it would cost more than the build
                picked = [dask.delayed(_pick)(parts[p], dask.delayed(locs, traverse=False))
                          for p, locs in sorted(where.items())]
                plan = dask.delayed((chunk, groups[start:start + shard_rows], [origins[i] for i in chunk],
                                     [kept[i].labels for i in chunk]), traverse=False)
                names.append(shard_name(k))
                writes.append(dask.delayed(_write)(picked, plan, tax, str(new), names[-1]))
            futures = client.compute(writes)
            for _ in as_completed(futures):
                tick("write", 1)
            digests = dict(zip(names, client.gather(futures)))
            del futures, parsed, parts

            features = corpus_features(taxonomy)
            pieces = (Corpus(read_dataset([new / name], features), taxonomy) for name in names)
            manifest = manifest_from_pieces(pieces, taxonomy, digests, params.as_dict())
            finish_folder(new, digests, taxonomy, taxonomy_text, report, manifest)
    return output, report
