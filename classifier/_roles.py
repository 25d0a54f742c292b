"""Mention roles: does a state named in a text act (or is it acted upon), or is it merely mentioned?

Each alias mention gets a few features of its context — the words before and after it ("in", "off the coast
of", "nationals", "dollars", "forces", "says"), a possessive "'s", its place in the sentence (before any
lower-case word: the subject), a trailing location chain ("Dilling, South Kordofan, Sudan."), the title, how
often and how early its label is mentioned — and a logistic regression over them (trained on labeled
articles: a mention is positive when its label is among the article's gold labels) gives the probability
that the mention's label is an actor. :class:`classifier.AliasFeatures` (``roles=True``) owns the model and
turns the mention probabilities into per-label and per-group features.
"""

from __future__ import annotations

__all__ = ["rule_scores", "mention_contexts", "mention_keys", "scored", "make_role_model", "role_threshold", "role_weights",
           "role_probabilities"]

import re
from itertools import islice, repeat
from typing import TYPE_CHECKING, Sequence

import numpy as np
from scipy.special import expit
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

if TYPE_CHECKING:
    import scipy.sparse as sp

    from ._alias_rules import AliasRuleClassifier
    from ._features import AliasFeatures

from corpus import Mention

_TOKEN = re.compile(r"\w+(?:-\w+)*|[^\w\s]")
_SENTENCE_END = re.compile(r"[.!?]\s+(?=[A-Z\"'“‘(])|\n")
_WINDOW = 60  # characters read before a mention
_AFTER = 30  # and after it


def make_role_model(C: float = 1.0, random_state: int = 0) -> Pipeline:
    """The unfitted role model: ``DictVectorizer`` over :func:`mention_contexts`, then a logistic regression."""
    return Pipeline([("context", DictVectorizer(sort=True)),
                     ("clf", LogisticRegression(C=C, max_iter=2000, random_state=random_state))])


def _keys(prefix: str, edges: Sequence[int], top: int) -> tuple[str, ...]:
    """``prefix + bucket`` for every count 0..top (the last covers everything above ``edges[-1]``)."""
    out = []
    for n in range(top + 1):
        out.append(prefix + next((str(e) for e in edges if n <= e), f">{edges[-1]}"))
    return tuple(out)


# feature names of counted things, by count (looked up, not built, per mention)
_LOWER = _keys("lower_before=", (0, 1, 3, 6), 7)
_SENT = _keys("sentence=", (0, 1), 2)
_COUNT = _keys("count=", (1, 2, 3), 4)
_RANK = _keys("label_rank=", (0, 1, 2), 3)
_LABELS = _keys("labels=", (1, 2, 3, 5), 6)
_WORDS = _keys("words=", (1, 2), 3)
_LOWER_START = re.compile(r"(?<!\S)[^\W\d_A-Z]")  # a word starting with a letter that is not an ASCII capital
_CHAIN_END = frozenset((".", ";", ")"))
_CHAIN_NEXT = frozenset(("and", "as", "on", "in"))


def scored(mentions: Sequence[Mention], per_label: int | None) -> list[bool]:
    """Which mentions get a role: the first ``per_label`` of each label (every one when None)."""
    if per_label is None:
        return [True] * len(mentions)
    seen: dict[str, int] = {}
    out = []
    for m in mentions:
        seen[m.label] = n = seen.get(m.label, 0) + 1
        out.append(n <= per_label)
    return out


def mention_contexts(text: str, mentions: Sequence[Mention], title_end: int,
                     per_label: int | None = None) -> list[dict[str, float]]:
    """One feature dict per scored mention of ``text`` (see :func:`scored`; mentions sorted by position);
    features that are 0 are left out. What the role model is fitted on (:func:`mention_keys` is the fast
    form).

    ``title_end``: where the title ends (0 when the text has none).
    """
    out = []
    for keys, early in mention_keys(text, mentions, title_end, per_label):
        f = dict.fromkeys(keys, 1.0)
        f["early"] = early
        out.append(f)
    return out


