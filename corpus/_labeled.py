"""What a split reads of a corpus: its labeled articles, their label vectors and their group keys.

Private to :mod:`corpus.splits` (random splits and the folds of any split).
"""

from __future__ import annotations

__all__ = ["Labeled", "labeled_articles", "group_keys"]

import json
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from .split_manifest import _column, meta_value
from .store import Corpus


@dataclass
class Labeled:
    """The labeled articles of a corpus in id order, each one's row, and a 0/1 matrix of every facet's labels."""

    ids: list[str]  # sorted
    rows: list[int]  # dataset row of each id
    matrix: np.ndarray  # (n, n_labels) 0/1
    labels: list[tuple[str, str]]  # (facet, label id) of each column
    unlabeled: int


def labeled_articles(corpus: Corpus) -> Labeled:
    ds = corpus.dataset
    flags = _column(ds, "labeled")
    all_ids = _column(ds, "id")
    rows = sorted((i for i, ok in enumerate(flags) if ok), key=lambda i: all_ids[i])
    ids = [all_ids[i] for i in rows]
    labels = [(f.name, lab) for f in corpus.taxonomy.facets for lab in f.ids]
    matrix = np.zeros((len(rows), len(labels)), dtype=np.int8)
    offset = 0
    for f in corpus.taxonomy.facets:
        col = _column(ds, f.name)
        for r, i in enumerate(rows):
            v = col[i]
            if f.multi:
                for x in v or ():
                    matrix[r, offset + x] = 1
            elif v is not None and v >= 0:
                matrix[r, offset + v] = 1
        offset += len(f.ids)
    return Labeled(ids=ids, rows=rows, matrix=matrix, labels=labels, unlabeled=len(flags) - len(rows))


def _key_values(value: Any) -> list[str]:
    """The group keys one cell contributes: nothing for empty cells, one per element of a list."""
    if value is None or value == "" or value == [] or value == {}:
        return []
    if isinstance(value, (list, tuple)):
        return [k for v in value for k in _key_values(v)]
    if isinstance(value, str):
        return [value]
    return [json.dumps(value, sort_keys=True, ensure_ascii=False)]


def group_keys(corpus: Corpus, columns: Sequence[str], rows: Sequence[int]) -> list[list[tuple[str, str]]]:
    ds = corpus.dataset
    keys: list[list[tuple[str, str]]] = [[] for _ in rows]
    metas = None
    for c in columns:
        if c.startswith("meta.") and c not in ds.column_names:
            if metas is None:
                col = _column(ds, "meta")
                metas = [json.loads(col[i] or "{}") for i in rows]
            for r, m in enumerate(metas):
                keys[r].extend((c, k) for k in _key_values(meta_value(m, c[len("meta."):])))
        else:
            col = _column(ds, c)
            for r, i in enumerate(rows):
                keys[r].extend((c, k) for k in _key_values(col[i]))
    return keys
