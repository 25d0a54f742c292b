"""The tagging cost of the word-prefix block (``Tagger(prefix_length=6)``): CPU time of ``tag_batch`` with the block
read by one topical head or by every head, against the same Tagger without it and the plain pipeline.

Run: ``.venv/bin/python -m bench.prefix_cost [--rounds 7] [--corpus out/corpus]``
(writes bench/results/prefix_cost.json)

Why a benchmark of its own: ``bench/tagging_speed.py`` fits ``Tagger()`` on Wikipedia Current events items whose
taxonomy (region, actors, sections) has no ``themes`` facet, so a prefix block read by the themes head
(``prefix_facets=("themes",)``) is never built there and that benchmark cannot see its cost. Here:

- ``plain``: the plain ``TfidfVectorizer + OneVsRestClassifier(LinearSVC)`` pipeline of bench/tagging_speed.py;
- ``wiki``, ``wiki_prefix_sections``, ``wiki_prefix_every``: the Tagger fitted on tagging_speed's 4,000 items without
  a prefix block, with it read by the ``sections`` head (that taxonomy's topical facet, what themes is to the
  default one), and by every head;
- with ``--corpus`` (the main job's corpus, the default taxonomy): ``news`` and ``news_prefix_themes``, without and
  with the block read by the themes head (the Tagger's parameters when prefix_length is set).

Every system tags the same 10,000 Reuters articles as bench/tagging_speed.py (after one untimed pass each, which fills
the lookup memos); each round times every system once, in turn, with Python's garbage collector paused, in CPU
seconds (``time.process_time``: the machine is shared). Reported: per system the median and the smallest of the
rounds, and each round's ratio to the plain pipeline of the same round.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from typing import Any, Callable

from bench._common import interleaved_cpu, write_result

ROUNDS = 7


def _systems(corpus_dir: str | None) -> dict[str, Callable[[], Any]]:
    from bench.tagging_speed import _corpus, _inputs, cached_baseline
    from classifier import Tagger

    inp = _inputs(10_000)
    texts = inp["texts"]
    wiki = _corpus(inp["train"])
    base = cached_baseline(inp["train"], wiki)
    fits = {"wiki": (wiki, {"prefix_length": None}),
            "wiki_prefix_sections": (wiki, {"prefix_length": 6, "prefix_facets": ("sections",)}),
            "wiki_prefix_every": (wiki, {"prefix_length": 6, "prefix_facets": None})}
    if corpus_dir:
        from corpus import load

        news = load(corpus_dir)
        fits.update({"news": (news, {"prefix_length": None}),
                     "news_prefix_themes": (news, {"prefix_length": 6, "prefix_facets": ("themes",)})})
    systems: dict[str, Callable[[], Any]] = {"plain": lambda: base.predict(texts)}
    for name, (corpus, params) in fits.items():
        tagger = Tagger(random_state=0, **params).fit(corpus)
        list(tagger.tag_batch(texts))  # the untimed pass: lookup tables and memos
        systems[name] = lambda tagger=tagger: list(tagger.tag_batch(texts))
    base.predict(texts)
    return systems


def main(rounds: int, corpus_dir: str | None) -> dict[str, Any]:
    cpu, loads, _ = interleaved_cpu(_systems(corpus_dir), rounds)
    plain = cpu["plain"]
    per_round = {k: [round(a / b, 3) for a, b in zip(v, plain)] for k, v in cpu.items()}
    out = {
        "what": "tag_batch CPU seconds on 10,000 Reuters articles (collector paused), interleaved rounds",
        "rounds": rounds,
        "load_average_1min_per_round": loads,
        "cpu_seconds_all": {k: [round(x, 3) for x in v] for k, v in cpu.items()},
        "cpu_seconds_median": {k: round(statistics.median(v), 3) for k, v in cpu.items()},
        "cpu_seconds_min": {k: round(min(v), 3) for k, v in cpu.items()},
        "ratio_to_plain_per_round": per_round,
        "ratio_to_plain_per_round_median": {k: round(statistics.median(v), 3) for k, v in per_round.items()},
        "ratio_to_plain_of_minima": {k: round(min(v) / min(plain), 3) for k, v in cpu.items()},
    }
    pairs = [("wiki_prefix_sections", "wiki"), ("wiki_prefix_every", "wiki"), ("news_prefix_themes", "news")]
    out["prefix_cost"] = {a: {"cpu_seconds_per_round_median": round(statistics.median(x - y for x, y in zip(cpu[a], cpu[b])), 3),
                              "ratio_to_plain_per_round_median": round(statistics.median(
                                  x - y for x, y in zip(per_round[a], per_round[b])), 3)}
                          for a, b in pairs if a in cpu}
    return out


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=ROUNDS)
    ap.add_argument("--corpus", default=None, help="the main job's corpus folder (out/corpus), for the news systems")
    args = ap.parse_args()
    if args.rounds < 3:
        ap.error("--rounds must be at least 3 (the figures are medians)")
    result = main(args.rounds, args.corpus)
    cmd = f".venv/bin/python -m bench.prefix_cost --rounds {args.rounds}" + (" --corpus CORPUS" if args.corpus else "")
    path = write_result("prefix_cost", result, cmd)
    print(f"prefix cost (x the plain pipeline's time, median over rounds): {result['prefix_cost']}; written to {path}",
          file=sys.stderr)
