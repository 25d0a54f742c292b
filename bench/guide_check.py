"""The guide-only check: the model, the plain pipeline and the corpus's own labels against readers who follow the
annotation guide alone.

Run: ``.venv/bin/python -m bench.guide_check``  (writes bench/results/guide_check.json and its plot)

The real corpus was labeled from ``../shared/ANNOTATION_GUIDE.md`` *and* ``tools/news/CONVENTIONS.md``, and the
time split scores the model against those labels. Users, and any later check of the model, label from the guide
alone. ``tools/news/guide_check.py`` handed random items to fresh readers with the guide only, two per item, blind to
every other label (records: ``tools/news/labels/guide1.json`` and ``guide2.json``; labels: ``guideN-guide-*.jsonl``):

- ``eval``: every item of the time split's evaluation set (the random items of March–May 2026);
- ``dev``: random items of the development folds (June 2025 – February 2026), where the recipe's decisions are
  taken.

For each set this reports, per facet (region accuracy, themes and actors micro-F1):

- ``readers``: the two readers of an item against each other (what the issue's table calls the annotators'
  agreement);
- ``settled_vs_readers``: the corpus's settled labels against each reader, the mean of the two (what the
  conventions, and the adjudications, change against a guide-only reading);
- per system (``model``: the default Tagger as the time split fits it, or fitted on each development fold's training
  side; ``sklearn``: the plain pipeline on the same rows), its score against the settled labels and against each
  reader (the mean of the two, as the issue's table gives it);
- ``divergence``: where both readers agree with each other and not with the settled labels, per label (which
  conventions read the guide differently), with the item ids.
"""

from __future__ import annotations

import json
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench._common import RESULTS, rounded, write_result
from bench.news_time_split import DEV_FOLDS, SEED, _fit, build_corpus, main_job_folds

ROOT = Path(__file__).resolve().parent.parent
LABELS = ROOT / "tools" / "news" / "labels"
# guide1: the 330 evaluation items of then and 200 development items; guide2: the 150 items round 21 added to the
# evaluation set (``tools.news.guide_check handout guide2 --round r21 --dev 0``).
CHECKS = ("guide1", "guide2")
FACETS = ("region", "themes", "actors")


def load_readers(name: str) -> tuple[dict[str, Any], dict[str, list[dict]]]:
    """The check's record and, per item, its two readers' labels in the record's order.

    Raises
    ------
    SystemExit
        When a reader's file is missing, holds an item twice or an invalid line (``tools.news.label``'s checked reader),
        or lacks one of its items: the check is incomplete.
    """
    from corpus import load_taxonomy
    from tools.news.label import _check, _jsonl

    record = json.loads((LABELS / f"{name}.json").read_text(encoding="utf-8"))
    taxonomy = load_taxonomy()
    rows: dict[str, dict[str, dict]] = {}
    for who in record["readers"]:
        path = LABELS / f"{name}-{who}.jsonl"
        if not path.exists():
            raise SystemExit(f"bench.guide_check: {path} is missing: reader {who} has not labeled the items "
                             f"(tools/news/guide_check.py)")
        rows[who] = {item: {f: v if f == "region" else sorted(v) for f, v in labels.items()}
                     for item, labels in _check(_jsonl(path), path, taxonomy).items()}
    labels = {}
    for item, pair in record["assignment"].items():
        lost = [who for who in pair if item not in rows[who]]
        if lost:
            raise SystemExit(f"bench.guide_check: item {item} has no labels from {', '.join(lost)} "
                             f"({LABELS / f'{name}-{lost[0]}.jsonl'}): finish the reader's file")
        labels[item] = [rows[who][item] for who in pair]
    return record, labels


