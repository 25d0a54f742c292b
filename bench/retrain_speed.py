"""Retraining on 3,000 short news items: the ML backend's retrain path, timed (issue 16, part 3; goal <= 15 s).

Run: ``.venv/bin/python -m bench.retrain_speed [--corpus out/corpus] [--model models/default]``
(writes bench/results/retrain_speed.json).

The items are real short news texts: the annotated news items (seeds/news) of ``--corpus`` (the main job's
corpus, ``bash tools/main.sh out``; their gold labels from the Label Studio export), then events of the
Wikipedia Current events portal (``../shared/data/wikipedia_current_events``, read by
:func:`corpus.read_wikipedia_current_events`) up to 3,000 items. A Wikipedia event has silver labels: its
actors and region from its links (the reader's), its themes from ``--model`` (the current default model's
predictions). What is timed is :meth:`classifier.TaggerProvider.retrain` — what ``newstag annotate backend``
runs after new annotations: fit a Tagger with the model's parameters on the items, save it, swap it in —
in ``ROUNDS`` rounds (median), each into a fresh folder.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench._common import shared_data, write_result

ITEMS = 3000
ROUNDS = 3
GOAL_SECONDS = 15.0


def items(corpus_dir: str | None, provider) -> tuple[list[str], list[dict[str, Any]], dict[str, Any]]:
    """The texts and label rows of the retrain, and where they came from."""
    from corpus import load, read_wikipedia_current_events, wikinews_taxonomy

    tax = provider.taxonomy
    texts, labels = [], []
    gold = 0
    if corpus_dir:
        corpus = load(corpus_dir)
        cols = {f.name: (corpus.labels(f.name), corpus.annotated(f.name)) for f in tax.facets}
        news = ['"selection"' in (m or "") for m in corpus.dataset["meta"]]  # seeds/news items, not the starter ones
        for i, (text, ok) in enumerate(zip(corpus.texts(), corpus.dataset["labeled"])):
            if ok and news[i] and len(texts) < ITEMS:
                texts.append(text)
                labels.append({f: (col[i] if annotated[i] else None) for f, (col, annotated) in cols.items()})
        gold = len(texts)
    posts = shared_data("wikipedia_current_events") / "posts"
    events = read_wikipedia_current_events(posts, wikinews_taxonomy(tax)).articles  # + its own `sections` facet
    events = [a for a in events if a.text.strip()][: ITEMS - len(texts)]
    silver = provider.tagger.predict([a.text for a in events])
    for n, a in enumerate(events):
        row = {f.name: None for f in tax.facets}
        row.update({k: v for k, v in (a.labels or {}).items() if k in row})
        for f in tax.facets:  # facets the portal does not label: the model's labels (silver)
            if row[f.name] is None or (f.multi and f.name not in (a.labels or {})):
                row[f.name] = silver[f.name][n]
        texts.append(a.text)
        labels.append(row)
    source = {"gold_news_items": gold, "wikipedia_events": len(events),
              "wikipedia_labels": "actors and region from the event's links (reader); other facets silver: "
                                  "the --model's predictions",
              "mean_characters": round(sum(map(len, texts)) / len(texts), 1)}
    return texts, labels, source


def main(argv=None) -> dict[str, Any]:
    from importlib.metadata import entry_points

    (entry,) = entry_points(group="newstag.predictors", name="default")  # what the ML backend loads
    tagger_provider = entry.load()
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=None, help="the main job's annotated corpus (gold news items)")
    ap.add_argument("--model", default=os.environ.get("NEWSTAG_MODEL"), help="the current model (default: models/default)")
    args = ap.parse_args(argv)
    from classifier import ModelNotFoundError

    try:
        provider = tagger_provider(args.model)
    except ModelNotFoundError as exc:  # bench.run_all runs every benchmark without arguments
        print(f"bench.retrain_speed: skipped — {exc} (bash tools/main.sh out trains models/default).", file=sys.stderr)
        return {}
    texts, labels, source = items(args.corpus, provider)
    seconds, loads = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(ROUNDS):
            loads.append(round(os.getloadavg()[0], 2))
            t0 = time.perf_counter()
            new = provider.retrain(texts, labels, models_dir=Path(tmp) / f"round{r}")
            seconds.append(time.perf_counter() - t0)
    med = statistics.median(seconds)
    result = {
        "items": len(texts), "source": source, "rounds": ROUNDS,
        "retrain_seconds": [round(s, 2) for s in seconds], "median_retrain_seconds": round(med, 2),
        "rounds_table": {f"round {r + 1}": {"retrain_seconds": round(s, 2), "load_average_1min": loads[r]}
                         for r, s in enumerate(seconds)},
        "goal_seconds": GOAL_SECONDS, "goal_met": med <= GOAL_SECONDS,
        "load_average_1min_per_round": loads + [round(os.getloadavg()[0], 2)],
        "what": "classifier.TaggerProvider.retrain (fit a Tagger with the model's parameters, save it atomically)",
        "tagger_params": {k: v for k, v in new.tagger.get_params().items() if k != "taxonomy"},
    }
    write_result("retrain_speed", result, "python -m bench.retrain_speed --corpus out/corpus")
    return result


if __name__ == "__main__":
    out = main()
    if not out:
        raise SystemExit(0)
    print(f"retrain on {out['items']} items: median {out['median_retrain_seconds']} s "
          f"(goal <= {GOAL_SECONDS} s; load {out['load_average_1min_per_round']})")
