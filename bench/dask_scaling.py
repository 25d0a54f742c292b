"""Dask scaling on this 2-core machine: tagging and corpus builds with 1 and 2 worker processes, against
the single process (and ``datasets``' ``map(num_proc=2)``), on the 21,578 real Reuters-21578 documents.

Run: ``.venv/bin/python -m bench.dask_scaling [--runs 3]``
(writes bench/results/dask_scaling.json and dask_scaling.png)

**Tagging.** The corpus folder is ``build_reuters`` of every document; the model is a small real Tagger
(:func:`train_r10_tagger`: the ten ModApte R(10) topics, fitted on 2,000 training documents). One run
tags the whole corpus into a result folder (evidence included, as ``newstag tag`` does by default) with

- ``single``: :func:`classifier.tag_corpus` in this process (model already loaded);
- ``num_proc_2``: :func:`classifier.tag_corpus` with ``num_proc=2`` (``datasets.Dataset.map``);
- ``dask_1_worker`` / ``dask_2_workers``: :func:`classifier.tag_corpus_dask` on a running
  ``LocalCluster`` of that many single-threaded worker processes on 127.0.0.1.

A cluster's start and its first run (which ships the model's bytes to each worker and loads them
there) are reported apart; the timed runs are the following ones. **Building.** The same documents as
22 JSON Lines files (one per SGML file), built by :func:`corpus.build` + ``save`` (``single``) and by
:func:`corpus.build_dask` (1 and 2 workers). Every result folder is checked to be byte-identical to the
single process's. Times are medians of ``--runs`` runs (>= 3); the cluster overhead is the 1-worker
time over the single-process time, minus one.

Inputs are cached in ``.cache/bench/dask_scaling/``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import time
from pathlib import Path
from typing import Any, Callable

from bench._common import CACHE, RESULTS, progress, shared_data, write_result

WORK = CACHE / "dask_scaling"
PARTITION_ROWS = 2000  # ~11 result parts: enough partitions to keep two workers busy
TRAIN_DOCS = 2000


def train_r10_tagger(reuters, path: Path, *, n_train: int = TRAIN_DOCS) -> Path:
    """Fit and save a small real Tagger on a ``build_reuters`` corpus: one multi-label facet, the ten
    ModApte R(10) topics, fitted on the first ``n_train`` ModApte training documents (also used by
    tests/integration/test_dask.py)."""
    from classifier import Tagger
    from corpus import Article, from_articles, parse_taxonomy
    from corpus.realdata import reuters_categories

    r10 = reuters_categories(reuters, "r10")
    tax = parse_taxonomy({"taxonomy": {"name": "reuters-r10", "version": "1"}, "facets": {"topics": {
        "kind": "multi", "description": "The ten ModApte R(10) topics.", "labels": {t: {"name": t} for t in r10}}}})
    ds = reuters.dataset
    train = [i for i, m in enumerate(ds["meta"]) if json.loads(m).get("lewissplit") == "TRAIN"][:n_train]
    titles, bodies, ids, topics = ds["title"], ds["body"], ds["id"], reuters.labels("topics")
    arts = [Article(title=titles[i], body=bodies[i], id=ids[i], labels={"topics": [t for t in topics[i] if t in r10]})
            for i in train]
    Tagger(alias_facet=None, group_attr=None, threshold_cv=3).fit(from_articles(arts, tax)).save(path)
    return path


def _inputs() -> dict[str, Any]:
    """The Reuters corpus folder, the model, and the JSON Lines copy for the build (cached)."""
    from corpus import load
    from corpus.realdata import build_reuters, read_reuters, reuters_taxonomy

    data = shared_data("reuters21578")
    corpus_dir, model_dir, jsonl_dir = WORK / "reuters", WORK / "model-r10", WORK / "reuters-jsonl"
    if (corpus_dir / "manifest.json").is_file():
        reuters = load(corpus_dir)
    else:
        reuters, _ = build_reuters(data, output=corpus_dir)
    if not (model_dir / "model_card.json").is_file():
        train_r10_tagger(reuters, model_dir)
    tax = reuters_taxonomy(data)
    if not (jsonl_dir / "done").is_file():
        shutil.rmtree(jsonl_dir, ignore_errors=True)
        jsonl_dir.mkdir(parents=True)
        by_file: dict[str, list[str]] = {}
        for a in read_reuters(data, tax).articles:
            rec = {"title": a.title, "text": a.body or a.title or a.raw, "date": a.date_text,
                   **{f: v for f, v in a.labels.items() if v}}
            by_file.setdefault(Path(a.origin.split(":")[0]).stem, []).append(json.dumps(rec, ensure_ascii=False))
        for stem, lines in sorted(by_file.items()):
            (jsonl_dir / f"{stem}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        (jsonl_dir / "done").write_text("")
    return {"corpus": corpus_dir, "articles": len(reuters), "model": model_dir, "jsonl": jsonl_dir, "taxonomy": tax,
            "jsonl_files": len(list(jsonl_dir.glob("*.jsonl")))}


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(q for q in folder.rglob("*") if q.is_file()):
        h.update(p.relative_to(folder).as_posix().encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def _timed(fn: Callable[[], Any], runs: int, tick: Callable[[], None]) -> list[float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
        tick()
    return times


def _summary(times: list[float], articles: int) -> dict[str, Any]:
    med = statistics.median(times)
    return {"seconds_median": round(med, 3), "seconds_all": [round(t, 3) for t in times],
            "articles_per_second": round(articles / med, 1)}


def main(runs: int) -> dict[str, Any]:
    from distributed import Client, LocalCluster

    from classifier import tag_corpus, tag_corpus_dask
    from classifier._dask_tag import _resolve_model
    from corpus import build, build_dask, save

    t0 = time.perf_counter()
    inp = _inputs()
    n = inp["articles"]
    setup_s = time.perf_counter() - t0
    out = WORK / "out"
    shutil.rmtree(out, ignore_errors=True)
    tag, build_res, digests = {}, {}, {}
    t = time.perf_counter()
    _resolve_model(inp["model"])  # the single-process paths then find the model loaded, as in a session
    model_load_s = time.perf_counter() - t

    def tag_into(name: str, fn: Callable[[Path], Any]) -> Callable[[], Any]:
        def run():
            shutil.rmtree(out / name, ignore_errors=True)
            fn(out / name)
            digests[f"tag/{name}"] = _digest(out / name)
        return run

    def build_into(name: str, fn: Callable[[Path], Any]) -> Callable[[], Any]:
        def run():
            shutil.rmtree(out / name, ignore_errors=True)
            fn(out / name)
            digests[f"build/{name}"] = _digest(out / name)
        return run

    def local_build(path: Path) -> None:
        corpus, report = build([inp["jsonl"]], taxonomy=inp["taxonomy"])
        save(corpus, path, report)

    kw = dict(partition_rows=PARTITION_ROWS)
    with progress() as bar:
        task = bar.add_task("dask scaling runs", total=runs * 8 + 2)
        tick = lambda: bar.advance(task)  # noqa: E731
        tag["single"] = _summary(_timed(tag_into("single", lambda p: tag_corpus(inp["model"], inp["corpus"], p, **kw)),
                                        runs, tick), n)
        tag["num_proc_2"] = _summary(_timed(tag_into("num_proc_2", lambda p: tag_corpus(
            inp["model"], inp["corpus"], p, num_proc=2, **kw)), runs, tick), n)
        build_res["single"] = _summary(_timed(build_into("single", local_build), runs, tick), n)
        for workers in (1, 2):
            name = f"dask_{workers}_worker" + ("s" if workers > 1 else "")
            t = time.perf_counter()
            with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                              dashboard_address=None) as cluster, Client(cluster) as client:
                client.wait_for_workers(workers)
                start_s = time.perf_counter() - t
                run = tag_into(name, lambda p: tag_corpus_dask(inp["model"], inp["corpus"], p, client, **kw))
                first_s = _timed(run, 1, tick)[0]
                tag[name] = {**_summary(_timed(run, runs, tick), n), "cluster_start_seconds": round(start_s, 3),
                             "first_run_seconds": round(first_s, 3)}
                build_res[name] = _summary(_timed(build_into(name, lambda p: build_dask(
                    [inp["jsonl"]], p, client, taxonomy=inp["taxonomy"])), runs, tick), n)

    identical = {kind: all(v == digests[f"{kind}/single"] for k, v in digests.items() if k.startswith(kind + "/"))
                 for kind in ("tag", "build")}
    if not all(identical.values()):
        raise RuntimeError(f"result folders differ between paths: {digests}")

    def derived(res: dict) -> dict:
        s, d1, d2 = (res[k]["seconds_median"] for k in ("single", "dask_1_worker", "dask_2_workers"))
        return {"cluster_overhead_vs_single_at_1_worker": round(d1 / s - 1, 3),
                "speedup_2_workers_vs_1": round(d1 / d2, 3), "speedup_2_workers_vs_single": round(s / d2, 3),
                "scaling_efficiency_2_workers": round(d1 / d2 / 2, 3)}

    result = {
        "what": ("tag every Reuters-21578 document (and build the corpus) in one process, with datasets "
                 "map(num_proc=2), and on a LocalCluster of 1 and 2 worker processes; medians of the runs"),
        "articles": n,
        "runs": runs,
        "inputs": {"corpus": "build_reuters(../shared/data/reuters21578)", "model": "train_r10_tagger (R(10) "
                   f"topics, {TRAIN_DOCS} ModApte training documents)", "build_input_files": inp["jsonl_files"],
                   "partition_rows": PARTITION_ROWS, "evidence": True},
        "tag": {**tag, **derived(tag)},
        "build": {**build_res, **derived(build_res)},
        "results_byte_identical_across_paths": identical,
        "model_load_seconds_single_process": round(model_load_s, 3),
        "setup_seconds": round(setup_s, 1),
    }
    write_result("dask_scaling", result, f"python -m bench.dask_scaling --runs {runs}")
    _plot(result)
    return result


def _plot(result: dict[str, Any]) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, kind, title in ((axes[0], "tag", "tagging (evidence on)"), (axes[1], "build", "corpus build")):
        names = [k for k in ("single", "num_proc_2", "dask_1_worker", "dask_2_workers") if k in result[kind]]
        rates = [result[kind][k]["articles_per_second"] for k in names]
        bars = ax.bar([k.replace("_", " ") for k in names], rates, color=["#555", "#888", "#4c72b0", "#1f4e9c"][:len(names)])
        ax.bar_label(bars, fmt="%.0f")
        ax.set_title(f"{title}: {result['articles']:,} Reuters documents")
        ax.set_ylabel("articles / s (median)")
        ax.tick_params(axis="x", labelsize=8)
    fig.suptitle(f"newstag on Dask, {os.cpu_count()} cores: single process vs LocalCluster worker processes",
                 fontsize=10)
    fig.tight_layout()
    path = RESULTS / "dask_scaling.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3, help="timed runs per configuration (median reported; >= 3)")
    args = ap.parse_args()
    if args.runs < 3:
        ap.error("--runs must be at least 3 (the results are medians)")
    r = main(args.runs)
    for kind in ("tag", "build"):
        print(f"{kind}: " + ", ".join(f"{k} {r[kind][k]['articles_per_second']}/s" for k in
                                      ("single", "num_proc_2", "dask_1_worker", "dask_2_workers") if k in r[kind])
              + f"; overhead at 1 worker {r[kind]['cluster_overhead_vs_single_at_1_worker']:+.1%}, "
              f"2 vs 1 worker x{r[kind]['speedup_2_workers_vs_1']}")
