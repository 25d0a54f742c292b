"""What makes the Tagger a scikit-learn citizen beyond fit and predict: its tags and :meth:`score`, the
number ``cross_val_score`` and ``GridSearchCV`` maximise."""

from __future__ import annotations

__all__ = ["FacetScoring", "micro_f1"]

from typing import Any, Iterable, Sequence

import numpy as np
from sklearn.utils.validation import check_is_fitted

from corpus import InputError

from ._targets import label_columns


class FacetScoring:
    """Mixin of :class:`classifier.Tagger`: the estimator tags (text input) and :meth:`score`."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        return tags

    def score(self, X: Iterable[Any], y: Any, sample_weight: Sequence[float] | None = None) -> float:
        """Mean micro-F1 over the facets that ``y`` gives: what ``cross_val_score`` and ``GridSearchCV``
        report and maximise for a Tagger.

        Each facet's micro-F1 pools every (text, label) decision of the facet: ``2 TP / (2 TP + FP + FN)``.

        - A multi-label facet (themes, actors): a label tagged and in ``y`` is a TP, tagged and not in ``y``
          an FP, in ``y`` and not tagged an FN; an empty list (or None) in ``y`` is "none of the labels".
        - A single-label facet (region): a text whose region is left out of ``y`` (None, NaN) is not
          scored. Every other text gets one region, right (a TP) or wrong (an FP and an FN), so the
          micro-F1 is the accuracy; a text the Tagger gives no region (it has no head for the facet) is
          an FN only.
        - A facet absent from ``y`` (no key, no column, in no text's dict) is not scored and does not
          count in the mean; ``y`` must give at least one facet of the taxonomy. A facet given in ``y``
          whose texts have no labels at all and get none scores 1.0 (nothing missed, nothing added).

        Parameters
        ----------
        X : iterable of texts (or Articles, or ``{"text", ...}`` records)
        y : labels in any shape :meth:`fit` accepts (see :mod:`classifier._targets`): a dict of columns, a
            list of per-text dicts, a DataFrame, or a plain list for a one-facet taxonomy.
        sample_weight : sequence of float, optional
            Weights each text's decisions.

        Returns
        -------
        float
            In [0, 1]; higher is better.

        Raises
        ------
        InputError
            For a ``y`` of no accepted shape or length, or one that gives no facet of the taxonomy.
        TaxonomyError
            For a label or facet that is not in the taxonomy.
        """
        check_is_fitted(self, "heads_")
        items = list(X)
        tax = self.fitted_taxonomy
        truth = label_columns(y, tax, len(items), caller="score")
        if not truth:
            raise InputError(f"score: y gives none of the taxonomy's facets {tax.facet_names}; give the labels "
                             f"of at least one.")
        w = np.ones(len(items)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        if w.shape != (len(items),):
            raise InputError(f"score: sample_weight has shape {w.shape}; give one weight per text ({len(items)}).")
        pred = self.predict(items)
        per_facet = []
        for name, col in truth.items():
            facet = tax.facet(name)
            gold = [facet.check(v, f"text {i}") if v is not None else None for i, v in enumerate(col)]
            if facet.multi:
                per_facet.append(micro_f1([set(g or ()) for g in gold], [set(p) for p in pred[name]], w))
            else:
                rows = [i for i, g in enumerate(gold) if g is not None]
                per_facet.append(micro_f1([{gold[i]} for i in rows],
                                          [{pred[name][i]} - {None} for i in rows], w[rows]))
        return float(np.mean(per_facet))


def micro_f1(truth: Sequence[set], predicted: Sequence[set], weights: np.ndarray | None = None) -> float:
    """``2 TP / (2 TP + FP + FN)`` over every text's label sets (each text's counts weighted); 1.0 when there
    is nothing to find and nothing was found."""
    w = np.ones(len(truth)) if weights is None else weights
    tp = sum(wi * len(t & p) for wi, t, p in zip(w, truth, predicted))
    fp = sum(wi * len(p - t) for wi, t, p in zip(w, truth, predicted))
    fn = sum(wi * len(t - p) for wi, t, p in zip(w, truth, predicted))
    denominator = 2 * tp + fp + fn
    return float(2 * tp / denominator) if denominator else 1.0