def load_checks(names: tuple[str, ...] = CHECKS) -> tuple[dict[str, Any], dict[str, list[dict]]]:
    """Several checks as one: their sets' items together, their readers named ``check/reader`` (a later check's
    ``guide-a`` is another person), each item's two readers' labels. :class:`SystemExit` when an item is in two
    checks, or as :func:`load_readers` says."""
    sets: dict[str, list[str]] = defaultdict(list)
    readers, labels, where = [], {}, {}
    for name in names:
        record, mine = load_readers(name)
        for item in mine:
            if item in where:
                raise SystemExit(f"bench.guide_check: item {item} is in two checks ({where[item]}, {name}): a check "
                                 f"hands out only items no earlier check holds")
            where[item] = name
        labels.update(mine)
        readers += [f"{name}/{who}" for who in record["readers"]]
        for s, items in record["sets"].items():
            sets[s] += items
    return {"checks": list(names), "readers": readers, "sets": {s: sorted(v) for s, v in sets.items()}}, labels


def check_coverage(sets: dict[str, list[str]], eval_items: list[str]) -> None:
    """:class:`SystemExit` unless every item of the time split's evaluation set has guide-only readers (the
    development items are a sample by design)."""
    missing = sorted(set(eval_items) - set(sets.get("eval", [])))
    if missing:
        raise SystemExit(f"bench.guide_check: {len(missing)} evaluation item(s) of the time split have no guide-only "
                         f"readers (e.g. {missing[0]}): hand them out to fresh readers (python -m tools.news.guide_check "
                         f"handout guideK --round ROUND --dev 0 for the round that added them), then add guideK to "
                         f"bench.guide_check.CHECKS")


def columns(labels: list[dict]) -> dict[str, list]:
    """Per-item label dicts as the facet columns :func:`bench.model_quality.metrics` reads."""
    return {f: [r[f] for r in labels] for f in FACETS}


def headline(tax, gold: dict[str, list], pred: dict[str, list]) -> dict[str, float]:
    from bench import model_quality as mq

    m = mq.metrics(tax, gold, pred)
    return {"region_accuracy": rounded(m["region"]["accuracy"]), "themes_micro_f1": rounded(m["themes"]["micro_f1"]),
            "actors_micro_f1": rounded(m["actors"]["micro_f1"])}


def mean_over_readers(tax, pred: dict[str, list], first: dict[str, list], second: dict[str, list]) -> dict[str, Any]:
    """``pred`` scored against each reader's labels; the mean of the two (the issue's table's way)."""
    a, b = headline(tax, first, pred), headline(tax, second, pred)
    return {**{k: rounded((a[k] + b[k]) / 2) for k in a}, "first": a, "second": b}


def divergence(settled: list[dict], pairs: list[list[dict]], items: list[str]) -> dict[str, Any]:
    """Where the two readers agree with each other and not with the settled labels: per facet the item count, and
    per label (region: settled -> readers) the items."""
    out = {}
    for f in FACETS:
        agree = [k for k, (a, b) in enumerate(pairs) if a[f] == b[f]]
        differ = [k for k in agree if pairs[k][0][f] != settled[k][f]]
        per: dict[str, list[str]] = defaultdict(list)
        for k in differ:
            if f == "region":
                per[f"{settled[k][f]} -> {pairs[k][0][f]}"].append(items[k])
                continue
            for lab in sorted(set(settled[k][f]) - set(pairs[k][0][f])):
                per[f"{lab}: settled only"].append(items[k])
            for lab in sorted(set(pairs[k][0][f]) - set(settled[k][f])):
                per[f"{lab}: readers only"].append(items[k])
        out[f] = {"readers_agree": len(agree), "settled_differs": len(differ),
                  "per_label": {k: {"n": len(v), "items": v} for k, v in
                                sorted(per.items(), key=lambda kv: (-len(kv[1]), kv[0]))}}
    return out


