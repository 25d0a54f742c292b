"""Acting or merely mentioned, per (article, label): a fast alternative to the mention-role model.

The guide tags a state as an actor when its government, forces or officials act or are the target, not when
it only names a place ("in Latakia, Syria"), a nationality ("a Belarusian national") or a company's home
("United States-based Tesla"). :func:`pair_table` reads, from the alias mentions the matcher already found
(no second pass over the text), a few context flags of each mention — a location preposition or a trailing
location chain before/after it, a lower-case word or an origin suffix after it (a modifier: "Israel-based"), a government word after it ("Israeli
military", "Kenya's president"), a possessive, the start of its sentence — and sums them per label with how
often, how early and where (title, first paragraph) the label is mentioned. One logistic regression over
those pairs, shared by every label (so a rare state learns from the common ones), gives the probability that
the label is among the article's actors. With words (``acting_words``) it also reads the article's words (an
earthquake, a bus crash or an election has no acting state), the words around the label's first mentions and the
label itself (:func:`acting_design`); it is then better than the actors head and decides the label. :class:`classifier.AliasFeatures` (``acting=True``) fits it and
writes the probability as a column of each label, so the actors head, the region head (through per-region
sums) and the rare labels (instead of the alias rule) read it. It costs a few string tests per mention.
"""

from __future__ import annotations

__all__ = ["PAIR_FEATURES", "pair_table", "pair_columns", "fit_acting", "group_entries", "label_sets",
           "plain_entries", "context_words", "word_vocabulary", "word_rows", "acting_design", "acting_input", "acting_logits", "ACTING_MIN_DF"]

import math
import re
from itertools import chain, repeat
from typing import Callable, Sequence

import numpy as np

from corpus import Mention, spaced_words, text_words

from ._fast_tfidf import analyse

# The columns of pair_table, in order.
PAIR_FEATURES = ("count", "title", "early", "lead", "share", "first", "top", "n_labels", "place", "chain",
                 "modifier", "government", "possessive", "subject", "title_subject", "all_place",
                 "institution_place", "institution_sole", "institution_first")
_EARLIER_PAIR_FEATURES = 16  # a model fitted before the institution flags reads the first 16 columns only

_PLACE_WORDS = frozenset(("in", "near", "at", "into", "toward", "towards", "across", "off", "outside", "inside",
                          "from", "to", "southern", "northern", "eastern", "western", "central", "south", "north",
                          "east", "west", "lower", "upper"))
_GOVERNMENT = frozenset((
    "government", "governments", "military", "forces", "armed", "army", "navy", "air", "president", "prime",
    "minister", "ministry", "foreign", "defence", "defense", "officials", "official", "authorities", "troops",
    "police", "embassy", "ambassador", "court", "parliament", "coast", "state", "soldiers", "leader", "leaders",
    "cabinet", "senate", "congress", "intelligence", "navy", "warships", "drones", "missiles", "strikes",
    "airstrikes", "security", "delegation", "envoy", "regime", "junta", "king", "chancellor"))
# A state institution named anywhere in the article (the guide: a state acts when its government, forces or officials
# act or are the target). With the label named only as a place, or as the only state, or first, it tells "gunmen storm
# a police station in Bannu, Pakistan" (PAK acts: its police are the target) from "an earthquake hits Sendai, Japan".
_INSTITUTIONS = frozenset((
    "government", "governments", "president", "presidents", "minister", "ministers", "ministry", "parliament",
    "congress", "senate", "cabinet", "authorities", "official", "officials", "court", "courts", "judge", "judges",
    "prosecutor", "prosecutors", "police", "policeman", "policemen", "officer", "officers", "military", "army", "navy",
    "troops", "soldier", "soldiers", "forces", "security", "paramilitary", "gendarmes", "gendarmerie", "carabinieri",
    "coastguard", "guard", "guards", "regime", "junta", "embassy", "ambassador", "personnel"))
