"""The classifier's side of ``annotation.predictor``: a fitted Tagger as plain per-facet scores.

Registered as the ``default`` entry of the ``newstag.predictors`` group (pyproject.toml), so annotation
(ranking, pre-annotations, the ML backend) reaches a model without importing this package, and this
package returns plain data without importing annotation.
"""

from __future__ import annotations

__all__ = ["TaggerProvider", "tagger_provider"]

from pathlib import Path
from typing import Sequence

import numpy as np

from ._persist import CARD_JSON, MODEL_FILE
from ._tagger import Tagger


class TaggerProvider:
    """A fitted :class:`Tagger` as ``{facet: (label ids, scores, thresholds or None)}``.

    The labels these scores give (multi-label: score >= threshold; single-label: the best score) are
    the ones ``newstag tag`` gives. ``model_version`` is the first 12 hex digits of the model file's
    SHA-256 (from its card), so a retrained model has a new version.
    """

    def __init__(self, tagger: Tagger, *, model_version: str, source: str = "<in memory>"):
        self.tagger = tagger
        self.taxonomy = tagger.fitted_taxonomy
        self.model_version = model_version
        self.source = source

    def scores(self, texts: Sequence[str]) -> dict[str, tuple[list[str], np.ndarray, np.ndarray | None]]:
        tagger = self.tagger
        out = {}
        if not texts:
            return {f.name: (list(f.ids), np.zeros((0, len(f.ids))), np.zeros(len(f.ids)) if f.multi else None)
                    for f in self.taxonomy.facets}
        facet_scores = tagger._facet_scores(tagger._batch(list(texts)))
        for f in self.taxonomy.facets:
            s, t = facet_scores[f.name][:2]
            if f.multi:
                out[f.name] = (list(f.ids), np.asarray(s, dtype=float), np.asarray(t, dtype=float))
            elif f.name in tagger.heads_:
                out[f.name] = (list(f.ids), np.asarray(s, dtype=float), None)
        return out


def tagger_provider(model: str | Path | None = None) -> TaggerProvider:
    """The ``newstag.predictors`` entry point: load a model folder (None: the default model)."""
    import json

    from ._persist import default_model_path

    path = Path(model) if model is not None else default_model_path()
    tagger = Tagger.load(path)
    folder = path if path.is_dir() else path.parent
    try:
        card = json.loads((folder / CARD_JSON).read_text(encoding="utf-8"))
        version = card["model_file"]["sha256"][:12]
    except (OSError, ValueError, KeyError, TypeError):
        import hashlib

        version = hashlib.sha256((folder / MODEL_FILE).read_bytes()).hexdigest()[:12]
    return TaggerProvider(tagger, model_version=version, source=str(path))
