"""The speed layer of the text features, behind one wall: :class:`FastTfidfVectorizer` is scikit-learn's
``TfidfVectorizer`` whose ``transform`` gives the same matrix faster for word 1-2 grams, and falls back to
``super().transform`` for every other configuration.

scikit-learn counts n-grams in a Python loop (a dict lookup, and an exception per unknown n-gram). Here
each text is tokenised with the same pattern, every token of the batch is looked up in one
``np.fromiter(map(vocabulary.get, ...))`` pass, and bigrams are found from pairs of unigram ids with
``pandas.Index.get_indexer`` over ``id(first) * V + id(second)``; the same sublinear tf, idf weighting and
normalisation then follow in the same order, so the result is identical, bit for bit
(tests/classifier/test_fast_tfidf.py compares them).

A batch's words can be shared with the alias matcher: :func:`analyse` lower-cases and splits the texts
once, and :meth:`FastTfidfVectorizer.transform_analysed` reads them.
"""

from __future__ import annotations

__all__ = ["FastTfidfVectorizer", "Analysed", "analyse", "count_matrix", "transform_text", "transform_text_beside",
           "TOKEN_PATTERN"]

import re
from itertools import chain, repeat
from typing import NamedTuple, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfTransformer, TfidfVectorizer
from sklearn.pipeline import FeatureUnion
from sklearn.preprocessing import normalize

from corpus import text_words

from ._fast_vocabulary import count_vocabulary

# The tokens of scikit-learn's default pattern ``(?u)\b\w\w+\b`` (runs of two or more word characters):
# a greedy ``\w\w+`` only ever starts at a word's first character, so it finds the same tokens, twice as fast.
TOKEN_PATTERN = r"(?u)\w\w+"

# The one-character words of lower-cased ASCII text: words, but never tokens of TOKEN_PATTERN.
_ASCII_CHARS = tuple(c for c in map(chr, range(128)) if re.fullmatch(r"\w", c) and c == c.lower())


class Analysed(NamedTuple):
    """A batch of texts analysed once for every feature block: lower-cased, and split into words."""

    lower: list[str]
    words: list[list[str]]  # the \\w+ runs of each lower-cased text


def analyse(texts: Sequence[str]) -> Analysed:
    """Lower-case and split ``texts`` once, for :meth:`FastTfidfVectorizer.transform_analysed` and
    :meth:`AliasFeatures.match`."""
    lower = [t.lower() for t in texts]
    return Analysed(lower, [text_words(t) for t in lower])


class _Index(NamedTuple):
    """What the fast path looks words and bigrams up in, built once per fitted vocabulary."""

    vocabulary: dict  # the fitted ``vocabulary_`` it was built from (a refit makes a new one)
    word_ids: dict[str, int]  # unigram ids, plus -2 for each one-character ASCII word
    bigram_keys: pd.Index  # ``id(first) * V + id(second)`` of each bigram of the vocabulary
    bigram_ids: np.ndarray  # the bigram's column, in the order of ``bigram_keys``


