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
single process's. Times are medians of ``--runs`` runs (>= 3), in rounds that interleave the
configurations (so a change in the machine's load hits them alike); the cluster overhead is the 1-worker
time over the single-process time, minus one. Each run also records the CPU seconds it used (this
process with the scheduler and any ``num_proc`` children, plus the configuration's workers): when other
jobs share the two cores, wall times stretch and 2 workers cannot beat 1, but the CPU overhead of the
cluster path still shows (``load_average_1min_during_runs`` says how busy the machine was). A Dask
build's time is also split into its stages.

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
    from corpus.datasets import reuters_categories

    r10 = reuters_categories(reuters, "r10")
    tax = parse_taxonomy({"taxonomy": {"name": "reuters-r10", "version": "1"}, "facets": {"topics": {
        "kind": "multi", "description": "The ten ModApte R(10) topics.", "labels": {t: {"name": t} for t in r10}}}})
    ds = reuters.dataset
    train = [i for i, m in enumerate(ds["meta"]) if json.loads(m).get("lewissplit") == "TRAIN"][:n_train]
    titles, bodies, ids, topics = ds["title"], ds["body"], ds["id"], reuters.labels("topics")
    arts = [Article(title=titles[i], body=bodies[i], id=ids[i], labels={"topics": [t for t in topics[i] if t in r10]})
            for i in train]
    Tagger(alias_facet=None, group_attr=None, group_facet=None, threshold_cv=3).fit(from_articles(arts, tax)).save(path)
    return path


def _inputs() -> dict[str, Any]:
    """The Reuters corpus folder and the JSON Lines copy for the build (cached), and the model."""
    from corpus import load
    from corpus.datasets import build_reuters, read_reuters, reuters_taxonomy

    data = shared_data("reuters21578")
    corpus_dir, model_dir, jsonl_dir = WORK / "reuters", WORK / "model-r10", WORK / "reuters-jsonl"
    if (corpus_dir / "manifest.json").is_file():
        reuters = load(corpus_dir)
    else:
        reuters, _ = build_reuters(data, output=corpus_dir)
    shutil.rmtree(model_dir, ignore_errors=True)  # retrained each time: a model from older code may not load
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


def _summary(times: list[float], cpu: list[float], articles: int) -> dict[str, Any]:
    med = statistics.median(times)
    return {"seconds_median": round(med, 3), "seconds_all": [round(t, 3) for t in times],
            "articles_per_second": round(articles / med, 1),
            "cpu_seconds_median": round(statistics.median(cpu), 3), "cpu_seconds_all": [round(c, 3) for c in cpu]}


def _process_cpu() -> float:
    """CPU seconds (user + system) of this process and its reaped children (runs on workers too)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


class _Stages:
    """Seconds from the start of a Dask build to the end of each stage, from its progress callback."""

    def __init__(self) -> None:
        self.t0, self.last = time.perf_counter(), {}

    def __call__(self, stage: str, n: int) -> None:
        self.last[stage] = time.perf_counter() - self.t0


def main(runs: int) -> dict[str, Any]:
    from contextlib import ExitStack

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
    t = time.perf_counter()
    _resolve_model(inp["model"])  # the single-process paths then find the model loaded, as in a session
    model_load_s = time.perf_counter() - t
    kw = dict(partition_rows=PARTITION_ROWS)
    stages: dict[str, list[dict[str, float]]] = {}

    def local_build(path: Path) -> None:
        corpus, report = build([inp["jsonl"]], taxonomy=inp["taxonomy"])
        save(corpus, path, report)

    def cluster_build(client, name: str) -> Callable[[Path], Any]:
        def run(path: Path) -> None:
            st = _Stages()
            build_dask([inp["jsonl"]], path, client, taxonomy=inp["taxonomy"], progress=st)
            total = time.perf_counter() - st.t0
            parsed, written = st.last.get("fingerprint", 0.0), st.last.get("write", 0.0)
            stages.setdefault(name, []).append({"parse_fingerprint_on_workers": parsed,
                                                "merge_group_on_client_and_write_on_workers": written - parsed,
                                                "manifest_on_client": total - written})
        return run

    with ExitStack() as stack, progress() as bar:
        clients, start_s = {}, {}
        for workers in (1, 2):
            t = time.perf_counter()
            cluster = stack.enter_context(LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                                       host="127.0.0.1", dashboard_address=None))
            clients[workers] = stack.enter_context(Client(cluster))
            clients[workers].wait_for_workers(workers)
            start_s[workers] = time.perf_counter() - t
        tag_runs: dict[str, Callable[[Path], Any]] = {
            "single": lambda p: tag_corpus(inp["model"], inp["corpus"], p, **kw),
            "num_proc_2": lambda p: tag_corpus(inp["model"], inp["corpus"], p, num_proc=2, **kw),
            "dask_1_worker": lambda p: tag_corpus_dask(inp["model"], inp["corpus"], p, clients[1], **kw),
            "dask_2_workers": lambda p: tag_corpus_dask(inp["model"], inp["corpus"], p, clients[2], **kw),
        }
        build_runs: dict[str, Callable[[Path], Any]] = {
            "single": local_build,
            "dask_1_worker": cluster_build(clients[1], "dask_1_worker"),
            "dask_2_workers": cluster_build(clients[2], "dask_2_workers"),
        }
        task = bar.add_task("dask scaling runs", total=2 + runs * (len(tag_runs) + len(build_runs)))
        times: dict[str, list[float]] = {}
        digests: dict[str, str] = {}
        first: dict[str, float] = {}

        cpu: dict[str, list[float]] = {}
        loads: list[float] = []

        def cpu_now(name: str) -> float:
            """CPU seconds so far of this process (client, scheduler, num_proc children) and of the workers
            of the configuration's cluster: unlike wall time, not inflated when other jobs share the cores."""
            workers = 2 if name.endswith("2_workers") else 1 if name.endswith("1_worker") else 0
            return _process_cpu() + (sum(clients[workers].run(_process_cpu).values()) if workers else 0.0)

        def once(kind: str, name: str, fn: Callable[[Path], Any]) -> float:
            folder = out / kind / name
            shutil.rmtree(folder, ignore_errors=True)
            loads.append(os.getloadavg()[0])
            c = cpu_now(name)
            t = time.perf_counter()
            fn(folder)
            elapsed = time.perf_counter() - t
            cpu.setdefault(f"{kind}/{name}", []).append(cpu_now(name) - c)
            digests[f"{kind}/{name}"] = _digest(folder)  # not timed
            bar.advance(task)
            return elapsed

        for name in ("dask_1_worker", "dask_2_workers"):  # ships the model's bytes, loads them on each worker
            first[name] = once("tag", name, tag_runs[name])
        cpu.clear()
        # Rounds interleave the configurations, so that a change in the machine's load hits them alike.
        for _ in range(runs):
            for kind, configs in (("tag", tag_runs), ("build", build_runs)):
                for name, fn in configs.items():
                    times.setdefault(f"{kind}/{name}", []).append(once(kind, name, fn))

    identical = {kind: all(v == digests[f"{kind}/single"] for k, v in digests.items() if k.startswith(kind + "/"))
                 for kind in ("tag", "build")}
    if not all(identical.values()):
        raise RuntimeError(f"result folders differ between paths: {digests}")

    def section(kind: str, names) -> dict[str, Any]:
        res = {name: _summary(times[f"{kind}/{name}"], cpu[f"{kind}/{name}"], n) for name in names}
        s, d1, d2 = (res[k]["seconds_median"] for k in ("single", "dask_1_worker", "dask_2_workers"))
        cs, c1 = res["single"]["cpu_seconds_median"], res["dask_1_worker"]["cpu_seconds_median"]
        return {**res, "cluster_overhead_vs_single_at_1_worker": round(d1 / s - 1, 3),
                "cluster_cpu_overhead_vs_single_at_1_worker": round(c1 / cs - 1, 3),
                "speedup_2_workers_vs_1": round(d1 / d2, 3), "speedup_2_workers_vs_single": round(s / d2, 3),
                "scaling_efficiency_2_workers": round(d1 / d2 / 2, 3)}

    tag, build_res = section("tag", tag_runs), section("build", build_runs)
    for workers, name in ((1, "dask_1_worker"), (2, "dask_2_workers")):
        tag[name].update(cluster_start_seconds=round(start_s[workers], 3), first_run_seconds=round(first[name], 3))
        build_res[name]["stage_seconds_median"] = {k: round(statistics.median(st[k] for st in stages[name]), 3)
                                                   for k in stages[name][0]}
    result = {
        "what": ("tag every Reuters-21578 document (and build the corpus) in one process, with datasets "
                 "map(num_proc=2), and on a LocalCluster of 1 and 2 worker processes; medians of interleaved runs"),
        "articles": n,
        "runs": runs,
        "inputs": {"corpus": "build_reuters(../shared/data/reuters21578)", "model": "train_r10_tagger (R(10) "
                   f"topics, {TRAIN_DOCS} ModApte training documents)", "build_input_files": inp["jsonl_files"],
                   "partition_rows": PARTITION_ROWS, "evidence": True},
        "tag": tag,
        "build": build_res,
        "results_byte_identical_across_paths": identical,
        "load_average_1min_during_runs": {"min": round(min(loads), 2), "median": round(statistics.median(loads), 2),
                                          "max": round(max(loads), 2)},
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

    colours = {"single": "#555555", "num_proc_2": "#999999", "dask_1_worker": "#4c72b0", "dask_2_workers": "#1f4e9c"}
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for ax, kind, title in ((axes[0], "tag", "tagging (evidence on)"), (axes[1], "build", "corpus build")):
        names = [k for k in colours if k in result[kind]]
        rates = [result[kind][k]["articles_per_second"] for k in names]
        bars = ax.bar([k.replace("_", " ") for k in names], rates, color=[colours[k] for k in names])
        ax.bar_label(bars, labels=[f"{r:.0f}/s\n{result[kind][k]['cpu_seconds_median']:.1f} CPU s"
                                   for k, r in zip(names, rates)], fontsize=8)
        ax.set_title(f"{title}: {result['articles']:,} Reuters documents", fontsize=10)
        ax.set_ylabel("articles / s (median wall time)")
        ax.set_ylim(0, max(rates) * 1.25)
        ax.tick_params(axis="x", labelsize=8)
    load = result["load_average_1min_during_runs"]
    fig.suptitle(f"newstag on Dask, {os.cpu_count()} cores: one process vs LocalCluster worker processes "
                 f"(machine load average {load['min']}-{load['max']} during the runs)", fontsize=9)
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
