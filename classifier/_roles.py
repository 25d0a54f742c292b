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

__all__ = ["mention_contexts", "make_role_model", "role_threshold"]

import re
from bisect import bisect_right
from typing import Sequence

import numpy as np
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from corpus import Mention

_TOKEN = re.compile(r"\w+(?:-\w+)*|[^\w\s]")
_SENTENCE_END = re.compile(r"[.!?]\s+(?=[A-Z\"'“‘(])|\n")
_WINDOW = 60  # characters read on each side of a mention


def make_role_model(C: float = 1.0, random_state: int = 0) -> Pipeline:
    """The unfitted role model: ``DictVectorizer`` over :func:`mention_contexts`, then a logistic regression."""
    return Pipeline([("context", DictVectorizer(sort=True)),
                     ("clf", LogisticRegression(C=C, max_iter=2000, random_state=random_state))])


def _bucket(n: int, edges: Sequence[int]) -> str:
    for e in edges:
        if n <= e:
            return str(e)
    return f">{edges[-1]}"


def mention_contexts(text: str, mentions: Sequence[Mention], title_end: int) -> list[dict[str, float]]:
    """One feature dict per mention of ``text`` (in the order given; mentions sorted by position).

    ``title_end``: where the title ends (0 when the text has none).
    """
    if not mentions:
        return []
    counts: dict[str, int] = {}
    for m in mentions:
        counts[m.label] = counts.get(m.label, 0) + 1
    first_label = mentions[0].label
    n_labels = len(counts)
    seen: set[str] = set()
    label_rank: dict[str, int] = {}
    for m in mentions:
        label_rank.setdefault(m.label, len(label_rank))
    out = []
    length = max(len(text), 1)
    ends = [s.end() for s in _SENTENCE_END.finditer(text)]
    for m in mentions:
        before = text[max(0, m.start - _WINDOW): m.start]
        after = text[m.end: m.end + _WINDOW]
        # the sentence the mention is in: from the last sentence end before it
        k = bisect_right(ends, m.start)
        cut = max(ends[k - 1] if k else 0, m.start - _WINDOW)
        in_sentence = _TOKEN.findall(text[cut: m.start])
        prev = _TOKEN.findall(before)[-3:]
        nxt = _TOKEN.findall(after)[:3]
        p1 = prev[-1].lower() if prev else "^"
        p2 = " ".join(w.lower() for w in prev[-2:]) if len(prev) >= 2 else "^"
        p3 = " ".join(w.lower() for w in prev[-3:]) if len(prev) >= 3 else "^"
        n1 = nxt[0].lower() if nxt else "$"
        n2 = " ".join(w.lower() for w in nxt[:2]) if len(nxt) >= 2 else n1 + " $"
        lower_before = sum(1 for w in in_sentence if w[:1].islower())
        word = m.text.split()[-1].lower() if m.text.split() else ""
        f: dict[str, float] = {
            "p1=" + p1: 1.0, "p2=" + p2: 1.0, "p3=" + p3: 1.0, "n1=" + n1: 1.0, "n2=" + n2: 1.0,
            "suffix=" + word[-3:]: 1.0,
            "next_lower": float(bool(nxt) and nxt[0][:1].islower()),
            "possessive": float(after[:2] in ("'s", "’s")),
            "lower_before=" + _bucket(lower_before, (0, 1, 3, 6)): 1.0,
            "sentence_start": float(not in_sentence or (len(in_sentence) == 1 and in_sentence[0].lower() == "the")),
            "sentence=" + _bucket(k, (0, 1)): 1.0,
            "chain": float(p1 == "," and (not nxt or nxt[0] in (".", ";", ")") or n1 in ("and", "as", "on", "in"))),
            "in_title": float(m.end <= title_end),
            "early": 1.0 - m.start / length,
            "count=" + _bucket(counts[m.label], (1, 2, 3)): 1.0,
            "first_of_label": float(m.label not in seen),
            "first_label": float(m.label == first_label),
            "label_rank=" + _bucket(label_rank[m.label], (0, 1, 2)): 1.0,
            "labels=" + _bucket(n_labels, (1, 2, 3, 5)): 1.0,
            "acronym": float(m.text.isupper()),
            "words=" + _bucket(len(m.text.split()), (1, 2)): 1.0,
        }
        seen.add(m.label)
        out.append(f)
    return out


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
