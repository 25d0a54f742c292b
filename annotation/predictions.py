"""Model scores as Label Studio predictions: one ``choices`` result per facet, per-label scores kept.

The one place that turns a :class:`~annotation.predictor.FacetScores` row into a Label Studio
prediction (used by ``annotate next`` and by the ML backend). Each facet becomes::

    {"from_name": "themes", "to_name": "text", "type": "choices",
     "value": {"choices": ["alliance", "diplomacy"]},        # the labels the model gives
     "score": 0.42,                                          # the facet's confidence (below)
     "scores": {"alliance": 0.81, "deterrence": 0.33, ...},  # every label's score
     "thresholds": {"alliance": 0.5, ...}}                   # multi-label facets only

Label Studio 1.23 validates only ``from_name``, ``to_name``, ``type`` and ``value`` of a prediction's
result items and stores the items as they are, so the per-label ``scores`` travel with the prediction
(the ``Prediction`` model has no other field for them). A multi-label facet for which the model gives
no label gets no result item (Label Studio cannot show an empty choice); the prediction's ``score`` is
the smallest facet confidence, so Label Studio's "prediction score" column sorts the least sure first.

A facet's confidence is its :func:`facet_margins` value: 0 at a decision boundary, 1 far from every
boundary — the same number active learning ranks by (:mod:`annotation.active`).

A control is ``(from_name, to_name)`` for newstag's own config (choice values are label ids), or a
:class:`annotation.mapping.FacetControl` of a project's own config, whose ``tokens`` give the choice
value for each label id; a label the config has no choice for is left out.
"""

from __future__ import annotations

__all__ = ["ls_prediction", "ls_predictions", "default_controls", "facet_margins", "label_margins"]

from typing import Any, Mapping, Sequence

import numpy as np

from corpus import Taxonomy

from .config import TEXT_FIELD
from .predictor import FacetScores

_DIGITS = 6  # scores are rounded so the same model gives the same bytes on every machine


def default_controls(taxonomy: Taxonomy) -> dict[str, tuple[str, str]]:
    """``{facet: (from_name, to_name)}`` of the labeling config newstag generates (:func:`labeling_config`)."""
    return {f.name: (f.name, TEXT_FIELD) for f in taxonomy.facets}


def label_margins(fs: FacetScores) -> np.ndarray:
    """``(n_texts, n_labels)`` normalised distance of each multi-label score to its label's threshold.

    ``(s - t) / (1 - t)`` above the threshold, ``(t - s) / t`` below: 0 on the threshold, 1 at the far
    end (score 1 or 0), so labels with different thresholds compare. Only for multi-label facets.
    """
    s, t = fs.scores, fs.thresholds
    if t is None:
        raise ValueError("label_margins is for multi-label facets (with thresholds)")
    above = np.where(t < 1.0, (s - t) / np.where(t < 1.0, 1.0 - t, 1.0), 1.0)
    below = np.where(t > 0.0, (t - s) / np.where(t > 0.0, t, 1.0), 1.0)
    return np.clip(np.where(s >= t, above, below), 0.0, 1.0)


def facet_margins(fs: FacetScores) -> tuple[np.ndarray, np.ndarray]:
    """Each text's margin to a decision in this facet (small = uncertain), and the label it is about.

    Single-label facet: best score minus second best (the label is the best one). Multi-label facet:
    the smallest :func:`label_margins` value over the labels (the label is the one nearest its threshold).

    Returns
    -------
    margins : ndarray of shape (n_texts,), in [0, 1]
    labels : ndarray of shape (n_texts,) of int, column indices into ``fs.labels``
    """
    n, k = fs.scores.shape
    if k == 0:
        return np.ones(n), np.zeros(n, dtype=int)
    if fs.multi:
        m = label_margins(fs)
        j = np.argmin(m, axis=1)
        return m[np.arange(n), j], j
    if k == 1:
        return np.ones(n), np.zeros(n, dtype=int)
    order = np.argsort(-fs.scores, axis=1, kind="stable")
    rows = np.arange(n)
    best, second = fs.scores[rows, order[:, 0]], fs.scores[rows, order[:, 1]]
    return np.clip(best - second, 0.0, 1.0), order[:, 0]


def _r(x: float) -> float:
    return round(float(x), _DIGITS)


def _control(control) -> tuple[str, str, Mapping[str, str] | None]:
    if isinstance(control, Sequence) and not isinstance(control, str):
        from_name, to_name = control
        return from_name, to_name, None
    return control.from_name, control.to_name, control.tokens


def ls_prediction(scores: Mapping[str, FacetScores], row: int, *, model_version: str,
                  controls: Mapping[str, Any]) -> dict[str, Any]:
    """The Label Studio prediction of text ``row`` of a scored batch.

    Parameters
    ----------
    scores : ``{facet: FacetScores}`` as :meth:`Predictor.predict` returns them
    row : which text of the batch
    model_version : the predictor's ``model_version`` (Label Studio groups predictions by it)
    controls : ``{facet: (from_name, to_name)}`` (:func:`default_controls` for newstag's own config) or
        ``{facet: FacetControl}`` of a project's config (``ConfigMap.controls``); facets not in it are left out

    Returns
    -------
    dict
        ``{"model_version", "score", "result": [...]}`` (shape in the module docstring).
    """
    result, confidences = [], []
    for facet, fs in scores.items():
        if facet not in controls:
            continue
        from_name, to_name, tokens = _control(controls[facet])
        one = FacetScores(fs.labels, fs.scores[row:row + 1], fs.thresholds)
        conf = _r(facet_margins(one)[0][0])
        confidences.append(conf)
        chosen = one.decided()[0]
        if tokens is not None:
            chosen = [tokens[lab] for lab in chosen if lab in tokens]
        if not chosen:
            continue
        item: dict[str, Any] = {
            "from_name": from_name, "to_name": to_name, "type": "choices", "value": {"choices": chosen},
            "score": conf, "scores": {lab: _r(s) for lab, s in zip(fs.labels, fs.scores[row])},
        }
        if fs.multi:
            item["thresholds"] = {lab: _r(t) for lab, t in zip(fs.labels, fs.thresholds)}
        result.append(item)
    out: dict[str, Any] = {"model_version": model_version, "result": result}
    if confidences:
        out["score"] = min(confidences)
    return out


def ls_predictions(scores: Mapping[str, FacetScores], config, *, model_version: str) -> list[dict[str, Any]]:
    """One Label Studio prediction per text (the rows of ``scores``), in order, on a project's controls.

    ``config`` is a :class:`annotation.mapping.ConfigMap` (or any object with ``controls``); see
    :func:`ls_prediction` for each prediction's shape.
    """
    n = next((fs.scores.shape[0] for fs in scores.values()), 0)
    return [ls_prediction(scores, i, model_version=model_version, controls=config.controls) for i in range(n)]
