"""The shapes of ``y`` that :meth:`Tagger.fit` and :meth:`Tagger.score` accept, read into one form:
``{facet: [value per text]}`` (a label id or None for a single-label facet, a list of ids for a
multi-label one).

The accepted shapes (:data:`ACCEPTED_SHAPES`, quoted in every error):

1. ``{facet: [labels per text]}`` — a dict of columns;
2. ``[{facet: labels} per text]`` — a list of dicts, one per text (what scikit-learn can index, so
   ``cross_val_score`` and ``GridSearchCV`` split it with the texts);
3. a pandas DataFrame with one column per facet (indexable too);
4. for a taxonomy with ONE facet: a plain list of labels, one per text — a label id (str) for a
   single-label facet, a list of label ids for a multi-label one (a pandas Series or 1-d array too).

A facet missing from ``y`` (no key, no column, in no row's dict) is not given: :meth:`Tagger.fit` learns
no labels for it, :meth:`Tagger.score` leaves it out. None (or NaN in a DataFrame) is "no label" for that
text.
"""

from __future__ import annotations

__all__ = ["ACCEPTED_SHAPES", "label_columns", "to_xy"]

import math
from typing import Any, Mapping, Sequence

import numpy as np

from corpus import Corpus, InputError, Taxonomy

ACCEPTED_SHAPES = (
    "{facet: [labels per text]}; [{facet: labels} per text]; a pandas DataFrame with one column per facet; "
    "or, for a taxonomy with one facet, a plain list with one label per text (a label id for a single-label "
    "facet, a list of label ids for a multi-label one)"
)


def label_columns(y: Any, taxonomy: Taxonomy, n_texts: int, *, caller: str = "fit") -> dict[str, list]:
    """Read ``y`` in any accepted shape into ``{facet: [value per text]}``, for the facets ``y`` gives.

    Values are not checked against the taxonomy here (the caller does, naming the text); only the shape is.
    A value is returned as it came, except that a NaN becomes None and a 1-d array a list.

    Parameters
    ----------
    y : see the module docstring
    taxonomy : Taxonomy
        The facets the labels belong to.
    n_texts : int
        How many texts ``y`` must label.
    caller : str
        The method named in error messages (``"fit"`` or ``"score"``).

    Returns
    -------
    dict
        ``{facet: [value per text]}`` in the order ``y`` gives the facets.

    Raises
    ------
    InputError
        When ``y`` has none of the accepted shapes (the message shows them, the type of ``y`` and its
        first element), when a plain list comes for a taxonomy of several facets (the message names them),
        or when a column does not have one value per text.
    TaxonomyError
        When ``y`` names a facet the taxonomy does not have.
    """
    if y is None:
        raise InputError(f"{caller}(texts, y): y is missing; give the labels as {ACCEPTED_SHAPES}.")
    if _is_dataframe(y):
        cols = {str(c): y[c].tolist() for c in y.columns}
    elif isinstance(y, Mapping):
        cols = {}
        for k, v in y.items():
            if isinstance(v, (str, Mapping)) or not _is_sequence(v):
                raise InputError(f"{caller}: y[{k!r}] is of type {type(v).__name__} ({_show(v)}); a dict y maps each facet "
                                 f"to a list with one value per text. Accepted shapes: {ACCEPTED_SHAPES}.")
            cols[str(k)] = list(v)
    elif isinstance(y, str) or not _is_sequence(y):
        raise InputError(f"{caller}: y is {_describe(y)}; expected {ACCEPTED_SHAPES}.")
    else:
        cols = _from_rows(list(y), taxonomy, caller)
    for name, col in cols.items():
        taxonomy.facet(name)  # an unknown facet raises, naming the taxonomy's facets
        if len(col) != n_texts:
            raise InputError(f"{caller}: facet {name!r} has {len(col)} labels for {n_texts} texts; give one per text.")
        cols[name] = [_plain(v) for v in col]
    return cols


