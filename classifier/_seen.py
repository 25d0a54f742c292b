"""Which texts a fitted Tagger was trained on, told by their content: :meth:`TrainingTexts.seen`.

``Tagger.fit`` keeps one 64-bit digest per training text (:func:`corpus.text_digests`: the words, whatever their case
and white space; 8 bytes an article, never the text). :func:`classifier.evaluate` refuses to score a model on texts it
was trained on, whatever the split manifest, corpus or ids say: a corpus rebuilt or grown since, a refitted model, a
split made afresh. A score on such texts would flatter the model.
"""

from __future__ import annotations

__all__ = ["TrainingTexts", "training_digests"]

from typing import Any, Iterable, Sequence

import numpy as np
from sklearn.utils.validation import check_is_fitted

from corpus import text_digests

from ._batch import as_input


def training_digests(texts: Sequence[str]) -> np.ndarray:
    """The sorted distinct digests of ``texts``: what a model keeps as ``training_digests_``."""
    return np.unique(text_digests(texts))


class TrainingTexts:
    """Mixin of :class:`classifier.Tagger`: :meth:`seen`."""

    def seen(self, X: Iterable[Any]) -> np.ndarray | None:
        """For each text (or Article, or ``{"text", ...}`` record): was the model trained on it? A boolean array;
        None for a model saved before models kept their training digests (newstag round 2 session 12)."""
        check_is_fitted(self, "heads_")
        known = getattr(self, "training_digests_", None)
        texts = [t for _, t in (as_input(x, i) for i, x in enumerate(X))]
        if known is None:
            return None
        return np.isin(text_digests(texts), known)
