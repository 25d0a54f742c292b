"""Wikipedia Current events accuracy: trained on 2025, evaluated on January–May 2026 (a time split).

Run: ``.venv/bin/python -m bench.wikinews_accuracy``  (writes bench/results/wikinews_accuracy.json)

The corpus is built from ``../shared/data/wikipedia_current_events/posts`` by
:func:`corpus.datasets.build_wikipedia_current_events` (one article per event summary) and split by
:func:`corpus.time_split` at ``CUTOFF``. Facets: ``sections`` (the portal section: the
editors' theme, single-label), ``actors`` (states and organisations the summary links to, through the
taxonomy's aliases) and ``region`` (derived from the actors; events without a state actor are left out
of the region scores). Models:

- ``sklearn``: ``TfidfVectorizer(sublinear_tf=True)`` + ``LinearSVC`` (one multi-class model for a
  single-label facet; one-vs-rest with per-label thresholds from 5-fold CV scores for actors);
- ``alias rule`` (actors only): the taxonomy's names and aliases found in the text by
  ``corpus.AliasMatcher``, no learning: what the labels would be from the words alone;
- ``newstag Tagger`` (defaults), when the classifier package is importable.

Every number is computed in this run; the per-label reports are in the JSON.
"""

from __future__ import annotations

import time
import warnings
from typing import Any

import numpy as np

from bench._common import progress, rounded, shared_data, write_result

CUTOFF = "2026-01-01"
SEED = 0
N_JOBS = 2  # cross-validation folds fitted in parallel (this machine has 2 cores); results do not depend on it
FOLDS = 5


def _single_report(y_true: list[str], y_pred: list[str], labels: list[str]) -> dict[str, Any]:
    from sklearn.metrics import accuracy_score, classification_report, f1_score

    rep = classification_report(y_true, y_pred, labels=labels, output_dict=True, zero_division=0)
    return {
        "accuracy": rounded(accuracy_score(y_true, y_pred)),
        "macro_f1": rounded(f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)),
        "per_label": {lab: {"precision": rounded(rep[lab]["precision"], 3), "recall": rounded(rep[lab]["recall"], 3),
                            "f1": rounded(rep[lab]["f1-score"], 3), "support": int(rep[lab]["support"])}
                      for lab in labels},
    }


def _multi_report(Y: np.ndarray, P: np.ndarray, labels: list[str]) -> dict[str, Any]:
    from sklearn.metrics import f1_score, precision_recall_fscore_support

    p, r, f, s = precision_recall_fscore_support(Y, P, average=None, zero_division=0)
    order = np.argsort(-s, kind="stable")
    return {
        "micro_f1": rounded(f1_score(Y, P, average="micro", zero_division=0)),
        "macro_f1": rounded(f1_score(Y, P, average="macro", zero_division=0)),
        "labels_scored": len(labels),
        "per_label": {labels[j]: {"precision": rounded(p[j], 3), "recall": rounded(r[j], 3), "f1": rounded(f[j], 3),
                                  "support": int(s[j])} for j in order},
    }


def _binarize(rows: list[list[str]], labels: list[str]) -> np.ndarray:
    col = {c: k for k, c in enumerate(labels)}
    Y = np.zeros((len(rows), len(labels)), dtype=np.int64)
    for i, labs in enumerate(rows):
        for lab in labs:
            if lab in col:
                Y[i, col[lab]] = 1
    return Y


def sklearn_single(Xtr, ytr, Xte):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import LinearSVC

    model = make_pipeline(TfidfVectorizer(sublinear_tf=True), LinearSVC(C=1.0, random_state=SEED))
    return list(model.fit(Xtr, ytr).predict(Xte))


