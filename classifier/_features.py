"""Features of an article: tf-idf of its words (and optionally characters), and gazetteer features
from a facet's aliases.

Every transformer takes texts as ``"title\\n\\nbody"`` (what :attr:`corpus.Article.text` and
:meth:`corpus.Corpus.texts` give); a text without a blank line has no title.
"""

from __future__ import annotations

__all__ = ["AliasFeatures", "Analysed", "analyse", "alias_table", "group_table", "text_features", "tfidf_transform",
           "transform_text", "TOKEN_PATTERN", "split_title"]

import re
import weakref
from itertools import chain, repeat
from typing import Iterable, NamedTuple, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion
from sklearn.preprocessing import normalize
from sklearn.utils.validation import check_is_fitted

from corpus import AliasMatcher, Facet, Label, Mention, text_words

# The tokens of scikit-learn's default pattern ``(?u)\b\w\w+\b`` (runs of two or more word characters):
# a greedy ``\w\w+`` only ever starts at a word's first character, so it finds the same tokens, twice as fast.
TOKEN_PATTERN = r"(?u)\w\w+"

# Per-label features, in column order.
PER_LABEL = ("count", "title", "early", "lead")
PER_GROUP = ("group_count", "group_share")


def text_features(*, word_ngram_range: tuple[int, int] = (1, 2), char_ngram_range: tuple[int, int] | None = None,
                  min_df: int | float = 2, max_df: float = 1.0, sublinear_tf: bool = True,
                  max_features: int | None = None, dtype=np.float64) -> FeatureUnion:
    """The tf-idf part of the features: word n-grams, plus character n-grams when ``char_ngram_range`` is set.

    A plain composition of :class:`~sklearn.feature_extraction.text.TfidfVectorizer` in a
    :class:`~sklearn.pipeline.FeatureUnion` (named ``word`` and ``char``), so it clones, grid-searches and
    persists like any scikit-learn pipeline.
    """
    parts = [("word", TfidfVectorizer(ngram_range=tuple(word_ngram_range), token_pattern=TOKEN_PATTERN,
                                      min_df=min_df, max_df=max_df, sublinear_tf=sublinear_tf,
                                      max_features=max_features, dtype=dtype))]
    if char_ngram_range is not None:
        parts.append(("char", TfidfVectorizer(analyzer="char_wb", ngram_range=tuple(char_ngram_range),
                                              min_df=min_df, max_df=max_df, sublinear_tf=sublinear_tf,
                                              max_features=max_features, dtype=dtype)))
    return FeatureUnion(parts)


def _fast_path_ok(vec) -> bool:
    """Whether :func:`tfidf_transform` reproduces ``vec.transform`` (the settings ``text_features`` uses)."""
    return (isinstance(vec, TfidfVectorizer) and vec.analyzer == "word" and vec.input == "content"
            and vec.tokenizer is None and vec.preprocessor is None and vec.stop_words is None
            and vec.strip_accents is None and isinstance(vec.token_pattern, str)
            and re.compile(vec.token_pattern).groups == 0 and hasattr(vec, "vocabulary_"))


