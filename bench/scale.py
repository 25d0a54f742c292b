"""Training time and peak memory at 1k, 2k, 5k, 10k and 20k documents, and tagging throughput.

Run: ``.venv/bin/python -m bench.scale``  (writes bench/results/scale.json and scale.png)

The documents: a seeded random sample of the ~30,000 real texts of both corpora (Reuters-21578 and
the Wikipedia Current events summaries), so every size mixes long wire stories and short summaries in
the proportions of the pool. Their labels form one multi-label ``subject`` facet of 20 labels, about
the size of a themes facet: a Reuters document's R(10) TOPICS categories (earn, acq, money-fx, …), a
Wikipedia event's portal section (10 sections); a document with neither has an empty label set.

For each size, a corpus folder is written once (``.cache/bench/scale/N``); then a fresh child process
loads it and fits the model, so the child's peak RSS is loading plus fitting and nothing else. The
model is the newstag ``Tagger`` with its defaults (tf-idf word 1–2-grams, one LinearSVC per label with
Platt-calibrated, out-of-fold tuned thresholds) when the classifier package is importable, else the
plain scikit-learn pipeline ``TfidfVectorizer + OneVsRest(LinearSVC)``; the plain pipeline is timed
too, for comparison. Fitting runs once per size. Throughput: the fitted model tags ``HELD_OUT``
documents that are in no training sample (``predict``: labels only; ``tag_batch``: 500 of them with
evidence), the median of ``REPEATS`` passes.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench._common import CACHE, RESULTS, child_result, median_time, progress, run_child, shared_data, write_result

SIZES = (1_000, 2_000, 5_000, 10_000, 20_000)
HELD_OUT = 2_000
REPEATS = 3  # tagging throughput is the median of this many passes; fitting runs once per size
SEED = 0
FOLDER = CACHE / "scale"


R10 = ("earn", "acq", "money-fx", "grain", "crude", "trade", "interest", "ship", "wheat", "corn")


def subject_taxonomy(reuters_tax, sections_facet):
    from corpus import parse_taxonomy

    topics = {k: v for k, v in reuters_tax.to_dict()["facets"]["topics"]["labels"].items() if k in R10}
    sections = {lab.id: {"name": lab.name} for lab in sections_facet.labels}
    clash = set(topics) & set(sections)
    if clash:
        raise ValueError(f"topics and sections share label ids {sorted(clash)}; rename one side.")
    return parse_taxonomy({"taxonomy": {"name": "reuters-topics+wikipedia-sections", "version": "1"},
                           "facets": {"subject": {"kind": "multi", "description": "Reuters TOPICS or portal section",
                                                  "labels": {**topics, **sections}}}}, "<subject>")


def prepare() -> dict[str, Any]:
    """Write one corpus folder per size (and the held-out texts); returns the pool's make-up."""
    import json

    from corpus import Article, atomic_write_json, from_articles
    from corpus.datasets import read_reuters, read_wikipedia_current_events, reuters_taxonomy, wikinews_taxonomy

    rdir = shared_data("reuters21578")
    rtax = reuters_taxonomy(rdir)
    wtax = wikinews_taxonomy()
    tax = subject_taxonomy(rtax, wtax.facet("sections"))
    pool = [Article(id=a.id, title=a.title, body=a.body, labels={"subject": [t for t in a.labels["topics"] if t in R10]})
            for a in read_reuters(rdir, rtax).articles if (a.title or a.body)]
    n_reuters = len(pool)
    pool += [Article(title="", body=a.body, labels={"subject": [a.labels["sections"]]})
             for a in read_wikipedia_current_events(shared_data("wikipedia_current_events") / "posts", wtax).articles]
    order = np.random.default_rng(SEED).permutation(len(pool))
    held = [pool[i] for i in order[:HELD_OUT]]
    rest = [pool[i] for i in order[HELD_OUT:]]
    FOLDER.mkdir(parents=True, exist_ok=True)
    atomic_write_json(FOLDER / "held_out.json", [a.text for a in held])
    for n in SIZES:  # rebuilt every run: same seed, same folders
        from_articles(rest[:n], tax).save(FOLDER / str(n))
    return {"pool": len(pool), "reuters_documents": n_reuters, "wikipedia_events": len(pool) - n_reuters,
            "held_out": HELD_OUT, "labels": len(tax.facet("subject").ids), "sizes": list(SIZES),
            "sample": json.dumps({"seed": SEED, "method": "numpy default_rng permutation of the pool"})}


