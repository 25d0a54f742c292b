"""The Tagger: one head per facet on shared features, fitted from a corpus, saved with skops."""

from __future__ import annotations

__all__ = ["Tagger", "TrainingData", "training_data"]

import gc
import hashlib
import json
import numbers
import time
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain, islice, repeat
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.calibration import CalibratedClassifierCV
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import PredefinedSplit, StratifiedKFold
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC
from sklearn.utils.validation import check_is_fitted

from corpus import Article, Corpus, InputError, Taxonomy, TaxonomyError, load_taxonomy, parse_taxonomy
from corpus.splits import split_rows

from ._estimators import AliasRuleClassifier, ThresholdedOneVsRest
from ._features import AliasFeatures, alias_table, analyse, group_table, text_features, transform_text
from ._result import AliasMatch, Evidence, LabelScore, TagResult, TermWeight
from .errors import EmptyTextWarning

Progress = Callable[[str, str], None]  # progress(stage, detail)


# --------------------------------------------------------------------------------------------------
# Training data
# --------------------------------------------------------------------------------------------------

@dataclass
class TrainingData:
    """The texts and labels a Tagger is fitted on, and where they came from."""

    taxonomy: Taxonomy
    texts: list[str]
    labels: dict[str, list]  # facet -> per article: label id or None (single), list of ids (multi)
    ids: list[str] = field(default_factory=list)
    groups: list[str] | None = None
    folds: list[int] | None = None  # fold index per article, from the split manifest
    provenance: dict[str, Any] = field(default_factory=dict)
    taxonomy_text: str | None = None


def _ids_hash(ids: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(sorted(ids)).encode("utf-8")).hexdigest()


