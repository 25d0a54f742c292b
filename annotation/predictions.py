"""Model scores as Label Studio predictions: one ``{"result", "score", "model_version"}`` per text.

Each facet the config holds becomes one ``choices`` result item on its control (``from_name``/``to_name``
and the choice tokens from :class:`annotation.mapping.ConfigMap`), with the labels the model gives (a
multi-label facet: every label whose score reaches its threshold; a single-label facet: the best one)
and a score: the chosen label's score, or the mean over the chosen labels. A multi-label facet with no
label gives no item (Label Studio cannot show an empty choice), as in :mod:`annotation.tasks`. The
prediction's ``score`` is the mean of its items' scores (absent when there are none).
"""

from __future__ import annotations

__all__ = ["ls_predictions"]

from typing import Any, Mapping

import numpy as np

from .mapping import ConfigMap
from .predictor import FacetScores


def ls_predictions(scores: Mapping[str, FacetScores], config: ConfigMap, *, model_version: str) -> list[dict[str, Any]]:
    """One Label Studio prediction per text (the rows of ``scores``), in order.

    Parameters
    ----------
    scores : ``{facet: FacetScores}`` from :meth:`annotation.Predictor.predict`
    config : the project's controls (:func:`annotation.mapping.map_label_config`)
    model_version : written into every prediction

    Returns
    -------
    list of dict
        ``{"result": [...], "score": float, "model_version": str}``; labels the config has no choice for
        are left out (``config.notes()`` names them).
    """
    n = next((fs.scores.shape[0] for fs in scores.values()), 0)
    items: list[list[dict[str, Any]]] = [[] for _ in range(n)]
    for facet, control in config.controls.items():
        fs = scores.get(facet)
        if fs is None:
            continue
        chosen = fs.chosen()
        for i in range(n):
            cols = [k for k in np.flatnonzero(chosen[i]) if fs.labels[k] in control.tokens]
            if not cols:
                continue
            items[i].append({
                "from_name": control.from_name, "to_name": control.to_name, "type": "choices",
                "value": {"choices": [control.tokens[fs.labels[k]] for k in cols]},
                "score": round(float(np.mean(fs.scores[i, cols])), 6),
            })
    out = []
    for result in items:
        pred: dict[str, Any] = {"result": result, "model_version": model_version}
        if result:
            pred["score"] = round(float(np.mean([r["score"] for r in result])), 6)
        out.append(pred)
    return out
