"""Word-prefix tf-idf: each word cut to its first ``prefix_length`` characters, so the forms of one word
("attack", "attacks", "attacked"; "bombing", "bombings") count as one feature beside the exact words.

On real news the word tf-idf alone misses an inflected form it has not seen in training often enough to
pass ``min_df``; the prefixes pool them. Measured on the news time split's development folds
(``bench/model_quality.py``, attempt ``prefix6``): themes micro-F1 +0.05 pooled over three folds, better on
each, at no loss on region or actors.

:class:`PrefixTfidfVectorizer` tokenises like the word tf-idf (:data:`classifier._fast_tfidf.TOKEN_PATTERN`
on the lower-cased text) and weights like scikit-learn's ``TfidfVectorizer`` (smooth idf, optional sublinear
tf, l2 norm); at tag time it reads the batch's words from :func:`classifier._fast_tfidf.analyse`.
"""

from __future__ import annotations

__all__ = ["PrefixTfidfVectorizer"]

import numbers
import re
from itertools import chain, repeat
from typing import Iterable, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.preprocessing import normalize
from sklearn.utils.validation import check_is_fitted

from ._fast_tfidf import TOKEN_PATTERN, Analysed

_TOKENS = re.compile(TOKEN_PATTERN)
_MEMO_WORDS = 200_000  # words remembered by transform before the memo starts afresh (bounded memory)


class PrefixTfidfVectorizer(TransformerMixin, BaseEstimator):
    """tf-idf of word prefixes: every token of two or more word characters, lower-cased, cut to its first
    ``prefix_length`` characters.

    Parameters
    ----------
    prefix_length : int, default 6
    min_df : int or float, default 2
        A prefix is kept when it occurs in at least ``min_df`` training texts (a float: that share of them).
    sublinear_tf : bool, default True
        ``1 + log(tf)`` instead of the raw count.

    Attributes
    ----------
    vocabulary_ : dict of {prefix: column}
    idf_ : ndarray of shape (n_features,)
        scikit-learn's smooth idf, ``log((1 + n) / (1 + df)) + 1``.
    """

    def __init__(self, *, prefix_length: int = 6, min_df: int | float = 2, sublinear_tf: bool = True):
        self.prefix_length = prefix_length
        self.min_df = min_df
        self.sublinear_tf = sublinear_tf

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        return tags

    def _prefixes(self, texts: Sequence[str]) -> list[list[str]]:
        k = self.prefix_length
        return [[w[:k] for w in _TOKENS.findall(t.lower())] for t in texts]

    def fit(self, X: Iterable[str], y=None) -> "PrefixTfidfVectorizer":
        """Learn the prefixes of ``X`` that pass ``min_df`` and their idf; returns ``self``."""
        k, m = self.prefix_length, self.min_df
        if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 1:
            raise ValueError(f"PrefixTfidfVectorizer: prefix_length must be a positive integer, got {k!r}.")
        if isinstance(m, bool) or not isinstance(m, numbers.Real) or m < 0 or (not isinstance(m, numbers.Integral) and m > 1):
            raise ValueError(f"PrefixTfidfVectorizer: min_df must be a count >= 0 or a share in [0, 1], got {m!r}.")
        texts = _texts(X)
        df: dict[str, int] = {}
        for doc in self._prefixes(texts):
            for p in set(doc):
                df[p] = df.get(p, 0) + 1
        least = m if isinstance(m, numbers.Integral) else m * len(texts)
        kept = sorted(p for p, c in df.items() if c >= least)
        if not kept:
            raise ValueError(f"PrefixTfidfVectorizer: no prefix occurs in {least} or more of the {len(texts)} texts; "
                             f"give more texts or a lower min_df.")
        self.vocabulary_ = {p: j for j, p in enumerate(kept)}
        counts = np.asarray([df[p] for p in kept], dtype=np.float64)
        self.idf_ = np.log((1.0 + len(texts)) / (1.0 + counts)) + 1.0
        return self

    def transform(self, X: Iterable[str]) -> sp.csr_matrix:
        """The l2-normalised tf-idf matrix of the texts' prefixes, ``(n_texts, len(vocabulary_))``."""
        return self.transform_analysed(_texts(X))

    def transform_analysed(self, texts: Sequence[str], analysed: Analysed | None = None) -> sp.csr_matrix:
        """:meth:`transform`, reading the words of :func:`classifier._fast_tfidf.analyse` when given (its words
        of two or more characters are this vectorizer's tokens)."""
        check_is_fitted(self, "vocabulary_")
        if analysed is None:
            docs = self._prefixes(texts)
            per_doc = np.fromiter(map(len, docs), dtype=np.int64, count=len(docs))
            ids = np.fromiter(map(self.vocabulary_.get, chain.from_iterable(docs), repeat(-1)), dtype=np.int64,
                              count=int(per_doc.sum()))
        else:
            docs = analysed.words
            per_doc = np.fromiter(map(len, docs), dtype=np.int64, count=len(docs))
            ids = self._word_ids(list(chain.from_iterable(docs)))
        known = ids >= 0
        rows = np.repeat(np.arange(len(docs), dtype=np.int64), per_doc)[known]
        indptr = np.zeros(len(docs) + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=len(docs)), out=indptr[1:])
        X = sp.csr_matrix((np.ones(len(rows)), ids[known], indptr), shape=(len(docs), len(self.vocabulary_)))
        X.sum_duplicates()
        if self.sublinear_tf:
            np.log(X.data, X.data)
            X.data += 1.0
        X.data *= self.idf_[X.indices]
        return normalize(X, norm="l2", copy=False)

    def _word_ids(self, words: list[str]) -> np.ndarray:
        """The column of each word's prefix (-1: not in the vocabulary), through a memo of the words seen so far
        (a word's own, already hashed string is looked up instead of a new prefix string: half the time). A
        one-character word is no token, but its prefix (itself) is never in the vocabulary either."""
        memo = self.__dict__.get("_memo")
        if memo is None or memo[0] is not self.vocabulary_ or len(memo[1]) > _MEMO_WORDS:
            memo = self.__dict__["_memo"] = (self.vocabulary_, {})
        seen = memo[1]
        ids = np.fromiter(map(seen.get, words, repeat(-2)), dtype=np.int64, count=len(words))
        new = np.flatnonzero(ids == -2)
        if len(new):
            vocab, k = self.vocabulary_, self.prefix_length
            for j in new.tolist():
                w = words[j]
                ids[j] = seen[w] = vocab.get(w[:k], -1)
        return ids

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_memo", None)  # a cache, rebuilt on demand
        return state

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        check_is_fitted(self, "vocabulary_")
        names = np.empty(len(self.vocabulary_), dtype=object)
        for p, j in self.vocabulary_.items():
            names[j] = p
        return names


def _texts(X) -> list[str]:
    if isinstance(X, str):
        raise ValueError("PrefixTfidfVectorizer: expected an iterable of texts, got a single string; wrap it in a "
                         "list: [text].")
    texts = list(X)
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise ValueError(f"PrefixTfidfVectorizer: text {i} is a {type(t).__name__}, expected a str.")
    return texts