def training_data(X, y=None, *, splits=None, split: str = "train", taxonomy: Taxonomy | None = None) -> TrainingData:
    """Collect what :meth:`Tagger.fit` learns from.

    Parameters
    ----------
    X : Corpus, sequence of labeled Articles, or sequence of texts
    y : with texts: ``{facet: [value per text]}`` or ``[{facet: value} per text]``
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
        labels = {f.name: [rows[i].get(f.name, [] if f.multi else None) for i in keep] for f in tax.facets}
        return TrainingData(tax, [texts[i] for i in keep], labels, ids=[items[i].id for i in keep],
                            provenance={"source": "articles", "articles": len(keep)})
    if y is None:
        raise InputError("fit(texts, y): y is missing; give {facet: [labels per text]} or a Corpus as X.")
    tax = taxonomy or load_taxonomy()
    texts = []
    for i, t in enumerate(items):
        if isinstance(t, Article):
            t = t.text
        if not isinstance(t, str):
            raise InputError(f"fit: item {i} is a {type(t).__name__}; expected a text (str) or an Article.")
        texts.append(t)
    if isinstance(y, Mapping):
        cols = {str(k): list(v) for k, v in y.items()}
    else:
        rows = list(y)
        if len(rows) != len(texts):
            raise InputError(f"fit: {len(texts)} texts but {len(rows)} label rows; give one row per text.")
        cols = {f.name: [r.get(f.name) for r in rows] for f in tax.facets}
    for name, col in cols.items():
        facet = tax.facet(name)
        if len(col) != len(texts):
            raise InputError(f"fit: facet {name!r} has {len(col)} labels for {len(texts)} texts; give one per text.")
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
    labeled = corpus.dataset["labeled"]
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
        col = corpus.labels(f.name)
        labels[f.name] = [col[i] for i in rows]
    group_col = corpus.dataset["group_id"]
    sel_ids = [ids[i] for i in rows]
    fold_vec = None
    if folds_of is not None:
        fold_vec = [folds_of.get(a, -1) for a in sel_ids]
    return TrainingData(tax, [texts_all[i] for i in rows], labels, ids=sel_ids, groups=[group_col[i] for i in rows],
                        folds=fold_vec, provenance=prov, taxonomy_text=getattr(corpus, "taxonomy_text", None))


# --------------------------------------------------------------------------------------------------
# Inputs of tag()
# --------------------------------------------------------------------------------------------------

def _as_input(item: Any, n: int) -> tuple[str | None, str]:
    """``(id, text)`` of a str, an Article or a ``{"text", "title"?, "id"?}`` mapping."""
    if isinstance(item, str):
        return None, item
    if isinstance(item, Article):
        return item.id or None, item.text
    if isinstance(item, Mapping):
        text = item.get("text")
        if not isinstance(text, str):
            raise InputError(
                f"item {n}: expected a 'text' string, got {type(text).__name__ if text is not None else 'no text'}; "
                f"each record needs {{\"text\": ..., \"title\"?: ..., \"id\"?: ...}}."
            )
        title = item.get("title")
        if title is not None and not isinstance(title, str):
            raise InputError(f"item {n}: 'title' must be a string, got {type(title).__name__}.")
        ident = item.get("id")
        return (None if ident is None else str(ident)), (f"{title}\n\n{text}" if title else text)
    raise InputError(f"item {n}: cannot tag a {type(item).__name__}; give a text, an Article or a dict with 'text'.")


def _batches(items: Iterable[Any], size: int) -> Iterator[list]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


# --------------------------------------------------------------------------------------------------
# The Tagger
# --------------------------------------------------------------------------------------------------

class _Batch:
    """The features of a batch of texts: one sparse block per source (``"text"``, and one per facet with
    aliases), and the alias mentions found for each such facet (matched once, reused as evidence)."""

    def __init__(self, blocks: dict[str, sp.csr_matrix], mentions: dict[str, list]):
        self.blocks = blocks
        self.mentions = mentions
        self._inputs: dict[tuple[str, ...], sp.csr_matrix] = {}

    def input(self, names: Sequence[str]) -> sp.csr_matrix:
        """The blocks side by side (built once per combination: region and actors read the same)."""
        key = tuple(names)
        if key not in self._inputs:
            parts = [self.blocks[n] for n in names]
            self._inputs[key] = parts[0] if len(parts) == 1 else sp.hstack(parts, format="csr")
        return self._inputs[key]

    @property
    def n(self) -> int:
        return next(iter(self.blocks.values())).shape[0]


class Tagger(BaseEstimator):
    """Tags articles by every facet of a taxonomy (region, themes, actors by default).

    Features: tf-idf of word n-grams (``word_ngram_range``; character n-grams too when
    ``char_ngram_range`` is set) over title and body, shared by every head; and, for each facet whose
    labels have aliases (actors' names, capitals and leaders; themes' cue phrases), :class:`AliasFeatures`
    — per label: mention count, in the title, position of the first mention, in the first paragraph; for
    ``alias_facet`` also per ``group_attr`` group (an actor's region). A head reads the tf-idf, its own
    facet's alias features, and — the single-label facet named ``group_attr`` (region) — those of
    ``alias_facet`` too, so a region can follow from the actors mentioned.

    Heads: a single-label facet gets a ``LinearSVC`` (balanced class weights) calibrated by temperature
    scaling on out-of-fold predictions (a ``LogisticRegression`` when a class has a single example);
    a multi-label facet gets a :class:`ThresholdedOneVsRest` of ``LinearSVC`` (balanced class weights)
    with Platt-calibrated probabilities and per-label thresholds tuned on out-of-fold predictions of the
    training data (the split manifest's folds when it has them, else folds that keep near-duplicates
    together). Labels of ``alias_facet`` with fewer than ``rule_below`` training examples (zero included)
    are tagged by :class:`AliasRuleClassifier` instead.

    Parameters
    ----------
    taxonomy : str or None
        Taxonomy TOML for fitting on texts (None: the corpus's, or ``seeds/taxonomy.toml``).
    word_ngram_range, char_ngram_range, min_df : tf-idf settings (see :func:`text_features`)
    alias_facet : str or None, default "actors"
        The facet whose aliases give the rule fallback and the grouped features; None for none.
    group_attr : str or None, default "region"
        The label attribute of ``alias_facet`` that groups its labels into extra features, and the
        single-label facet that reads them.
    C : float, default 1.0
        Inverse regularisation strength of every head.
    threshold_cv : int, default 5
        Folds for calibration and threshold tuning when the split manifest has none.
    min_positives : int, default 3
        Labels with fewer training examples keep the default threshold (0.5) instead of a tuned one.
    rule_below : int, default 10
        Labels of ``alias_facet`` with fewer training examples than this (zero included) are tagged by
        the alias rule instead of a model.
    random_state : int, default 0
        Seeds every random step (fold shuffling, the linear solvers).

    Attributes
    ----------
    taxonomy_json_ : str
        The taxonomy the tagger was fitted with (``Taxonomy.to_dict()`` as JSON: one string, compact in
        skops); :attr:`fitted_taxonomy` rebuilds it.
    taxonomy_text_ : str or None
        The taxonomy file's text, when the corpus kept it (copied into the model folder).
    features_ : FeatureUnion
        ``[("text", tf-idf), ("<facet>_aliases", AliasFeatures), ...]``, fitted.
    blocks_ : {block: (start, stop)}
        The columns of each block (``"text"``, then each facet with aliases) in the full feature matrix.
    head_blocks_ : {facet: [block, ...]}
        The blocks each head reads.
    heads_ : {facet: estimator}
    head_labels_ : {facet: [label id, ...]}
        The labels (columns) each head predicts.
    alias_facet_ : str or None
    rule_ : AliasRuleClassifier or None
    rule_labels_ : list of label ids tagged by the rule
    label_counts_ : {facet: {label: training examples}}
    training_ : dict
        Provenance: corpus fingerprint, split manifest summary, article count, seed, time taken.
    """

    def __init__(self, *, taxonomy: str | None = None, word_ngram_range: tuple[int, int] = (1, 2),
                 char_ngram_range: tuple[int, int] | None = None, min_df: int | float = 2,
                 alias_facet: str | None = "actors", group_attr: str | None = "region", C: float = 1.0,
                 threshold_cv: int = 5, min_positives: int = 3, rule_below: int = 10, random_state: int = 0):
        self.taxonomy = taxonomy
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.min_df = min_df
        self.alias_facet = alias_facet
        self.group_attr = group_attr
        self.C = C
        self.threshold_cv = threshold_cv
        self.min_positives = min_positives
        self.rule_below = rule_below
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        return tags

    # ---- building blocks (unfitted scikit-learn objects; usable on their own, e.g. in GridSearchCV) ----

    def _taxonomy_for_building(self) -> Taxonomy:
        if hasattr(self, "taxonomy_json_"):
            return self.fitted_taxonomy
        return load_taxonomy(self.taxonomy)

    def _alias_blocks(self, tax: Taxonomy) -> list[str]:
        """The facets whose labels have aliases, in taxonomy order: each gives a block of alias features."""
        return [f.name for f in tax.facets if any(lab.aliases for lab in f.labels)]

    def _blocks_of(self, facet: str, tax: Taxonomy) -> list[str]:
        """The blocks ``facet``'s head reads: the text, its own aliases, and (region) the alias facet's."""
        have = self._alias_blocks(tax)
        out = ["text"] + ([facet] if facet in have else [])
        if (not tax.facet(facet).multi and facet == self.group_attr and self.alias_facet in have
                and self.alias_facet != facet):
            out.append(self.alias_facet)
        return out

    def _block_estimator(self, block: str, tax: Taxonomy):
        if block == "text":
            return text_features(word_ngram_range=self.word_ngram_range, char_ngram_range=self.char_ngram_range,
                                 min_df=self.min_df)
        f = tax.facet(block)
        groups = group_table(f, self.group_attr) if self.group_attr and block == self.alias_facet else ()
        return AliasFeatures(aliases=alias_table(f), groups=groups)

    def make_features(self, taxonomy: Taxonomy | None = None, blocks: Sequence[str] | None = None) -> FeatureUnion:
        """The unfitted feature union: ``text`` (tf-idf) and ``<facet>_aliases`` for each facet with aliases
        (or only ``blocks``)."""
        tax = taxonomy or self._taxonomy_for_building()
        blocks = ["text", *self._alias_blocks(tax)] if blocks is None else list(blocks)
        return FeatureUnion([(_union_name(b), self._block_estimator(b, tax)) for b in blocks])

    def make_head(self, facet: str, taxonomy: Taxonomy | None = None, *, y=None, cv=None):
        """The unfitted head of ``facet``, for a feature matrix.

        With ``y`` (the facet's training labels) the calibration folds of a single-label head adapt to
        the rarest class; ``cv`` overrides the threshold-tuning folds of a multi-label head.
        """
        tax = taxonomy or self._taxonomy_for_building()
        f = tax.facet(facet)
        rs = self.random_state
        if f.multi:
            return ThresholdedOneVsRest(
                LinearSVC(C=self.C, class_weight="balanced", max_iter=5000, random_state=rs),
                cv=self.threshold_cv if cv is None else cv, min_positives=self.min_positives, random_state=rs)
        svm = LinearSVC(C=self.C, class_weight="balanced", max_iter=5000, random_state=rs)
        k = self.threshold_cv
        if y is not None:
            _, counts = np.unique(np.asarray(y, dtype=object), return_counts=True)
            k = int(min(k, counts.min()))
            if len(counts) < 2 or k < 2:
                # a class with one example leaves no folds to calibrate on: a logistic regression's own
                # probabilities instead
                return LogisticRegression(C=self.C, class_weight="balanced", max_iter=1000, random_state=rs)
        return CalibratedClassifierCV(svm, method="temperature", ensemble=False,
                                      cv=StratifiedKFold(n_splits=k, shuffle=True, random_state=rs))

    def make_pipeline(self, facet: str, taxonomy: Taxonomy | None = None) -> Pipeline:
        """``Pipeline([("features", <the blocks the head reads>), ("head", make_head(facet))])``: one facet
        the plain scikit-learn way, on texts (for GridSearchCV over ``head__estimator__C``, say)."""
        tax = taxonomy or self._taxonomy_for_building()
        return Pipeline([("features", self.make_features(tax, self._blocks_of(facet, tax))),
                         ("head", self.make_head(facet, tax))])

    def _alias_facet(self, tax: Taxonomy):
        if not self.alias_facet or self.alias_facet not in tax.facet_names:
            return None
        return tax.facet(self.alias_facet)

    # ---- fitting ----

    def _check_params(self) -> None:
        if isinstance(self.random_state, bool) or not isinstance(self.random_state, numbers.Integral):
            raise InputError(f"random_state must be an integer seed, got {self.random_state!r}.")
        for name in ("min_positives", "rule_below"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < (1 if name == "min_positives" else 0):
                raise InputError(f"{name} must be a non-negative integer (min_positives >= 1), got {v!r}.")
        if not isinstance(self.C, numbers.Real) or self.C <= 0:
            raise InputError(f"C must be a positive number, got {self.C!r}.")

    def fit(self, X, y=None, *, splits=None, split: str = "train", progress: Progress | None = None) -> "Tagger":
        """Fit every head.

        Parameters
        ----------
        X : Corpus, labeled Articles, or texts (then ``y``)
        y : ``{facet: [labels per text]}`` or ``[{facet: labels} per text]``, with texts only
        splits : SplitManifest or ``{split: [article ids]}``, optional
            With a Corpus: fit on ``split`` only; the manifest's folds (if any) tune the thresholds.
        progress : callable ``progress(stage, detail)``, optional

        Returns
        -------
        self
        """
        self._check_params()
        started = time.time()
        say = progress or (lambda stage, detail: None)
        tax_given = load_taxonomy(self.taxonomy) if self.taxonomy is not None else None
        data = training_data(X, y, splits=splits, split=split, taxonomy=tax_given)
        tax = data.taxonomy
        for cache in _CACHES:
            self.__dict__.pop(cache, None)
        # key order is label order: never sort the keys
        self.taxonomy_json_ = json.dumps(tax.to_dict(), ensure_ascii=False)
        self.__dict__["_taxonomy"] = tax
        self.taxonomy_text_ = data.taxonomy_text
        alias_facet = self._alias_facet(tax)
        self.alias_facet_ = alias_facet.name if alias_facet is not None and alias_facet.name in self._alias_blocks(tax) \
            else None

        say("features", f"{len(data.texts)} articles")
        self.features_ = self.make_features(tax)
        for _, part in self.features_.transformer_list:
            part.fit(data.texts)
        batch = self._batch(data.texts)
        self.blocks_, start = {}, 0
        for name, block in batch.blocks.items():
            self.blocks_[name] = (start, start + block.shape[1])
            start += block.shape[1]
        self.head_blocks_ = {f.name: self._blocks_of(f.name, tax) for f in tax.facets}

        cv = None
        if data.folds is not None and min(data.folds) >= 0 and len(set(data.folds)) >= 2:
            cv = PredefinedSplit(np.asarray(data.folds))
        groups = None
        if data.groups is not None and cv is None and len(set(data.groups)) < len(data.groups):
            groups = np.asarray(data.groups)  # near-duplicates exist: keep each group in one fold

        self.heads_, self.head_labels_, self.label_counts_ = {}, {}, {}
        self.rule_, self.rule_labels_ = None, []
        for f in tax.facets:
            col = data.labels[f.name]
            say("head", f.name)
            Xh = batch.input(self.head_blocks_[f.name])
            if f.multi:
                Y = np.zeros((len(col), len(f.ids)), dtype=np.int64)
                pos = {lab: k for k, lab in enumerate(f.ids)}
                for i, labs in enumerate(col):
                    for lab in labs or ():
                        Y[i, pos[lab]] = 1
                counts = Y.sum(axis=0)
                self.label_counts_[f.name] = {lab: int(c) for lab, c in zip(f.ids, counts) if c}
                if f.name == self.alias_facet_:
                    learned = [k for k, c in enumerate(counts) if c >= max(self.rule_below, 1)]
                    self.rule_labels_ = [f.ids[k] for k, c in enumerate(counts) if c < max(self.rule_below, 1)]
                    self.rule_ = AliasRuleClassifier(aliases=alias_table(f)).fit()
                else:
                    learned = [k for k, c in enumerate(counts) if c > 0]
                if not learned:
                    continue
                head = self.make_head(f.name, tax, cv=cv)
                head.fit(Xh, Y[:, learned], groups=groups, private_columns=self._private_columns(f.name, learned),
                         indicator=True)
                self.heads_[f.name] = head
                self.head_labels_[f.name] = [f.ids[k] for k in learned]
            else:
                rows = [i for i, v in enumerate(col) if v is not None]
                yv = [col[i] for i in rows]
                self.label_counts_[f.name] = {lab: yv.count(lab) for lab in f.ids if lab in yv}
                if not rows:
                    continue
                head = self.make_head(f.name, tax, y=yv)
                if len(set(yv)) < 2:
                    head = DummyClassifier(strategy="most_frequent")
                head.fit(Xh[rows], np.asarray(yv, dtype=object))
                self.heads_[f.name] = head
                self.head_labels_[f.name] = [str(c) for c in head.classes_]
        self.training_ = {
            **data.provenance,
            "taxonomy": {"name": tax.name, "version": tax.version, "hash": tax.hash},
            "random_state": int(self.random_state),
            "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
            "seconds": round(time.time() - started, 3),
        }
        say("done", "")
        return self

    def _private_columns(self, facet: str, learned: Sequence[int]) -> list[np.ndarray] | None:
        """For a multi-label head reading its own alias block: each label's four alias columns, private to
        it (label ``k`` of the facet owns columns ``4k .. 4k+3`` of the block); None without such a block."""
        blocks = self.head_blocks_[facet]
        if facet not in blocks:
            return None
        offset = sum(self.blocks_[b][1] - self.blocks_[b][0] for b in blocks[: blocks.index(facet)])
        return [offset + 4 * k + np.arange(4) for k in learned]

    # ---- the taxonomy, features and scores of a fitted tagger ----

    @property
    def fitted_taxonomy(self) -> Taxonomy:
        check_is_fitted(self, "taxonomy_json_")
        tax = self.__dict__.get("_taxonomy")
        if tax is None:
            tax = self.__dict__["_taxonomy"] = parse_taxonomy(json.loads(self.taxonomy_json_), "<model taxonomy>")
        return tax

    def __getstate__(self):
        state = super().__getstate__()
        for cache in _CACHES:
            state.pop(cache, None)
        return state

    def alias_features(self, facet: str) -> AliasFeatures | None:
        """The fitted :class:`AliasFeatures` of ``facet`` (None when its labels have no aliases)."""
        check_is_fitted(self, "features_")
        return dict(self.features_.transformer_list).get(_union_name(facet))

    def uses_aliases(self, facet: str) -> bool:
        """Whether ``facet``'s head reads any alias features."""
        check_is_fitted(self, "head_blocks_")
        return len(self.head_blocks_[facet]) > 1

    @property
    def n_text_features_(self) -> int:
        start, stop = self.blocks_["text"]
        return stop - start

    def _batch(self, texts: Sequence[str]) -> _Batch:
        """The feature blocks of ``texts`` and their alias mentions (each facet matched once)."""
        blocks, mentions = {}, {}
        analysed = analyse(texts)
        for name, part in self.features_.transformer_list:
            block = _block_name(name)
            if block == "text":
                blocks[block] = transform_text(part, texts, analysed)
            else:
                mentions[block] = part.match(texts, analysed)
                blocks[block] = part.features(texts, mentions[block])
        return _Batch(blocks, mentions)

    def _facet_scores(self, batch: _Batch) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Per facet: ``(scores (n, n_labels) in taxonomy order, thresholds (n_labels,), from_rule (n_labels,),
        source of each label ("model" or "alias-rule"))``."""
        tax = self.fitted_taxonomy
        n = batch.n
        out = {}
        for f in tax.facets:
            n_lab = len(f.ids)
            scores = np.zeros((n, n_lab))
            thresholds = np.full(n_lab, np.inf)
            from_rule = np.zeros(n_lab, dtype=bool)
            pos = {lab: k for k, lab in enumerate(f.ids)}
            head = self.heads_.get(f.name)
            if head is not None:
                cols = [pos[lab] for lab in self.head_labels_[f.name]]
                scores[:, cols] = head.predict_proba(batch.input(self.head_blocks_[f.name]))
                thresholds[cols] = head.thresholds_ if f.multi else 0.0
            if f.name == self.alias_facet_ and self.rule_ is not None and self.rule_labels_:
                rule_scores = self.rule_.scores_from_features(batch.blocks[f.name])
                cols = [pos[lab] for lab in self.rule_labels_]
                scores[:, cols] = rule_scores[:, cols]
                thresholds[cols] = 0.5
                from_rule[cols] = True
            out[f.name] = (scores, thresholds, from_rule, ["alias-rule" if r else "model" for r in from_rule])
        return out

    # ---- the scikit-learn way ----

    def predict_proba(self, X: Iterable[Any]) -> dict[str, np.ndarray]:
        """``{facet: (n_texts, n_labels) scores}``, columns in the taxonomy's label order (see :attr:`classes_`)."""
        check_is_fitted(self, "heads_")
        texts = [t for _, t in (_as_input(x, i) for i, x in enumerate(X))]
        return {f: v[0] for f, v in self._facet_scores(self._batch(texts)).items()}

    def predict(self, X: Iterable[Any]) -> dict[str, list]:
        """``{facet: [labels per text]}``: a label id (or None) per text for single-label facets, a list for
        multi-label ones (the format of :meth:`corpus.Corpus.labels`)."""
        check_is_fitted(self, "heads_")
        texts = [t for _, t in (_as_input(x, i) for i, x in enumerate(X))]
        return self._decide(self._facet_scores(self._batch(texts)), len(texts))

    def _decide(self, scores, n: int) -> dict[str, list]:
        tax = self.fitted_taxonomy
        out = {}
        for f in tax.facets:
            s, t = scores[f.name][:2]
            if f.multi:
                hit = s >= t
                out[f.name] = [[f.ids[k] for k in np.flatnonzero(hit[i])] for i in range(n)]
            elif f.name in self.heads_:
                best = np.argmax(s, axis=1)
                out[f.name] = [f.ids[k] for k in best]
            else:
                out[f.name] = [None] * n
        return out

    @property
    def classes_(self) -> dict[str, list[str]]:
        """``{facet: [label id, ...]}``: the columns of :meth:`predict_proba`."""
        return {f.name: list(f.ids) for f in self.fitted_taxonomy.facets}

    # ---- tagging ----

    def tag(self, item: Any, *, evidence: bool = True, top_terms: int = 5) -> TagResult:
        """Tag one article: a text, an :class:`corpus.Article` or ``{"text", "title"?, "id"?}``."""
        return next(iter(self.tag_batch([item], evidence=evidence, top_terms=top_terms)))

    def tag_batch(self, items: Iterable[Any], *, batch_size: int = 512, evidence: bool = True,
                  top_terms: int = 5) -> Iterator[TagResult]:
        """Tag many articles, a batch at a time (features, heads and evidence are computed once per batch
        with array operations); yields one :class:`TagResult` per item, in order.

        Raises
        ------
        InputError
            For a batch size below 1, or an item that is not an article; the message names the item.

        Warns
        -----
        EmptyTextWarning
            When items have an empty text (no title and no body): they are tagged with only the labels any
            text gets, and the warning names them.
        """
        check_is_fitted(self, "heads_")
        if not isinstance(batch_size, int) or batch_size < 1:
            raise InputError(f"batch_size={batch_size!r}: expected a positive number of articles per batch.")
        if isinstance(items, (str, Article, Mapping)):
            raise InputError("tag_batch expects an iterable of articles; use tag() for one article.")
        facets = [(f.name, f.multi, f.ids, f.name in self.heads_) for f in self.fitted_taxonomy.facets]
        n_done = 0
        for items_ in _batches(items, batch_size):
            with _gc_paused():
                results = self._tag_one_batch(items_, n_done, facets, evidence, top_terms)
            n_done += len(items_)
            yield from results

    def _tag_one_batch(self, items: list, n_done: int, facets, evidence: bool, top_terms: int) -> list[TagResult]:
        inputs = [_as_input(x, n_done + i) for i, x in enumerate(items)]
        empty = [n_done + i for i, (_, t) in enumerate(inputs) if not t.strip()]
        if empty:  # tagged (a corpus may hold such articles), but never silently
            shown = ", ".join(f"{k} ({inputs[k - n_done][0]})" if inputs[k - n_done][0] else str(k) for k in empty[:10])
            warnings.warn(EmptyTextWarning(
                f"{len(empty)} item(s) with an empty text (no title and no body) tagged with only the labels any "
                f"text gets: item(s) {shown}{', …' if len(empty) > 10 else ''}. Leave them out."), stacklevel=3)
        batch = self._batch([t for _, t in inputs])
        scores = self._facet_scores(batch)
        outs = [(name, multi, *self._facet_tags(batch, name, ids, multi, has_head, scores[name],
                                               top_terms if evidence else None))
                for name, multi, ids, has_head in facets]
        names = [out[0] for out in outs]
        tags = [dict(zip(names, row)) for row in zip(*(_per_article_tags(multi, bounds, found)
                                                       for _, multi, bounds, found, _, _ in outs))]
        if not evidence:
            return [TagResult(ident, t, None) for (ident, _), t in zip(inputs, tags)]
        # per facet and article: {label: terms} of the chosen labels, None when there are none
        terms = zip(*([dict(zip(lab[lo:hi], pair_terms[lo:hi])) if hi > lo else None
                       for lo, hi in zip(bounds, bounds[1:])] for _, _, bounds, _, lab, pair_terms in outs))
        return [TagResult(ident, t, Evidence({n: d for n, d in zip(names, row) if d is not None}, m))
                for (ident, _), t, row, m in zip(inputs, tags, terms, _alias_matches(batch.mentions, len(inputs)))]

    def _facet_tags(self, batch: _Batch, name: str, ids: Sequence[str], multi: bool, has_head: bool,
                    facet_scores, top_terms: int | None) -> tuple[list[int], list, list[str], list | None]:
        """One facet's tags of a batch as flat lists over the (article, chosen label) pairs, articles in
        order and each article's labels best first: ``(bounds, LabelScores, label ids, terms)``; article
        ``i``'s pairs are ``[bounds[i]:bounds[i + 1]]``, ``terms`` (None without ``top_terms``) holds each
        pair's :class:`TermWeight` tuple."""
        s, _, from_rule, source = facet_scores
        rows, ks = np.nonzero(_chosen(facet_scores, multi, has_head))
        order = np.lexsort((-s[rows, ks], rows))  # per article best first; ties keep the taxonomy's order
        rows, ks = rows[order], ks[order]
        bounds = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=len(s)))]).tolist()
        lab = np.asarray(ids, dtype=object)[ks].tolist()
        scores = _records(LabelScore, lab, s[rows, ks].tolist(), np.asarray(source, dtype=object)[ks].tolist())
        if top_terms is None:
            return bounds, scores, lab, None
        terms: list[tuple] = [()] * len(ks)
        rule = from_rule[ks]
        if rule.any():  # an alias-rule label's evidence: its alias features that fired, in column order
            pairs = np.flatnonzero(rule)
            A = batch.blocks[name]
            block = np.zeros((len(pairs), 4))
            for j in range(4):
                block[:, j] = np.asarray(A[rows[pairs], 4 * ks[pairs] + j]).ravel()
            p, c = np.nonzero(block)
            names = self._block_feature_names(name)[4 * ks[pairs[p]] + c]
            _fill(terms, pairs, p, names, block[p, c])
        WT, column = self._facet_coefs(name)
        model = np.flatnonzero(~rule & (column[ks] >= 0))
        if len(model):
            # every (article, model label) pair at once: the pair's row of X times its label's coefficients
            X = batch.input(self.head_blocks_[name])
            if len(model) != X.shape[0] or not np.array_equal(rows[model], np.arange(X.shape[0])):
                X = X[rows[model]]  # (a single-label facet has one pair per article, in order: no copy)
            r, c, v = _rows_of(X)
            contrib = v * WT.ravel()[c * WT.shape[1] + column[ks[model]][r]]  # WT[c, label's column]
            r, c, contrib = _top_k_per_row(X.indptr, r, c, contrib, top_terms)
            _fill(terms, model, r, self._head_feature_names(name)[c], contrib)
        return bounds, scores, lab, terms

    def _block_feature_names(self, block: str) -> np.ndarray:
        cache = self.__dict__.setdefault("_names", {})
        if block not in cache:
            part = dict(self.features_.transformer_list)[_union_name(block)]
            raw = part.get_feature_names_out()
            if block == "text":
                names = [f"char {n[len('char__'):]!r}" if n.startswith("char__") else n[len("word__"):] for n in raw]
            else:
                names = [f"alias {n}" for n in raw]
            cache[block] = np.asarray(names, dtype=object)
        return cache[block]

    def _head_feature_names(self, facet: str) -> np.ndarray:
        cache = self.__dict__.setdefault("_names", {})
        key = ("head", facet)
        if key not in cache:
            cache[key] = np.concatenate([self._block_feature_names(b) for b in self.head_blocks_[facet]])
        return cache[key]

    def _facet_coefs(self, facet: str) -> tuple[np.ndarray, np.ndarray]:
        """``(WT, column)``: the coefficients behind ``facet``'s labels as the columns of ``WT`` (one row
        per feature of the head's input); ``column[k]`` is label ``k``'s column, -1 for a label without
        linear coefficients (no head, a rule label, a constant or non-linear estimator)."""
        cache = self.__dict__.setdefault("_coefs", {})
        if facet not in cache:
            ids = self.fitted_taxonomy.facet(facet).ids
            column = np.full(len(ids), -1, dtype=np.int64)
            WT = np.zeros((0, 0))
            head = self.heads_.get(facet)
            pos = {lab: k for k, lab in enumerate(ids)}
            learned = [pos[lab] for lab in self.head_labels_.get(facet, [])]
            if isinstance(head, ThresholdedOneVsRest):
                WT, _, labels = head.linear_coefficients()
                column[[learned[j] for j in labels]] = np.arange(len(labels))
            elif head is not None:
                est = head.calibrated_classifiers_[0].estimator if isinstance(head, CalibratedClassifierCV) else head
                coef = getattr(est, "coef_", None)
                if coef is not None:
                    WT = np.vstack([-coef[0], coef[0]]).T if coef.shape[0] == 1 else coef.T  # binary: one row
                    column[learned] = np.arange(len(learned))
            cache[facet] = (np.ascontiguousarray(WT), column)  # C order: evidence reads WT.ravel()
        return cache[facet]

    # ---- persistence ----

    def save(self, path: str | Path, *, metrics: Mapping[str, Any] | None = None) -> Path:
        """Write the model folder: ``model.skops``, ``model_card.json``/``.md``, ``taxonomy.toml``."""
        from ._persist import save_model

        return save_model(self, path, metrics=metrics)

    @classmethod
    def load(cls, path: str | Path | None = None) -> "Tagger":
        """Load a model folder (or its ``model.skops``); None loads the default model.

        Raises
        ------
        ModelNotFoundError, UntrustedModelError
        """
        from ._persist import load_model

        return load_model(path)


