"""What a Tagger is fitted on: texts and their labels per facet, from a Corpus (and its split manifest),
from labeled Articles, or from texts with labels."""

from __future__ import annotations

__all__ = ["TrainingData", "label_indicator", "training_data"]

import hashlib
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

import numpy as np
from sklearn.model_selection import PredefinedSplit

from corpus import Article, Corpus, InputError, Taxonomy, TaxonomyError, load_taxonomy
from corpus.split_manifest import split_rows

from ._targets import ACCEPTED_SHAPES, label_columns


@dataclass
class TrainingData:
    """The texts and labels a Tagger is fitted on, and where they came from."""

    taxonomy: Taxonomy
    texts: list[str]
    labels: dict[str, list]  # facet -> per article: label id (single), list of ids (multi); None: no label/not annotated
    ids: list[str] = field(default_factory=list)
    groups: list[str] | None = None
    folds: list[int] | None = None  # fold index per article, from the split manifest
    provenance: dict[str, Any] = field(default_factory=dict)
    taxonomy_text: str | None = None

    def fold_plan(self) -> tuple[PredefinedSplit | None, np.ndarray | None]:
        """``(cv, groups)`` for tuning thresholds: the split manifest's folds when every article has one
        (else None), and the near-duplicate group of each article when there are no such folds and some
        group holds more than one article (else None)."""
        cv = None
        if self.folds is not None and min(self.folds) >= 0 and len(set(self.folds)) >= 2:
            cv = PredefinedSplit(np.asarray(self.folds))
        groups = None
        if self.groups is not None and cv is None and len(set(self.groups)) < len(self.groups):
            groups = np.asarray(self.groups)  # near-duplicates exist: keep each group in one fold
        return cv, groups


def label_indicator(column: Sequence[Sequence[str]], ids: Sequence[str]) -> np.ndarray:
    """The ``(n_articles, len(ids))`` 0/1 matrix of a multi-label facet's column (lists of label ids)."""
    pos = {lab: k for k, lab in enumerate(ids)}
    Y = np.zeros((len(column), len(ids)), dtype=np.int64)
    for i, labs in enumerate(column):
        Y[i, [pos[lab] for lab in labs]] = 1
    return Y


def _ids_hash(ids: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(sorted(ids)).encode("utf-8")).hexdigest()


def training_data(X, y=None, *, splits=None, split: str = "train", taxonomy: Taxonomy | None = None) -> TrainingData:
    """Collect what :meth:`Tagger.fit` learns from.

    Parameters
    ----------
    X : Corpus, sequence of labeled Articles, or sequence of texts
    y : with texts: the labels in one of the shapes of :mod:`classifier._targets` (a dict of columns, a list
        of per-text dicts, a DataFrame, or a plain list for a one-facet taxonomy)
    splits : SplitManifest or ``{split: [ids]}``, optional
        With a Corpus: fit on the articles of ``split`` only (default: every labeled article).
    split : name of the split to fit on

    Raises
    ------
    InputError
        When there is nothing to learn from, a label column has the wrong length, or the split is unknown.
    TaxonomyError
        When a label is not in the taxonomy.
    """
    if isinstance(X, Corpus):
        return _from_corpus(X, splits, split, taxonomy)
    items = list(X)
    if items and all(isinstance(a, Article) for a in items) and y is None:
        tax = taxonomy or load_taxonomy()
        texts = [a.text for a in items]
        rows = [tax.check_labels(a.labels, f"article {a.id or i}") if a.labels else None for i, a in enumerate(items)]
        keep = [i for i, r in enumerate(rows) if r is not None]
        if not keep:
            raise InputError("none of the articles has labels; label them (newstag annotate) before training.")
        labels = {f.name: [rows[i].get(f.name) for i in keep] for f in tax.facets}  # absent: not annotated
        return TrainingData(tax, [texts[i] for i in keep], labels, ids=[items[i].id for i in keep],
                            provenance={"source": "articles", "articles": len(keep)})
    if y is None:
        raise InputError(f"fit(texts, y): y is missing; give the labels as {ACCEPTED_SHAPES}, or a Corpus as X.")
    tax = taxonomy or load_taxonomy()
    texts = []
    for i, t in enumerate(items):
        if isinstance(t, Article):
            t = t.text
        if not isinstance(t, str):
            raise InputError(f"fit: item {i} is a {type(t).__name__}; expected a text (str) or an Article.")
        texts.append(t)
    cols = label_columns(y, tax, len(texts))
    for name, col in cols.items():
        facet = tax.facet(name)
        cols[name] = [facet.check(v, f"text {i}") if v is not None else ([] if facet.multi else None)
                      for i, v in enumerate(col)]
    for f in tax.facets:
        cols.setdefault(f.name, [[] if f.multi else None] * len(texts))
    return TrainingData(tax, texts, cols, ids=[str(i) for i in range(len(texts))],
                        provenance={"source": "texts", "articles": len(texts)})


