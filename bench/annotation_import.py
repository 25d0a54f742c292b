"""Benchmark: import a Label Studio JSON export of 10,000 tasks x 3 annotators, building the corpus from it.

Target (issues 3 and 12): parse + build the corpus from the export's own tasks + consolidate + apply in
under 10 s and under 1 GiB peak RSS.

The export is synthesized with a fixed seed, the way Label Studio 1.23 writes a full JSON export of a
project made by hand (issue 12): task ``data`` with the user's own fields (``id``, ``headline``, ~2 kB
of ``text``, ``url``, ``desk``), three annotations per task from controls ``Region``, ``topic`` and
``country`` whose choices are display names ("Middle East", "Japan"; annotators disagree now and then),
each with its embedded ``prediction``, task-level predictions, ~2 % skipped annotations, ~1 % ground
truth, ~1 % untouched tasks with a draft. Each measured run is a fresh subprocess that times
what ``import_annotations`` does into a folder that does not exist: ``read_export`` (parse, map controls
and choices), ``corpus_from_export`` (the articles and the corpus from the tasks, article ids and
near-duplicate groups included) and ``apply_annotations`` (consolidate, build the labeled corpus in
memory; saving is the corpus package's and not timed); then, apart, the same export applied onto the
existing 10,000-article corpus (``match_tasks``: by source id) and ``agreement``. Peak RSS is the
child's ``ru_maxrss``, read after the import and again at the end.
The median of the runs goes to ``bench/results/annotation_import.json`` with the machine's details.

Labels are drawn with a Zipf-like skew (a few actors and themes are frequent, most are rare), as in news.
The synthesized corpus and export are cached in ``.cache/bench/annotation_import/``.

Run: ``.venv/bin/python -m bench.annotation_import [--runs 5] [--tasks 10000] [--annotators 3]``
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import time
from pathlib import Path

from bench._common import CACHE, child_result, progress, run_child, self_peak_rss_mib, write_result

TARGET_SECONDS = 10.0
TARGET_MIB = 1024.0

WORDS = ("the minister said forces missile defence agreement talks border coast guard ships navy drills alliance "
         "sanctions strike ceasefire summit president government army officials region security cooperation "
         "nuclear launch exercise troops vessels waters embassy spokesman statement week capital joint").split()


def _text(rng: random.Random, n_words: int) -> str:
    paras, words = [], [rng.choice(WORDS) for _ in range(n_words)]
    for i in range(0, n_words, 60):
        paras.append(" ".join(words[i:i + 60]).capitalize() + ".")
    return "\n\n".join(paras)


def synthesize(folder: Path, *, tasks: int, annotators: int, seed: int) -> dict:
    """Write ``folder/corpus`` and ``folder/export.json``; return counts."""
    from corpus import Article, from_articles, load_taxonomy

    rng = random.Random(seed)
    tax = load_taxonomy()
    region, themes, actors = (tax.facet(n).ids for n in ("region", "themes", "actors"))
    arts = [Article(id=f"{i:016x}", title=f"Story {i}: " + _text(rng, 8), body=_text(rng, 320), section="World",
                    source="BENCH", date_text="Jan 1", source_id=f"doc-{i}") for i in range(tasks)]
    from_articles(arts, tax).save(folder / "corpus")

    def weights(k: int, s: float) -> list[float]:
        return [1.0 / (rank + 1) ** s for rank in range(k)]

    w_region, w_themes, w_actors = weights(len(region), 0.8), weights(len(themes), 1.0), weights(len(actors), 1.1)

    def draw(pool: list[str], w: list[float], k: int) -> list[str]:
        return sorted(set(rng.choices(pool, w, k=k)), key=pool.index)

    def noisy(labels: list[str], pool: list[str], w: list[float]) -> list[str]:
        out = [lab for lab in labels if rng.random() > 0.1]
        if rng.random() < 0.15:
            out += rng.choices(pool, w)
        return sorted(set(out), key=pool.index)

    names = {f.name: {lab.id: lab.name for lab in f.labels} for f in tax.facets}  # choices show display names

    def result(r: str, t: list[str], a: list[str]) -> list[dict]:
        res = [{"from_name": "Region", "to_name": "text", "type": "choices",
                "value": {"choices": [names["region"][r]]}}]
        for control, facet, labs in (("topic", "themes", t), ("country", "actors", a)):
            if labs:
                res.append({"from_name": control, "to_name": "text", "type": "choices",
                            "value": {"choices": [names[facet][lab] for lab in labs]}})
        return res

    n_annotations = 0
    with open(folder / "export.json", "w", encoding="utf-8") as fh:
        fh.write("[\n")
        for i, art in enumerate(arts):
            true_r = rng.choices(region, w_region)[0]
            true_t = draw(themes, w_themes, rng.randint(0, 3))
            true_a = draw(actors, w_actors, rng.randint(1, 5))
            pred = {"id": i + 1, "model_version": "bench-model", "score": round(rng.random(), 4),
                    "result": result(true_r, true_t, true_a), "task": i + 1, "project": 1,
                    "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z"}
            anns, drafts = [], []
            if rng.random() < 0.01:
                drafts.append({"id": i, "user": "u1@example.com", "created_username": "u1@example.com, 1",
                               "result": result(true_r, true_t, true_a)})
            else:
                for k in range(annotators):
                    cancelled = rng.random() < 0.02
                    r = true_r if rng.random() > 0.1 else rng.choices(region, w_region)[0]
                    anns.append({
                        "id": i * annotators + k + 1, "completed_by": k + 1,
                        "result": [] if cancelled else result(r, noisy(true_t, themes, w_themes),
                                                             noisy(true_a, actors, w_actors)),
                        "was_cancelled": cancelled, "ground_truth": (not cancelled) and k == 0 and rng.random() < 0.01,
                        "created_at": "2024-01-02T00:00:00Z", "updated_at": f"2024-01-02T00:00:{k:02d}Z",
                        "lead_time": round(rng.uniform(5, 90), 3), "prediction": pred, "result_count": 3,
                        "unique_id": f"{i:08d}-{k}", "task": i + 1, "project": 1, "updated_by": k + 1,
                    })
                    n_annotations += 1
            task = {"id": i + 1, "annotations": anns, "drafts": drafts, "predictions": [i + 1],
                    "data": {"id": art.source_id, "headline": art.title, "text": art.body, "desk": "world",
                             "url": f"https://news.example/{i}"},
                    "meta": {}, "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-02T00:00:00Z",
                    "inner_id": i + 1, "total_annotations": len(anns), "cancelled_annotations": 0,
                    "total_predictions": 1, "project": 1}
            fh.write(json.dumps(task, ensure_ascii=False))
            fh.write(",\n" if i + 1 < len(arts) else "\n")
        fh.write("]\n")
    return {"tasks": tasks, "annotators_per_task": annotators, "annotations": n_annotations,
            "export_bytes": (folder / "export.json").stat().st_size, "seed": seed}


MAP = {"topic": "themes", "country": "actors"}  # what --map says; "Region" maps by its name


def child(folder: str) -> None:
    """One measured run, in its own process (so that its peak RSS is only this work's)."""
    import datasets  # noqa: F401 - imported before the clock starts, as in a session that has loaded a corpus
    import pyarrow  # noqa: F401

    from annotation import agreement, apply_annotations, corpus_from_export, match_tasks, read_export
    from corpus import load, load_taxonomy

    taxonomy = load_taxonomy()
    export_path = Path(folder) / "export.json"
    t0 = time.perf_counter()
    export = read_export(export_path, taxonomy, controls=MAP)
    t1 = time.perf_counter()
    built, article_of, no_text = corpus_from_export(export, taxonomy)
    export.skipped += no_text
    t2 = time.perf_counter()
    new, report = apply_annotations(built, export, article_of=article_of)
    t3 = time.perf_counter()
    import_peak = self_peak_rss_mib()
    corpus = load(Path(folder) / "corpus")
    t4 = time.perf_counter()
    found, unmatched = match_tasks(export, corpus)
    _, onto = apply_annotations(corpus, export, article_of=found)
    t5 = time.perf_counter()
    agreement(new)
    t6 = time.perf_counter()
    child_result({
        "parse_s": t1 - t0, "build_s": t2 - t1, "consolidate_apply_s": t3 - t2, "import_s": t3 - t0,
        "onto_existing_s": t5 - t4, "agreement_s": t6 - t5, "import_peak_rss_mib": round(import_peak, 1),
        "articles_built": len(built), "records": report.records, "records_used": report.records_used,
        "skipped": report.counts(), "needs_adjudication": len(report.needs_adjudication),
        "fingerprint": new.fingerprint, "onto_existing_records_used": onto.records_used,
        "onto_existing_unmatched": len(unmatched),
    })


def prepared(tasks: int, annotators: int, seed: int) -> tuple[Path, dict]:
    """The synthesized corpus and export (cached: the same arguments give the same files)."""
    folder = CACHE / "annotation_import" / f"handmade-tasks{tasks}-annotators{annotators}-seed{seed}"
    done = folder / "input.json"
    if not done.is_file():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        t = time.perf_counter()
        data = synthesize(folder, tasks=tasks, annotators=annotators, seed=seed)
        print(f"synthesized {data} in {time.perf_counter() - t:.1f} s", file=sys.stderr)
        done.write_text(json.dumps(data))
    return folder, json.loads(done.read_text())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tasks", type=int, default=10_000)
    ap.add_argument("--annotators", type=int, default=3)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(args.child)
        return 0
    folder, data = prepared(args.tasks, args.annotators, args.seed)
    runs = []
    with progress() as bar:
        task = bar.add_task("import runs", total=args.runs)
        for _ in range(args.runs):
            runs.append(run_child("bench.annotation_import", ["--child", str(folder)]))
            bar.advance(task)
    if len({r["fingerprint"] for r in runs}) != 1:
        raise SystemExit("the runs gave different corpora: the import is not deterministic")
    keys = ("parse_s", "build_s", "consolidate_apply_s", "import_s", "onto_existing_s", "agreement_s",
            "import_peak_rss_mib", "peak_rss_mib")
    median = {k: round(statistics.median(r[k] for r in runs), 3) for k in keys}
    peak = max(r["import_peak_rss_mib"] for r in runs)
    met = median["import_s"] < TARGET_SECONDS and peak < TARGET_MIB
    path = write_result("annotation_import", {
        "what": "read_export + corpus_from_export + apply_annotations of a full JSON export of a hand-made project "
                "(what import_annotations does into a new folder, saving not timed); onto an existing corpus "
                "(match_tasks + apply_annotations) and agreement timed apart, not in the target",
        "input": data, "runs": args.runs, "median": median, "max_import_peak_rss_mib": peak,
        "max_peak_rss_mib_with_agreement": max(r["peak_rss_mib"] for r in runs),
        "import_s_per_run": [round(r["import_s"], 3) for r in runs],
        "outcome": {k: runs[0][k] for k in ("articles_built", "records", "records_used", "skipped",
                                            "needs_adjudication", "fingerprint", "onto_existing_records_used",
                                            "onto_existing_unmatched")},
        "target": {"import_s": TARGET_SECONDS, "peak_rss_mib": TARGET_MIB}, "met": met,
    }, command=f"python -m bench.annotation_import --tasks {args.tasks} --annotators {args.annotators} "
               f"--runs {args.runs} --seed {args.seed}")
    print(f"median import {median['import_s']:.2f} s (onto an existing corpus {median['onto_existing_s']:.2f} s), "
          f"peak RSS {peak:.0f} MiB; "
          f"target met: {met}; written to {path}", file=sys.stderr)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