# Caches rebuilt on demand, never persisted: the parsed taxonomy, display names, coefficient vectors.
_CACHES = ("_taxonomy", "_names", "_coefs")


def _union_name(block: str) -> str:
    return "text" if block == "text" else f"{block}_aliases"


def _block_name(union_name: str) -> str:
    return "text" if union_name == "text" else union_name[: -len("_aliases")]


def _chosen(facet_scores, multi: bool, has_head: bool) -> np.ndarray:
    """``(n, n_labels)`` bool: the labels given (a multi-label facet: score >= threshold; a single-label
    facet with a head: the best one)."""
    s, t = facet_scores[:2]
    if multi:
        return s >= t
    out = np.zeros(s.shape, dtype=bool)
    if has_head:
        out[np.arange(len(s)), np.argmax(s, axis=1)] = True
    return out


def _per_article_tags(multi: bool, bounds: list[int], found: list) -> list:
    """Each article's tags of one facet from :meth:`Tagger._facet_tags`'s flat lists: a tuple of
    LabelScores (multi-label facet), or the best LabelScore or None (single-label facet)."""
    if multi:
        return [tuple(found[lo:hi]) for lo, hi in zip(bounds, bounds[1:])]
    return [found[lo] if hi > lo else None for lo, hi in zip(bounds, bounds[1:])]