def _from_corpus(corpus: Corpus, splits, split: str, taxonomy: Taxonomy | None) -> TrainingData:
    tax = corpus.taxonomy
    if taxonomy is not None and taxonomy.hash != tax.hash:
        raise TaxonomyError(
            f"the Tagger's taxonomy ({taxonomy.name}, {taxonomy.hash[:12]}) is not the corpus's ({tax.name}, "
            f"{tax.hash[:12]}); leave `taxonomy` unset to use the corpus's, or rebuild the corpus with it."
        )
    ids = corpus.ids
    labeled = corpus.column("labeled")
    prov: dict[str, Any] = {"source": "corpus", "corpus_fingerprint": corpus.fingerprint,
                            "corpus_path": str(corpus.path) if getattr(corpus, "path", None) else None}
    folds_of: dict[str, int] | None = None
    if splits is not None:
        split_ids = splits.ids if hasattr(splits, "ids") else splits
        rows = split_rows(ids, split_ids, split)
        unlabeled = [ids[i] for i in rows if not labeled[i]]
        if unlabeled:
            raise InputError(
                f"{len(unlabeled)} article(s) of the {split!r} split have no labels, e.g. {unlabeled[:3]}; "
                f"import their annotations or remake the split."
            )
        prov["splits"] = {
            "method": getattr(splits, "method", "given"),
            "seed": getattr(splits, "seed", None),
            "ratios": dict(getattr(splits, "ratios", {}) or {}),
            "corpus_fingerprint": getattr(splits, "corpus_fingerprint", None),
            "fit_on": split,
            "counts": {k: len(v) for k, v in split_ids.items()},
            "ids_sha256": {k: _ids_hash(v) for k, v in split_ids.items()},
        }
        folds = getattr(splits, "folds", None)
        if folds and split == "train":
            folds_of = {a: k for k, fold in enumerate(folds) for a in fold}
            prov["splits"]["folds"] = len(folds)
    else:
        rows = [i for i, ok in enumerate(labeled) if ok]
        prov["splits"] = None
    if not rows:
        raise InputError(
            "the corpus has no labeled articles to train on; import annotations (newstag annotate pull) first."
        )
    prov["articles"] = len(rows)
    texts_all = corpus.texts()
    labels = {}
    for f in tax.facets:
        col, annotated = corpus.labels(f.name), corpus.annotated(f.name)
        labels[f.name] = [col[i] if annotated[i] else None for i in rows]  # None: not annotated for this facet
    group_col = corpus.column("group_id")
    sel_ids = [ids[i] for i in rows]
    fold_vec = None
    if folds_of is not None:
        fold_vec = [folds_of.get(a, -1) for a in sel_ids]
    return TrainingData(tax, [texts_all[i] for i in rows], labels, ids=sel_ids, groups=[group_col[i] for i in rows],
                        folds=fold_vec, provenance=prov, taxonomy_text=getattr(corpus, "taxonomy_text", None))