def tfidf_transform(vec: TfidfVectorizer, texts: Sequence[str], analysed: "Analysed | None" = None) -> sp.csr_matrix:
    """``vec.transform(texts)`` for a fitted word-n-gram TfidfVectorizer, computed faster.

    scikit-learn counts n-grams in a Python loop (a dict lookup, and an exception per unknown n-gram).
    Here each text is tokenised with the same pattern, every token of the batch is looked up in one
    ``np.fromiter(map(vocabulary.get, ...))`` pass, and bigrams are found from pairs of unigram ids in
    a hash table of integer keys (:func:`_bigram_index`); the same sublinear tf, idf weighting and
    normalisation then follow in the same order, so the result is identical (the tests compare them).
    ``analysed`` (see :func:`analyse`) reuses a batch's words when ``vec`` uses :data:`TOKEN_PATTERN`
    on lower-cased text. Other configurations (trigrams, a tokenizer or preprocessor, stop words, ...)
    use ``vec.transform``.
    """
    bigrams = _bigram_index(vec) if _fast_path_ok(vec) else None
    if bigrams is None:
        return sp.csr_matrix(vec.transform(texts))
    lo, hi = vec.ngram_range
    n_docs, n_vocab = len(texts), len(vec.vocabulary_)
    if analysed is not None and vec.lowercase and vec.token_pattern == TOKEN_PATTERN:
        # TOKEN_PATTERN's tokens are the words (\w+ runs) of two or more characters
        words = analysed.words
        per_doc = np.fromiter(map(len, words), dtype=np.int64, count=n_docs)
        n_words = int(per_doc.sum())
        flat = list(chain.from_iterable(words))
        # one lookup gives a word's id, -1 (unknown) or -2 (a one-character word, which is no token);
        # in a batch with non-ASCII text the unknown words need their length checked too
        ids = np.fromiter(map(_word_ids(vec).get, flat, repeat(-1)), dtype=np.int64, count=n_words)
        if not all(map(str.isascii, analysed.lower)):  # else every one-character word is ASCII, known as -2
            unknown = np.flatnonzero(ids == -1)
            short = np.fromiter(map(len, map(flat.__getitem__, unknown.tolist())), dtype=np.int64,
                                count=len(unknown)) == 1
            ids[unknown[short]] = -2
        long = ids != -2
        ids = ids[long]
        doc = np.repeat(np.arange(n_docs, dtype=np.int64), per_doc)[long]
    else:
        pattern = re.compile(vec.token_pattern)
        tokens = [pattern.findall(doc.lower() if vec.lowercase else doc) for doc in texts]
        lengths = np.fromiter(map(len, tokens), dtype=np.int64, count=n_docs)
        ids = np.fromiter(map(vec.vocabulary_.get, chain.from_iterable(tokens), repeat(-1)), dtype=np.int64,
                          count=int(lengths.sum()))
        doc = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)
    rows, cols = [], []
    if lo == 1:
        known = ids >= 0
        rows.append(doc[known])
        cols.append(ids[known])
    if hi == 2 and len(bigrams):
        a, b = ids[:-1], ids[1:]
        ok = (doc[:-1] == doc[1:]) & (a >= 0) & (b >= 0)
        found = bigrams.get(a[ok] * n_vocab + b[ok])
        hit = found >= 0
        rows.append(doc[:-1][ok][hit])
        cols.append(found[hit])
    r = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    c = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
    X = sp.csr_matrix((np.ones(len(r), dtype=vec.dtype), (r, c)), shape=(n_docs, n_vocab))
    X.sum_duplicates()
    if vec.binary:
        X.data[:] = 1
    if vec.sublinear_tf:
        np.log(X.data, X.data)
        X.data += 1.0
    if vec.use_idf:
        X.data *= vec.idf_[X.indices]
    if vec.norm is not None:
        X = normalize(X, norm=vec.norm, copy=False)
    return X


_BIGRAMS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_WORD_IDS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
# The one-character words of lower-cased ASCII text: words, but never tokens of TOKEN_PATTERN.
_ASCII_CHARS = tuple(c for c in map(chr, range(128)) if re.fullmatch(r"\w", c) and c == c.lower())


def _word_ids(vec: TfidfVectorizer) -> dict[str, int]:
    """The vectorizer's unigram ids, plus -2 for each one-character ASCII word (cached per vectorizer)."""
    try:
        return _WORD_IDS[vec]
    except KeyError:
        pass
    out = {term: j for term, j in vec.vocabulary_.items() if " " not in term}
    out.update(dict.fromkeys(_ASCII_CHARS, -2))
    _WORD_IDS[vec] = out
    return out