@contextmanager
def _gc_paused():
    """Pause the cyclic garbage collector while a batch's results are built.

    A batch makes tens of thousands of small tuples and dicts; each 700 of them would start a collection,
    and every tenth of those a pass over all the objects of the process (the caller's too, such as a list
    of earlier results): a fifth of tag_batch's time on 10,000 articles. The records hold no reference
    cycles, so nothing is left for the collector to free; its state is restored afterwards (it stays off
    if the caller had turned it off).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _records(cls: type, *columns: Iterable) -> list:
    """``[cls(*row) for row in zip(*columns)]`` for a NamedTuple ``cls``, built at C speed (no Python
    ``__new__`` frame per record; a batch makes tens of thousands of them)."""
    return list(map(tuple.__new__, repeat(cls), zip(*columns)))


def _fill(terms: list, pairs: np.ndarray, rows: np.ndarray, names: np.ndarray, weights: np.ndarray) -> None:
    """Put each pair's :class:`TermWeight` tuple into ``terms[pairs[k]]``; ``rows`` (sorted) says which of
    ``pairs`` each (name, weight) belongs to."""
    found = _records(TermWeight, names.tolist(), weights.tolist())
    cut = np.flatnonzero(np.diff(rows)) + 1
    starts = [0, *cut.tolist()]
    ends = [*cut.tolist(), len(found)]
    for k, lo, hi in zip(pairs[rows[starts]].tolist() if len(found) else [], starts, ends):
        terms[k] = tuple(found[lo:hi])


def _alias_matches(mentions: dict[str, list], n: int) -> list[tuple[AliasMatch, ...]]:
    """Per article (``n`` of them): the alias mentions of every facet as :class:`AliasMatch`, in order of
    position."""
    if not mentions:
        return [()] * n
    per_facet = [[tuple(_records(AliasMatch, *zip(*((m.label, m.text, m.start, m.end) for m in found)), repeat(facet)))
                  if found else () for found in lists] for facet, lists in mentions.items()]
    if len(per_facet) == 1:
        return per_facet[0]
    return [tuple(sorted(chain.from_iterable(parts), key=lambda m: (m.start, m.end, m.facet)))
            for parts in zip(*per_facet)]


def _rows_of(sub: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(row, column, value)`` of every stored entry, in row order."""
    rows = np.repeat(np.arange(sub.shape[0]), np.diff(sub.indptr))
    return rows, sub.indices, sub.data


