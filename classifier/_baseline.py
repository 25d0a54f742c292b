"""The plain scikit-learn pipeline a user would try first, fitted beside every evaluation.

Per facet, on the training split's texts: ``TfidfVectorizer(sublinear_tf=True)`` + ``LinearSVC``; a
single-label facet is one multi-class model, a multi-label facet one-vs-rest with a per-label threshold on
the decision score chosen by F1 on 5-fold cross-validated scores of the training split (never the
evaluated one; a label with fewer than 3 training examples keeps the SVM's own boundary). It reads the text only: no aliases, no calibration, no evidence. The Tagger has to beat
it on every facet; :func:`classifier.evaluate` reports it as the ``sklearn`` system.
"""

from __future__ import annotations

__all__ = ["plain_pipeline", "plain_predictions"]

import warnings
from typing import Sequence

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import KFold, PredefinedSplit, StratifiedKFold, cross_val_predict
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC

from corpus import Taxonomy

from ._estimators import best_f1_threshold

FOLDS = 5
MIN_POSITIVES = 3  # a label with fewer training examples keeps the SVM's own boundary (0) (the Tagger tunes from 2)


def plain_pipeline(multi: bool, random_state: int = 0) -> Pipeline:
    """``TfidfVectorizer(sublinear_tf=True)`` + ``LinearSVC`` (one-vs-rest for a multi-label facet)."""
    svm = LinearSVC(C=1.0, random_state=random_state)
    return Pipeline([("tfidf", TfidfVectorizer(sublinear_tf=True)), ("svm", OneVsRestClassifier(svm) if multi else svm)])


def _multi(train: Sequence[str], Y: np.ndarray, test: Sequence[str], random_state: int,
           folds: Sequence[int] | None = None) -> np.ndarray:
    learned = np.flatnonzero((Y.sum(axis=0) > 0) & (Y.sum(axis=0) < len(Y)))
    P = np.zeros((len(test), Y.shape[1]), dtype=bool)
    P[:, Y.sum(axis=0) == len(Y)] = True  # a label every training text has
    if not len(learned) or not len(test):
        return P
    Yl = Y[:, learned]
    one = Yl.shape[1] == 1  # a single label: a binary model on its column (one-vs-rest wants two or more)
    y = Yl[:, 0] if one else Yl
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", UserWarning)  # a fold without positives for some label
        S = np.asarray(plain_pipeline(not one, random_state).fit(train, y).decision_function(test))
        if one:  # stratified folds, so that every training fold holds both classes (the manifest's may not)
            k = int(min(FOLDS, y.sum(), len(y) - y.sum()))
            cv = StratifiedKFold(k, shuffle=True, random_state=random_state) if k >= 2 else None
        elif folds is not None and min(folds) >= 0 and len(set(folds)) >= 2:
            cv = PredefinedSplit(np.asarray(folds))  # the manifest's folds, as the Tagger's thresholds use
        else:
            k = min(FOLDS, len(train))
            cv = KFold(k, shuffle=True, random_state=random_state) if k >= 2 else None
        if cv is not None:
            Scv = np.asarray(cross_val_predict(plain_pipeline(not one, random_state), train, y,
                                               method="decision_function", cv=cv))
            Scv = Scv.reshape(len(train), -1)
            t = np.array([best_f1_threshold(Scv[:, j], Yl[:, j], default=0.0, bounds=(-np.inf, np.inf))
                          if Yl[:, j].sum() >= MIN_POSITIVES else 0.0 for j in range(Yl.shape[1])])
        else:
            t = np.zeros(Yl.shape[1])
    P[:, learned] = S.reshape(len(test), -1) > t
    return P


def plain_predictions(taxonomy: Taxonomy, train_texts: Sequence[str], train_labels: dict[str, list],
                      test_texts: Sequence[str], *, random_state: int = 0,
                      folds: Sequence[int] | None = None) -> dict[str, list]:
    """Fit the plain pipeline per facet and predict: ``{facet: [labels per test text]}`` (``Tagger.predict``'s format).

    ``train_labels[facet]`` holds, per training text, a label id (single), a list of ids (multi), or None
    where the text is not annotated for the facet (left out of that facet's model). ``folds``: per training text
    its cross-validation fold (a split manifest's folds), for the multi-label thresholds; None: shuffled KFold.
    """
    out: dict[str, list] = {}
    for f in taxonomy.facets:
        col = train_labels.get(f.name, [None] * len(train_texts))
        rows = [i for i, v in enumerate(col) if v is not None]
        texts = [train_texts[i] for i in rows]
        if f.multi:
            pos = {lab: k for k, lab in enumerate(f.ids)}
            Y = np.zeros((len(rows), len(f.ids)), dtype=np.int64)
            for r, i in enumerate(rows):
                for lab in col[i]:
                    Y[r, pos[lab]] = 1
            fold = None if folds is None else [folds[i] for i in rows]
            P = _multi(texts, Y, test_texts, random_state, fold) if rows else np.zeros((len(test_texts), len(f.ids)), bool)
            out[f.name] = [[f.ids[k] for k in np.flatnonzero(p)] for p in P]
        elif len(set(col[i] for i in rows)) >= 2:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                out[f.name] = [str(v) for v in plain_pipeline(False, random_state).fit(texts, [col[i] for i in rows])
                               .predict(list(test_texts))]
        else:
            only = col[rows[0]] if rows else None
            out[f.name] = [only] * len(test_texts)
    return out