def mention_keys(text: str, mentions: Sequence[Mention], title_end: int,
                 per_label: int | None = None) -> list[tuple[list[str], float]]:
    """Per scored mention (:func:`scored`): the names of its indicator features (value 1) and ``early`` (1
    minus its relative position), the one feature with another value; see :func:`mention_contexts`."""
    if not mentions:
        return []
    counts: dict[str, int] = {}
    rank: dict[str, int] = {}
    for m in mentions:
        counts[m.label] = counts.get(m.label, 0) + 1
        rank.setdefault(m.label, len(rank))
    first_label = mentions[0].label
    labels_key = _LABELS[min(len(counts), 6)]
    seen: set[str] = set()
    out = []
    length = max(len(text), 1)
    # the first two sentence ends: a mention's sentence number is 0, 1 or "2 or later"
    ends = [s.end() for s in islice(_SENTENCE_END.finditer(text), 2)] + [length + 1] * 2
    findall = _TOKEN.findall
    for m, scoring in zip(mentions, scored(mentions, per_label)):
        if not scoring:
            continue
        before = text[max(0, m.start - _WINDOW): m.start]
        prev = [w.lower() for w in findall(before)[-3:]]
        nxt = findall(text[m.end: m.end + _AFTER])[:2]
        k = 0 if m.start < ends[0] else 1 if m.start < ends[1] else 2
        # the words of the mention's sentence before it (within the window)
        cut = max(before.rfind(". "), before.rfind("! "), before.rfind("? "), before.rfind("\n"))
        sentence = before[cut + 1:]
        n = len(prev)
        p1 = prev[-1] if n else "^"
        n1 = nxt[0].lower() if nxt else "$"
        lower_before = len(_LOWER_START.findall(sentence))
        words = m.text.split()
        f = ["p1=" + p1, "p2=" + (" ".join(prev[-2:]) if n >= 2 else "^"), "p3=" + (" ".join(prev) if n >= 3 else "^"),
             "n1=" + n1, "n2=" + (n1 + " " + nxt[1].lower() if len(nxt) >= 2 else n1 + " $"),
             "suffix=" + (words[-1].lower()[-3:] if words else ""), _LOWER[min(lower_before, 7)], _SENT[k],
             _COUNT[min(counts[m.label], 4)], _RANK[min(rank[m.label], 3)], labels_key, _WORDS[min(len(words), 3)]]
        if nxt and nxt[0][0].islower():
            f.append("next_lower")
        if text[m.end: m.end + 2] in ("'s", "’s"):
            f.append("possessive")
        if not sentence.strip() or sentence.strip().lower() == "the":
            f.append("sentence_start")
        if p1 == "," and (not nxt or nxt[0] in _CHAIN_END or n1 in _CHAIN_NEXT):
            f.append("chain")
        if m.end <= title_end:
            f.append("in_title")
        if m.label not in seen:
            f.append("first_of_label")
        if m.label == first_label:
            f.append("first_label")
        if m.text.isupper():
            f.append("acronym")
        seen.add(m.label)
        out.append((f, 1.0 - m.start / length))
    return out


def role_weights(model: Pipeline) -> tuple[dict[str, float], float]:
    """``({feature: coefficient}, intercept)`` of a fitted role model, for :func:`role_probabilities`."""
    vec, clf = model.named_steps["context"], model.named_steps["clf"]
    coef = clf.coef_[0]
    return {name: float(coef[j]) for name, j in vec.vocabulary_.items()}, float(clf.intercept_[0])


def role_probabilities(weights: tuple[dict[str, float], float], keys: Sequence[tuple[list[str], float]]) -> np.ndarray:
    """The role model's ``predict_proba`` (positive class) of mentions given by :func:`mention_keys`, without
    building a matrix: the logistic of each mention's weighted sum (same values up to rounding, tested)."""
    w, b = weights
    get, zeros = w.get, repeat(0.0)
    w_early = w.get("early", 0.0)
    z = np.fromiter((b + sum(map(get, f, zeros)) + w_early * early for f, early in keys),
                    dtype=np.float64, count=len(keys))
    return expit(z)


def role_threshold(contexts: list[dict], target: np.ndarray, article: np.ndarray, label: Sequence[str], C: float,
                   folds: int = 5) -> float:
    """The F1-best threshold on a label's highest mention-role probability in an article, from out-of-fold
    probabilities (folds keep each article's mentions together); 0.5 when there are too few articles."""
    from sklearn.model_selection import GroupKFold

    from ._estimators import best_f1_threshold

    k = min(folds, len(set(article.tolist())))
    if k < 2:
        return 0.5
    oof = np.zeros(len(target))
    for train, test in GroupKFold(n_splits=k).split(contexts, target, article):
        if len(set(target[train].tolist())) < 2:
            oof[test] = target[train][0]
            continue
        model = make_role_model(C).fit([contexts[i] for i in train], target[train])
        oof[test] = model.predict_proba([contexts[i] for i in test])[:, 1]
    best: dict[tuple[int, str], list[float]] = {}
    for a, lab, p, t in zip(article.tolist(), label, oof.tolist(), target.tolist()):
        b = best.setdefault((a, lab), [0.0, t])
        b[0] = max(b[0], p)
    pairs = np.asarray(list(best.values()))
    return best_f1_threshold(pairs[:, 0], pairs[:, 1])


def rule_scores(rule: AliasRuleClassifier, aliases: AliasFeatures, A: sp.spmatrix,
                cols: Sequence[int]) -> tuple[np.ndarray, float]:
    """``(scores (n, len(cols)), threshold)`` of the labels at positions ``cols`` tagged without a model: their
    mention-role probability and its tuned threshold when ``aliases`` has roles, else the alias rule's
    strength and 0.5."""
    if getattr(aliases, "roles", False):
        return A[:, aliases.role_column(np.asarray(cols))].toarray(), aliases.role_threshold_
    if getattr(aliases, "acting", False):
        return A[:, aliases.act_column(np.asarray(cols))].toarray(), aliases.acting_threshold_
    return rule.scores_from_features(A)[:, cols], 0.5
