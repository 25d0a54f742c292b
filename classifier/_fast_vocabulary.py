"""The vocabulary of word 1-2 grams and its document frequencies counted with numpy: what scikit-learn's
``CountVectorizer.fit`` learns, without its Python loop over every n-gram of every document.

scikit-learn looks each n-gram up in a dict, one at a time (~2 s for Reuters' 7,770 training documents,
most of what fitting the tf-idf costs). Here each text is tokenised with the same pattern, the tokens are
numbered in order of first appearance (``pandas.factorize``), bigrams become ``first * V + second``
integers, and document frequencies come from the unique (document, term) pairs. The result is scikit-learn's
to the last detail — the same terms, columns, document frequencies, and even the dict's insertion order (the
order in which scikit-learn first met each term) — which tests/classifier/test_fast_tfidf.py checks.
"""

from __future__ import annotations

__all__ = ["count_vocabulary"]

import re
from itertools import chain
from numbers import Integral
from typing import Callable, NamedTuple, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp


def count_vocabulary(docs: Sequence[str], *, token_pattern: str, lowercase: bool, ngram_range: tuple[int, int],
                     min_df, max_df, dtype) -> tuple[dict[str, int], sp.csr_matrix] | None:
    """``(vocabulary, incidence)`` of word n-grams (``ngram_range`` within (1, 2)): scikit-learn's fitted
    ``vocabulary_`` and a binary document-term matrix (``dtype``) whose column sums are the document
    frequencies (what ``TfidfTransformer.fit`` reads).

    Returns None when scikit-learn would raise (no term at all, none left after ``min_df``/``max_df``), so that
    its own fit runs and raises its own error.

    Raises
    ------
    ValueError
        ``max_df`` corresponds to fewer documents than ``min_df`` (scikit-learn's message).
    """
    lo, hi = ngram_range
    pattern = re.compile(token_pattern)
    tokens = [pattern.findall(d.lower() if lowercase else d) for d in docs]
    n_docs = len(docs)
    lengths = np.fromiter(map(len, tokens), dtype=np.int64, count=n_docs)
    flat = list(chain.from_iterable(tokens))
    if not flat:
        return None
    codes, words = pd.factorize(pd.Index(flat, dtype=object), sort=False)  # ids in order of first appearance
    ids = codes.astype(np.int64)
    words = list(words)
    n_words = len(words)
    doc = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)

    blocks: list[_Terms] = []  # the unigrams, then the bigrams (each in order of first appearance)
    if lo == 1:
        blocks.append(_terms(ids, doc, np.arange(len(ids), dtype=np.int64), n_words, kind=0,
                             names=lambda kept: [words[k] for k in kept.tolist()]))
    if hi == 2:
        ok = np.flatnonzero(doc[:-1] == doc[1:])  # each bigram's first token
        if len(ok):
            bcodes, bkeys = pd.factorize(ids[ok] * n_words + ids[ok + 1], sort=False)
            bkeys = np.asarray(bkeys, dtype=np.int64)

            def bigram_names(kept: np.ndarray) -> list[str]:
                a, b = np.divmod(bkeys[kept], n_words)
                return [f"{words[x]} {words[y]}" for x, y in zip(a.tolist(), b.tolist())]

            blocks.append(_terms(bcodes.astype(np.int64), doc[ok], ok, len(bkeys), kind=1, names=bigram_names))
    if not blocks:
        return None
    max_count = max_df if isinstance(max_df, Integral) else max_df * n_docs
    min_count = min_df if isinstance(min_df, Integral) else min_df * n_docs
    if max_count < min_count:
        raise ValueError("max_df corresponds to < documents than min_df")

    terms, first_doc, kind, first_pos, rows, local_cols = [], [], [], [], [], []
    offset = 0
    for block in blocks:
        kept = np.flatnonzero((block.df <= max_count) & (block.df >= min_count))
        terms += block.names(kept)  # strings made for the kept terms only
        first_doc.append(block.first_doc[kept])
        kind.append(np.full(len(kept), block.kind, dtype=np.int64))
        first_pos.append(block.first_pos[kept])
        new_col = np.full(len(block.df), -1, dtype=np.int64)
        new_col[kept] = offset + np.arange(len(kept))
        take = new_col[block.pair_term] >= 0
        rows.append(block.pair_doc[take])
        local_cols.append(new_col[block.pair_term[take]])
        offset += len(kept)
    if not terms:
        return None
    # columns: the terms in sorted order (scikit-learn's _sort_features); dict order: first met, document by
    # document, a document's unigrams before its bigrams, each in text order
    rank = np.empty(len(terms), dtype=np.int64)
    rank[sorted(range(len(terms)), key=terms.__getitem__)] = np.arange(len(terms))
    met = np.lexsort((np.concatenate(first_pos), np.concatenate(kind), np.concatenate(first_doc)))
    vocabulary = {terms[i]: int(rank[i]) for i in met.tolist()}
    r, c = np.concatenate(rows), rank[np.concatenate(local_cols)]
    incidence = sp.csr_matrix((np.ones(len(r), dtype=dtype), (r, c)), shape=(n_docs, len(terms)))
    return vocabulary, incidence


class _Terms(NamedTuple):
    """One n-gram order's terms (numbered in order of first appearance) and what the fit needs of them."""

    names: Callable[[np.ndarray], list[str]]  # the terms at the given positions, as strings
    kind: int  # 0 unigrams, 1 bigrams: within a document, scikit-learn meets the unigrams first
    df: np.ndarray  # document frequency per term
    first_doc: np.ndarray  # the document and token position where each term first appears
    first_pos: np.ndarray
    pair_doc: np.ndarray  # the distinct (document, term) pairs
    pair_term: np.ndarray


def _terms(codes: np.ndarray, doc: np.ndarray, position: np.ndarray, n_terms: int, *, kind: int,
           names: Callable[[np.ndarray], list[str]]) -> _Terms:
    """:class:`_Terms` of occurrences given as term ``codes`` (0..n_terms-1), their document (non-decreasing)
    and their token position."""
    pairs = np.unique(doc * n_terms + codes)
    _, first = np.unique(codes, return_index=True)  # every code occurs: one first occurrence per term
    return _Terms(names, kind, np.bincount(pairs % n_terms, minlength=n_terms), doc[first], position[first],
                  pairs // n_terms, pairs % n_terms)
