"""Features of an article from a facet's aliases: gazetteer counts, and with ``acting`` the acting model's
probabilities (the tf-idf of its words is :func:`classifier._blocks.text_features`).

Every transformer takes texts as ``"title\\n\\nbody"`` (what :attr:`corpus.Article.text` and
:meth:`corpus.Corpus.texts` give); a text without a blank line has no title.
"""

from __future__ import annotations

__all__ = ["AliasFeatures", "alias_table", "group_table", "split_title"]

from typing import Iterable, Sequence

import numpy as np
import scipy.sparse as sp
from scipy.special import expit
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from corpus import AliasMatcher, Facet, Label, Mention

from ._fast_tfidf import Analysed, analyse
from ._acting import (PAIR_FEATURES, acting_input, acting_logits, context_words, fit_acting, group_entries, label_sets,
                      pair_table, plain_entries, word_vocabulary)
from ._roles import make_role_model, mention_contexts, mention_keys, role_probabilities, role_threshold, role_weights, scored

# The column layout of AliasFeatures (its methods are the only readers of these; other modules ask them).
PER_LABEL = ("count", "title", "early", "lead")  # per label, in column order
PER_GROUP = ("group_count", "group_share")  # per group, after every label's columns
# With roles=True, after those: per label, then per group (see AliasFeatures).
ROLE_PER_LABEL = ("role", "role_sum")
ROLE_PER_GROUP = ("group_role", "group_role_share")
# With acting=True, after those: per label, then per group (see AliasFeatures).
ACT_PER_LABEL = ("act",)
ACT_PER_GROUP = ("group_act", "group_act_share")


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


