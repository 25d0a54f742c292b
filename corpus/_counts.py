"""Label counts of a labeled corpus and of its splits, as pandas tables and a bar plot (for notebooks)."""

from __future__ import annotations

__all__ = ["label_counts_table", "split_counts_table", "plot_label_counts"]

from pathlib import Path
from typing import Any

from .errors import InputError
from .store import Corpus
from .taxonomy import label_counts

LABEL_COUNT_COLUMNS = ("facet", "label", "name", "articles")


def label_counts_table(corpus: Corpus, *, zeros: bool = False):
    """Labeled articles per label: columns ``facet``, ``label`` (id), ``name``, ``articles``; facets in
    taxonomy order, most used labels first. ``zeros`` keeps the labels no article has."""
    import pandas as pd

    tax = corpus.taxonomy
    labeled = corpus.column("labeled")
    columns = {f.name: corpus.labels(f.name) for f in tax.facets}
    rows = ({name: col[i] for name, col in columns.items()} for i in range(len(corpus)) if labeled[i])
    counts = label_counts(tax, rows)
    out = []
    for f in tax.facets:
        order = sorted(f.labels, key=lambda lab: -counts[f.name][lab.id])  # stable: taxonomy order among ties
        out += [{"facet": f.name, "label": lab.id, "name": lab.name, "articles": counts[f.name][lab.id]}
                for lab in order if zeros or counts[f.name][lab.id]]
    return pd.DataFrame(out, columns=list(LABEL_COUNT_COLUMNS))


def split_counts_table(manifest, facet: str | None = None):
    """Articles per label in each split of a :class:`SplitManifest`, from its label report.

    Returns
    -------
    DataFrame
        Columns ``facet``, ``label``, ``total`` and one per split (train, eval, …); rows in the
        manifest's order (most frequent labels first within a facet). ``facet`` keeps one facet only.

    Raises
    ------
    InputError
        When the manifest has no label counts (it was not made by :func:`make_splits`), or has no ``facet``.
    """
    import pandas as pd

    props: dict[str, Any] = dict(manifest.label_report.get("proportions") or {})
    if not props:
        raise InputError(f"the {manifest.method} split manifest has no per-label counts (label_report.proportions); "
                         f"make the split with make_splits / `newstag corpus split`.")
    if facet is not None:
        if facet not in props:
            raise InputError(f"the split manifest counts no labels of facet {facet!r}; it counts {sorted(props)}.")
        props = {facet: props[facet]}
    names = manifest.split_names
    rows = []
    for f, labels in props.items():
        ordered = sorted(labels.items(), key=lambda kv: -kv[1].get("total", 0))
        rows += [{"facet": f, "label": lab, "total": v.get("total", 0), **{n: v.get(n, 0) for n in names}}
                 for lab, v in ordered]
    return pd.DataFrame(rows, columns=["facet", "label", "total", *names])


def plot_label_counts(corpus: Corpus, path: str | Path, *, top: int = 25) -> Path:
    """A PNG bar chart of labeled articles per label, one panel per facet (its ``top`` most used labels);
    returns the path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .atomic import atomic_savefig

    if top < 1:
        raise InputError(f"top must be at least 1, got {top!r}.")
    table = label_counts_table(corpus)
    facets = corpus.taxonomy.facet_names
    fig, axes = plt.subplots(len(facets), 1, figsize=(9, 2.6 * len(facets)), squeeze=False)
    for ax, name in zip(axes[:, 0], facets):
        rows = table[table["facet"] == name].head(top)
        ax.bar(range(len(rows)), rows["articles"], color="#4c72b0")
        ax.set_xticks(range(len(rows)), rows["label"], rotation=60, ha="right", fontsize=8)
        shown = f"top {top} of {int((table['facet'] == name).sum())}" if len(rows) == top else f"{len(rows)}"
        ax.set_title(f"{name}: {shown} labels used, {corpus.n_labeled} labeled articles", fontsize=9)
        ax.set_ylabel("articles")
    return atomic_savefig(fig, path, dpi=110)