def _from_rows(rows: list, taxonomy: Taxonomy, caller: str) -> dict[str, list]:
    """A list of per-text dicts, or (one-facet taxonomy) a plain list of labels."""
    if all(isinstance(r, Mapping) for r in rows):
        names = [f.name for f in taxonomy.facets]
        given = {str(k) for r in rows for k in r}
        for k in sorted(given - set(names)):
            taxonomy.facet(k)  # raises, naming the taxonomy's facets
        return {name: [r.get(name) for r in rows] for name in names if name in given}
    bad = next((i for i, r in enumerate(rows) if not _is_label_value(r)), None)
    if bad is not None:
        first = rows[bad]
        raise InputError(
            f"{caller}: y is a {type(rows).__name__} whose element {bad} is of type {type(first).__name__} ({_show(first)}); "
            f"expected {ACCEPTED_SHAPES}.")
    if len(taxonomy.facets) != 1:
        raise InputError(
            f"{caller}: y is a plain list of labels ({_show(rows[0] if rows else None)}, ...), but the taxonomy "
            f"{taxonomy.name!r} has {len(taxonomy.facets)} facets {taxonomy.facet_names}: say which facet each "
            f"label belongs to, as {{facet: [labels per text]}} or [{{facet: labels}} per text]. "
            f"Accepted shapes: {ACCEPTED_SHAPES}.")
    return {taxonomy.facets[0].name: rows}


def _is_dataframe(y: Any) -> bool:
    return hasattr(y, "columns") and hasattr(y, "iloc") and getattr(y, "ndim", 0) == 2


def _is_sequence(v: Any) -> bool:
    if isinstance(v, np.ndarray):
        return v.ndim == 1
    return isinstance(v, Sequence) or (hasattr(v, "tolist") and hasattr(v, "__len__") and getattr(v, "ndim", 1) == 1)


def _is_label_value(v: Any) -> bool:
    """A label id, None/NaN (no label), or a list of label ids."""
    if v is None or isinstance(v, str) or _is_nan(v):
        return True
    if isinstance(v, (list, tuple, np.ndarray)):
        return all(isinstance(x, str) for x in (v.tolist() if isinstance(v, np.ndarray) else v))
    return False


def _is_nan(v: Any) -> bool:
    return isinstance(v, float) and math.isnan(v)


def _plain(v: Any) -> Any:
    if _is_nan(v):
        return None
    if isinstance(v, np.ndarray):
        return v.tolist()
    return v


def _describe(v: Any) -> str:
    """``of type T (repr)``; for an array, its shape and first element instead."""
    shape = getattr(v, "shape", None)
    if isinstance(shape, tuple) and shape and shape[0]:
        return f"of type {type(v).__name__} with shape {shape}, first element {_show(v[0])}"
    return f"of type {type(v).__name__} ({_show(v)})"


def _show(v: Any) -> str:
    text = " ".join(repr(v).split())
    return text if len(text) <= 60 else text[:57] + "..."


def to_xy(corpus: Corpus) -> tuple[list[str], list[dict[str, Any]]]:
    """The texts of a corpus's labeled articles and their labels as ``[{facet: labels} per text]``: the
    ``X, y`` of ``cross_val_score(Tagger(), X, y)`` and ``GridSearchCV``, which index both alike.

    A facet an article was not annotated for is left out of its dict (fitting on texts then reads it as
    "no label"; fitting on the Corpus itself leaves such articles out of that facet's head).
    """
    texts, facets = corpus.texts(), corpus.taxonomy.facet_names
    labeled = corpus.column("labeled")
    columns = {f: (corpus.labels(f), corpus.annotated(f)) for f in facets}
    rows = [i for i, ok in enumerate(labeled) if ok]
    if not rows:
        raise InputError("the corpus has no labeled articles; import annotations (newstag annotate pull) first.")
    y = [{f: col[i] for f, (col, annotated) in columns.items() if annotated[i]} for i in rows]
    return [texts[i] for i in rows], y