def score_set(tax, items: list[str], settled: list[dict], pairs: list[list[dict]],
              systems: dict[str, dict[str, list]]) -> dict[str, Any]:
    first, second = columns([p[0] for p in pairs]), columns([p[1] for p in pairs])
    gold = columns(settled)
    return {
        "items": len(items),
        "readers": headline(tax, first, second),
        "settled_vs_readers": mean_over_readers(tax, gold, first, second),
        "systems": {name: {"settled": headline(tax, gold, pred), "readers": mean_over_readers(tax, pred, first, second)}
                    for name, pred in systems.items()},
        "divergence": divergence(settled, pairs, items),
    }


def _predict(corpus, texts: list[str], gold: dict[str, list], rows: list[int], keep: set[str], train_rows: list[int],
             tagger) -> tuple[list[int], dict, dict]:
    """The rows of ``rows`` whose item is in ``keep``; the Tagger's and the plain pipeline's tags for them."""
    from bench import model_quality as mq

    ev = [i for i in rows if corpus.ids[i] in keep]
    return ev, tagger.predict([texts[i] for i in ev]), mq.plain_pipeline(corpus, texts, gold, train_rows, ev, SEED)


def main() -> dict[str, Any]:
    from bench import model_quality as mq
    from classifier import Tagger
    from corpus import split_rows

    record, labels = load_checks()
    with tempfile.TemporaryDirectory(prefix="newstag-guide-check-") as tmp:
        corpus, splits = build_corpus(Path(tmp) / "corpus")
        tax, ids, texts = corpus.taxonomy, corpus.ids, corpus.texts()
        check_coverage(record["sets"], list(splits.ids["eval"]))
        settled_all = {f: corpus.labels(f) for f in FACETS}
        parts = {}
        # The evaluation period: the time split's model (bench.news_time_split's "tagger").
        tagger, _ = _fit(corpus, splits, splits.ids["train"])
        parts["eval"] = [_predict(corpus, texts, settled_all, split_rows(ids, splits, "eval"),
                                  set(record["sets"]["eval"]), split_rows(ids, splits, "train"), tagger)]
        # The development folds: the Tagger fitted on each fold's training side, as the recipe's decisions are taken.
        random_ids = mq.random_items(ids, [json.loads(m) if m else {} for m in corpus.dataset["meta"]])
        parts["dev"] = []
        for fold in DEV_FOLDS:
            tr, ev = mq.fold_rows(corpus, random_ids, fold)
            model = Tagger(random_state=SEED).fit(
                corpus, splits=mq.story_split(corpus, [ids[i] for i in tr], [ids[i] for i in ev], main_job_folds(), SEED))
            parts["dev"].append(_predict(corpus, texts, settled_all, ev, set(record["sets"]["dev"]), tr, model))
        result: dict[str, Any] = {
            "what": "the default model, the plain pipeline and the corpus's settled labels against readers who follow "
                    "../shared/ANNOTATION_GUIDE.md alone (two per item, blind); time split evaluation items and random "
                    "development-fold items",
            "checks": record["checks"], "readers": record["readers"], "sets": {}}
        for name, chunks in parts.items():
            rows = [i for ev, _, _ in chunks for i in ev]
            items = [ids[i] for i in rows]
            missing = set(record["sets"][name]) - set(items)
            if missing:
                raise SystemExit(f"bench.guide_check: {len(missing)} {name} item(s) of the check are not in the "
                                 f"corpus's {name} rows (e.g. {sorted(missing)[0]}): rerun the handout")
            systems = {s: {f: [x for chunk in chunks for x in chunk[k][f]] for f in FACETS}
                       for s, k in (("model", 1), ("sklearn", 2))}
            settled = [{f: (sorted(settled_all[f][i]) if f != "region" else settled_all[f][i]) for f in FACETS}
                       for i in rows]
            result["sets"][name] = score_set(tax, items, settled, [labels[a] for a in items], systems)
    return result


if __name__ == "__main__":
    from bench.plots import plot_result

    data = main()
    write_result("guide_check", data, "python -m bench.guide_check")
    plot_result("guide_check", data, RESULTS / "guide_check.png")
