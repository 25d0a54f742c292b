"""Corpus build throughput on the ~30,000 real articles of both corpora, and the build's peak memory.

Run: ``.venv/bin/python -m bench.corpus_build_speed``  (writes bench/results/corpus_build_speed.json)

One build = read Reuters-21578 (22 SGML files, 21,578 documents) and the Wikipedia Current events
pages (516 files, ~8,700 events), then :func:`corpus.from_articles` on all of them with one taxonomy
(the union of both corpora's facets): content ids, MinHash signatures, LSH near-duplicate groups and
the in-memory ``datasets.Dataset``. Saving the Parquet folder is timed apart. Each build runs in a
fresh child process (``--worker``), so its peak RSS is the build's own; the result is the median of
``REPEATS`` builds. Goal (issue 6): >= 2,000 articles/s with near-duplicate detection, peak RSS < 1 GiB.
Wall-clock time depends on what else the machine runs (``load_average_at_start``), so the build's CPU
time is reported too (``articles_per_cpu_second``): on a 2-core machine shared with other jobs, wall
time can be up to twice the CPU time.
"""

from __future__ import annotations

import argparse
import statistics
import time

from bench._common import CACHE, child_result, progress, run_child, shared_data, write_result

REPEATS = 3
GOAL_ARTICLES_PER_S = 2000
GOAL_PEAK_RSS_MIB = 1024


def combined_taxonomy():
    """One taxonomy holding both corpora's facets (their names do not collide)."""
    from corpus import parse_taxonomy
    from corpus.datasets import reuters_taxonomy, wikinews_taxonomy

    reuters = reuters_taxonomy(shared_data("reuters21578")).to_dict()
    wiki = wikinews_taxonomy().to_dict()
    return parse_taxonomy({"taxonomy": {"name": "reuters21578+wikipedia-current-events", "version": "1"},
                           "facets": {**reuters["facets"], **wiki["facets"]}}, "<combined>")


def worker(save: bool) -> None:
    """One build in this (fresh) process; prints its stage timings as JSON."""
    t0 = time.perf_counter()
    import datasets  # noqa: F401  (importing the library is not part of a build)

    from corpus import BuildReport, from_articles, near_duplicate_groups, save as save_corpus
    from corpus.datasets import read_reuters, read_wikipedia_current_events

    tax = combined_taxonomy()
    t_import = time.perf_counter() - t0
    cpu0 = time.process_time()
    t = time.perf_counter()
    reuters = read_reuters(shared_data("reuters21578"), tax)
    t_reuters = time.perf_counter() - t
    t = time.perf_counter()
    wiki = read_wikipedia_current_events(shared_data("wikipedia_current_events") / "posts", tax)
    t_wiki = time.perf_counter() - t
    report = BuildReport()
    t = time.perf_counter()
    corpus = from_articles(reuters.articles + wiki.articles, tax, report=report)
    t_build = time.perf_counter() - t
    cpu_build = time.process_time() - cpu0
    # the near-duplicate step alone, again, to see its share (not in the build time); the texts are read
    # back from the dataset before the clock starts, so only the detection itself is timed
    texts = [f"{a}\n\n{b}" if a else b for a, b in zip(corpus.dataset["title"], corpus.dataset["body"])]
    t = time.perf_counter()
    near_duplicate_groups(corpus.ids, texts)
    t_near = time.perf_counter() - t
    out = {
        "records": report.records_read, "articles": len(corpus), "exact_duplicates_merged": len(report.duplicates),
        "near_duplicate_groups": report.near_duplicate_groups, "articles_in_groups": report.articles_in_groups,
        "rejected": len(reuters.rejections) + len(wiki.rejections),
        "build_cpu_seconds": round(cpu_build, 3),
        "seconds": {"imports_and_taxonomy": round(t_import, 3), "read_reuters": round(t_reuters, 3),
                    "read_wikipedia": round(t_wiki, 3), "ids_near_duplicates_dataset": round(t_build, 3),
                    "of_which_near_duplicates_alone": round(t_near, 3)},
    }
    if save:
        t = time.perf_counter()
        save_corpus(corpus, CACHE / "corpus_build_speed")
        out["seconds"]["save_parquet"] = round(time.perf_counter() - t, 3)
    child_result(out)


def main() -> dict:
    runs = []
    with progress() as bar:
        task = bar.add_task("corpus builds (child processes)", total=REPEATS)
        for k in range(REPEATS):
            runs.append(run_child("bench.corpus_build_speed", ["--worker"] + (["--save"] if k == 0 else [])))
            bar.advance(task)
    build_s = [r["seconds"]["read_reuters"] + r["seconds"]["read_wikipedia"] + r["seconds"]["ids_near_duplicates_dataset"]
               for r in runs]
    med = statistics.median(build_s)
    records = runs[0]["records"]
    peak = max(r["peak_rss_mib"] for r in runs)
    stages = {k: round(statistics.median(r["seconds"][k] for r in runs), 3) for k in runs[0]["seconds"]
              if all(k in r["seconds"] for r in runs)}
    result = {
        "what": "read both real corpora + content ids + MinHash/LSH near-duplicate groups + in-memory dataset",
        "records": records,
        "articles": runs[0]["articles"],
        "exact_duplicates_merged": runs[0]["exact_duplicates_merged"],
        "near_duplicate_groups": runs[0]["near_duplicate_groups"],
        "articles_in_groups": runs[0]["articles_in_groups"],
        "rejected_records": runs[0]["rejected"],
        "repeats": REPEATS,
        "build_seconds_median": round(med, 3),
        "build_seconds_all": [round(x, 3) for x in build_s],
        "articles_per_second": round(records / med, 1),
        "build_cpu_seconds_median": round(statistics.median(r["build_cpu_seconds"] for r in runs), 3),
        "articles_per_cpu_second": round(records / statistics.median(r["build_cpu_seconds"] for r in runs), 1),
        "stage_seconds_median": stages,
        "save_parquet_seconds": runs[0]["seconds"].get("save_parquet"),
        "peak_rss_mib": peak,
        "goal": {"articles_per_second": GOAL_ARTICLES_PER_S, "peak_rss_mib": GOAL_PEAK_RSS_MIB},
        "goal_met": {"articles_per_second": records / med >= GOAL_ARTICLES_PER_S, "peak_rss": peak < GOAL_PEAK_RSS_MIB},
    }
    near = stages.get("of_which_near_duplicates_alone")
    if near is not None:
        rest = stages["ids_near_duplicates_dataset"] - near
        result["notes"] = [
            f"reading: Reuters {stages['read_reuters']} s, Wikipedia {stages['read_wikipedia']} s "
            f"({records / (stages['read_reuters'] + stages['read_wikipedia']):,.0f} records/s)",
            f"near-duplicate detection (MinHash signatures + LSH grouping), timed alone: {near} s "
            f"({records / near:,.0f} articles/s)",
            f"the rest of from_articles (content ids, exact-duplicate merge, building the datasets.Dataset): "
            f"{rest:.2f} s",
        ]
    write_result("corpus_build_speed", result, "python -m bench.corpus_build_speed")
    return result


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--worker", action="store_true", help="run one build in this process and print JSON")
    ap.add_argument("--save", action="store_true", help="with --worker: also save the corpus folder")
    args = ap.parse_args()
    if args.worker:
        worker(args.save)
    else:
        r = main()
        print(f"{r['records']} records in {r['build_seconds_median']} s = {r['articles_per_second']} articles/s, "
              f"peak RSS {r['peak_rss_mib']} MiB")
