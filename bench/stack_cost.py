"""What the themes head's second stage (``Tagger(stack_facets=("themes",))``, :class:`classifier.StackedOneVsRest`)
costs: CPU time of ``Tagger.fit`` on the main job's corpus and of ``tag_batch`` on 10,000 Reuters articles, with and
without it.

Run: ``.venv/bin/python -m bench.stack_cost --corpus out/corpus [--rounds 5]`` (writes bench/results/stack_cost.json)

Why a benchmark of its own: ``bench/tagging_speed.py``'s taxonomy (region, actors, sections) has no ``themes``
facet, so a stacked themes head would not show there and that benchmark cannot see its cost. Here, on the main job's
corpus and split (``CORPUS/splits.json``):

- ``plain``: the plain ``TfidfVectorizer + OneVsRestClassifier(LinearSVC)`` pipeline of bench/tagging_speed.py;
- ``news``: the default Tagger without the second stage (``stack_facets=()``);
- ``news_stack``: the default Tagger (the themes head stacked, ``stack_facets=("themes",)``).

Fits run with ``n_jobs=1`` (worker processes' CPU would not count in ``time.process_time``). Each round times every
system once, in turn, with Python's garbage collector paused, in CPU seconds (the machine is shared); tagging first
makes one untimed pass per system (lookup memos). Reported: medians over rounds and per-round ratios.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from typing import Any

from bench._common import interleaved_cpu, write_result

ROUNDS = 5
SYSTEMS = {"news": {"stack_facets": ()}, "news_stack": {"stack_facets": ("themes",)}}


def main(rounds: int, corpus_dir: str) -> dict[str, Any]:
    from bench.tagging_speed import _inputs, cached_baseline
    from classifier import Tagger
    from corpus import load, load_splits

    news, splits = load(corpus_dir), load_splits(corpus_dir)
    fit_cpu, loads, taggers = interleaved_cpu(
        {name: lambda params=params: Tagger(random_state=0, n_jobs=1, **params).fit(news, splits=splits)
         for name, params in SYSTEMS.items()}, rounds)

    inp = _inputs(10_000)
    texts = inp["texts"]
    base = cached_baseline(inp["train"])
    systems = {"plain": lambda: base.predict(texts)}
    for name, tagger in taggers.items():
        list(tagger.tag_batch(texts))  # the untimed pass: lookup tables and memos
        systems[name] = lambda tagger=tagger: list(tagger.tag_batch(texts))
    base.predict(texts)
    tag_cpu, tag_loads, _ = interleaved_cpu(systems, rounds)
    loads += tag_loads
    plain = tag_cpu["plain"]
    per_round = {k: [round(a / b, 3) for a, b in zip(v, plain)] for k, v in tag_cpu.items()}
    fit_ratio = [round(a / b, 3) for a, b in zip(fit_cpu["news_stack"], fit_cpu["news"])]
    return {
        "what": "Tagger.fit CPU seconds on the main job's corpus and split (n_jobs=1), and tag_batch CPU seconds on "
                "10,000 Reuters articles; collector paused, interleaved rounds",
        "rounds": rounds,
        "systems": systems_table(tag_cpu, per_round, fit_cpu),
        "load_average_1min_per_round": loads,
        "fit_cpu_seconds_all": {k: [round(x, 3) for x in v] for k, v in fit_cpu.items()},
        "fit_cpu_seconds_median": {k: round(statistics.median(v), 3) for k, v in fit_cpu.items()},
        "fit_stack_over_news_per_round": fit_ratio,
        "fit_stack_over_news_median": round(statistics.median(fit_ratio), 3),
        "tag_cpu_seconds_all": {k: [round(x, 3) for x in v] for k, v in tag_cpu.items()},
        "tag_cpu_seconds_median": {k: round(statistics.median(v), 3) for k, v in tag_cpu.items()},
        "tag_ratio_to_plain_per_round": per_round,
        "tag_ratio_to_plain_per_round_median": {k: round(statistics.median(v), 3) for k, v in per_round.items()},
        "tag_stack_cost_seconds_per_round_median": round(statistics.median(
            a - b for a, b in zip(tag_cpu["news_stack"], tag_cpu["news"])), 3),
    }


def systems_table(tag_cpu: dict[str, list[float]], per_round: dict[str, list[float]],
                  fit_cpu: dict[str, list[float]]) -> dict[str, dict[str, float]]:
    """Per system its medians: tag_batch CPU seconds, tag_batch x the plain pipeline, fit CPU seconds (the Taggers)."""
    return {k: {"tag_cpu_seconds_median": round(statistics.median(v), 3),
                "tag_ratio_to_plain_median": round(statistics.median(per_round[k]), 3),
                **({"fit_cpu_seconds_median": round(statistics.median(fit_cpu[k]), 3)} if k in fit_cpu else {})}
            for k, v in tag_cpu.items()}


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=ROUNDS)
    ap.add_argument("--corpus", required=True, help="the main job's corpus folder (out/corpus)")
    args = ap.parse_args()
    if args.rounds < 3:
        ap.error("--rounds must be at least 3 (the figures are medians)")
    result = main(args.rounds, args.corpus)
    path = write_result("stack_cost", result, f".venv/bin/python -m bench.stack_cost --rounds {args.rounds} --corpus CORPUS")
    print(f"fit: stacked / not stacked (median over rounds) {result['fit_stack_over_news_median']}; tag_batch x plain "
          f"{result['tag_ratio_to_plain_per_round_median']}; written to {path}", file=sys.stderr)
