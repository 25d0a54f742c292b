"""A rule-based classifier from alias mentions, the other estimator scikit-learn lacks: the fallback for
rare actors and the "alias rules only" baseline."""

from __future__ import annotations

__all__ = ["AliasRuleClassifier"]

import numbers
from typing import Iterable, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, MultiOutputMixin
from sklearn.utils.validation import check_is_fitted

from ._features import AliasFeatures


class AliasRuleClassifier(MultiOutputMixin, ClassifierMixin, BaseEstimator):
    """Tags a label when its aliases are mentioned prominently: ``min_mentions`` times or more, in the
    title (``title=True``) or in the first paragraph (``lead=True``). Nothing is learned from data.

    It stands in for the model on actor labels with too few training examples, and is the
    "alias rules only" baseline of :func:`classifier.evaluate`. Scores are rule strengths, not
    probabilities: 0.5 when one criterion holds (the decision threshold), up to 0.8 when all do, and
    ``0.25 * mentions / min_mentions`` below that.

    Parameters
    ----------
    aliases : tuple of (label id, tuple of str)
        As for :class:`AliasFeatures`.
    min_mentions : int, default 2
    title : bool, default True
    lead : bool, default True

    Attributes
    ----------
    classes_ : ndarray of label ids (the columns of ``predict``)
    features_ : fitted :class:`AliasFeatures`
    """

    def __init__(self, *, aliases: Sequence[tuple[str, Sequence[str]]] = (), min_mentions: int = 2,
                 title: bool = True, lead: bool = True):
        self.aliases = aliases
        self.min_mentions = min_mentions
        self.title = title
        self.lead = lead

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.classifier_tags.multi_label = True
        tags.target_tags.required = False
        return tags

    def fit(self, X=None, y=None):
        """Index the labels (``y``, if given, must have one column per label); returns ``self``."""
        if isinstance(self.min_mentions, bool) or not isinstance(self.min_mentions, numbers.Integral) \
                or self.min_mentions < 1:
            raise ValueError(f"min_mentions must be an integer >= 1, got {self.min_mentions!r}.")
        self.features_ = AliasFeatures(aliases=self.aliases).fit()
        self.classes_ = np.asarray(self.features_.labels_, dtype=object)
        if y is not None:
            y = np.asarray(y)
            if y.ndim != 2 or y.shape[1] != len(self.classes_):
                raise ValueError(
                    f"AliasRuleClassifier: y must be an indicator matrix with one column per label "
                    f"({len(self.classes_)}), got shape {y.shape}."
                )
        return self

    def scores_from_features(self, A: sp.spmatrix) -> np.ndarray:
        """Rule scores from an :class:`AliasFeatures` matrix whose first columns are these labels' features."""
        check_is_fitted(self, "classes_")
        layout = self.features_
        n, n_per = len(self.classes_), len(layout.PER_LABEL)
        out = np.zeros((A.shape[0], n))
        # Only (article, label) pairs with a stored feature can score above 0: score those alone.
        A = sp.coo_matrix(A)
        A.sum_duplicates()
        inside = A.col < layout.n_label_columns_
        row, col, val = A.row[inside], A.col[inside], A.data[inside]
        label, part = layout.column_labels(col)
        key = row.astype(np.int64) * n + label
        pairs, at = np.unique(key, return_inverse=True)
        parts = np.zeros((len(pairs), n_per))
        parts[at, part] = val
        column = {name: k for k, name in enumerate(layout.PER_LABEL)}
        count = np.rint(np.expm1(parts[:, column["count"]]))  # the column holds log1p(count)
        by_count = count >= self.min_mentions
        in_title = (parts[:, column["title"]] > 0) & bool(self.title)
        in_lead = (parts[:, column["lead"]] > 0) & bool(self.lead)
        met = by_count.astype(int) + in_title + in_lead
        score = np.where(met > 0, 0.5 + 0.1 * (met - 1) + 0.1 * in_title,
                         0.25 * np.minimum(count / self.min_mentions, 1.0))
        out[pairs // n, pairs % n] = np.round(score, 6)
        return out

    def predict_from_features(self, A: sp.spmatrix) -> np.ndarray:
        """The indicator matrix of :meth:`predict`, from an :class:`AliasFeatures` matrix."""
        check_is_fitted(self, "classes_")
        return (self.scores_from_features(A) >= 0.5).astype(int)

    def predict_proba(self, X: Iterable[str]) -> np.ndarray:
        """Rule scores, ``(n_texts, n_labels)``."""
        check_is_fitted(self, "classes_")
        return self.scores_from_features(self.features_.transform(X))

    def predict(self, X: Iterable[str]) -> np.ndarray:
        """Indicator matrix ``(n_texts, n_labels)``: 1 where the rule holds."""
        check_is_fitted(self, "classes_")
        return self.predict_from_features(self.features_.transform(X))