class FastTfidfVectorizer(TfidfVectorizer):
    """:class:`~sklearn.feature_extraction.text.TfidfVectorizer` with a faster ``transform`` for word 1-2
    grams (the settings :func:`classifier.text_features` uses); the same parameters, fitting and output.

    The fast path applies when the analyzer is ``"word"`` on string input with no tokenizer, preprocessor,
    stop words or accent stripping, a token pattern without groups, n-grams up to 2, and every bigram's
    words in the vocabulary (``max_df`` or ``max_features`` can drop a word and keep its bigram). Anything
    else runs ``super().transform``.
    """

    def transform(self, raw_documents) -> sp.csr_matrix:
        """The tf-idf matrix of ``raw_documents`` (the same as :class:`TfidfVectorizer`'s)."""
        return self.transform_analysed(raw_documents)

    def transform_analysed(self, raw_documents, analysed: Analysed | None = None) -> sp.csr_matrix:
        """:meth:`transform`, reusing a batch's words from :func:`analyse` when ``analysed`` is given (read
        only when the vectorizer lower-cases and uses :data:`TOKEN_PATTERN`)."""
        if isinstance(raw_documents, str) or not self._fast_path_ok():
            return sp.csr_matrix(super().transform(raw_documents))
        texts = raw_documents if isinstance(raw_documents, list) else list(raw_documents)
        index = self._index()
        if index is None or not all(isinstance(t, str) for t in texts):
            return sp.csr_matrix(super().transform(texts))
        return self._fast_transform(texts, analysed, index)

    def fit(self, raw_documents, y=None):
        """Learn the vocabulary and idf (scikit-learn's, counted with numpy for word 1-2 grams)."""
        raw_documents = _read_once(raw_documents)
        if not self._fast_fit(raw_documents):
            super().fit(raw_documents, y)
        self._index()  # built now, so that transform leaves the estimator unchanged
        return self

    def fit_transform(self, raw_documents, y=None):
        raw_documents = _read_once(raw_documents)
        if self._fast_fit(raw_documents):
            self._index()
            return self.transform(raw_documents)
        X = super().fit_transform(raw_documents, y)
        self._index()
        return X

    def _fast_fit(self, docs) -> bool:
        """Fit as scikit-learn does, with :func:`classifier._fast_vocabulary.count_vocabulary`; False (nothing
        done) when the settings or the input are not the fast path's, or scikit-learn would raise."""
        if isinstance(docs, str) or not (
                self._plain_word_analyzer() and self.vocabulary is None and self.max_features is None
                and self.ngram_range[0] >= 1 and all(isinstance(d, str) for d in docs)):
            return False
        self._validate_params()
        self._check_params()
        self._warn_for_unused_params()
        self._validate_vocabulary()
        counted = count_vocabulary(docs, token_pattern=self.token_pattern, lowercase=self.lowercase,
                                   ngram_range=self.ngram_range, min_df=self.min_df, max_df=self.max_df,
                                   dtype=self.dtype)
        if counted is None:
            return False
        self._tfidf = TfidfTransformer(norm=self.norm, use_idf=self.use_idf, smooth_idf=self.smooth_idf,
                                       sublinear_tf=self.sublinear_tf).fit(counted[1])
        self.vocabulary_ = counted[0]
        return True

    def __getstate__(self):
        state = dict(super().__getstate__())  # a copy: object.__getstate__ is the live __dict__
        state.pop("_fast_index", None)
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        if hasattr(self, "vocabulary_"):
            self._index()  # the lookup tables are not saved: rebuilt on load, not by the first transform

    def word_index(self) -> _Index | None:
        """The lookup tables of the fast path when it applies to a batch's words from :func:`analyse` (lower-cased,
        :data:`TOKEN_PATTERN`), else None; for another block reading the same words (the prefix tf-idf)."""
        if not (self._fast_path_ok() and self.lowercase and self.token_pattern == TOKEN_PATTERN):
            return None
        return self._index()

    # ---- the fast path ----

    def _plain_word_analyzer(self) -> bool:
        """Word n-grams up to 2 of text content, tokenised by a group-free pattern alone (no tokenizer,
        preprocessor, stop words or accent stripping): what the numpy fit and transform reproduce."""
        return (self.analyzer == "word" and self.input == "content" and self.tokenizer is None
                and self.preprocessor is None and self.stop_words is None and self.strip_accents is None
                and isinstance(self.token_pattern, str) and re.compile(self.token_pattern).groups == 0
                and self.ngram_range[1] <= 2)

    def _fast_path_ok(self) -> bool:
        return self._plain_word_analyzer() and np.dtype(self.dtype).kind == "f" and hasattr(self, "vocabulary_")

    def _index(self) -> _Index | None:
        """The lookup tables of the fitted vocabulary (cached until a refit); None when a bigram's words are
        not in the vocabulary."""
        cached = self.__dict__.get("_fast_index")
        vocab = self.vocabulary_
        if cached is not None and cached[0] is vocab:
            return cached[1]
        n = len(vocab)
        keys, ids = [], []
        index = None
        for term, j in vocab.items():
            first, sep, second = term.partition(" ")
            if sep:
                a, b = vocab.get(first), vocab.get(second)
                if a is None or b is None:
                    break
                keys.append(a * n + b)
                ids.append(j)
        else:
            word_ids = {term: j for term, j in vocab.items() if " " not in term}
            word_ids.update(dict.fromkeys(_ASCII_CHARS, -2))
            index = _Index(vocab, word_ids, pd.Index(np.asarray(keys, dtype=np.int64)),
                           np.asarray(ids, dtype=np.int64))
        self.__dict__["_fast_index"] = (vocab, index)
        return index

    def _fast_transform(self, texts: list[str], analysed: Analysed | None, index: _Index) -> sp.csr_matrix:
        n_docs = len(texts)
        if analysed is not None and self.lowercase and self.token_pattern == TOKEN_PATTERN:
            # TOKEN_PATTERN's tokens are the words (\w+ runs) of two or more characters
            words = analysed.words
            per_doc = np.fromiter(map(len, words), dtype=np.int64, count=n_docs)
            n_words = int(per_doc.sum())
            flat = list(chain.from_iterable(words))
            # one lookup gives a word's id, -1 (unknown) or -2 (a one-character word, which is no token);
            # in a batch with non-ASCII text the unknown words need their length checked too
            ids = np.fromiter(map(index.word_ids.get, flat, repeat(-1)), dtype=np.int64, count=n_words)
            if not all(map(str.isascii, analysed.lower)):  # else every one-character word is ASCII, known as -2
                unknown = np.flatnonzero(ids == -1)
                short = np.fromiter(map(len, map(flat.__getitem__, unknown.tolist())), dtype=np.int64,
                                    count=len(unknown)) == 1
                ids[unknown[short]] = -2
            long = ids != -2
            ids = ids[long]
            doc = np.repeat(np.arange(n_docs, dtype=np.int64), per_doc)[long]
        else:
            pattern = re.compile(self.token_pattern)
            tokens = [pattern.findall(doc.lower() if self.lowercase else doc) for doc in texts]
            lengths = np.fromiter(map(len, tokens), dtype=np.int64, count=n_docs)
            ids = np.fromiter(map(self.vocabulary_.get, chain.from_iterable(tokens), repeat(-1)), dtype=np.int64,
                              count=int(lengths.sum()))
            doc = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)
        return self.tfidf_of_ids(doc, ids, n_docs, index)

    def tfidf_of_ids(self, doc: np.ndarray, ids: np.ndarray, n_docs: int, index: _Index) -> sp.csr_matrix:
        """The tf-idf matrix of a batch's tokens given as their text's row (``doc``, non-decreasing) and their word
        column (``ids``: -1 for a word out of the vocabulary; one-character words already left out)."""
        lo, hi = self.ngram_range
        n_vocab = len(self.vocabulary_)
        rows, cols = [], []
        if lo == 1:
            known = ids >= 0
            rows.append(doc[known])
            cols.append(ids[known])
        if hi == 2 and len(index.bigram_ids):
            a, b = ids[:-1], ids[1:]
            ok = (doc[:-1] == doc[1:]) & (a >= 0) & (b >= 0)
            at = index.bigram_keys.get_indexer(a[ok] * n_vocab + b[ok])
            hit = at >= 0
            rows.append(doc[:-1][ok][hit])
            cols.append(index.bigram_ids[at[hit]])
        if len(rows) == 2:  # each part's rows are in order: merge them (a stable sort of two sorted runs)
            r = np.concatenate(rows)
            order = np.argsort(r, kind="stable")
            r, c = r[order], np.concatenate(cols)[order]
        else:
            r, c = (rows[0], cols[0]) if rows else (np.zeros(0, dtype=np.int64),) * 2
        X = count_matrix(r, c, (n_docs, n_vocab), self.dtype)
        if self.binary:
            X.data[:] = 1
        if self.sublinear_tf:
            np.log(X.data, X.data)
            X.data += 1.0
        if self.use_idf:
            X.data *= self.idf_[X.indices]
        if self.norm is not None:
            X = normalize(X, norm=self.norm, copy=False)
        return X