def sklearn_multi(Xtr, Ytr, Xte):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.model_selection import KFold, cross_val_predict
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import LinearSVC

    from bench.reuters_accuracy import cv_thresholds

    make = lambda: make_pipeline(TfidfVectorizer(sublinear_tf=True),  # noqa: E731
                                 OneVsRestClassifier(LinearSVC(C=1.0, random_state=SEED)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", UserWarning)
        S = make().fit(Xtr, Ytr).decision_function(Xte)
        Scv = cross_val_predict(make(), Xtr, Ytr, cv=KFold(FOLDS, shuffle=True, random_state=SEED),
                                method="decision_function", n_jobs=N_JOBS)
    return (S > cv_thresholds(Scv, Ytr)).astype(np.int64)


def main() -> dict[str, Any]:
    from corpus import AliasMatcher
    from corpus import time_split
    from corpus.datasets import build_wikipedia_current_events

    try:
        from classifier import Tagger
    except ImportError:
        Tagger = None
    out: dict[str, Any] = {"cutoff": CUTOFF, "seed": SEED}
    with progress() as bar:
        job = bar.add_task("Wikipedia accuracy", total=6 + (2 if Tagger else 0))
        t0 = time.perf_counter()
        corpus, report = build_wikipedia_current_events(shared_data("wikipedia_current_events") / "posts")
        bar.advance(job)
        split = time_split(corpus, CUTOFF)
        bar.advance(job)
        pos = {i: n for n, i in enumerate(corpus.ids)}
        texts = corpus.texts()
        tr = [pos[i] for i in split.ids["train"]]
        te = [pos[i] for i in split.ids["eval"]]
        out["corpus"] = {
            "events": len(corpus), "build_seconds": round(time.perf_counter() - t0, 1),
            "not_events_reported": len(report.rejections), "repeated_summaries_merged": len(report.duplicates),
            "train": len(tr), "eval": len(te), "dates": split.label_report["dates"],
            "moved_to_train_with_their_group": split.label_report["moved_to_train"],
            "events_without_actor": sum(1 for a in corpus.labels("actors") if not a),
            "events_without_region": sum(1 for r in corpus.labels("region") if r is None),
        }
        Xtr, Xte = [texts[i] for i in tr], [texts[i] for i in te]
        facets: dict[str, Any] = {}

        # sections
        sec = corpus.labels("sections")
        sec_labels = corpus.taxonomy.facet("sections").ids
        ytr, yte = [sec[i] for i in tr], [sec[i] for i in te]
        facets["sections"] = {"kind": "single", "train_support": {lab: ytr.count(lab) for lab in sec_labels},
                              "models": {"sklearn": _single_report(yte, sklearn_single(Xtr, ytr, Xte), sec_labels)}}
        bar.advance(job)

        # region (events with a derived region only)
        reg = corpus.labels("region")
        reg_labels = corpus.taxonomy.facet("region").ids
        rtr = [i for i in tr if reg[i] is not None]
        rte = [i for i in te if reg[i] is not None]
        facets["region"] = {"kind": "single", "train": len(rtr), "eval": len(rte),
                            "models": {"sklearn": _single_report([reg[i] for i in rte], sklearn_single(
                                [texts[i] for i in rtr], [reg[i] for i in rtr], [texts[i] for i in rte]), reg_labels)}}
        bar.advance(job)

        # actors: scored over the actors with a training and an evaluation example
        act = corpus.labels("actors")
        ids = corpus.taxonomy.facet("actors").ids
        Ytr_all, Yte_all = _binarize([act[i] for i in tr], ids), _binarize([act[i] for i in te], ids)
        keep = [j for j in range(len(ids)) if Ytr_all[:, j].any() and Yte_all[:, j].any()]
        act_labels = [ids[j] for j in keep]
        Ytr, Yte = Ytr_all[:, keep], Yte_all[:, keep]
        P = sklearn_multi(Xtr, Ytr, Xte)
        bar.advance(job)
        matcher = AliasMatcher(corpus.taxonomy.facet("actors"))
        R = _binarize([matcher.labels(x) for x in Xte], act_labels)
        facets["actors"] = {"kind": "multi", "labels_in_taxonomy": len(ids), "labels_scored": len(act_labels),
                            "models": {"sklearn": _multi_report(Yte, P, act_labels),
                                       "alias rule": _multi_report(Yte, R, act_labels)}}
        bar.advance(job)

        if Tagger is not None:
            tagger = Tagger(random_state=SEED)
            t1 = time.perf_counter()
            tagger.fit(corpus, splits=split, split="train")
            fit_s = time.perf_counter() - t1
            bar.advance(job)
            t1 = time.perf_counter()
            pred = tagger.predict(Xte)
            tag_s = time.perf_counter() - t1
            facets["sections"]["models"]["newstag Tagger"] = _single_report(yte, pred["sections"], sec_labels)
            te_pos = {i: k for k, i in enumerate(te)}
            facets["region"]["models"]["newstag Tagger"] = _single_report(
                [reg[i] for i in rte], [pred["region"][te_pos[i]] for i in rte], reg_labels)
            facets["actors"]["models"]["newstag Tagger"] = _multi_report(
                Yte, _binarize(pred["actors"], act_labels), act_labels)
            out["tagger"] = {"fit_seconds": round(fit_s, 1), "predict_seconds": round(tag_s, 2),
                             "eval_articles_per_second": round(len(Xte) / tag_s, 1)}
            bar.advance(job)
        out["facets"] = facets
    write_result("wikinews_accuracy", out, "python -m bench.wikinews_accuracy")
    return out


if __name__ == "__main__":
    res = main()
    for name, f in res["facets"].items():
        for model, m in f["models"].items():
            head = f"accuracy {m['accuracy']}" if "accuracy" in m else f"micro-F1 {m['micro_f1']}"
            print(f"{name} / {model}: {head}, macro-F1 {m['macro_f1']}")
