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
from typing import Sequence

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
    position = np.arange(len(ids), dtype=np.int64)  # where in the flat token list

    blocks = []  # per n: (document frequency, first (doc, kind, position), term makers)
    if lo == 1:
        pairs = np.unique(doc * n_words + ids)
        df = np.bincount(pairs % n_words, minlength=n_words)
        first = np.full(n_words, -1, dtype=np.int64)
        _, at = np.unique(ids, return_index=True)
        first[:] = at  # np.unique's ids are 0..n_words-1, all present
        blocks.append(("uni", df, doc[first], np.zeros(n_words, dtype=np.int64), position[first],
                       pairs // n_words, pairs % n_words))
    if hi == 2:
        ok = doc[:-1] == doc[1:]
        bkey = ids[:-1][ok] * n_words + ids[1:][ok]
        if len(bkey):
            bcodes, bterms = pd.factorize(bkey, sort=False)
            bcodes = bcodes.astype(np.int64)
            n_bi = len(bterms)
            bdoc = doc[:-1][ok]
            pairs = np.unique(bdoc * n_bi + bcodes)
            df = np.bincount(pairs % n_bi, minlength=n_bi)
            _, at = np.unique(bcodes, return_index=True)
            blocks.append(("bi", df, bdoc[at], np.ones(n_bi, dtype=np.int64), position[:-1][ok][at],
                           pairs // n_bi, pairs % n_bi, np.asarray(bterms, dtype=np.int64)))
    if not blocks:
        return None
    max_count = max_df if isinstance(max_df, Integral) else max_df * n_docs
    min_count = min_df if isinstance(min_df, Integral) else min_df * n_docs
    if max_count < min_count:
        raise ValueError("max_df corresponds to < documents than min_df")

    terms, first_doc, kind, first_pos, rows, local_cols = [], [], [], [], [], []
    offset = 0
    for block in blocks:
        name, df, fdoc, fkind, fpos, prow, pcol = block[:7]
        keep = (df <= max_count) & (df >= min_count)
        kept = np.flatnonzero(keep)
        if name == "uni":
            terms += [words[k] for k in kept]
        else:
            bterms = block[7][kept]
            a, b = bterms // n_words, bterms % n_words
            terms += [f"{words[x]} {words[y]}" for x, y in zip(a.tolist(), b.tolist())]
        first_doc.append(fdoc[kept])
        kind.append(fkind[kept])
        first_pos.append(fpos[kept])
        new_col = np.full(len(df), -1, dtype=np.int64)
        new_col[kept] = offset + np.arange(len(kept))
        take = keep[pcol]
        rows.append(prow[take])
        local_cols.append(new_col[pcol[take]])
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
