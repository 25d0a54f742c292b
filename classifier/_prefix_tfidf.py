"""Word-prefix tf-idf: each word cut to its first ``prefix_length`` characters, so the forms of one word
("attack", "attacks", "attacked"; "bombing", "bombings") count as one feature beside the exact words.

On real news the word tf-idf alone misses an inflected form it has not seen in training often enough to
pass ``min_df``; the prefixes pool them. Measured on the news time split's development folds
(``bench/model_quality.py``, attempts ``prefix6`` and ``themes_prefix6``): themes micro-F1 +0.05 pooled over
three folds, better on each. In a Tagger the prefixes are a block of their own beside the words, read only by
the heads of ``prefix_facets`` (:mod:`classifier._blocks`; the themes head), so region and actors read what
they read without it.

:class:`PrefixTfidfVectorizer` tokenises like the word tf-idf (:data:`classifier._fast_tfidf.TOKEN_PATTERN`
on the lower-cased text) and weights like scikit-learn's ``TfidfVectorizer`` (smooth idf, optional sublinear
tf, l2 norm); at tag time it reads the batch's words from :func:`classifier._fast_tfidf.analyse`, and beside the
word tf-idf (:func:`classifier._fast_tfidf.transform_text`) both blocks come from one dictionary lookup per word
(:meth:`PrefixTfidfVectorizer.transform_beside`: the prefix block's transform 0.21 -> 0.13 s CPU per 10,000 Reuters
articles, the same matrix).
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

from ._fast_tfidf import TOKEN_PATTERN, Analysed, count_matrix

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
        return self._tfidf_of_ids(np.repeat(np.arange(len(docs), dtype=np.int64), per_doc), ids, len(docs))

    def transform_beside(self, word, texts: Sequence[str], analysed: Analysed
                         ) -> tuple[sp.csr_matrix, sp.csr_matrix] | None:
        """``(word.transform_analysed(texts, analysed), self.transform_analysed(texts, analysed))``, the same two
        matrices, with one dictionary lookup per word for both blocks; None when ``word`` (a fitted
        :class:`classifier.FastTfidfVectorizer`) cannot read the batch's words.

        The lookup table maps a word to one code holding its word column and its prefix column; it starts from
        the two vocabularies and learns each new word the first time it is seen (a bounded memo, never saved).
        """
        check_is_fitted(self, "vocabulary_")
        index = word.word_index()
        if index is None or not all(isinstance(t, str) for t in texts):
            return None
        table, width = self._joint_table(word.vocabulary_, index.word_ids)
        docs = analysed.words
        n_docs = len(docs)
        per_doc = np.fromiter(map(len, docs), dtype=np.int64, count=n_docs)
        flat = list(chain.from_iterable(docs))
        codes = np.fromiter(map(table.get, flat, repeat(-1)), dtype=np.int64, count=len(flat))
        new = np.flatnonzero(codes < 0)
        if len(new):
            word_ids, vocab, k = index.word_ids, self.vocabulary_, self.prefix_length
            for j in new.tolist():
                w = flat[j]
                c = table.get(w)
                if c is None:  # a one-character word is no token of either block
                    wid = word_ids.get(w, -2 if len(w) == 1 else -1)
                    c = table[w] = (wid + 2) * width + vocab.get(w[:k], -1) + 1
                codes[j] = c
        wid, pid = np.divmod(codes, width)
        wid -= 2
        pid -= 1
        doc = np.repeat(np.arange(n_docs, dtype=np.int64), per_doc)
        token = wid != -2
        return word.tfidf_of_ids(doc[token], wid[token], n_docs, index), self._tfidf_of_ids(doc, pid, n_docs)

    def _joint_table(self, word_vocab: dict, word_ids: dict[str, int]) -> tuple[dict[str, int], int]:
        """``({word: (word column + 2) * width + prefix column + 1}, width)`` (word column -2: a one-character
        word; -1 either: not in the vocabulary), built from the vocabularies, and the words seen since."""
        width = len(self.vocabulary_) + 1
        memo = self.__dict__.get("_joint")
        if memo is not None and memo[0] is word_vocab and memo[1] is self.vocabulary_ and len(memo[2]) <= memo[3]:
            return memo[2], width
        k, vocab = self.prefix_length, self.vocabulary_
        table = {w: (j + 2) * width + vocab.get(w[:k], -1) + 1 for w, j in word_ids.items()}
        for p, j in vocab.items():
            table.setdefault(p, width + j + 1)  # a prefix that is no word of the vocabulary (word column -1)
        self.__dict__["_joint"] = (word_vocab, self.vocabulary_, table, len(table) + _MEMO_WORDS)
        return table, width

    def _tfidf_of_ids(self, rows: np.ndarray, ids: np.ndarray, n_docs: int) -> sp.csr_matrix:
        """The tf-idf matrix from each token's row (non-decreasing) and prefix column (-1: none)."""
        known = ids >= 0
        X = count_matrix(rows[known], ids[known], (n_docs, len(self.vocabulary_)))
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
        state = dict(super().__getstate__())  # a copy: object.__getstate__ is the live __dict__
        state.pop("_memo", None)  # caches, rebuilt on demand
        state.pop("_joint", None)
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