class IntTable:
    """A read-only map from non-negative int64 keys to int64 values, looked up a whole array at a time.

    Open addressing (Fibonacci hashing, linear probing, at most a quarter full): a lookup is a few
    vectorised gathers, where a sorted-array search costs a binary search per key.
    """

    def __init__(self, keys: np.ndarray, values: np.ndarray):
        keys, values = np.asarray(keys, dtype=np.int64), np.asarray(values, dtype=np.int64)
        if len(np.unique(keys)) != len(keys) or (keys < 0).any():
            raise ValueError("IntTable: keys must be distinct and non-negative.")
        self._bits = max(4, int(np.ceil(np.log2(max(len(keys), 1) * 4))))
        size = 1 << self._bits
        self._keys = np.full(size, -1, dtype=np.int64)
        self._values = np.full(size, -1, dtype=np.int64)
        # insert in rounds: each key claims its slot; the first claimant of a free slot gets it, the
        # others move one slot on (so every slot between a key's home and its place is taken)
        slot, pending, self._probes = self._slots(keys), np.arange(len(keys)), 0
        while len(pending):
            self._probes += 1
            free = pending[self._keys[slot[pending]] < 0]
            _, first = np.unique(slot[free], return_index=True)
            won = free[first]
            self._keys[slot[won]], self._values[slot[won]] = keys[won], values[won]
            placed = np.zeros(len(keys), dtype=bool)
            placed[won] = True
            pending = pending[~placed[pending]]
            slot[pending] = (slot[pending] + 1) & (size - 1)
        self._n = len(keys)

    def __len__(self) -> int:
        return self._n

    def _slots(self, keys: np.ndarray) -> np.ndarray:
        h = keys.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)  # wraps modulo 2**64
        return (h >> np.uint64(64 - self._bits)).astype(np.int64)

    def get(self, keys: np.ndarray) -> np.ndarray:
        """The value of each key, -1 where a key is absent."""
        keys = np.asarray(keys, dtype=np.int64)
        out = np.full(len(keys), -1, dtype=np.int64)
        slot = self._slots(keys)
        todo = np.arange(len(keys))
        mask = (1 << self._bits) - 1
        for _ in range(self._probes):
            stored = self._keys[slot]
            hit = stored == keys[todo]
            out[todo[hit]] = self._values[slot[hit]]
            more = ~hit & (stored >= 0)  # an empty slot ends the search
            todo, slot = todo[more], (slot[more] + 1) & mask
            if not len(todo):
                break
        return out


def _bigram_index(vec: TfidfVectorizer) -> IntTable | None:
    """The vocabulary's bigrams as an :class:`IntTable` from ``id(a) * V + id(b)`` to the bigram's id,
    cached per vectorizer; None when the fast path cannot reproduce ``vec`` (n-grams beyond 2, or a
    bigram whose words are not in the vocabulary, which ``max_df`` or ``max_features`` can cause)."""
    if vec.ngram_range[1] > 2:
        return None
    try:
        return _BIGRAMS[vec]
    except KeyError:
        pass
    vocab = vec.vocabulary_
    n = len(vocab)
    keys, ids = [], []
    for term, j in vocab.items():
        first, sep, second = term.partition(" ")
        if sep:
            a, b = vocab.get(first), vocab.get(second)
            if a is None or b is None:
                _BIGRAMS[vec] = None
                return None
            keys.append(a * n + b)
            ids.append(j)
    out = _BIGRAMS[vec] = IntTable(np.asarray(keys, dtype=np.int64), np.asarray(ids, dtype=np.int64))
    return out


class Analysed(NamedTuple):
    """A batch of texts analysed once for every feature block: lower-cased, and split into words."""

    lower: list[str]
    words: list[list[str]]  # the \\w+ runs of each lower-cased text


def analyse(texts: Sequence[str]) -> Analysed:
    """Lower-case and split ``texts`` once, for :func:`transform_text` and :meth:`AliasFeatures.match`."""
    lower = [t.lower() for t in texts]
    return Analysed(lower, [text_words(t) for t in lower])


