"""The default model on real news: a time split of the committed corpora, beside the baselines, and a learning curve.

Run: ``.venv/bin/python -m bench.news_time_split``  (writes bench/results/news_time_split.json and its plot)

Data: the starter items (``seeds/starter``, the team's own words) and the real news items annotated
through Label Studio (``seeds/news``: Wikipedia Current events summaries, two annotators each and every
disagreement adjudicated), built and imported exactly as the main job does (``tools/main.sh``). Split:
train on everything dated before 2026-03-01; evaluate on the items drawn *at random* from 2026-03-01 to
2026-05-31 (active learning's picks are never evaluated: they are not a sample of the news); a training
item sharing a whole story line with an evaluated one is left out of training (:func:`corpus.time_split`).

Systems, scored by :func:`classifier.evaluate` (what ``newstag evaluate`` reports), each fitted on the same
training items:
- ``tagger``: ``classifier.Tagger()`` with its defaults (the default model);
- ``sklearn``: the pipeline a user would try first (``classifier._baseline``): ``TfidfVectorizer`` +
  ``LinearSVC``, one-vs-rest with per-label thresholds from 5-fold CV scores for multi-label facets;
- ``alias_rules``: the taxonomy's names and aliases, no learning; ``majority``: the commonest labels;
- ``starter_only``: ``Tagger()`` fitted on the starter items of the training period alone (the model
  before any real text was annotated);
- ``without_latest_quarter``: ``Tagger()`` fitted on the training items dated before 2025-12-01 (the
  training period without its last three months): what the latest labeled news is worth to the next period,
  the reason the main job's model is refitted on every labeled item (``newstag train --refit``).

Fold draws: the Tagger and the plain pipeline again, with the threshold folds cut with seeds 0 … 4 instead of the
main job's 0 (the same training items, story lines whole): how far the draw of those folds alone moves each facet
and the gap between the two (the README quotes the themes gap's range). The same on the three development folds
(``bench.model_quality.FOLDS``: a quarter of random items before the evaluation period, trained on what precedes
it), where the recipe's decisions are taken: themes of both per fold and seed (the README quotes the mean lead).

Learning curve: F1 per facet against the number of real items in training, for items drawn at random
(round 0, in a seeded order) and for items chosen by ``newstag annotate next`` (rounds 1-5, in the order
they were chosen), each on top of the starter items; and the two together in annotation order.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench._common import RESULTS, rounded, write_result
from bench.wikinews_accuracy import _binarize

ROOT = Path(__file__).resolve().parent.parent
CUTOFF, UNTIL = "2026-03-01", "2026-05-31"
LATEST_QUARTER = "2025-12-01"  # the first day of the training period's last three months
SEED = 0
CURVE_STEPS = 5
FOLD_SEEDS = range(5)  # the draws of the threshold folds in fold_draws (0: the main job's)
DEV_FOLDS = ("dev3", "dev2", "dev1")  # bench.model_quality.FOLDS, oldest first


def main_job_split(out: Path) -> list[str]:
    """The arguments of the main job's ``newstag corpus split`` (read from ``tools/main.sh``, so the two never
    differ), on the corpus folder ``out``."""
    import shlex

    for line in (ROOT / "tools" / "main.sh").read_text(encoding="utf-8").splitlines():
        if not line.startswith('"$NEWSTAG" corpus split '):
            continue
        args = [str(out) if w == "$OUT/corpus" else w for w in shlex.split(line)[1:]]
        if str(out) in args and {"--time", "--until"} <= set(args) and \
                (args[args.index("--time") + 1], args[args.index("--until") + 1]) == (CUTOFF, UNTIL):
            return args
    raise SystemExit(f"bench.news_time_split: tools/main.sh has no `\"$NEWSTAG\" corpus split \"$OUT/corpus\" --time {CUTOFF} "
                     f"--until {UNTIL} ...` line: make the two agree")


def main_job_folds() -> int:
    """How many threshold folds the main job cuts (its split's ``--folds``)."""
    args = main_job_split(Path("out/corpus"))
    return int(args[args.index("--folds") + 1]) if "--folds" in args else 0


def build_corpus(out: Path):
    """The main job's corpus: seeds/ built, both committed exports imported, time-split."""
    exe = Path(sys.executable).with_name("newstag")
    for args in (["corpus", "build", "seeds", "-o", str(out)],
                 ["annotate", "import", "seeds/label-studio-export.json", "--corpus", str(out), "--strict"],
                 ["annotate", "import", "seeds/news/label-studio-export.json", "--corpus", str(out), "--strict"],
                 main_job_split(out)):
        subprocess.run([str(exe), *args], cwd=ROOT, check=True, capture_output=True, text=True)
    from corpus import load, load_splits

    return load(out), load_splits(out)


def _curve_scores(corpus, rows, preds: dict[str, list]) -> dict[str, float]:
    """Region accuracy and themes/actors micro-F1 of ``preds`` on ``rows`` (annotated facets only)."""
    from sklearn.metrics import f1_score

    out = {}
    for f in corpus.taxonomy.facets:
        truth, annotated = corpus.labels(f.name), corpus.annotated(f.name)
        keep = [k for k, i in enumerate(rows) if annotated[i]]
        if f.multi:
            Y = _binarize([truth[rows[k]] for k in keep], list(f.ids))
            P = _binarize([preds[f.name][k] for k in keep], list(f.ids))
            out[f"{f.name}_micro_f1"] = rounded(f1_score(Y, P, average="micro", zero_division=0))
        else:
            out[f"{f.name}_accuracy"] = rounded(float(np.mean([truth[rows[k]] == preds[f.name][k] for k in keep])))
    return out


def headline(facets: dict[str, Any]) -> dict[str, float]:
    """Region accuracy, themes and actors micro-F1 from an evaluation's per-facet metrics."""
    return {"region_accuracy": facets["region"]["micro_f1"], "themes_micro_f1": facets["themes"]["micro_f1"],
            "actors_micro_f1": facets["actors"]["micro_f1"]}


def _fit(corpus, splits, train_ids):
    """A Tagger fitted on ``train_ids`` with the main job's folds (``splits.folds``, story lines whole) cut down to
    them."""
    import dataclasses

    from classifier import Tagger

    keep = set(train_ids)
    sub = dataclasses.replace(splits, ids={"train": sorted(keep)}, label_report={}, extends=None,
                              folds=[[a for a in f if a in keep] for f in splits.folds] if splits.folds else None)
    t0 = time.perf_counter()
    tagger = Tagger(random_state=SEED).fit(corpus, splits=sub)
    return tagger, rounded(time.perf_counter() - t0, 2)


def _systems(report, names: dict[str, str]) -> dict[str, Any]:
    """``{our name: {"facets": {facet: metrics}, "headline": ...}}`` from an evaluation report's systems."""
    out = {}
    for ours, theirs in names.items():
        facets = {f: fr.systems[theirs].to_dict() for f, fr in report.facets.items() if fr.systems.get(theirs)}
        if len(facets) == len(report.facets):
            out[ours] = {"facets": facets, "headline": headline(facets)}
    return out


def fold_draws(corpus, splits) -> dict[str, Any]:
    """The Tagger and the plain pipeline with the training side's threshold folds cut with each of
    :data:`FOLD_SEEDS` (:func:`corpus.splits.train_folds`, the manifest's group columns): per facet each seed's
    micro-F1 of both, and the range of the model's lead. Seed 0 is the main job's own cut."""
    import dataclasses

    from classifier import evaluate
    from corpus.splits import train_folds

    k = len(splits.folds)
    runs = []
    for seed in FOLD_SEEDS:
        folds = train_folds(corpus, splits.ids["train"], k, seed, splits.group_columns)
        if seed == SEED and sorted(map(sorted, folds)) != sorted(map(sorted, splits.folds)):
            raise SystemExit("bench.news_time_split: train_folds with the main job's seed does not give the main job's "
                             "folds; the two cut them differently (see corpus.time_split).")
        drawn = dataclasses.replace(splits, folds=folds, label_report={}, extends=None)
        tagger, _ = _fit(corpus, drawn, splits.ids["train"])
        report = evaluate(tagger, corpus, splits=drawn)
        runs.append({f: {s: fr.systems[s].to_dict()["micro_f1"] for s in ("model", "sklearn")}
                     for f, fr in report.facets.items()})
    out: dict[str, Any] = {"seeds": list(FOLD_SEEDS), "folds": k, "facets": {}}
    for f in runs[0]:
        model, plain = [r[f]["model"] for r in runs], [r[f]["sklearn"] for r in runs]
        gap = [m - p for m, p in zip(model, plain)]
        out["facets"][f] = {"model": model, "sklearn": plain, "gap_min": rounded(min(gap)), "gap_max": rounded(max(gap)),
                            "gap_mean": rounded(np.mean(gap)), "model_ahead": sum(g > 0 for g in gap)}
    return out


def dev_fold_draws(corpus) -> dict[str, Any]:
    """Themes micro-F1 of the Tagger and the plain pipeline on each development fold (:data:`DEV_FOLDS`) with the
    training side's story folds (as many as the main job cuts) drawn with each of :data:`FOLD_SEEDS`; the mean lead
    and how many runs the model is ahead in."""
    from bench import model_quality as mq
    from classifier import Tagger

    meta = [json.loads(m) if m else {} for m in corpus.dataset["meta"]]
    random_ids = mq.random_items(corpus.ids, meta)
    ids, texts, tax = corpus.ids, corpus.texts(), corpus.taxonomy
    gold = {f.name: corpus.labels(f.name) for f in tax.facets}
    k = main_job_folds()
    runs = []
    for fold in DEV_FOLDS:
        tr, ev = mq.fold_rows(corpus, random_ids, fold)
        g = {f: [col[i] for i in ev] for f, col in gold.items()}
        for seed in FOLD_SEEDS:
            splits = mq.story_split(corpus, [ids[i] for i in tr], [ids[i] for i in ev], k, seed)
            model = mq.metrics(tax, g, Tagger(random_state=SEED).fit(corpus, splits=splits).predict([texts[i] for i in ev]))
            plain = mq.metrics(tax, g, mq.plain_pipeline(corpus, texts, gold, tr, ev, seed))
            runs.append({"fold": fold, "seed": seed, "train": len(tr), "eval": len(ev),
                         "model": model["themes"]["micro_f1"], "sklearn": plain["themes"]["micro_f1"]})
    gap = [r["model"] - r["sklearn"] for r in runs]
    return {"folds": list(DEV_FOLDS), "seeds": list(FOLD_SEEDS), "themes": runs,
            "model_mean": rounded(np.mean([r["model"] for r in runs])),
            "sklearn_mean": rounded(np.mean([r["sklearn"] for r in runs])),
            "gap_mean": rounded(np.mean(gap)), "model_ahead": sum(x > 0 for x in gap)}


def learning_curve(corpus, splits, train_rows, eval_rows) -> dict[str, Any]:
    """F1 per facet against real items in training: random items, active items, and both in annotation order."""
    meta = [json.loads(m) if m else {} for m in corpus.dataset["meta"]]
    real = [i for i in train_rows if meta[i].get("selection")]
    starter = [i for i in train_rows if not meta[i].get("selection")]
    rng = np.random.default_rng(SEED)
    random_items = [i for i in real if meta[i]["selection"] == "random"]
    random_items = [random_items[k] for k in rng.permutation(len(random_items))]
    by_round: dict[str, list[int]] = {}
    for i in real:
        if meta[i]["selection"] == "active":
            by_round.setdefault(meta[i].get("round", ""), []).append(i)
    order = sorted(by_round, key=lambda r: (len(r), r))  # r1 … r9, r10, r11: annotation order
    active_items = [i for r in order for i in sorted(by_round[r])]
    arms = {"random": random_items, "active": active_items, "as_annotated": random_items + active_items}
    out: dict[str, Any] = {"starter_items": len(starter), "arms": {}}
    for arm, items in arms.items():
        if arm == "as_annotated":
            sizes = [len(random_items)] + [len(random_items) + len(active_items[:k]) for k in
                                           np.cumsum([len(by_round[r]) for r in order])]
        else:
            sizes = sorted({int(round(len(items) * s / CURVE_STEPS)) for s in range(0, CURVE_STEPS + 1)})
        points = []
        texts = corpus.texts()
        for n in sizes:
            tagger, fit = _fit(corpus, splits, [corpus.ids[i] for i in sorted(starter + items[:n])])
            preds = tagger.predict([texts[i] for i in eval_rows])
            points.append({"real_items": int(n), **_curve_scores(corpus, eval_rows, preds), "fit_seconds": fit})
        out["arms"][arm] = points
    return out


def main() -> dict[str, Any]:
    from classifier import evaluate
    from corpus import split_rows

    with tempfile.TemporaryDirectory(prefix="newstag-news-bench-") as tmp:
        corpus, splits = build_corpus(Path(tmp) / "corpus")
        train_rows = split_rows(corpus.ids, splits, "train")
        eval_rows = split_rows(corpus.ids, splits, "eval")
        meta = [json.loads(m) if m else {} for m in corpus.dataset["meta"]]
        starter_ids = [corpus.ids[i] for i in train_rows if not meta[i].get("selection")]
        tagger, fit = _fit(corpus, splits, splits.ids["train"])
        report = evaluate(tagger, corpus, splits=splits)
        systems = _systems(report, {"tagger": "model", "sklearn": "sklearn", "alias_rules": "alias_rules",
                                    "majority": "majority"})
        systems["tagger"]["fit_seconds"] = fit
        starter, fit = _fit(corpus, splits, starter_ids)
        systems["starter_only"] = {**_systems(evaluate(starter, corpus, splits=splits), {"x": "model"})["x"],
                                   "fit_seconds": fit}
        # What the latest labeled news is worth to the next period (why the main job refits on every labeled item
        # before tagging new articles): the same Tagger without the training period's last quarter.
        dates = dict(zip(corpus.ids, zip(corpus.column("year"), corpus.column("month"), corpus.column("day"))))
        older = [a for a in splits.ids["train"] if "%04d-%02d-%02d" % dates[a] < LATEST_QUARTER]
        earlier, fit = _fit(corpus, splits, older)
        systems["without_latest_quarter"] = {**_systems(evaluate(earlier, corpus, splits=splits), {"x": "model"})["x"],
                                             "fit_seconds": fit, "train": len(older)}
        themes = systems["tagger"]["facets"]["themes"]["per_label"]
        result = {
            "what": "Default model on real news: time split (train < 2026-03-01, eval = random items 2026-03..05), "
                    "beside the plain scikit-learn pipeline, the alias rules, the majority, the starter-only model and "
                    "the model trained without the training period's last quarter (< 2025-12-01)",
            "split": {"cutoff": CUTOFF, "until": UNTIL, "train": len(train_rows), "eval": len(eval_rows),
                      "train_starter_items": len(starter_ids),
                      **{k: splits.label_report[k] for k in ("held_out", "dropped_from_train", "moved_to_train")}},
            "systems": systems,
            "themes_with_10_eval_examples": {lab: m for lab, m in themes.items() if m["support"] >= 10},
            "targets": {"region_accuracy": 0.90, "themes_micro_f1": 0.80, "actors_micro_f1": 0.90,
                        "every_theme_with_10_eval_examples_f1": 0.60},
            "fold_draws": fold_draws(corpus, splits),
            "dev_fold_draws": dev_fold_draws(corpus),
            "learning_curve": learning_curve(corpus, splits, train_rows, eval_rows),
        }
    return result


if __name__ == "__main__":
    from bench.plots import plot_result

    data = main()
    write_result("news_time_split", data, "python -m bench.news_time_split")
    plot_result("news_time_split", data, RESULTS / "news_time_split.png")
