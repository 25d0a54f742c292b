"""The Tagger: one head per facet on shared features, fitted from a corpus, saved with skops."""

from __future__ import annotations

__all__ = ["Tagger", "load_model"]

import json
import time
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.calibration import CalibratedClassifierCV
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import PredefinedSplit, StratifiedKFold
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC
from sklearn.utils.validation import check_is_fitted

from corpus import Article, InputError, Taxonomy, load_taxonomy, parse_taxonomy

from ._batch import Batch, as_input, batches, block_name, feature_batch, union_name, warn_empty
from ._blocks import (PLAIN, acting_decides, alias_blocks, block_estimator, check_block_params, feature_blocks,
                      head_blocks, stacked_facets)
from ._alias_rules import AliasRuleClassifier
from ._estimators import ThresholdedOneVsRest
from ._evidence import decide, tag_results
from ._features import AliasFeatures, alias_table
from ._params import check_tagger_params
from ._persist import read_model, save_model
from ._result import Scores, TagResult
from ._roles import rule_scores
from ._scoring import FacetScoring
from ._seen import TrainingTexts, training_digests
from ._stacking import StackedOneVsRest
from ._training_data import label_indicator, training_data

Progress = Callable[[str, str], None]  # progress(stage, detail)


class Tagger(FacetScoring, TrainingTexts, BaseEstimator):
    """Tags articles by every facet of a taxonomy (region, themes, actors by default).

    Features (:mod:`classifier._blocks`): a word tf-idf of title and body read by every head; optionally word
    prefixes (``prefix_length``) and sentence embeddings (``embeddings``) for some heads; per facet whose labels have
    aliases, :class:`AliasFeatures` (mention count, in the title, first position, in the first paragraph; for
    ``alias_facet`` also whether each state acts, ``acting``), read by its own head and — the single-label
    ``group_facet`` (region) — by that head too, with where the places a text names lie (``places``).

    Heads: a single-label facet gets a ``LinearSVC`` (balanced class weights) calibrated by temperature scaling on
    out-of-fold predictions (a ``LogisticRegression`` when a class has a single example); a multi-label facet a
    :class:`ThresholdedOneVsRest` of ``LinearSVC`` (tol 1e-2, 3e-2 for the fold fits: bench/results/fit_work.json)
    with Platt-calibrated probabilities and per-label thresholds tuned out of fold on the training data (the split
    manifest's folds when it has them, else folds that keep near-duplicates together). Rare ``alias_facet`` labels
    (< ``rule_below`` examples; every label with ``acting_words``) are tagged by their acting or mention-role
    probability, else by the alias rule. :meth:`score` is the mean micro-F1 over facets (``GridSearchCV`` works).

    Parameters
    ----------
    taxonomy : str or None
        Taxonomy TOML for fitting on texts (None: the corpus's, or the shipped default).
    word_ngram_range, char_ngram_range, min_df : tf-idf settings (:func:`text_features`; ``min_df`` for the prefix
        block too). Default: every single word, as the plain pipeline (news dev themes 0.747 -> 0.769: bench/).
    alias_facet : str or None, default "actors"
        The facet whose aliases give the rule fallback and the grouped features; None for none.
    group_attr : str or None, default "region"
        The label attribute of ``alias_facet`` that groups its labels into extra features; None: no groups.
    group_facet : str or None, default "region"
        The single-label facet whose head also reads ``alias_facet``'s features (its mentions and their
        groups); None for none.
    mention_roles : bool, default False
        Learn the role of each ``alias_facet`` mention (acting, or merely mentioned: "in Khost, Afghanistan") from
        its context (:class:`AliasFeatures` ``roles``) for the ``alias_facet``, ``group_facet`` and rare-label heads.
    acting : bool, default True
        The same per (article, label), from cheap context flags of its mentions (:class:`AliasFeatures` ``acting``;
        ``mention_roles`` wins if both): actors micro-F1 on the pooled news dev folds 0.760 -> 0.786 (bench/).
    C : float, default 1.0 — inverse regularisation strength of every head
    threshold_cv : int, default 5 — folds for calibration and thresholds when the manifest has none
    min_positives : int, default 2 — labels with fewer examples keep the threshold 0.5 (3 before: Reuters 0.585 -> 0.610)
    rule_below : int, default 5
        Labels of ``alias_facet`` with fewer training examples (zero included) are tagged without the head (10
        before: actors micro-F1 on the news dev folds 0.729 -> 0.762 pooled); with ``acting_words``, every label.
    random_state : int, default 0 — seeds every random step (fold shuffling, the linear solvers)
    n_jobs : int or None, default 2 — processes fitting a head's labels (None: 1; -1: all CPUs); the model
        is the same for any ``n_jobs``
    prefix_length : int or None, default None
        A tf-idf of word prefixes of this length (:class:`PrefixTfidfVectorizer`: "attacks", "attacked"
        -> "attack"), a block beside the words read by the heads of ``prefix_facets``; None for none (6 before
        the single-word tf-idf, with which it no longer helps: news dev themes 0.772 -> 0.778; docs/classifier.md).
    prefix_facets : tuple of str or None, default ("themes",)
        The facets whose heads read the prefix block; facets the taxonomy lacks are left out (as for
        ``alias_facet``), and without any the block is not built. None: every head (what ``prefix_length``
        alone meant before this parameter, and what older models load with).
    places : bool, default True
        The ``group_facet`` head also reads where the places a text names lie (:class:`PlaceFeatures`, a GeoNames
        gazetteer, by ``group_attr``): region accuracy on the pooled news dev folds 0.908 -> 0.928 (bench/).
    stack_facets : tuple of str, default ("themes",)
        The multi-label facets whose heads get a second stage per label over every label's out-of-fold score
        (:class:`StackedOneVsRest`: a prisoner exchange is diplomacy and armed conflict); () for none (older models load so).
        Themes micro-F1 on the news dev folds pooled 0.731 -> 0.743 (docs/classifier.md, bench/).
    acting_words : bool, default True
        With ``acting``: the acting model also reads the article's words (a quake: no state acts), the words around
        the label's mentions and the label, and tags every ``alias_facet`` label a text mentions (no head for that
        facet). News dev actors 0.802 -> 0.830 (bench/); slower to tag (docs/classifier.md).
    embeddings : float or None, default None
        The weight of a sentence-embedding block (:class:`SentenceEmbeddings`, all-MiniLM-L6-v2; the ``embeddings``
        extra) read by the heads of ``embedding_facets``; None for none. 0.5: news dev themes 0.776 -> 0.804 (bench/);
        tagging then costs a neural encoder's time (docs/classifier.md).
    embedding_facets : tuple of str, default ("themes",) — the facets whose heads read the embeddings

    Attributes
    ----------
    taxonomy_json_ : str — the fitted taxonomy (``Taxonomy.to_dict()`` as JSON); :attr:`fitted_taxonomy` rebuilds it
    taxonomy_text_ : str or None — the taxonomy file's text, when the corpus kept it (copied into the model folder)
    features_ : FeatureUnion — one fitted part per block (:func:`classifier._batch.union_name`), in column order
    blocks_ : {block: (start, stop)} — the columns of each block in the full feature matrix
    head_blocks_ : {facet: [block, ...]} the blocks each head reads
    heads_ : {facet: estimator}
    head_labels_ : {facet: [label id, ...]} the labels (columns) each head predicts
    alias_facet_, rule_, rule_labels_ : str or None, AliasRuleClassifier or None, the label ids tagged by the rule
    label_counts_ : {facet: {label: training examples}}
    training_ : dict
        Provenance: corpus fingerprint, split manifest summary, article count, seed, when and how long training
        ran (``started_at``, ``seconds``) and the corpus folder (``corpus_path``): these are in the model card, not in
        the saved model file, which depends on data, code and seed only.
    training_digests_ : ndarray of uint64 — a digest of each text fitted on (:meth:`seen`; :mod:`classifier._seen`)
    """

    def __init__(self, *, taxonomy: str | None = None, word_ngram_range: tuple[int, int] = (1, 1),
                 char_ngram_range: tuple[int, int] | None = None, min_df: int | float = 1,
                 alias_facet: str | None = "actors", group_attr: str | None = "region",
                 group_facet: str | None = "region", mention_roles: bool = False, C: float = 1.0,
                 threshold_cv: int = 5, min_positives: int = 2, rule_below: int = 5, random_state: int = 0,
                 n_jobs: int | None = 2, prefix_length: int | None = None, acting: bool = True,
                 prefix_facets: tuple[str, ...] | None = ("themes",), places: bool = True,
                 stack_facets: tuple[str, ...] = ("themes",), acting_words: bool = True,
                 embeddings: float | None = None, embedding_facets: tuple[str, ...] = ("themes",)):
        self.taxonomy = taxonomy
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.min_df = min_df
        self.alias_facet = alias_facet
        self.group_attr = group_attr
        self.group_facet = group_facet
        self.mention_roles = mention_roles
        self.C = C
        self.threshold_cv = threshold_cv
        self.min_positives = min_positives
        self.rule_below = rule_below
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.prefix_length = prefix_length
        self.acting = acting
        self.prefix_facets = prefix_facets
        self.places = places
        self.stack_facets = stack_facets
        self.acting_words = acting_words
        self.embeddings = embeddings
        self.embedding_facets = embedding_facets

    # ---- building blocks (unfitted scikit-learn objects; usable on their own, e.g. in GridSearchCV) ----

    def _taxonomy_for_building(self) -> Taxonomy:
        if hasattr(self, "taxonomy_json_"):
            return self.fitted_taxonomy
        return load_taxonomy(self.taxonomy)

    def _blocks_of(self, facet: str, tax: Taxonomy) -> list[str]:
        """The blocks ``facet``'s head reads (:func:`classifier._blocks.head_blocks`)."""
        return head_blocks(self, facet, tax)

    def make_features(self, taxonomy: Taxonomy | None = None, blocks: Sequence[str] | None = None) -> FeatureUnion:
        """The unfitted feature union: ``text`` (tf-idf), ``prefix`` (when a head reads it) and ``<facet>_aliases``
        for each facet with aliases (or only ``blocks``)."""
        tax = taxonomy or self._taxonomy_for_building()
        blocks = feature_blocks(self, tax) if blocks is None else list(blocks)
        return FeatureUnion([(union_name(b), block_estimator(self, b, tax)) for b in blocks])

    def make_head(self, facet: str, taxonomy: Taxonomy | None = None, *, y=None, cv=None):
        """The unfitted head of ``facet``, for a feature matrix.

        With ``y`` (the facet's training labels) the calibration folds of a single-label head adapt to
        the rarest class; ``cv`` overrides the threshold-tuning folds of a multi-label head.
        """
        tax = taxonomy or self._taxonomy_for_building()
        f = tax.facet(facet)
        rs = self.random_state
        if f.multi:
            return (StackedOneVsRest if facet in stacked_facets(self, tax) else ThresholdedOneVsRest)(
                LinearSVC(C=self.C, class_weight="balanced", tol=1e-2, max_iter=5000, random_state=rs),
                cv=self.threshold_cv if cv is None else cv, min_positives=self.min_positives, random_state=rs,
                cv_tol=3e-2, n_jobs=self.n_jobs)
        svm = LinearSVC(C=self.C, class_weight="balanced", max_iter=5000, random_state=rs)
        k = self.threshold_cv
        if y is not None:
            _, counts = np.unique(np.asarray(y, dtype=object), return_counts=True)
            k = int(min(k, counts.min()))
            if len(counts) < 2 or k < 2:
                # a class with one example leaves no folds to calibrate on: a logistic regression's own
                # probabilities instead
                return LogisticRegression(C=self.C, class_weight="balanced", max_iter=1000, random_state=rs)
        return CalibratedClassifierCV(svm, method="temperature", ensemble=False, n_jobs=self.n_jobs,
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

    def fit(self, X, y=None, *, splits=None, split: str = "train", progress: Progress | None = None) -> "Tagger":
        """Fit every head.

        Parameters
        ----------
        X : Corpus, labeled Articles, or texts (then ``y``)
        y : with texts only: ``{facet: [labels per text]}``, ``[{facet: labels} per text]``, a DataFrame with a
            column per facet, or (one-facet taxonomy) a plain list of labels; see :mod:`classifier._targets`
        splits : SplitManifest or ``{split: [article ids]}``, optional
            With a Corpus: fit on ``split`` only; the manifest's folds (if any) tune the thresholds.
        progress : callable ``progress(stage, detail)``, optional

        Returns
        -------
        self
        """
        check_tagger_params(self)
        started = time.time()
        say = progress or (lambda stage, detail: None)
        tax_given = load_taxonomy(self.taxonomy) if self.taxonomy is not None else None
        data = training_data(X, y, splits=splits, split=split, taxonomy=tax_given)
        tax = data.taxonomy
        check_block_params(self, tax)
        for cache in _CACHES:
            self.__dict__.pop(cache, None)
        # key order is label order: never sort the keys
        self.taxonomy_json_ = json.dumps(tax.to_dict(), ensure_ascii=False)
        self.__dict__["_taxonomy"] = tax
        self.taxonomy_text_ = data.taxonomy_text
        alias_facet = self._alias_facet(tax)
        self.alias_facet_ = alias_facet.name if alias_facet is not None and alias_facet.name in alias_blocks(tax) \
            else None

        say("features", f"{len(data.texts)} articles")
        self.features_ = self.make_features(tax)
        for name, part in self.features_.transformer_list:  # a role model learns from its facet's labels
            # (None: an article not annotated for the facet, which the model leaves out; not "no labels")
            y = list(data.labels[block_name(name)]) if getattr(part, "needs_labels", False) else None
            part.fit(data.texts, y)
        batch = self._batch(data.texts)
        self.blocks_, start = {}, 0
        for name, block in batch.blocks.items():
            self.blocks_[name] = (start, start + block.shape[1])
            start += block.shape[1]
        self.head_blocks_ = {f.name: self._blocks_of(f.name, tax) for f in tax.facets}

        cv, groups = data.fold_plan()

        self.heads_, self.head_labels_, self.label_counts_ = {}, {}, {}
        self.rule_, self.rule_labels_ = None, []
        for f in tax.facets:
            col = data.labels[f.name]
            say("head", f.name)
            Xh = batch.input(self.head_blocks_[f.name])
            if f.multi:
                rows = [i for i, labs in enumerate(col) if labs is not None]  # the articles annotated for f
                if len(rows) < len(col):
                    Xh, col = Xh[rows], [col[i] for i in rows]
                Y = label_indicator(col, f.ids)
                counts = Y.sum(axis=0)
                self.label_counts_[f.name] = {lab: int(c) for lab, c in zip(f.ids, counts) if c}
                if f.name == self.alias_facet_:
                    below = np.inf if acting_decides(self.alias_features(f.name)) else max(self.rule_below, 1)
                    learned = [k for k, c in enumerate(counts) if c >= below]
                    self.rule_labels_ = [f.ids[k] for k, c in enumerate(counts) if c < below]
                    self.rule_ = AliasRuleClassifier(aliases=alias_table(f)).fit()
                else:
                    learned = [k for k, c in enumerate(counts) if c > 0]
                if not learned:
                    continue
                sub = len(rows) < len(data.texts)
                head = self.make_head(f.name, tax, cv=PredefinedSplit(np.asarray(data.folds)[rows]) if sub and cv else cv)
                head.fit(Xh, Y[:, learned], groups=groups[rows] if sub and groups is not None else groups,
                         private_columns=self._private_columns(f.name, learned), indicator=True)
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
        self.training_digests_ = training_digests(data.texts)
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
        """For a multi-label head reading its own alias block: each label's alias columns, private to it
        (:meth:`AliasFeatures.label_columns`), in the head's input; None without such a block."""
        blocks = self.head_blocks_[facet]
        if facet not in blocks:
            return None
        offset = sum(self.blocks_[b][1] - self.blocks_[b][0] for b in blocks[: blocks.index(facet)])
        return list(offset + self.alias_features(facet).label_columns(learned))

    # ---- the taxonomy, features and scores of a fitted tagger ----

    @property
    def fitted_taxonomy(self) -> Taxonomy:
        check_is_fitted(self, "taxonomy_json_")
        tax = self.__dict__.get("_taxonomy")
        if tax is None:
            tax = self.__dict__["_taxonomy"] = parse_taxonomy(json.loads(self.taxonomy_json_), "<model taxonomy>")
        return tax

    def __getstate__(self):
        state = dict(super().__getstate__())  # a copy: object.__getstate__ is the live __dict__
        for cache in _CACHES:
            state.pop(cache, None)
        return state

    def __setstate__(self, state):
        # models saved before group_facet (it was group_attr), mention_roles, n_jobs, prefix_length, prefix_facets,
        # places, stack_facets, acting_words or embeddings existed (a prefix_length then was read by every head)
        state = {"mention_roles": False, "n_jobs": None, "prefix_length": None, "acting": False, "prefix_facets": None,
                 "places": False, "stack_facets": (), "acting_words": False, "embeddings": None,
                 "embedding_facets": ("themes",), **state}
        state.setdefault("group_facet", state.get("group_attr"))
        super().__setstate__(state)

    def alias_features(self, facet: str) -> AliasFeatures | None:
        """The fitted :class:`AliasFeatures` of ``facet`` (None when its labels have no aliases)."""
        check_is_fitted(self, "features_")
        return dict(self.features_.transformer_list).get(union_name(facet))

    def uses_aliases(self, facet: str) -> bool:
        """Whether ``facet``'s head reads any alias features."""
        check_is_fitted(self, "head_blocks_")
        return any(b not in PLAIN for b in self.head_blocks_[facet])

    @property
    def n_text_features_(self) -> int:
        return self.blocks_["text"][1] - self.blocks_["text"][0]

    def _batch(self, texts: Sequence[str]) -> Batch:
        """The feature blocks of ``texts`` and their alias mentions (each facet matched once)."""
        return feature_batch(self.features_, texts)

    def _facet_scores(self, batch: Batch) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
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
                cols = [pos[lab] for lab in self.rule_labels_]
                A, aliases = batch.blocks[f.name], self.alias_features(f.name)
                scores[:, cols], thresholds[cols] = rule_scores(self.rule_, aliases, A, cols)
                from_rule[cols] = True
            learned = from_rule.any() and (getattr(aliases, "roles", False) or getattr(aliases, "acting", False))
            out[f.name] = (scores, thresholds, from_rule, ["alias-rule" if r and not learned else "model" for r in from_rule])
        return out

    # ---- the scikit-learn way ----

    def features(self, X: Iterable[Any]) -> Batch:
        """The features of texts (or Articles, or ``{"text", ...}`` records) as a :class:`Batch`: one sparse
        block per source (``"text"``, ``"prefix"``, and each facet with aliases) and the alias mentions found."""
        check_is_fitted(self, "features_")
        return self._batch([t for _, t in (as_input(x, i) for i, x in enumerate(X))])

    def scores(self, X: Iterable[Any] | Batch) -> Scores:
        """Every facet's scores, thresholds and decisions for texts (or their :meth:`features`), with the
        alias features behind them; what :func:`classifier.evaluate` scores."""
        check_is_fitted(self, "heads_")
        batch = X if isinstance(X, Batch) else self.features(X)
        raw = self._facet_scores(batch)
        return Scores(proba={f: v[0] for f, v in raw.items()}, thresholds={f: v[1] for f, v in raw.items()},
                      labels=decide(self.fitted_taxonomy, self.heads_, raw, batch.n),
                      alias_features={b: m for b, m in batch.blocks.items() if b in batch.mentions})

    def predict_proba(self, X: Iterable[Any]) -> dict[str, np.ndarray]:
        """``{facet: (n_texts, n_labels) scores}``, columns in the taxonomy's label order (see :attr:`classes_`)."""
        check_is_fitted(self, "heads_")
        texts = [t for _, t in (as_input(x, i) for i, x in enumerate(X))]
        return {f: v[0] for f, v in self._facet_scores(self._batch(texts)).items()}

    def predict(self, X: Iterable[Any]) -> dict[str, list]:
        """``{facet: [labels per text]}``: a label id (or None) per text for single-label facets, a list for
        multi-label ones (the format of :meth:`corpus.Corpus.labels`)."""
        check_is_fitted(self, "heads_")
        texts = [t for _, t in (as_input(x, i) for i, x in enumerate(X))]
        return decide(self.fitted_taxonomy, self.heads_, self._facet_scores(self._batch(texts)), len(texts))

    @property
    def classes_(self) -> dict[str, list[str]]:
        """``{facet: [label id, ...]}``: the columns of :meth:`predict_proba`."""
        return {f.name: list(f.ids) for f in self.fitted_taxonomy.facets}

    # ---- tagging ----

    def tag(self, item: Any, *, evidence: bool = True, top_terms: int = 5, all_scores: bool = False) -> TagResult:
        """Tag one article: a text, an :class:`corpus.Article` or ``{"text", "title"?, "id"?}``."""
        return next(iter(self.tag_batch([item], evidence=evidence, top_terms=top_terms, all_scores=all_scores)))

    def tag_batch(self, items: Iterable[Any], *, batch_size: int = 512, evidence: bool = True,
                  top_terms: int = 5, all_scores: bool = False) -> Iterator[TagResult]:
        """Tag many articles, a batch at a time (features, heads and evidence are computed once per batch
        with array operations); yields one :class:`TagResult` per item, in order. ``all_scores``: each result
        also carries every label's score, given or not (:attr:`TagResult.all_scores`).

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
        for items_ in batches(items, batch_size):
            results = self._tag_one_batch(items_, n_done, facets, evidence, top_terms, all_scores)
            n_done += len(items_)
            yield from results

    def _tag_one_batch(self, items: list, n_done: int, facets, evidence: bool, top_terms: int,
                       all_scores: bool = False) -> list[TagResult]:
        inputs = [as_input(x, n_done + i) for i, x in enumerate(items)]
        warn_empty(inputs, n_done)
        batch = self._batch([t for _, t in inputs])
        return tag_results(self, inputs, batch, self._facet_scores(batch), facets, evidence, top_terms, all_scores)

    # ---- persistence ----

    def save(self, path: str | Path, *, metrics: Mapping[str, Any] | None = None) -> Path:
        """Write the model folder: ``model.skops``, ``model_card.json``/``.md``, ``taxonomy.toml``."""
        return save_model(self, path, metrics=metrics)

    @classmethod
    def load(cls, path: str | Path | None = None) -> "Tagger":
        """Load a model folder (or its ``model.skops``); None: $NEWSTAG_MODEL, ./models/default, the bundled one.

        Raises
        ------
        ModelNotFoundError, UntrustedModelError
        """
        return read_model(path, cls)


def load_model(path: str | Path | None = None) -> Tagger:
    """:meth:`Tagger.load`: a Tagger from a model folder or ``.skops`` file (None: the default model), built
    only from the reviewed trusted types; raises ModelNotFoundError, UntrustedModelError or ModelError."""
    return Tagger.load(path)


# Never persisted: caches rebuilt on demand (parsed taxonomy, display names, coefficients); where it was loaded from.
_CACHES = ("_taxonomy", "_names", "_coefs", "source_")