class TextTransformerMixin(TransformerMixin):
    """Estimator tags of a transformer of raw texts that must be fitted (:class:`AliasFeatures`, ``PlaceFeatures``)."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.requires_fit = True
        return tags


class AliasFeatures(TextTransformerMixin, BaseEstimator):
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
    roles : bool, default False
        Also learn the *role* of each mention (:mod:`classifier._roles`): ``fit`` then needs the texts and
        their labels, and a logistic regression over each mention's context learns whether its label is
        among the article's labels (acts or is acted upon) or merely mentioned ("in Khost, Afghanistan",
        "three Indian nationals"). Adds, after the columns above, per label ``role`` (the highest
        probability of its mentions) and ``role_sum`` (log1p of their sum), and per group ``group_role``
        (the highest of its labels) and ``group_role_share`` (its share of all role probability).
    role_C : float, default 1.0
        Inverse regularisation strength of the role model.
    role_mentions : int or None, default None
        Only the first ``role_mentions`` mentions of each label in a text get a role (None: all); the
        count features still see every mention. Faster on long texts (2: 40% fewer mentions scored on
        Reuters), but worse on the dev folds (actors micro-F1 0.765 / 0.809 against 0.810 / 0.815).
    acting : bool, default False
        Also learn, per (text, label), whether the label acts or is merely mentioned (:mod:`classifier._acting`:
        a logistic regression shared by every label over context flags of its mentions — a place, a location
        chain, a modifier, a government word, the sentence's subject — summed per label); ``fit`` then needs
        the texts and their labels. Adds, after the columns above, per label ``act`` (its probability) and per
        group ``group_act`` (the highest of its labels) and ``group_act_share`` (its share of all of it).
    acting_words : bool, default False
        With ``acting``: the acting model also reads words and the label (:func:`classifier._acting.acting_design`).

    Attributes
    ----------
    role_model_ : Pipeline or None
        The fitted role model (``DictVectorizer`` + ``LogisticRegression``); None without ``roles`` or when
        the training mentions were all of one kind (then every mention gets ``role_prior_``).
    role_threshold_ : float
        The ``role`` value (a label's highest mention probability) from which the label is best taken as
        an actor: the F1-best threshold on out-of-fold role probabilities of the training articles.
    """

    def __init__(self, *, aliases: Sequence[tuple[str, Sequence[str]]] = (),
                 groups: Sequence[tuple[str, str]] = (), roles: bool = False, role_C: float = 1.0,
                 role_mentions: int | None = None, acting: bool = False, acting_words: bool = False):
        self.aliases = aliases
        self.groups = groups
        self.roles = roles
        self.role_C = role_C
        self.role_mentions = role_mentions
        self.acting = acting
        self.acting_words = acting_words

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
        self.role_model_, self.role_prior_ = None, 0.0
        self.__dict__.pop("_role_weights", None)
        self.__dict__.pop("_acting_tables", None), self.__dict__.pop("_acting_columns", None)
        self.__dict__["_matcher"] = self._make_matcher()  # built here, so transform never changes the estimator
        if self.roles:
            self.n_features_out_ += len(ROLE_PER_LABEL) * len(labels) + len(ROLE_PER_GROUP) * len(self.group_names_)
            self._fit_roles(X, y)
            if self.role_model_ is not None:
                self.__dict__["_role_weights"] = role_weights(self.role_model_)
        if self.acting:
            self.n_features_out_ += len(ACT_PER_LABEL) * len(labels) + len(ACT_PER_GROUP) * len(self.group_names_)
            self._fit_acting(X, y)
        return self

    @property
    def needs_labels(self) -> bool:
        """Whether ``fit`` learns from the texts' labels (``roles`` or ``acting``)."""
        return bool(self.roles or getattr(self, "acting", False))

    def _gold(self, X, y, what: str) -> tuple[list[str], list[set[str]]]:
        """The texts annotated for the facet and each one's set of label ids, checked. A row of ``y`` that is None
        is a text nobody annotated for the facet: it is left out (it is not a text without labels)."""
        if X is None or y is None:
            raise ValueError(f"AliasFeatures({what}=True).fit needs the texts and their labels: fit(texts, y), y a list "
                             "of label-id lists (None: a text not annotated for the facet) or an indicator matrix with "
                             "one column per label.")
        texts = _texts(X)
        if not isinstance(y, np.ndarray) and len(y) == len(texts) and any(row is None for row in y):
            texts, y = [t for t, row in zip(texts, y) if row is not None], [row for row in y if row is not None]
        return texts, label_sets(y, self.labels_, len(texts))

    def _pairs(self, texts, mentions, words=None):
        index = {lab: k for k, lab in enumerate(self.labels_)}
        return pair_table(texts, mentions, index, split_title, words)

    def _fit_acting(self, X, y) -> None:
        texts, gold = self._gold(X, y, "acting")
        analysed = analyse(texts)  # split once: the words a batch's tf-idf, the pair flags and tag-time logits read
        mentions, words = self.match(texts, analysed), analysed.words
        pairs = rows, labs, _ = self._pairs(texts, mentions, words)
        target = np.asarray([self.labels_[k] in gold[r] for r, k in zip(rows.tolist(), labs.tolist())], dtype=int)
        contexts = None
        self.acting_pair_features_ = PAIR_FEATURES  # the pair_table columns the model reads (acting_input slices them)
        if self.acting_words:  # the vocabularies first: acting_input reads them
            contexts = context_words(texts, mentions, rows, labs, self.labels_)
            self.acting_vocabulary_, self.acting_idf_ = word_vocabulary(words)
            self.acting_context_vocabulary_, self.acting_context_idf_ = word_vocabulary(contexts)
        X = acting_input(self, texts, mentions, pairs, words, contexts)
        self.acting_coef_, self.acting_intercept_, self.acting_threshold_ = fit_acting(X, target, rows)

    def acting_probabilities(self, texts: Sequence[str], mentions: Sequence[Sequence[Mention]]
                             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(row, label position, probability)`` of every (text, label mentioned in it) pair (``acting=True``):
        how likely the label is among the text's actors rather than merely mentioned."""
        check_is_fitted(self, "acting_coef_")
        words = analyse(texts).words
        pairs = rows, labs, _ = self._pairs(texts, mentions, words)
        return rows, labs, expit(acting_logits(self, texts, mentions, pairs, words))

    def _fit_roles(self, X, y) -> None:
        texts, gold = self._gold(X, y, "roles")
        contexts, target, article, label = [], [], [], []
        for i, (text, found, labs) in enumerate(zip(texts, self.match(texts), gold)):
            found = [m for m, keep in zip(found, scored(found, self.role_mentions)) if keep]
            contexts += mention_contexts(text, found, split_title(text)[0])
            target += [m.label in labs for m in found]
            article += [i] * len(found)
            label += [m.label for m in found]
        target = np.asarray(target, dtype=int)
        self.role_prior_ = float(target.mean()) if len(target) else 0.0
        self.role_threshold_ = 0.5
        if len(set(target.tolist())) == 2:
            self.role_model_ = make_role_model(self.role_C).fit(contexts, target)
            self.role_threshold_ = role_threshold(contexts, target, np.asarray(article), label, self.role_C)

    def mention_roles(self, texts: Sequence[str], mentions: Sequence[Sequence[Mention]]) -> list[np.ndarray]:
        """Per text, the role probability of each of its mentions (``roles=True``): how likely the mention's
        label acts or is acted upon in the text; NaN for a mention beyond ``role_mentions`` of its label."""
        check_is_fitted(self, "labels_")
        if not self.roles:
            raise ValueError("AliasFeatures.mention_roles: this AliasFeatures was built with roles=False.")
        keys, masks = [], []
        for text, found in zip(texts, mentions):
            if found:
                masks.append(np.asarray(scored(found, self.role_mentions), dtype=bool))
                keys += mention_keys(text, found, split_title(text)[0], self.role_mentions)
            else:
                masks.append(np.zeros(0, dtype=bool))
        if self.role_model_ is None or not keys:
            p = np.full(len(keys), self.role_prior_)
        else:
            weights = self.__dict__.get("_role_weights")
            if weights is None:
                weights = self.__dict__["_role_weights"] = role_weights(self.role_model_)
            p = role_probabilities(weights, keys)
        out, at = [], 0
        for mask in masks:
            r = np.full(len(mask), np.nan)
            n = int(mask.sum())
            r[mask] = p[at: at + n]
            at += n
            out.append(r)
        return out

    # The matcher holds compiled regular expressions: built by fit (and on first use after loading), never
    # persisted or cloned.
    @property
    def matcher(self) -> AliasMatcher:
        check_is_fitted(self, "labels_")
        m = self.__dict__.get("_matcher")
        if m is None:
            m = self.__dict__["_matcher"] = self._make_matcher()
        return m

    def _make_matcher(self) -> AliasMatcher:
        return AliasMatcher(Facet(name="aliases", kind="multi", labels=tuple(
            Label(id=str(lab), name=str(names[0]), aliases=tuple(str(n) for n in names[1:]))
            for lab, names in self.aliases)))

    def __getstate__(self):
        state = dict(super().__getstate__())  # a copy: object.__getstate__ is the live __dict__
        state.pop("_matcher", None)
        state.pop("_role_weights", None)
        state.pop("_acting_tables", None), state.pop("_acting_columns", None)
        return state

    def __setstate__(self, state):
        # models saved before roles existed
        state = {"roles": False, "role_C": 1.0, "role_mentions": None, "acting": False, "acting_words": False, **state}
        if "labels_" in state:
            state = {"role_model_": None, "role_prior_": 0.0, "role_threshold_": 0.5, **state}
        super().__setstate__(state)

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

    def features(self, texts: Sequence[str], mentions: Sequence[Sequence[Mention]],
                 roles: Sequence[np.ndarray] | None = None, words: Sequence[Sequence[str]] | None = None,
                 word_matrix=None) -> sp.csr_matrix:
        """The feature matrix of texts whose mentions were already found (see :meth:`match`); ``roles``: their
        :meth:`mention_roles`, when already computed (``roles=True`` only); ``words``: each text's lower-case
        words (:func:`analyse`), when already split; ``word_matrix``: the batch's word tf-idf and its vocabulary,
        for the acting model's article words (:func:`classifier._acting.acting_logits`)."""
        check_is_fitted(self, "labels_")
        index = {lab: k for k, lab in enumerate(self.labels_)}
        n_lab, n_per = len(self.labels_), len(PER_LABEL)
        group_base = n_per * n_lab
        group_of = self.group_of_.tolist()
        rows, cols, vals, logs = [], [], [], []  # logs: positions in vals of counts, log1p-ed at the end
        pairs = self._pairs(texts, mentions, words) if getattr(self, "acting", False) else None
        for r, (text, found) in enumerate(zip(texts, mentions) if pairs is None else ()):
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
        if self.roles:
            if roles is None:
                roles = self.mention_roles(texts, mentions)
            self._role_entries(mentions, roles, index, rows, cols, vals, logs)
        data = np.asarray(vals, dtype=np.float64)
        data[logs] = np.log1p(data[logs])
        if pairs is not None:  # the same first columns, from the acting model's pair table; then its own
            triplet = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64), data
            parts = [plain_entries(*pairs, self.group_of_, len(self.group_names_)),
                     self._acting_entries(texts, mentions, pairs, words, word_matrix), triplet]
            rows, cols, data = (np.concatenate(a) for a in zip(*parts))
        out = sp.csr_matrix((data, (rows, cols)), shape=(len(texts), self.n_features_out_))
        out.eliminate_zeros()
        return out

    def _role_entries(self, mentions, roles, index, rows, cols, vals, logs) -> None:
        """Append the role columns' entries (see ``roles``) to the sparse triplets."""
        n_lab, n_grp = len(self.labels_), len(self.group_names_)
        base = len(PER_LABEL) * n_lab + len(PER_GROUP) * n_grp
        gbase = base + len(ROLE_PER_LABEL) * n_lab
        group_of = self.group_of_.tolist()
        for r, (found, probs) in enumerate(zip(mentions, roles)):
            if not found:
                continue
            best: dict[int, float] = {}
            total: dict[int, float] = {}
            for m, p in zip(found, probs.tolist()):
                if p != p:  # NaN: a mention beyond role_mentions
                    continue
                k = index[m.label]
                best[k] = max(best.get(k, 0.0), p)
                total[k] = total.get(k, 0.0) + p
            gbest: dict[int, float] = {}
            gsum: dict[int, float] = {}
            for k in sorted(best):
                rows += [r, r]
                cols += [base + 2 * k, base + 2 * k + 1]
                logs.append(len(vals) + 1)
                vals += [best[k], total[k]]
                g = group_of[k]
                if g >= 0:
                    gbest[g] = max(gbest.get(g, 0.0), best[k])
                    gsum[g] = gsum.get(g, 0.0) + total[k]
            all_p = sum(total.values()) or 1.0
            for g in sorted(gbest):
                rows += [r, r]
                cols += [gbase + 2 * g, gbase + 2 * g + 1]
                vals += [gbest[g], gsum[g] / all_p]

    def _acting_entries(self, texts, mentions, pairs, words=None, word_matrix=None):
        """``(row, column, value)`` of the acting columns (see ``acting``) of :func:`pair_table` ``pairs``."""
        r, k, _ = pairs
        p = expit(acting_logits(self, texts, mentions, pairs, words, word_matrix))
        n_texts = len(texts)
        base = self.act_column(0)
        gr, gc, gv = group_entries(r, self.group_of_[k], p, n_texts, len(self.group_names_))
        return np.r_[r, gr], np.r_[base + k, base + len(ACT_PER_LABEL) * len(self.labels_) + gc], np.r_[p, gv]

    def act_column(self, label: int | np.ndarray) -> int | np.ndarray:
        """The ``act`` column (acting probability) of label(s) given by position in ``labels_`` (``acting=True``)."""
        check_is_fitted(self, "labels_")
        if not getattr(self, "acting", False):
            raise ValueError("AliasFeatures.act_column: built with acting=False; there are no acting columns.")
        base = len(PER_LABEL) * len(self.labels_) + len(PER_GROUP) * len(self.group_names_)
        if self.roles:
            base += len(ROLE_PER_LABEL) * len(self.labels_) + len(ROLE_PER_GROUP) * len(self.group_names_)
        return base + len(ACT_PER_LABEL) * np.asarray(label)

    def role_column(self, label: int | np.ndarray) -> int | np.ndarray:
        """The ``role`` column (highest role probability) of label(s) given by position in ``labels_``."""
        check_is_fitted(self, "labels_")
        if not self.roles:
            raise ValueError("AliasFeatures.role_column: built with roles=False; there are no role columns.")
        base = len(PER_LABEL) * len(self.labels_) + len(PER_GROUP) * len(self.group_names_)
        return base + len(ROLE_PER_LABEL) * np.asarray(label)

    # ---- the column layout: label k owns columns [k * len(PER_LABEL), (k + 1) * len(PER_LABEL)); the
    # groups' columns follow every label's ----

    PER_LABEL = PER_LABEL
    PER_GROUP = PER_GROUP

    def label_columns(self, labels: Sequence[int] | np.ndarray) -> np.ndarray:
        """``(len(labels), n)``: the columns of each label (given by position in ``labels_``): its
        :data:`PER_LABEL` columns, then (``roles``) its role columns."""
        n_per = len(PER_LABEL)
        labels = np.asarray(labels, dtype=np.int64).reshape(-1, 1)
        out = labels * n_per + np.arange(n_per)
        if getattr(self, "roles", False):
            out = np.hstack([out, self.role_column(labels) + np.arange(len(ROLE_PER_LABEL))])
        if getattr(self, "acting", False):
            out = np.hstack([out, self.act_column(labels) + np.arange(len(ACT_PER_LABEL))])
        return out

    def column_labels(self, columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(label position, part)`` of per-label columns (part indexes :data:`PER_LABEL`); see
        :attr:`n_label_columns_` for where they end."""
        return np.divmod(np.asarray(columns), len(PER_LABEL))

    @property
    def n_label_columns_(self) -> int:
        """How many columns the labels have (the groups' columns start here)."""
        check_is_fitted(self, "labels_")
        return len(PER_LABEL) * len(self.labels_)

    def group_column(self, group: str, part: str = "group_count") -> int:
        """The column of a group's feature ``part`` (one of :data:`PER_GROUP`)."""
        check_is_fitted(self, "labels_")
        return self.n_label_columns_ + len(PER_GROUP) * self.group_names_.index(group) + PER_GROUP.index(part)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        check_is_fitted(self, "labels_")
        names = [f"{lab}:{part}" for lab in self.labels_ for part in PER_LABEL]
        names += [f"{g}:{part}" for g in self.group_names_ for part in PER_GROUP]
        if self.roles:
            names += [f"{lab}:{part}" for lab in self.labels_ for part in ROLE_PER_LABEL]
            names += [f"{g}:{part}" for g in self.group_names_ for part in ROLE_PER_GROUP]
        if getattr(self, "acting", False):
            names += [f"{lab}:{part}" for lab in self.labels_ for part in ACT_PER_LABEL]
            names += [f"{g}:{part}" for g in self.group_names_ for part in ACT_PER_GROUP]
        return np.asarray(names, dtype=object)


def _texts(X) -> list[str]:
    if isinstance(X, str):
        raise ValueError("expected an iterable of texts, got a single string; wrap it in a list: [text].")
    texts = list(X)
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise ValueError(f"text {i}: expected a str, got {type(t).__name__} {t!r:.60}.")
    return texts
