"""The cost of the sentence-embedding block (``Tagger(embeddings=0.5)``, the ``embeddings`` extra): training the main
job's model, and tagging, against the same Tagger without it and the plain pipeline.

Run: ``.venv/bin/python -m bench.embedding_cost --corpus out/corpus [--rounds 3] [--n 1000]``
(writes bench/results/embedding_cost.json; needs ``pip install 'newstag[embeddings]'``, which ``make test`` installs)

- ``plain``: the plain ``TfidfVectorizer + OneVsRestClassifier(LinearSVC)`` pipeline of bench/tagging_speed.py;
- ``tagger``, ``tagger_embeddings``: ``Tagger()`` and ``Tagger(embeddings=0.5)`` fitted on the main job's corpus (every
  item; the default taxonomy, so the themes head reads the block).

Tagging: every system tags the first ``--n`` of bench/tagging_speed.py's Reuters articles (longer texts than the news
items: the encoder reads up to 256 word pieces of each) and, apart, the main job's 240 evaluation items (its split manifest's eval side: short
event summaries), after one untimed pass each; each round times every system once, in turn, collector paused, in
CPU seconds (``time.process_time``; torch runs on every core, so its wall time is shorter). Reported: medians over
the rounds, each round's ratio to the plain pipeline, and per 1,000 texts. Training: one fit of each Tagger, CPU
and wall seconds (the embedding of the corpus is most of the difference).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from typing import Any

from bench._common import interleaved_cpu, write_result

ROUNDS = 3
N_TAG = 1000


def _fit(corpus, **params) -> tuple[Any, dict[str, float]]:
    from classifier import Tagger

    c, w = time.process_time(), time.perf_counter()
    tagger = Tagger(random_state=0, **params).fit(corpus)
    return tagger, {"cpu_seconds": round(time.process_time() - c, 1), "wall_seconds": round(time.perf_counter() - w, 1)}


def main(rounds: int, corpus_dir: str, n: int) -> dict[str, Any]:
    from bench.tagging_speed import _inputs, cached_baseline
    from corpus import load, load_splits

    inputs = _inputs(10_000)
    texts = inputs["texts"][:n]
    corpus = load(corpus_dir)
    evaluated = set(load_splits(corpus_dir).ids["eval"])  # the time split's evaluation items
    news = [t for i, t in zip(corpus.ids, corpus.texts()) if i in evaluated]
    base = cached_baseline(inputs["train"])
    plain, with_block = _fit(corpus), _fit(corpus, embeddings=0.5)
    out: dict[str, Any] = {"what": "Tagger(embeddings=0.5) against Tagger() and the plain pipeline: fit of the main "
                                   "job's corpus, tag_batch CPU seconds (collector paused, interleaved rounds)",
                           "rounds": rounds, "fit": {"tagger": plain[1], "tagger_embeddings": with_block[1],
                                                     "articles": len(corpus.ids)}}
    for name, batch in ((f"reuters_{n}", texts), (f"news_eval_{len(news)}", news)):
        systems = {"plain": lambda b=batch: base.predict(b),
                   "tagger": lambda b=batch: list(plain[0].tag_batch(b)),
                   "tagger_embeddings": lambda b=batch: list(with_block[0].tag_batch(b))}
        for fn in systems.values():
            fn()  # the untimed pass: lookup tables, memos, the encoder loaded
        cpu, loads, _ = interleaved_cpu(systems, rounds)
        per_round = {k: [round(a / b, 2) for a, b in zip(v, cpu["plain"])] for k, v in cpu.items()}
        out[name] = {
            "texts": len(batch),
            "load_average_1min_per_round": loads,
            "cpu_seconds_all": {k: [round(x, 3) for x in v] for k, v in cpu.items()},
            "cpu_seconds_median": {k: round(statistics.median(v), 3) for k, v in cpu.items()},
            "cpu_seconds_per_1000_texts_median": {k: round(1000 * statistics.median(v) / len(batch), 3)
                                                  for k, v in cpu.items()},
            "ratio_to_plain_per_round_median": {k: round(statistics.median(v), 2) for k, v in per_round.items()},
            "ratio_to_tagger_per_round_median": round(statistics.median(
                a / b for a, b in zip(cpu["tagger_embeddings"], cpu["tagger"])), 1),
        }
    return out


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=ROUNDS)
    ap.add_argument("--n", type=int, default=N_TAG, help="Reuters articles to tag per round")
    ap.add_argument("--corpus", default="out/corpus", help="the main job's corpus folder")
    args = ap.parse_args()
    if args.rounds < 3:
        ap.error("--rounds must be at least 3 (the figures are medians)")
    result = main(args.rounds, args.corpus, args.n)
    path = write_result("embedding_cost", result,
                        f".venv/bin/python -m bench.embedding_cost --corpus CORPUS --rounds {args.rounds} --n {args.n}")
    print(f"fit {result['fit']}; tagging x the plain pipeline: "
          f"{ {k: v['ratio_to_plain_per_round_median'] for k, v in result.items() if isinstance(v, dict) and 'texts' in v} }; "
          f"written to {path}", file=sys.stderr)
