"""Model scores as plain data: what annotation needs from a model, without importing ``classifier``.

``annotation`` never imports ``classifier`` (the dependency arrows point one way). Where annotation
needs a model — ranking articles for the next batch, pre-annotations, the ML backend — it asks for a
:class:`Predictor` by entry point: the ``newstag.predictors`` group (pyproject.toml), whose ``default``
entry the classifier package provides. A predictor turns texts into per-facet scores, thresholds and
decided labels; everything after that (uncertainty, Label Studio predictions) is plain data here.
"""

from __future__ import annotations

__all__ = ["FacetScores", "Predictor", "load_predictor", "PREDICTOR_GROUP"]

from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from corpus import Taxonomy

from .errors import LabelStudioError

PREDICTOR_GROUP = "newstag.predictors"


@dataclass(frozen=True)
class FacetScores:
    """One facet's scores for a batch of texts.

    Attributes
    ----------
    labels : tuple of str
        Label ids, the columns of ``scores``.
    scores : ndarray of shape (n_texts, n_labels)
        Scores in [0, 1]; for a single-label facet each row's best label is the one given.
    thresholds : ndarray of shape (n_labels,) or None
        A multi-label facet's per-label decision thresholds (a label is given when its score reaches
        it); None for a single-label facet.
    """

    labels: tuple[str, ...]
    scores: np.ndarray
    thresholds: np.ndarray | None

    @property
    def multi(self) -> bool:
        return self.thresholds is not None

    def chosen(self) -> np.ndarray:
        """``(n_texts, n_labels)`` bool: the labels given."""
        if self.multi:
            return self.scores >= self.thresholds
        out = np.zeros(self.scores.shape, dtype=bool)
        if self.scores.shape[1]:
            out[np.arange(len(self.scores)), np.argmax(self.scores, axis=1)] = True
        return out

    def decided(self) -> list[list[str]]:
        """The labels given to each text (a one-element list for a single-label facet)."""
        chosen = self.chosen()
        return [[self.labels[k] for k in np.flatnonzero(row)] for row in chosen]


class Predictor:
    """A model seen by annotation: texts in, per-facet :class:`FacetScores` out.

    Wraps what the ``newstag.predictors`` entry point returns (a *provider*): any object with
    ``model_version`` (a stable id of the fitted model, e.g. a hash of its file: Label Studio's
    ``model_version``), ``taxonomy`` (the :class:`corpus.Taxonomy` it was trained with), ``source``
    (where it was loaded from, for messages) and ``scores(texts)`` returning
    ``{facet: (label_ids, scores (n, n_labels), thresholds (n_labels,) or None)}`` — plain data, so the
    provider needs nothing from this package.
    """

    def __init__(self, provider: Any):
        self.provider = provider
        self.model_version: str = str(provider.model_version)
        self.taxonomy: Taxonomy = provider.taxonomy
        self.source: str = str(getattr(provider, "source", "<in memory>"))

    def predict(self, texts: Sequence[str]) -> dict[str, FacetScores]:
        """``{facet: FacetScores}`` for the texts, rows in order."""
        raw = self.provider.scores(list(texts))
        out = {}
        for facet, (labels, scores, thresholds) in raw.items():
            scores = np.asarray(scores, dtype=float).reshape(len(texts), len(labels))
            out[facet] = FacetScores(tuple(labels), scores,
                                     None if thresholds is None else np.asarray(thresholds, dtype=float))
        return out

    @property
    def can_retrain(self) -> bool:
        return callable(getattr(self.provider, "retrain", None))

    def retrain(self, texts: Sequence[str], labels: Sequence[dict[str, Any]], *, models_dir: str | Path,
                ids: Sequence[str | None] | None = None, corpus: str | Path | None = None) -> "Predictor":
        """A new model fitted like this one on ``corpus``'s labeled articles plus the labeled ``texts``,
        saved into ``models_dir`` (the provider's ``retrain``; newstag's classifier has one).

        Parameters
        ----------
        texts : the new texts; labels : per text ``{facet: label id | [label ids] | None}``
        ids : per text an article id (or None): a base-corpus article with that id takes the new labels
        corpus : the base corpus folder, or None

        Raises
        ------
        LabelStudioError
            When the provider cannot retrain.
        """
        if not self.can_retrain:
            raise LabelStudioError(f"the model provider of {self.source} has no retrain(); it cannot learn from "
                                   f"new annotations.")
        return Predictor(self.provider.retrain(list(texts), list(labels), models_dir=models_dir, ids=ids,
                                               corpus=corpus))

    def __repr__(self) -> str:
        return f"Predictor({self.source!r}, model_version={self.model_version!r})"


def load_predictor(model: str | Path | None = None, *, name: str = "default") -> Predictor:
    """Load a model as a :class:`Predictor` through the ``newstag.predictors`` entry point ``name``.

    Parameters
    ----------
    model : path or None
        A model folder; None lets the provider choose its default model.

    Raises
    ------
    LabelStudioError
        When no installed package provides the predictor (newstag's own classifier provides ``default``).
    """
    found = [ep for ep in entry_points(group=PREDICTOR_GROUP) if ep.name == name]
    if not found:
        raise LabelStudioError(
            f"no model provider {name!r} in the {PREDICTOR_GROUP!r} entry points; newstag's classifier "
            f"package provides 'default'. Reinstall newstag (pip install -e .) so its entry points are registered.")
    return Predictor(found[0].load()(model))
