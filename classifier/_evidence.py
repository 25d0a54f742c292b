"""Evidence: why a Tagger chose each label — the top weighted features of every chosen label (feature value
times coefficient, all pairs of a batch at once), the alias features behind an alias-rule label, and the
alias mentions found in each text; and the records (:mod:`._result`) built from them."""

from __future__ import annotations

__all__ = ["decide", "tag_results", "facet_tags", "block_feature_names", "head_feature_names", "facet_coefs"]

from itertools import chain, repeat
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.calibration import CalibratedClassifierCV

from ._batch import Batch, union_name
from ._estimators import ThresholdedOneVsRest
from ._result import AliasMatch, Evidence, LabelScore, TagResult, TermWeight


def tag_results(tagger, inputs: Sequence[tuple[str | None, str]], batch: Batch, scores, facets, evidence: bool,
                top_terms: int, all_scores: bool = False) -> list[TagResult]:
    """The :class:`TagResult` of each input of a batch, from its features and scores (see
    :meth:`Tagger._facet_scores`); ``facets``: ``(name, multi, label ids, has a head)`` per facet;
    ``all_scores``: also every label's score (:attr:`TagResult.all_scores`)."""
    outs = [(name, multi, *facet_tags(tagger, batch, name, ids, multi, has_head, scores[name],
                                           top_terms if evidence else None))
            for name, multi, ids, has_head in facets]
    names = [out[0] for out in outs]
    tags = [dict(zip(names, row)) for row in zip(*(_per_article_tags(multi, bounds, found)
                                                   for _, multi, bounds, found, _, _ in outs))]
    every = _every_score(scores, facets, len(inputs)) if all_scores else [None] * len(inputs)
    if not evidence:
        return [TagResult(ident, t, None, a) for (ident, _), t, a in zip(inputs, tags, every)]
    # per facet and article: {label: terms} of the chosen labels, None when there are none
    terms = zip(*([dict(zip(lab[lo:hi], pair_terms[lo:hi])) if hi > lo else None
                   for lo, hi in zip(bounds, bounds[1:])] for _, _, bounds, _, lab, pair_terms in outs))
    return [TagResult(ident, t, Evidence({n: d for n, d in zip(names, row) if d is not None}, m), a)
            for (ident, _), t, row, m, a in zip(inputs, tags, terms,
                                                _alias_matches(batch.mentions, len(inputs), batch.roles), every)]


def _every_score(scores, facets, n: int) -> list[dict[str, tuple[LabelScore, ...]]]:
    """Per article, each facet's :class:`LabelScore` of every label, given or not, in the taxonomy's order."""
    per_facet = [(name, [tuple(map(LabelScore, ids, row, scores[name][3])) for row in scores[name][0].tolist()])
                 for name, _, ids, _ in facets]
    return [{name: rows[i] for name, rows in per_facet} for i in range(n)]


