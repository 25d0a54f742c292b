"""Which facets of an article were annotated: "not annotated" is not "no label".

The corpus stores, per article, the list of facets somebody annotated (column ``annotated``, a list of
facet names in taxonomy order). For a facet in that list the facet column is the answer: a label, a
list of labels, or no label (``None`` for a single-label facet without consensus, ``[]`` for "none of
these labels"). For a facet not in the list the facet column is empty and means nothing: the article
was not annotated for it (an export without a control for that facet, a file without that column).
``labeled`` is True when at least one facet is annotated. Training and evaluation leave an article out
of an unannotated facet's head only; splits stratify on the annotated facets only.

Corpus folders written before the column existed are read as "every facet annotated" for labeled
articles (what they meant), and with an empty ``source_id``.
"""

from __future__ import annotations

__all__ = ["count_annotated", "upgrade_table"]

from typing import Iterable, MutableMapping


def count_annotated(counts: MutableMapping[str, int], column: Iterable[list[str]]) -> None:
    """Add each article's annotated facets (one ``annotated`` column) to ``counts`` (facet -> articles)."""
    for facets in column:
        for f in facets or ():
            if f in counts:
                counts[f] += 1


def upgrade_table(table, features):
    """An Arrow table of an older corpus folder with the columns added since (same meaning as before)."""
    import datasets
    import pyarrow as pa

    names = table.column_names
    if "source_id" not in names:
        table = table.append_column("source_id", pa.array([""] * table.num_rows, pa.string()))
    if "annotated" not in names:
        facets = [n for n, feat in features.items()  # the label columns: ClassLabel, or a list of ClassLabel
                  if isinstance(getattr(feat, "feature", feat), datasets.ClassLabel)]
        labeled = table.column("labeled").to_pylist()
        table = table.append_column("annotated", pa.array([facets if ok else [] for ok in labeled],
                                                          pa.list_(pa.string())))
    return table.select(list(features))