def transform_text(union: FeatureUnion, texts: Sequence[str], analysed: Analysed | None = None) -> sp.csr_matrix:
    """``union.transform(texts)`` for a fitted :func:`text_features` union, each part via :func:`tfidf_transform`."""
    if union.transformer_weights:
        return sp.csr_matrix(union.transform(texts))
    parts = [tfidf_transform(vec, texts, analysed) for _, vec in union.transformer_list if vec not in ("drop", None)]
    return sp.hstack(parts, format="csr") if len(parts) > 1 else parts[0]


def alias_table(facet: Facet) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``((label id, (name, alias, ...)), ...)``: the plain, serialisable form :class:`AliasFeatures` takes."""
    return tuple((lab.id, (lab.name, *lab.aliases)) for lab in facet.labels)


def group_table(facet: Facet, attr: str = "region") -> tuple[tuple[str, str], ...]:
    """``((label id, group), ...)`` from a label attribute (an actor's ``region``); labels without it are left out."""
    return tuple((lab.id, str(lab.attrs[attr])) for lab in facet.labels if lab.attrs.get(attr))


def split_title(text: str) -> tuple[int, int, int]:
    """``(title_end, lead_start, lead_end)`` character offsets in ``text``.

    The title is everything before the first blank line (none when there is no blank line); the lead is
    the first paragraph after it, cut at 300 characters so a one-paragraph text is not all lead.
    """
    cut = text.find("\n\n")
    if cut < 0:
        title_end, lead_start = 0, 0
    else:
        title_end, lead_start = cut, cut + 2
    nxt = text.find("\n\n", lead_start)
    lead_end = len(text) if nxt < 0 else nxt
    return title_end, lead_start, min(lead_end, lead_start + 300)


class AliasFeatures(TransformerMixin, BaseEstimator):
    """Gazetteer features from a facet's aliases: how and where each label is mentioned.

    For each label (in ``aliases`` order) four columns: ``count`` (log1p of the number of mentions),
    ``title`` (mentioned in the title), ``early`` (1 minus the relative position of the first mention;
    0 when not mentioned) and ``lead`` (mentioned in the first paragraph). With ``groups`` (an actor's
    region, say), two columns per group follow: ``group_count`` (log1p of the mentions of the group's
    labels) and ``group_share`` (their share of all mentions). These let a classifier tell a principal
    actor (in the title, mentioned often and early) from a state that is merely mentioned once.

    Matching is :class:`corpus.AliasMatcher`'s (acronyms case-sensitive, longest match wins).

    Parameters
    ----------
    aliases : tuple of (label id, tuple of str)
        Each label's names; see :func:`alias_table`. Plain data, so it survives ``clone`` and skops.
    groups : tuple of (label id, group name)
        Optional grouping of the labels; see :func:`group_table`.
    """

    def __init__(self, *, aliases: Sequence[tuple[str, Sequence[str]]] = (),
                 groups: Sequence[tuple[str, str]] = ()):
        self.aliases = aliases
        self.groups = groups

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.requires_fit = True
        return tags

    def fit(self, X=None, y=None):
        """Index the labels and groups (nothing is learned from ``X``); returns ``self``."""
        labels = [str(label) for label, _ in self.aliases]
        if len(set(labels)) != len(labels):
            dup = sorted({lab for lab in labels if labels.count(lab) > 1})
            raise ValueError(f"AliasFeatures: label id(s) {dup} appear more than once in `aliases`; give each once.")
        for label, names in self.aliases:
            if isinstance(names, str) or not all(isinstance(n, str) and n.strip() for n in names) or not names:
                raise ValueError(
                    f"AliasFeatures: label {label!r} needs a non-empty tuple of non-empty names, got {names!r}."
                )
        index = {lab: k for k, lab in enumerate(labels)}
        unknown = sorted({lab for lab, _ in self.groups if lab not in index})
        if unknown:
            raise ValueError(f"AliasFeatures: `groups` names label(s) {unknown} that are not in `aliases`.")
        self.labels_ = labels
        self.group_names_ = sorted({str(g) for _, g in self.groups})
        gidx = {g: k for k, g in enumerate(self.group_names_)}
        self.group_of_ = np.full(len(labels), -1, dtype=np.int64)
        for lab, g in self.groups:
            self.group_of_[index[lab]] = gidx[str(g)]
        self.n_features_out_ = len(PER_LABEL) * len(labels) + len(PER_GROUP) * len(self.group_names_)
        return self

    # The matcher holds compiled regular expressions: built on first use, never persisted or cloned.
    @property
    def matcher(self) -> AliasMatcher:
        check_is_fitted(self, "labels_")
        m = self.__dict__.get("_matcher")
        if m is None:
            facet = Facet(name="aliases", kind="multi", labels=tuple(
                Label(id=str(lab), name=str(names[0]), aliases=tuple(str(n) for n in names[1:]))
                for lab, names in self.aliases))
            m = self.__dict__["_matcher"] = AliasMatcher(facet)
        return m

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_matcher", None)
        return state

    def match(self, X: Iterable[str], analysed: Analysed | None = None) -> list[list[Mention]]:
        """The mentions found in each text, in order of position (``analysed``: the texts' :func:`analyse`)."""
        find = self.matcher.find
        if analysed is None:
            return [find(text) for text in _texts(X)]
        return [find(text, lower=low, words=words) for text, low, words in zip(X, analysed.lower, analysed.words)]

    def transform(self, X: Iterable[str]) -> sp.csr_matrix:
        """The feature matrix, ``(n_texts, n_features_out_)``, sparse."""
        texts = _texts(X)
        return self.features(texts, self.match(texts))

    def features(self, texts: Sequence[str], mentions: Sequence[Sequence[Mention]]) -> sp.csr_matrix:
        """The feature matrix of texts whose mentions were already found (see :meth:`match`)."""
        check_is_fitted(self, "labels_")
        index = {lab: k for k, lab in enumerate(self.labels_)}
        n_lab, n_per = len(self.labels_), len(PER_LABEL)
        group_base = n_per * n_lab
        group_of = self.group_of_.tolist()
        rows, cols, vals, logs = [], [], [], []  # logs: positions in vals of counts, log1p-ed at the end
        for r, (text, found) in enumerate(zip(texts, mentions)):
            if not found:
                continue
            title_end, lead_start, lead_end = split_title(text)
            length = max(len(text), 1)
            stats: dict[int, list] = {}
            for m in found:
                k = index[m.label]
                s = stats.get(k)
                if s is None:
                    s = stats[k] = [0, 0.0, 1.0 - m.start / length, 0.0]
                s[0] += 1
                if m.end <= title_end:
                    s[1] = 1.0
                if lead_start <= m.start < lead_end:
                    s[3] = 1.0
            group_counts: dict[int, int] = {}
            for k, (count, title, early, lead) in sorted(stats.items()):
                base = n_per * k
                rows += [r] * n_per
                cols += [base, base + 1, base + 2, base + 3]
                logs.append(len(vals))
                vals += [count, title, early, lead]
                g = group_of[k]
                if g >= 0:
                    group_counts[g] = group_counts.get(g, 0) + count
            total = len(found)
            for g, count in sorted(group_counts.items()):
                rows += [r, r]
                cols += [group_base + 2 * g, group_base + 2 * g + 1]
                logs.append(len(vals))
                vals += [count, count / total]
        data = np.asarray(vals, dtype=np.float64)
        data[logs] = np.log1p(data[logs])
        out = sp.csr_matrix((data, (rows, cols)), shape=(len(texts), self.n_features_out_))
        out.eliminate_zeros()
        return out

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        check_is_fitted(self, "labels_")
        names = [f"{lab}:{part}" for lab in self.labels_ for part in PER_LABEL]
        names += [f"{g}:{part}" for g in self.group_names_ for part in PER_GROUP]
        return np.asarray(names, dtype=object)


def _texts(X) -> list[str]:
    if isinstance(X, str):
        raise ValueError("expected an iterable of texts, got a single string; wrap it in a list: [text].")
    texts = list(X)
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise ValueError(f"text {i}: expected a str, got {type(t).__name__} {t!r:.60}.")
    return texts