# a suffix that makes a mention say where someone or something is from ("Israel-based", "US-born")
_ORIGIN_SUFFIXES = ("-based", "-born", "-flagged", "-registered", "-headquartered")
_CHAIN_AFTER = frozenset((".", ",", ";", ")", ""))
_SENTENCE_CUT = re.compile(r"[.!?]\s+(?=\S)|\n")
_LOWER_WORD = re.compile(r"(?<![\w'’])[^\W\d_A-Z]")  # a word starting with a letter that is not an ASCII capital
_SCORED = 3  # the context of the first 3 mentions of a label in a text is read (70% of them on Reuters)
_BEFORE = 40  # characters read before a mention
_AFTER = 24  # and after it


def pair_table(texts: Sequence[str], mentions: Sequence[Sequence[Mention]], index: dict[str, int],
               bounds: Callable[[str], tuple[int, int, int]], lower_words: Sequence[Sequence[str]] | None = None
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(row, label position, features (n_pairs, len(PAIR_FEATURES)))``: one entry per (text, label) whose
    label is mentioned in the text, in order of the label's first mention within each text.

    ``bounds``: a text's ``(title_end, lead_start, lead_end)`` (:func:`classifier._features.split_title`);
    ``lower_words``: each text's lower-case words (:func:`classifier._fast_tfidf.analyse`), when already split.
    Each mention's flags are tested in Python (a few string tests), everything else is array arithmetic.
    """
    p_row: list[int] = []
    p_lab: list[int] = []
    p_first: list[int] = []
    p_count: list[int] = []
    m_pair: list[int] = []
    m_flags: list[int] = []
    lengths = np.ones(len(texts))
    institution = np.zeros(len(texts))
    place_words, government, chain_after, scored = _PLACE_WORDS, _GOVERNMENT, _CHAIN_AFTER, _SCORED
    lower_word = _LOWER_WORD.search
    for r, (text, found) in enumerate(zip(texts, mentions)):
        if not found:
            continue
        title_end, lead_start, lead_end = bounds(text)
        lengths[r] = max(len(text), 1)
        institution[r] = not _INSTITUTIONS.isdisjoint(text_words(text.lower()) if lower_words is None
                                                      else lower_words[r])
        pair_of: dict[str, int] = {}
        for label, start, end, _ in found:
            p = pair_of.get(label)
            if p is None:
                p = pair_of[label] = len(p_row)
                p_row.append(r)
                p_lab.append(index[label])
                p_first.append(start)
                p_count.append(0)
            p_count[p] += 1
            m_pair.append(p)
            flags = (end <= title_end) | ((lead_start <= start < lead_end) << 1)
            if p_count[p] > scored:  # counted, but its context is not read
                m_flags.append(flags)
                continue
            flags |= 256
            before = text[start - _BEFORE if start > _BEFORE else 0: start]
            after = text[end: end + _AFTER]
            words = before.rsplit(None, 2)
            prev = words[-1].lower() if words else ""
            if prev in place_words or (prev == "the" and len(words) > 1 and words[-2].lower() in place_words):
                flags |= 4
            nxt = after.split(None, 1)
            first = nxt[0] if nxt else ""
            if after[:2] in ("'s", "’s"):
                flags |= 64
                first = after[2:].split(None, 1)[0] if after[2:].strip() else ""
            elif before.endswith(", ") and (first[:1] in chain_after or first in ("and", "on", "in", "as")):
                flags |= 8
            word = first.lower().strip(".,;:)\"'’")
            if word in government:
                flags |= 32
            elif (first[:1].islower() and not flags & 64 and word not in ("and", "or", "to", "in")) \
                    or after.startswith(_ORIGIN_SUFFIXES):
                flags |= 16
            cut = max(before.rfind(". "), before.rfind("\n"))
            if (cut >= 0 or start < _BEFORE) and not lower_word(before, cut + 1):
                flags |= 128
            m_flags.append(flags)
    n = len(p_row)
    F = np.zeros((n, len(PAIR_FEATURES)))
    if not n:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), F
    row = np.asarray(p_row, dtype=np.int64)
    pair = np.asarray(m_pair, dtype=np.int64)
    bits = (np.asarray(m_flags, dtype=np.int64)[:, None] >> np.arange(9)) & 1
    bits = np.column_stack([bits, bits[:, 2] | bits[:, 3], bits[:, 7] & bits[:, 0]]).astype(np.float64)
    sums = np.column_stack([np.bincount(pair, weights=b, minlength=n) for b in bits.T])
    count = np.asarray(p_count, dtype=np.float64)
    read = sums[:, 8]  # the mentions whose context was read (the first _SCORED of each label)
    starts = np.flatnonzero(np.r_[True, row[1:] != row[:-1]])  # pairs come in order of first mention, by text
    top = np.maximum.reduceat(count, starts)
    per_text = np.add.reduceat(count, starts)
    n_labels = np.diff(np.r_[starts, n])
    text_of = np.cumsum(np.r_[False, row[1:] != row[:-1]])  # the position of each pair's text among starts
    F[:, 0] = np.log1p(count)
    F[:, 1] = sums[:, 0] > 0
    F[:, 2] = 1.0 - np.asarray(p_first) / lengths[row]
    F[:, 3] = sums[:, 1] > 0
    F[:, 4] = count / per_text[text_of]
    F[:, 5][starts] = 1.0
    F[:, 6] = count == top[text_of]
    F[:, 7] = np.log1p(n_labels[text_of])
    F[:, 8:14] = sums[:, 2:8] / read[:, None]
    F[:, 14] = sums[:, 10] > 0
    F[:, 15] = sums[:, 9] == read  # every mention read a place or a chain
    inst = institution[row]
    F[:, 16] = inst * F[:, 15]
    F[:, 17] = inst * (n_labels[text_of] == 1)
    F[:, 18] = inst * F[:, 5]
    return row, np.asarray(p_lab, dtype=np.int64), F


def pair_columns(model) -> int:
    """How many :func:`pair_table` columns ``model``'s acting model reads: its ``acting_pair_features_``, or the
    16 of a model fitted before the institution flags (they are appended, so its columns come first)."""
    return len(getattr(model, "acting_pair_features_", PAIR_FEATURES[:_EARLIER_PAIR_FEATURES]))


def fit_acting(F: np.ndarray, target: np.ndarray, article: np.ndarray, C: float = 1.0,
               folds: int = 5) -> tuple[np.ndarray, float, float]:
    """``(coefficients, intercept, threshold)`` of the pair model fitted on ``(F, target)``: the threshold is the
    F1-best one on out-of-fold probabilities (folds keep an article's pairs together), for the labels tagged
    by it alone; 0.5 when there are too few articles. Without both classes: zero weights, the logit of the
    positive share as intercept."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    from ._estimators import best_f1_threshold

    target = np.asarray(target, dtype=int)
    if len(set(target.tolist())) < 2:
        share = float(target.mean()) if len(target) else 0.0
        share = min(max(share, 1e-6), 1 - 1e-6)
        return np.zeros(F.shape[1]), float(np.log(share / (1 - share))), 0.5

    def model():
        return LogisticRegression(C=C, max_iter=2000, random_state=0)

    clf = model().fit(F, target)
    k = min(folds, len(set(article.tolist())))
    threshold = 0.5
    if k >= 2:
        oof = np.zeros(len(target))
        for train, test in GroupKFold(n_splits=k).split(F, target, article):
            if len(set(target[train].tolist())) < 2:
                oof[test] = target[train][0]
                continue
            oof[test] = model().fit(F[train], target[train]).predict_proba(F[test])[:, 1]
        threshold = best_f1_threshold(oof, target)
    return clf.coef_[0].astype(np.float64), float(clf.intercept_[0]), float(threshold)


def group_entries(row: np.ndarray, group: np.ndarray, p: np.ndarray, n_texts: int,
                  n_groups: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(row, column, value)`` of the per-group acting features from the pairs' rows, groups (-1: none) and
    probabilities: per (text, group) ``group_act`` (the highest of its labels, column ``2 * group``) and
    ``group_act_share`` (its share of the text's summed probability, column ``2 * group + 1``)."""
    inside = group >= 0
    if not inside.any():
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    pairs, at = np.unique(row[inside] * n_groups + group[inside], return_inverse=True)
    best = np.zeros(len(pairs))
    np.maximum.at(best, at, p[inside])
    total = np.bincount(at, weights=p[inside], minlength=len(pairs))
    all_p = np.bincount(row, weights=p, minlength=n_texts)
    pr, pg = pairs // n_groups, pairs % n_groups
    share = total / np.where(all_p[pr] > 0, all_p[pr], 1.0)
    return (np.repeat(pr, 2), np.column_stack([2 * pg, 2 * pg + 1]).ravel(),
            np.column_stack([best, share]).ravel())


def label_sets(y, labels: Sequence[str], n_texts: int) -> list[set[str]]:
    """Each text's set of label ids from ``y``: label-id lists, or an indicator matrix in ``labels`` order.

    Raises
    ------
    ValueError
        For a row count other than ``n_texts``, or a row that is a plain string.
    """
    if len(y) != n_texts:
        raise ValueError(f"AliasFeatures.fit: {n_texts} texts but {len(y)} label rows; give one per text.")
    gold = []
    for row in y:
        if isinstance(row, str):
            raise ValueError(f"AliasFeatures.fit: a label row must be a list of label ids, got the string {row!r}.")
        row = np.asarray(row) if not isinstance(row, (list, tuple, set, frozenset)) else row
        if isinstance(row, np.ndarray) and row.ndim == 1 and len(row) == len(labels) and row.dtype != object:
            gold.append({lab for lab, v in zip(labels, row) if v})
        else:
            gold.append({str(v) for v in row})
    return gold


def plain_entries(row: np.ndarray, label: np.ndarray, F: np.ndarray, group_of: np.ndarray,
                  n_groups: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(row, column, value)`` of :class:`classifier.AliasFeatures`' first columns from a :func:`pair_table`:
    per label ``count`` (log1p), ``title``, ``early``, ``lead`` (columns ``4 * label + part``), then per group
    ``group_count`` (log1p of its labels' mentions) and ``group_share`` (columns after every label's)."""
    n_per = 4
    rows = np.repeat(row, n_per)
    cols = (label[:, None] * n_per + np.arange(n_per)).ravel()
    vals = F[:, :n_per].ravel()
    g = group_of[label]
    inside = g >= 0
    if inside.any():
        count = np.rint(np.expm1(F[:, 0]))
        total = np.bincount(row, weights=count)
        pairs, at = np.unique(row[inside] * n_groups + g[inside], return_inverse=True)
        gcount = np.bincount(at, weights=count[inside], minlength=len(pairs))
        pr, pg = pairs // n_groups, pairs % n_groups
        base = n_per * len(group_of)
        rows = np.r_[rows, np.repeat(pr, 2)]
        cols = np.r_[cols, np.column_stack([base + 2 * pg, base + 2 * pg + 1]).ravel()]
        vals = np.r_[vals, np.column_stack([np.log1p(gcount), gcount / total[pr]]).ravel()]
    keep = vals != 0
    return rows[keep], cols[keep], vals[keep]



# ---- words (``acting_words``): the article's words, the words around the label's mentions, the label itself ----

ACTING_MIN_DF = 5  # a word is read when at least this many training articles (or pairs, for context words) have it
_CONTEXT_WORDS = 6  # words read before and after each of a label's first _SCORED mentions
_CONTEXT_CHARS = 60  # characters looked at on each side for them


def _mention_contexts(texts: Sequence[str], mentions: Sequence[Sequence[Mention]], row: np.ndarray, lab: np.ndarray,
                      labels: Sequence[str]):
    """``(pair, words before, words after)`` (lower case, at most ``_CONTEXT_WORDS`` each) for each of the first
    ``_SCORED`` mentions of every :func:`pair_table` pair's label in its text: what both the model's input
    (:func:`context_words`) and its tag-time logits (:func:`acting_logits`) read."""
    at = {(r, labels[k]): p for p, (r, k) in enumerate(zip(row.tolist(), lab.tolist()))}
    n, chars = _CONTEXT_WORDS, _CONTEXT_CHARS
    for r in dict.fromkeys(row.tolist()):
        text, seen = texts[r], {}
        spaced = spaced_words(text.lower())  # an ASCII text: its words around a mention by slicing, no regex
        for label, start, end, _ in mentions[r]:
            k = seen[label] = seen.get(label, 0) + 1
            p = at.get((r, label))
            if k > _SCORED or p is None:
                continue
            if spaced is not None:
                yield p, spaced[max(0, start - chars): start].split()[-n:], spaced[end: end + chars].split()[:n]
            else:
                yield (p, text_words(text[max(0, start - chars): start].lower())[-n:],
                       text_words(text[end: end + chars].lower())[:n])


def context_words(texts: Sequence[str], mentions: Sequence[Sequence[Mention]], row: np.ndarray, lab: np.ndarray,
                  labels: Sequence[str]) -> list[list[str]]:
    """Per :func:`pair_table` pair: the words (lower case) just before (``b:word``) and after (``a:word``) the
    label's first mentions in its text, each once, sorted."""
    out: list[set[str]] = [set() for _ in range(len(row))]
    for p, before, after in _mention_contexts(texts, mentions, row, lab, labels):
        out[p].update(["b:" + w for w in before] + ["a:" + w for w in after])
    return [sorted(s) for s in out]


def word_vocabulary(docs: Sequence[Sequence[str]], min_df: int = ACTING_MIN_DF) -> tuple[tuple[str, ...], np.ndarray]:
    """``(words, idf)``: the words in at least ``min_df`` of ``docs`` (sorted) and their smoothed idf
    (scikit-learn's: ``ln((1 + n) / (1 + df)) + 1``)."""
    df: dict[str, int] = {}
    for doc in docs:
        for w in set(doc):
            df[w] = df.get(w, 0) + 1
    words = tuple(sorted(w for w, n in df.items() if n >= min_df))
    idf = np.log((1 + len(docs)) / (1 + np.asarray([df[w] for w in words], dtype=np.float64))) + 1
    return words, idf


def word_rows(docs: Sequence[Sequence[str]], words: Sequence[str], idf: np.ndarray):
    """``(len(docs), len(words))`` sparse: each doc's words present (once each) weighted by idf, L2-normalised."""
    import scipy.sparse as sp

    index = {w: j for j, w in enumerate(words)}
    rows: list[int] = []
    cols: list[int] = []
    for i, doc in enumerate(docs):
        found = {index[w] for w in set(doc) if w in index}
        rows += [i] * len(found)
        cols += sorted(found)
    v = idf[np.asarray(cols, dtype=np.int64)] if cols else np.zeros(0)
    norm = np.sqrt(np.bincount(np.asarray(rows, dtype=np.int64), weights=v * v, minlength=len(docs)))
    v = v / norm[np.asarray(rows, dtype=np.int64)] if cols else v
    return sp.csr_matrix((v, (rows, cols)), shape=(len(docs), len(words)))


def acting_design(F: np.ndarray, row: np.ndarray, lab: np.ndarray, n_labels: int, article_words, pair_words):
    """The pair model's input with words: ``[F | the pair's article words | its context words | its label
    (one-hot)]``, sparse; ``article_words`` is per text (:func:`word_rows`), ``pair_words`` per pair."""
    import scipy.sparse as sp

    n = len(row)
    onehot = sp.csr_matrix((np.ones(n), (np.arange(n), lab)), shape=(n, n_labels))
    return sp.hstack([sp.csr_matrix(F), article_words[row], pair_words, onehot], format="csr")


def acting_input(model, texts: Sequence[str], mentions: Sequence[Sequence[Mention]], pairs, words=None,
                 contexts=None):
    """The acting model's input for :func:`pair_table` ``pairs`` of a fitted :class:`classifier.AliasFeatures`
    ``model``: the pairs' flags, and with its ``acting_words`` :func:`acting_design` (``words``: each text's
    lower-case words, ``contexts``: the pairs' :func:`context_words`, when already computed)."""
    rows, labs, F = pairs
    F = F[:, :pair_columns(model)]
    if not getattr(model, "acting_words", False):
        return F
    words = analyse(texts).words if words is None else words
    contexts = context_words(texts, mentions, rows, labs, model.labels_) if contexts is None else contexts
    return acting_design(F, rows, labs, len(model.labels_), word_rows(words, model.acting_vocabulary_, model.acting_idf_),
                         word_rows(contexts, model.acting_context_vocabulary_, model.acting_context_idf_))


def acting_logits(model, texts: Sequence[str], mentions: Sequence[Sequence[Mention]], pairs, words=None,
                  word_matrix=None) -> np.ndarray:
    """Each pair's logit under ``model``'s fitted acting model: ``acting_input(...) @ coef + intercept``, without
    building that input (tag time): the article words by one lookup per word, the context words per pair. With
    ``word_matrix`` — ``(X, vocabulary)``, a row per text whose nonzero columns among ``vocabulary``'s (word ->
    column) are its words of two or more characters (the batch's word tf-idf) — the article words that are columns
    are read off ``X`` (one sparse sum) and only the others looked up. Sums never follow a set's order, so the
    result does not depend on the hash seed."""
    rows, labs, F = pairs
    F = F[:, :pair_columns(model)]
    coef, intercept = model.acting_coef_, model.acting_intercept_
    if not len(rows):
        return np.zeros(0)
    if not getattr(model, "acting_words", False):
        return np.asarray(F @ coef).ravel() + intercept
    article, before, after, label = _word_tables(model)
    texts_with, at = np.unique(rows, return_inverse=True)
    docs = [words[r] if words is not None else text_words(texts[r].lower()) for r in texts_with.tolist()]
    if word_matrix is None:
        scores = _article_scores(docs, *article)
    else:  # the words that are columns of the matrix, read off it; the others looked up
        X, vocabulary = word_matrix
        (index, idf2, idf_coef), (columns, rest) = article, _matrix_columns(model, vocabulary)
        nnz_rows = np.repeat(np.arange(X.shape[0]), np.diff(X.indptr))
        at_column, known = np.zeros((2, X.shape[1])), columns >= 0
        at_column[0, columns[known]], at_column[1, columns[known]] = idf2[known], idf_coef[known]
        sums = [np.bincount(nnz_rows, weights=w[X.indices], minlength=X.shape[0])[texts_with].astype(np.float64)
                for w in at_column]  # (an empty matrix's bincount is of integers)
        for k, doc in enumerate(docs):
            for w in sorted(rest.intersection(doc)):
                sums[0][k] += idf2[index[w]]
                sums[1][k] += idf_coef[index[w]]
        scores = np.divide(sums[1], np.sqrt(sums[0]), out=np.zeros(len(docs)), where=sums[0] > 0)
    contexts = _context_hits(texts, mentions, rows, labs, model.labels_, before, after)
    return (np.asarray(F @ coef[:F.shape[1]]).ravel() + intercept + label[labs]
            + scores[at] + np.asarray([_normalised(h) for h in contexts]))


def _article_scores(docs: Sequence[Sequence[str]], index: dict[str, int], idf2: np.ndarray,
                    idf_coef: np.ndarray) -> np.ndarray:
    """Per doc, the dot of its :func:`word_rows` row with the coefficients (``idf_coef``: idf * coef per word of
    ``index``), computed without the row: its distinct words' ``sum(idf * coef) / sqrt(sum(idf ** 2))``, summed
    in word-id order (as the sparse product does)."""
    lengths = np.fromiter(map(len, docs), dtype=np.int64, count=len(docs))
    ids = np.fromiter(map(index.get, chain.from_iterable(docs), repeat(-1)), dtype=np.int64, count=int(lengths.sum()))
    owner = np.repeat(np.arange(len(docs), dtype=np.int64), lengths)
    known = ids >= 0
    size = max(len(index), 1)
    key = np.unique(owner[known] * size + ids[known])
    doc, word = key // size, key % size
    squares = np.bincount(doc, weights=idf2[word], minlength=len(docs))
    dots = np.bincount(doc, weights=idf_coef[word], minlength=len(docs))
    return np.divide(dots, np.sqrt(squares), out=np.zeros(len(docs)), where=squares > 0)


def _normalised(hits: list[tuple[float, float]]) -> float:
    """``sum(idf * coef) / sqrt(sum(idf ** 2))`` over ``(idf ** 2, idf * coef)`` pairs: an L2-normalised row's dot."""
    if not hits:
        return 0.0
    q, s = zip(*hits)
    return sum(s) / math.sqrt(sum(q))


def _matrix_columns(model, vocabulary: dict[str, int]) -> tuple[np.ndarray, frozenset[str]]:
    """``(column of each acting word in vocabulary order, -1 when none; the words of one character or missing)``
    for a word matrix's ``vocabulary``; built once per (fitted model, vocabulary)."""
    cache = model.__dict__.get("_acting_columns")
    if cache is not None and cache[0] is model.acting_coef_ and cache[1] is vocabulary:
        return cache[2]
    columns = np.asarray([vocabulary.get(w, -1) if len(w) > 1 else -1 for w in model.acting_vocabulary_],
                         dtype=np.int64)
    out = columns, frozenset(w for w, j in zip(model.acting_vocabulary_, columns.tolist()) if j < 0)
    model.__dict__["_acting_columns"] = (model.acting_coef_, vocabulary, out)
    return out


def _context_hits(texts, mentions, row, lab, labels, before, after) -> list[list[tuple[float, float]]]:
    """Per pair, the table entries of its context words (each once, in the order found)."""
    found: list[dict] = [{} for _ in range(len(row))]
    for p, words_before, words_after in _mention_contexts(texts, mentions, row, lab, labels):
        got = found[p]
        for w in words_before:
            if w in before:
                got[w, 0] = before[w]
        for w in words_after:
            if w in after:
                got[w, 1] = after[w]
    return [list(got.values()) for got in found]


def _word_tables(model):
    """``(article, before, after, label)``: the article words' ``(index, idf ** 2, idf * coef)`` (arrays in
    vocabulary order), per context word before/after a mention its ``(idf ** 2, idf * coef)``, and each label's
    coefficient; built once per fitted model (not saved)."""
    cache = model.__dict__.get("_acting_tables")
    if cache is not None and cache[0] is model.acting_coef_:
        return cache[1]
    coef = model.acting_coef_
    nf, va, vc = pair_columns(model), len(model.acting_vocabulary_), len(model.acting_context_vocabulary_)
    idf = model.acting_idf_
    article = ({w: j for j, w in enumerate(model.acting_vocabulary_)}, np.asarray(idf * idf, dtype=np.float64),
               np.asarray(idf * coef[nf: nf + va], dtype=np.float64))
    before, after = {}, {}
    for w, i, c in zip(model.acting_context_vocabulary_, model.acting_context_idf_, coef[nf + va: nf + va + vc]):
        (before if w.startswith("b:") else after)[w[2:]] = (float(i * i), float(i * c))
    tables = (article, before, after, np.asarray(coef[nf + va + vc:], dtype=np.float64))
    model.__dict__["_acting_tables"] = (coef, tables)
    return tables
