"""The classifier's side of ``annotation.predictor``: a fitted Tagger as plain per-facet scores.

Registered as the ``default`` entry of the ``newstag.predictors`` group (pyproject.toml), so annotation
(ranking, pre-annotations, the ML backend) reaches a model without importing this package, and this
package returns plain data without importing annotation.
"""

from __future__ import annotations

__all__ = ["TaggerProvider", "tagger_provider", "model_version", "predictions_document"]

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from corpus import Article, Corpus, InputError, from_articles
from corpus import load as load_corpus
from corpus.models import model_version

from ._result import LabelScore, TagResult
from ._tagger import Tagger


def predictions_document(results: Iterable[TagResult], ids: Sequence[str], *, model_version: str) -> dict[str, Any]:
    """Tag results as the predictions file ``newstag annotate tasks --predictions`` reads (plain JSON):
    ``{"model_version": ..., "predictions": {article id: {facet: {"labels": [...], "score": ...}}}}``.

    A facet's score is its label's score (single-label) or the mean over the labels given (multi-label;
    no score when none is given). A single-label facet the model has no head for is left out.

    Raises
    ------
    InputError
        When ``ids`` and ``results`` differ in length.
    """
    out: dict[str, dict[str, Any]] = {}
    results = list(results)
    if len(results) != len(ids):
        raise InputError(f"predictions: {len(results)} results for {len(ids)} ids; give one id per article.")
    for aid, res in zip(ids, results):
        facets: dict[str, Any] = {}
        for facet, tags in res.tags.items():
            if tags is None:
                continue
            given = [tags] if isinstance(tags, LabelScore) else list(tags)
            entry: dict[str, Any] = {"labels": [t.label for t in given]}
            if given:
                entry["score"] = round(float(np.mean([t.score for t in given])), 6)
            facets[facet] = entry
        out[str(aid)] = facets
    return {"model_version": model_version, "predictions": out}


class TaggerProvider:
    """A fitted :class:`Tagger` as ``{facet: (label ids, scores, thresholds or None)}``.

    The labels these scores give (multi-label: score >= threshold; single-label: the best score) are
    the ones ``newstag tag`` gives. ``model_version`` is the first 12 hex digits of the model file's
    SHA-256 (from its card), so a retrained model has a new version.
    """

    def __init__(self, tagger: Tagger, *, model_version: str, source: str = "<in memory>"):
        self.tagger = tagger
        self.taxonomy = tagger.fitted_taxonomy
        self.model_version = model_version
        self.source = source

    def scores(self, texts: Sequence[str]) -> dict[str, tuple[list[str], np.ndarray, np.ndarray | None]]:
        tagger = self.tagger
        out = {}
        if not texts:
            return {f.name: (list(f.ids), np.zeros((0, len(f.ids))), np.zeros(len(f.ids)) if f.multi else None)
                    for f in self.taxonomy.facets}
        scored = tagger.scores(list(texts))
        for f in self.taxonomy.facets:
            s, t = scored.proba[f.name], scored.thresholds[f.name]
            if f.multi:
                out[f.name] = (list(f.ids), np.asarray(s, dtype=float), np.asarray(t, dtype=float))
            elif f.name in tagger.heads_:
                out[f.name] = (list(f.ids), np.asarray(s, dtype=float), None)
        return out

    def retrain(self, texts: Sequence[str], labels: Sequence[Mapping[str, Any]], *, models_dir: str | Path,
                ids: Sequence[str | None] | None = None, corpus: str | Path | Corpus | None = None) -> "TaggerProvider":
        """Fit a new Tagger (same parameters and seed) on a base corpus's labeled articles plus new labeled
        texts, save it into ``models_dir/<model_version>`` atomically, and return it as a provider.

        Parameters
        ----------
        texts : the new texts (title, blank line, body, as the Tagger reads them)
        labels : per text ``{facet: label id | [label ids] | None}`` (plain data; facets left out: unlabeled)
        models_dir : the folder the new model goes into (its own subfolder, named by its version)
        ids : per text an article id or None; a text whose id is a base-corpus article replaces that
            article's labels (its corpus text is kept)
        corpus : the base corpus (a folder or a Corpus); None to fit on the new texts alone

        Raises
        ------
        InputError
            When the texts and labels differ in length, or nothing is labeled.
        TaxonomyError
            When a label is not in the model's taxonomy.
        """
        tax = self.taxonomy
        if len(texts) != len(labels) or (ids is not None and len(ids) != len(texts)):
            raise InputError(f"retrain: {len(texts)} texts, {len(labels)} label rows and "
                             f"{'no' if ids is None else len(ids)} ids; give one of each per text.")
        base = load_corpus(corpus) if isinstance(corpus, (str, Path)) else corpus
        if base is not None and base.taxonomy.hash != tax.hash:
            raise InputError(f"retrain: the base corpus's taxonomy ({base.taxonomy.name}, {base.taxonomy.hash[:12]}) "
                             f"is not the model's ({tax.name}, {tax.hash[:12]}); give the corpus the model was "
                             f"trained on.")
        new: dict[str, Article] = {}
        for n, (text, row) in enumerate(zip(texts, labels)):
            checked = tax.check_labels({k: v for k, v in row.items() if v is not None}, f"retrain text {n}")
            aid = (ids[n] if ids is not None else None) or ""
            a = Article(title="", body=text, id=aid, labels=checked, origin=f"annotation {n}")
            new[a.id or f"#{n}"] = a
        articles = [] if base is None else [a for a in base.articles() if a.labels]
        by_id = {a.id: a for a in articles}
        for key, a in new.items():
            if key in by_id:
                by_id[key] = by_id[key].with_changes(labels=a.labels)
            else:
                by_id[key] = a
        if not by_id:
            raise InputError("retrain: no labeled texts (and no labeled articles in the base corpus).")
        train = from_articles(list(by_id.values()), tax, taxonomy_text=getattr(base, "taxonomy_text", None))
        tagger = Tagger(**self.tagger.get_params()).fit(train)
        models_dir = Path(models_dir)
        models_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".retrain-", dir=models_dir))  # the save's lock file goes in here too
        try:
            tmp = staging / "model"
            tagger.save(tmp)
            version = model_version(tmp)
            target = models_dir / version
            if not target.exists():  # else the same model again (same data and seed): keep the one there
                os.replace(tmp, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return TaggerProvider(tagger, model_version=version, source=str(target))


def tagger_provider(model: str | Path | None = None) -> TaggerProvider:
    """The ``newstag.predictors`` entry point: load a model folder (None: the model the lookup of
    :func:`corpus.models.find_model` finds; ``source`` then says which one)."""
    tagger = Tagger.load(model)
    return TaggerProvider(tagger, model_version=tagger.source_.version(), source=tagger.source_.describe())