def worker(n: int, model: str) -> None:
    """Load the size-``n`` corpus, fit ``model``, tag the held-out texts; print timings as JSON."""
    import json
    import warnings

    from corpus import load

    t0 = time.perf_counter()
    corpus = load(FOLDER / str(n))
    held = json.loads((FOLDER / "held_out.json").read_text(encoding="utf-8"))
    load_s = time.perf_counter() - t0
    out: dict[str, Any] = {"n": len(corpus), "model": model, "load_seconds": round(load_s, 3)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if model == "tagger":
            from classifier import Tagger

            tagger = Tagger(random_state=SEED)
            t = time.perf_counter()
            tagger.fit(corpus)
            out["fit_seconds"] = round(time.perf_counter() - t, 3)
            out["predict_seconds"] = round(median_time(lambda: tagger.predict(held), REPEATS)[0], 3)
            secs, _, n = median_time(lambda: sum(1 for _ in tagger.tag_batch(held[:500])), REPEATS)  # a generator
            out["tagged_with_evidence"] = n
            out["tag_with_evidence_seconds_500"] = round(secs, 3)
        else:
            from sklearn.feature_extraction.text import TfidfVectorizer
            from sklearn.multiclass import OneVsRestClassifier
            from sklearn.pipeline import make_pipeline
            from sklearn.preprocessing import MultiLabelBinarizer
            from sklearn.svm import LinearSVC

            labels = corpus.labels("subject")
            mlb = MultiLabelBinarizer()
            Y = mlb.fit_transform(labels)
            pipe = make_pipeline(TfidfVectorizer(sublinear_tf=True), OneVsRestClassifier(LinearSVC(random_state=SEED)))
            t = time.perf_counter()
            pipe.fit(corpus.texts(), Y)
            out["fit_seconds"] = round(time.perf_counter() - t, 3)
            out["predict_seconds"] = round(median_time(lambda: pipe.predict(held), REPEATS)[0], 3)
    child_result(out)


def plot(rows: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    for model, marker in (("tagger", "o"), ("sklearn", "s")):
        pts = [r for r in rows if r["model"] == model]
        if not pts:
            continue
        label = "newstag Tagger" if model == "tagger" else "TfidfVectorizer + OneVsRest(LinearSVC)"
        ax1.plot([r["n"] for r in pts], [r["fit_seconds"] for r in pts], marker=marker, label=label)
        ax2.plot([r["n"] for r in pts], [r["peak_rss_mib"] for r in pts], marker=marker, label=label)
    for ax, title, unit in ((ax1, "training time", "seconds"), (ax2, "peak RSS (load + fit)", "MiB")):
        ax.set_xscale("log")
        ax.set_xlabel("training documents")
        ax.set_ylabel(unit)
        ax.set_title(title)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle("newstag scale: Reuters-21578 + Wikipedia Current events texts")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp.png")
    fig.savefig(tmp, dpi=110)
    plt.close(fig)
    tmp.replace(path)


def main() -> dict[str, Any]:
    try:
        import classifier  # noqa: F401
        models = ["tagger", "sklearn"]
    except ImportError:
        models = ["sklearn"]
    with progress() as bar:
        job = bar.add_task("scale: preparing samples", total=1 + len(SIZES) * len(models))
        pool = prepare()
        bar.advance(job)
        rows = []
        for model in models:
            for n in SIZES:
                bar.update(job, description=f"scale: {model} at {n}")
                r = run_child("bench.scale", ["--worker", str(n), "--model", model], timeout=3600)
                r["predict_articles_per_second"] = round(HELD_OUT / r["predict_seconds"], 1)
                if "tag_with_evidence_seconds_500" in r:
                    r["tag_with_evidence_articles_per_second"] = round(r["tagged_with_evidence"] / r["tag_with_evidence_seconds_500"], 1)
                rows.append(r)
                bar.advance(job)
    plot(rows, RESULTS / "scale.png")
    result = {"pool": pool, "runs": rows, "plot": "scale.png",
              "note": "one child process per size and model; peak RSS = that process's ru_maxrss (load + fit + tag)"}
    write_result("scale", result, "python -m bench.scale")
    return result


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--worker", type=int, help="fit at this size in this process and print JSON")
    ap.add_argument("--model", default="tagger", choices=["tagger", "sklearn"])
    args = ap.parse_args()
    if args.worker:
        worker(args.worker, args.model)
    else:
        res = main()
        for r in res["runs"]:
            print(f"{r['model']:8s} n={r['n']:6d} fit {r['fit_seconds']:8.1f} s  peak RSS {r['peak_rss_mib']:7.1f} MiB  "
                  f"predict {r['predict_articles_per_second']} articles/s")
