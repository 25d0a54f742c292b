"""Calibration: do the scores mean what they say? Reliability bins, the expected calibration error (ECE),
and the reliability diagram that ``newstag evaluate`` and the model card show.

A multi-label facet is judged on every (article, label) pair: its score against whether the label was
annotated. A single-label facet is judged on the label the model chose: its score against whether it was
the annotated one. Scores fall into ``bins`` equal-width bins of [0, 1]; each bin gives its count, its
mean score and the observed frequency, and ECE = sum over bins of count / total * |observed - mean score|.
"""

from __future__ import annotations

__all__ = ["reliability", "plot_reliability", "BINS"]

from pathlib import Path
from typing import Any, Mapping

import numpy as np

BINS = 10


def reliability(truth, scores, *, bins: int = BINS, pairs: str = "label") -> dict[str, Any]:
    """Reliability bins and ECE of ``scores`` (any shape) against ``truth`` (0/1, same shape).

    Returns
    -------
    dict
        ``pairs`` (what one score is: ``label`` for every article x label, ``top`` for the chosen label),
        ``n`` (scores judged), ``ece``, and ``bins``: a list of ``{"lo", "hi", "count", "mean_score",
        "observed"}`` (the last two None for an empty bin).
    """
    y = np.asarray(truth, dtype=float).ravel()
    s = np.clip(np.asarray(scores, dtype=float).ravel(), 0.0, 1.0)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.minimum(np.searchsorted(edges, s, side="right") - 1, bins - 1)
    out, ece = [], 0.0
    for b in range(bins):
        mask = which == b
        n = int(mask.sum())
        mean = float(s[mask].mean()) if n else None
        seen = float(y[mask].mean()) if n else None
        if n:
            ece += n / len(s) * abs(seen - mean)
        out.append({"lo": round(float(edges[b]), 4), "hi": round(float(edges[b + 1]), 4), "count": n,
                    "mean_score": None if mean is None else round(mean, 4),
                    "observed": None if seen is None else round(seen, 4)})
    return {"pairs": pairs, "n": int(len(s)), "ece": round(float(ece), 4), "bins": out}


def plot_reliability(calibration: Mapping[str, Mapping[str, Any]], path: str | Path, *, title: str = "") -> Path:
    """Draw one reliability panel per facet (observed frequency against mean score per bin, the diagonal of
    perfect calibration, each bin's count, the ECE in the panel title) into the PNG ``path``, written
    atomically and without a timestamp (same numbers, same bytes)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from corpus.atomic import atomic_savefig

    facets = [f for f, c in calibration.items() if c and c.get("n")]
    fig, axes = plt.subplots(1, max(len(facets), 1), figsize=(4.2 * max(len(facets), 1), 4.4), squeeze=False)
    for ax, facet in zip(axes[0], facets):
        cal = calibration[facet]
        full = [b for b in cal["bins"] if b["count"]]
        ax.plot([0, 1], [0, 1], ls="--", color="grey", lw=1, label="perfectly calibrated")
        ax.plot([b["mean_score"] for b in full], [b["observed"] for b in full], marker="o", color="#3b6ea5",
                label="model")
        for b in full:
            ax.annotate(str(b["count"]), (b["mean_score"], b["observed"]), textcoords="offset points",
                        xytext=(0, 6), ha="center", fontsize=7)
        what = "every article x label" if cal["pairs"] == "label" else "the chosen label"
        ax.set_title(f"{facet}: ECE {cal['ece']:.4f}\n({what}, n={cal['n']})", fontsize=9)
        ax.set_xlim(0, 1)
        ax.set_ylim(-0.02, 1.08)
        ax.set_xlabel("mean score in bin (numbers: scores in bin)")
        ax.set_ylabel("observed frequency")
        ax.legend(loc="lower right", fontsize=7)
    if title:
        fig.suptitle(title, fontsize=10)
    return atomic_savefig(fig, path, dpi=100)