def facet_tags(tagger, batch: Batch, name: str, ids: Sequence[str], multi: bool, has_head: bool,
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
        columns = tagger.alias_features(name).label_columns(ks[pairs])
        block = np.zeros(columns.shape)
        for j in range(columns.shape[1]):
            block[:, j] = np.asarray(A[rows[pairs], columns[:, j]]).ravel()
        p, c = np.nonzero(block)
        names = block_feature_names(tagger, name)[columns[p, c]]
        _fill(terms, pairs, p, names, block[p, c])
    WT, column = facet_coefs(tagger, name)
    model = np.flatnonzero(~rule & (column[ks] >= 0))
    if len(model):
        # every (article, model label) pair at once: the pair's row of X times its label's coefficients
        X = batch.input(tagger.head_blocks_[name])
        if len(model) != X.shape[0] or not np.array_equal(rows[model], np.arange(X.shape[0])):
            X = X[rows[model]]  # (a single-label facet has one pair per article, in order: no copy)
        r, c, v = _rows_of(X)
        indptr, terms_only = X.indptr, _term_columns(tagger, name)
        if terms_only is not None:  # the sentence embeddings' dimensions are no terms a reader could check
            keep = terms_only[c]
            r, c, v = r[keep], c[keep], v[keep]
            indptr = np.concatenate([[0], np.cumsum(np.bincount(r, minlength=X.shape[0]))])
        contrib = v * WT.ravel()[c * WT.shape[1] + column[ks[model]][r]]  # WT[c, label's column]
        r, c, contrib = _top_k_per_row(indptr, r, c, contrib, top_terms)
        _fill(terms, model, r, head_feature_names(tagger, name)[c], contrib)
    return bounds, scores, lab, terms

def block_feature_names(tagger, block: str) -> np.ndarray:
    cache = tagger.__dict__.setdefault("_names", {})
    if block not in cache:
        part = dict(tagger.features_.transformer_list)[union_name(block)]
        raw = part.get_feature_names_out()
        if block == "text":
            names = [f"char {n[len('char__'):]!r}" if n.startswith("char__")
                     else n[len("prefix__"):] + "*" if n.startswith("prefix__") else n[len("word__"):] for n in raw]
        elif block == "prefix":  # a word prefix, as "attack*"
            names = [n + "*" for n in raw]
        elif block == "embeddings":  # never evidence (_term_columns); named for inspection
            names = list(raw)
        else:
            names = [f"{'place' if block == 'places' else 'alias'} {n}" for n in raw]
        cache[block] = np.asarray(names, dtype=object)
    return cache[block]

def head_feature_names(tagger, facet: str) -> np.ndarray:
    cache = tagger.__dict__.setdefault("_names", {})
    key = ("head", facet)
    if key not in cache:
        cache[key] = np.concatenate([block_feature_names(tagger, b) for b in tagger.head_blocks_[facet]])
    return cache[key]

def _term_columns(tagger, facet: str) -> np.ndarray | None:
    """Which columns of ``facet``'s head input are evidence a reader can check (not the ``embeddings`` block's);
    None when every column is."""
    cache = tagger.__dict__.setdefault("_names", {})
    key = ("terms", facet)
    if key not in cache:
        blocks = tagger.head_blocks_[facet]
        cache[key] = None if "embeddings" not in blocks else np.concatenate(
            [np.full(len(block_feature_names(tagger, b)), b != "embeddings") for b in blocks])
    return cache[key]


def facet_coefs(tagger, facet: str) -> tuple[np.ndarray, np.ndarray]:
    """``(WT, column)``: the coefficients behind ``facet``'s labels as the columns of ``WT`` (one row
    per feature of the head's input); ``column[k]`` is label ``k``'s column, -1 for a label without
    linear coefficients (no head, a rule label, a constant or non-linear estimator)."""
    cache = tagger.__dict__.setdefault("_coefs", {})
    if facet not in cache:
        ids = tagger.fitted_taxonomy.facet(facet).ids
        column = np.full(len(ids), -1, dtype=np.int64)
        WT = np.zeros((0, 0))
        head = tagger.heads_.get(facet)
        pos = {lab: k for k, lab in enumerate(ids)}
        learned = [pos[lab] for lab in tagger.head_labels_.get(facet, [])]
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


def decide(taxonomy, heads: Mapping[str, Any], scores, n: int) -> dict[str, list]:
    """``{facet: [labels per text]}`` from :meth:`Tagger._facet_scores` (:meth:`Tagger.predict`'s format): the
    labels of :func:`_chosen`, a list per text (multi-label facets) or a label id or None (single-label)."""
    out = {}
    for f in taxonomy.facets:
        s, t = scores[f.name][:2]
        if f.multi:
            hit = s >= t
            out[f.name] = [[f.ids[k] for k in np.flatnonzero(hit[i])] for i in range(n)]
        elif f.name in heads:
            best = np.argmax(s, axis=1)
            out[f.name] = [f.ids[k] for k in best]
        else:
            out[f.name] = [None] * n
    return out


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


def _alias_matches(mentions: dict[str, list], n: int, roles: dict[str, list] | None = None
                   ) -> list[tuple[AliasMatch, ...]]:
    """Per article (``n`` of them): the alias mentions of every facet as :class:`AliasMatch`, in order of
    position, each with its role probability where the facet has a role model (``roles``)."""
    if not mentions:
        return [()] * n
    roles = roles or {}

    def matches(facet, found, probs):
        role = repeat(None) if probs is None else [None if r != r else r for r in probs.tolist()]  # NaN: not scored
        return tuple(_records(AliasMatch, *zip(*((m.label, m.text, m.start, m.end) for m in found)), repeat(facet),
                              role))

    per_facet = [[matches(facet, found, probs) if found else ()
                  for found, probs in zip(lists, roles.get(facet) or repeat(None))]
                 for facet, lists in mentions.items()]
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
