"""The solver work of ``Tagger.fit`` under different stopping tolerances: solver passes, which load cannot
move, and the CPU seconds of the fits.

``Tagger.fit`` spends most of its time in liblinear: one ``LinearSVC`` per label for each threshold-tuning
fold and one final fit (issue 16 wants the whole fit within 8x the plain pipeline's on Reuters R(90)).
Wall-clock time on a shared machine is too noisy to choose a tolerance by, so this counts work instead:
for every ``LinearSVC`` fitted, its solver passes (``n_iter_``) times the non-zeros of its X, expressed in
passes over the full training matrix (the largest X a fit reads), plus 3 passes per fit for converting X to liblinear's format (a fit
stopped after one pass costs about 3-4 passes' time on R(90)). The same inputs give the same counts on any
machine. The counts overstate what a looser tolerance saves: liblinear shrinks its active set as it
converges, so the late passes a looser tolerance skips are the cheap ones. ``fit_cpu_seconds`` (the CPU time
of the ``LinearSVC`` fits, ``time.thread_time``) says what they cost on the machine that ran it.

For each setting (``tol`` of the final fits, ``cv_tol`` of the fold fits) it reports that work and the
F1 it gets on R(90)'s ModApte test split and on the news time split's development folds (the random items of
dev1/dev2/dev3, bench/model_quality.py's protocol; never the eval fold). A looser tolerance is worth keeping
only if the labels stay the same within noise.

Usage::

    python -m bench.fit_work [--news-corpus out/corpus]     # results: bench/results/fit_work.json
"""

from __future__ import annotations

import argparse
import json
import os
import time
import warnings
from typing import Any

from sklearn.exceptions import ConvergenceWarning
from sklearn.svm import LinearSVC

from bench._common import shared_data, write_result
from classifier import Tagger

# (final tol, fold cv_tol): the settings before issue 16's third part, and the ones measured since
SETTINGS = [(1e-3, 1e-2), (1e-2, 1e-2), (1e-2, 3e-2), (1e-2, 1e-1)]


class SolverWork:
    """Counts the solver passes of every ``LinearSVC.fit`` while active (in this process)."""

    def __init__(self):
        self.fits, self.passes, self.full_nnz, self.cpu = 0, 0.0, 0, 0.0

    def __enter__(self):
        self._fit = LinearSVC.fit
        work = self

        def fit(est, X, y, sample_weight=None):
            t0 = time.thread_time()
            out = work._fit(est, X, y, sample_weight)
            work.cpu += time.thread_time() - t0
            work.fits += 1
            work.passes += float(est.n_iter_) * X.nnz
            work.full_nnz = max(work.full_nnz, X.nnz)  # the final fits read the whole training matrix
            return out

        LinearSVC.fit = fit
        return self

    def __exit__(self, *exc):
        LinearSVC.fit = self._fit

    def units(self) -> dict[str, Any]:
        passes = self.passes / self.full_nnz
        return {"fits": self.fits, "solver_passes": round(passes), "work_units": round(passes + 3 * self.fits),
                "fit_cpu_seconds": round(self.cpu, 2)}


class TolTagger(Tagger):
    """The default Tagger with its multi-label heads' tolerances set (bench only), fitting in this process
    (``n_jobs=1``: the same model as any ``n_jobs``) so that :class:`SolverWork` sees every fit."""

    def __init__(self, *, final_tol: float = 1e-2, cv_tol: float = 3e-2, **params):
        super().__init__(**{**params, "n_jobs": 1})
        self.final_tol = final_tol
        self.cv_tol = cv_tol

    def make_head(self, facet, taxonomy=None, *, y=None, cv=None):
        head = super().make_head(facet, taxonomy, y=y, cv=cv)
        if "cv_tol" in head.get_params():
            head.set_params(cv_tol=self.cv_tol, estimator__tol=self.final_tol)
        return head


def reuters(settings) -> dict[str, Any]:
    from sklearn.metrics import f1_score

    from bench.reuters_accuracy import make_task, tagger_on
    from corpus.datasets import build_reuters, modapte_split, reuters_categories

    corpus, _ = build_reuters(shared_data("reuters21578"))
    task = make_task(corpus, "R(90)", "topics", modapte_split(corpus, "r90"), reuters_categories(corpus, "r90"))
    out = {}
    for final_tol, cv_tol in settings:
        with SolverWork() as work:
            P, _, _ = tagger_on(corpus, task, "topics",
                                    make=lambda **k: TolTagger(final_tol=final_tol, cv_tol=cv_tol, **k))
        out[f"tol={final_tol:g} cv_tol={cv_tol:g}"] = {
            **work.units(),
            "micro_f1": round(float(f1_score(task.Yte, P, average="micro")), 4),
            "macro_f1": round(float(f1_score(task.Yte, P, average="macro", zero_division=0)), 4)}
        print("R(90)", final_tol, cv_tol, out[f"tol={final_tol:g} cv_tol={cv_tol:g}"], flush=True)
    return out


def news(path: str, settings) -> dict[str, Any]:
    import bench.model_quality as mq
    from corpus import load

    corpus = load(path)
    meta = [json.loads(m) if m else {} for m in corpus.column("meta")]
    random_ids = mq.random_items(corpus.ids, meta, None)
    tax, ids, texts = corpus.taxonomy, corpus.ids, corpus.texts()
    gold = {f.name: corpus.labels(f.name) for f in tax.facets}
    folds = ["dev1", "dev2", "dev3"]
    runs: dict[str, dict[str, Any]] = {}
    for fold in folds:
        tr, ev = mq.fold_rows(corpus, random_ids, fold)
        splits = {"train": [ids[i] for i in tr], "eval": [ids[i] for i in ev]}
        for final_tol, cv_tol in settings:
            tagger = TolTagger(final_tol=final_tol, cv_tol=cv_tol, random_state=0).fit(corpus, splits=splits)
            m = mq.metrics(tax, {k: [v[i] for i in ev] for k, v in gold.items()},
                           tagger.scores([texts[i] for i in ev]).labels)
            runs.setdefault(f"tol={final_tol:g} cv_tol={cv_tol:g}", {})[fold] = m
    out = {}
    for name, by_fold in runs.items():
        pooled = mq.pooled({f: {"systems": {name: by_fold[f]}} for f in folds}, folds)[name]
        out[name] = {fold: {facet: m.get("accuracy", m.get("micro_f1")) for facet, m in by_fold[fold].items()
                            if isinstance(m, dict) and ("accuracy" in m or "micro_f1" in m)}
                     for fold in folds}
        out[name]["pooled"] = {facet: m.get("accuracy", m.get("micro_f1")) for facet, m in pooled.items()}
        print("news", name, out[name]["pooled"], flush=True)
    return out


def main(argv=None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--news-corpus", default=None, help="the main job's corpus (out/corpus), for the dev folds")
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore", ConvergenceWarning)
    result = {
        "what": __doc__.split("\n\n")[1].replace("\n", " "),
        "settings": [{"tol": t, "cv_tol": c} for t, c in SETTINGS],
        "load_average_1min": round(os.getloadavg()[0], 2),
        "reuters_r90": reuters(SETTINGS),
    }
    if args.news_corpus:
        result["news_dev_folds"] = news(args.news_corpus, SETTINGS)
    write_result("fit_work", result, "python -m bench.fit_work --news-corpus out/corpus")
    return result


if __name__ == "__main__":
    main()