def _top_k_per_row(indptr: np.ndarray, rows: np.ndarray, cols: np.ndarray, contrib: np.ndarray,
                   k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ``k`` largest positive contributions of each row of a CSR layout: ``(row, column, contribution)``,
    rows in order, contributions descending (ties in column order)."""
    n_rows = len(indptr) - 1
    counts = np.diff(indptr)
    floor = np.zeros(n_rows)
    m = 4 * k  # chunks per long row
    long = np.flatnonzero(counts >= m)
    if len(long) and k > 0:
        # Sort less: cut each long row into m chunks. The chunk maxima are values of m distinct entries,
        # so the k-th largest of them is at most the row's k-th largest value: every entry below it can
        # go before sorting, and the top k (and their order) stay the same.
        start = indptr[long]
        chunk = start[:, None] + (np.arange(m)[None, :] * counts[long][:, None]) // m
        bounds = np.concatenate([chunk, (start + counts[long])[:, None]], axis=1).ravel()
        maxima = np.maximum.reduceat(np.append(contrib, -np.inf), bounds).reshape(len(long), m + 1)[:, :m]
        floor[long] = np.partition(maxima, m - k, axis=1)[:, m - k]
    keep = (contrib > 0) & (contrib >= floor[rows])  # only positive contributions are evidence
    rows, cols, contrib = rows[keep], cols[keep], contrib[keep]
    order = np.lexsort((-contrib, rows))
    first = np.searchsorted(rows, np.arange(n_rows))  # each row's first entry
    keep = order[np.arange(len(order)) - first[rows] < k]
    return rows[keep], cols[keep], contrib[keep]