def count_matrix(rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int], dtype=np.float64) -> sp.csr_matrix:
    """How often each (row, column) pair occurs, as a canonical CSR matrix (each row's columns in order, duplicates
    summed); ``rows`` non-decreasing.

    The same matrix as ``csr_matrix((ones, (rows, cols)))``, made without sorting: two linear passes (CSR -> CSC ->
    CSR, a counting sort by column, then by row) put each row's columns in order, and the duplicates, now side by
    side, are summed. scipy sorts each row instead — twice the time for the word and prefix blocks of 10,000 Reuters
    articles.
    """
    indptr = np.zeros(shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=shape[0]), out=indptr[1:])
    X = sp.csr_matrix((np.ones(len(rows), dtype=dtype), cols, indptr), shape=shape).tocsc().tocsr()
    X.sum_duplicates()  # the indices are sorted (tocsr says so): only the neighbours are summed
    return X


def _read_once(raw_documents):
    """A list of an iterable of documents (a generator can be read only once, by whichever fit runs)."""
    return raw_documents if isinstance(raw_documents, (str, list)) else list(raw_documents)


def transform_text(union: FeatureUnion, texts: Sequence[str], analysed: Analysed | None = None) -> sp.csr_matrix:
    """``union.transform(texts)`` for a fitted :func:`classifier.text_features` union, each part with a
    ``transform_analysed`` (:class:`FastTfidfVectorizer`, the prefix tf-idf) reusing the batch's words
    (``analysed``); words and prefixes together through :meth:`PrefixTfidfVectorizer.transform_beside` (a union
    with a ``prefix`` part: what models fitted before the prefix tf-idf was a block of its own hold)."""
    if union.transformer_weights:
        return sp.csr_matrix(union.transform(texts))
    vecs = [vec for _, vec in union.transformer_list if vec not in ("drop", None)]
    if analysed is not None and len(vecs) == 2 and hasattr(vecs[1], "transform_beside"):
        pair = vecs[1].transform_beside(vecs[0], texts, analysed)  # the word and prefix blocks from one lookup per word
        if pair is not None:
            return sp.hstack(pair, format="csr")
    parts = [vec.transform_analysed(texts, analysed) if hasattr(vec, "transform_analysed")
             else sp.csr_matrix(vec.transform(texts)) for vec in vecs]
    return sp.hstack(parts, format="csr") if len(parts) > 1 else parts[0]


def transform_text_beside(union: FeatureUnion, prefix, texts: Sequence[str], analysed: Analysed | None = None
                          ) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """``(transform_text(union, texts, analysed), prefix.transform_analysed(texts, analysed))``: the text block and the
    prefix block beside it (``prefix``: a fitted :class:`PrefixTfidfVectorizer`), from one dictionary lookup per word
    (:meth:`PrefixTfidfVectorizer.transform_beside`) when the union is the word tf-idf alone; the same matrices."""
    vecs = [vec for _, vec in union.transformer_list if vec not in ("drop", None)]
    if analysed is not None and not union.transformer_weights and len(vecs) == 1 and hasattr(vecs[0], "word_index"):
        pair = prefix.transform_beside(vecs[0], texts, analysed)
        if pair is not None:
            return pair
    return transform_text(union, texts, analysed), prefix.transform_analysed(texts, analysed)
