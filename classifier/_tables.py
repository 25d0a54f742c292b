"""Tagging results, evaluation reports and the misses of an evaluation as pandas tables (for notebooks).

Every function returns a ``pandas.DataFrame`` with a fixed set of columns (also when it has no rows), so
a notebook shows it as it is, or filters and sorts it the pandas way.
"""

from __future__ import annotations

__all__ = ["tags_table", "tag_counts", "evidence_table", "mentions_table", "report_table", "misses_table"]

from typing import Any, Iterable, Sequence

from corpus import Corpus, InputError
from corpus.split_manifest import split_rows

from ._result import LabelScore, TagResult
from ._tag_files import LAYOUTS, long_rows, wide_columns, wide_row

TAGS_COLUMNS = ("article", "facet", "label", "score", "source")  # the long layout
COUNT_COLUMNS = ("facet", "label", "articles")
EVIDENCE_COLUMNS = ("facet", "label", "score", "source", "term", "weight")
MENTION_COLUMNS = ("label", "text", "start", "end")
REPORT_COLUMNS = ("facet", "system", "micro_f1", "macro_f1", "hamming_loss", "subset_accuracy")
MISSES_COLUMNS = ("id", "title", "facet", "truth", "predicted", "missed", "extra", "evidence", "mentions")


def _frame(rows: list[dict[str, Any]], columns: Sequence[str]):
    import pandas as pd

    return pd.DataFrame(rows, columns=list(columns))


def _scores(value: LabelScore | tuple[LabelScore, ...] | None) -> tuple[LabelScore, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, LabelScore) else tuple(value)


def _results(results: TagResult | Iterable[TagResult]) -> list[TagResult]:
    items = [results] if isinstance(results, TagResult) else list(results)
    for n, r in enumerate(items):
        if not isinstance(r, TagResult):
            raise InputError(f"item {n} is a {type(r).__name__}, not a TagResult; pass what Tagger.tag/tag_batch return.")
    return items


def _with_evidence(result: TagResult) -> TagResult:
    """The one result the evidence and mentions tables show, checked to carry evidence."""
    (result,) = _results(result)
    if result.evidence is None:
        raise InputError("this result has no evidence: it was tagged with evidence=False; tag it again with evidence=True.")
    return result


def tags_table(results: TagResult | Iterable[TagResult], names: Sequence[str] | None = None, *,
               layout: str = "long"):
    """The labels of tagged articles as a tidy table (numbers as numbers, one value per cell).

    Parameters
    ----------
    results : what :meth:`Tagger.tag` or :meth:`Tagger.tag_batch` returned
    names : how to name each article in the ``article`` column (default: the result's id, else its position)
    layout : ``long`` (default) or ``wide``, as ``newstag tag --layout`` writes them

    Returns
    -------
    DataFrame
        ``long``: one row per article, facet and label given, best first: columns ``article``, ``facet``,
        ``label``, ``score`` (float) and ``source`` (``model`` or ``alias-rule``); an article without any
        label has no row. ``wide``: one row per article: ``article``, then per facet its label and score
        (single-label: ``region``, ``region_score``; None when no label) or its lists of labels and scores
        (multi-label: ``themes``, ``themes_scores``).

    Raises
    ------
    InputError
        When ``names`` does not give one name per result, or ``layout`` is neither long nor wide.
    """
    items = _results(results)
    if names is not None and len(names) != len(items):
        raise InputError(f"tags_table: {len(items)} results but {len(names)} names; give one name per result.")
    if layout not in LAYOUTS:
        raise InputError(f"tags_table: layout={layout!r}; expected long or wide.")
    ids = [names[n] if names is not None else (r.id or str(n)) for n, r in enumerate(items)]
    if layout == "long":  # (_frame keeps the columns named, so the ids long_rows adds are left out)
        rows = [{**row, "article": name} for r, name in zip(items, ids) for row in long_rows(r)]
        return _frame(rows, TAGS_COLUMNS)
    facets = list(dict.fromkeys(f for r in items for f in r.tags))
    kinds = [(f, any(isinstance(r.tags.get(f), tuple) and not isinstance(r.tags.get(f), LabelScore) for r in items))
             for f in facets]  # (a LabelScore is a NamedTuple: a single label)
    rows = [{**wide_row(r, kinds), "article": name} for r, name in zip(items, ids)]
    return _frame(rows, ["article", *wide_columns(kinds)[2:]])


def tag_counts(results: Iterable[TagResult]):
    """How many articles got each label: columns ``facet``, ``label``, ``articles`` (most frequent first
    within each facet, facets in taxonomy order)."""
    items = _results(results)
    counts: dict[tuple[str, str], int] = {}
    order: dict[str, int] = {}
    for r in items:
        for f, v in r.tags.items():
            order.setdefault(f, len(order))
            for s in _scores(v):
                counts[(f, s.label)] = counts.get((f, s.label), 0) + 1
    rows = [{"facet": f, "label": lab, "articles": c}
            for (f, lab), c in sorted(counts.items(), key=lambda kv: (order[kv[0][0]], -kv[1], kv[0][1]))]
    return _frame(rows, COUNT_COLUMNS)


def evidence_table(result: TagResult):
    """The weighted features behind each label of one article: ``facet``, ``label``, its ``score`` and
    ``source``, and one row per top ``term`` with its ``weight`` (tf-idf value x coefficient; for an
    alias-rule label, the alias feature and its value). A label without terms gets one row with no term.

    Raises
    ------
    InputError
        When the result was tagged without evidence (``evidence=False``).
    """
    result = _with_evidence(result)
    rows = []
    for facet, value in result.tags.items():
        terms = result.evidence.terms.get(facet, {})
        for s in _scores(value):
            base = {"facet": facet, "label": s.label, "score": round(s.score, 4), "source": s.source}
            ts = terms.get(s.label, ())
            if not ts:
                rows.append({**base, "term": None, "weight": None})
            rows += [{**base, "term": t.term, "weight": round(t.weight, 4)} for t in ts]
    return _frame(rows, EVIDENCE_COLUMNS)


def mentions_table(result: TagResult):
    """Every alias mention found in one article (chosen as a label or not): ``label``, the ``text``
    matched and its character offsets, in order of position.

    Raises
    ------
    InputError
        When the result was tagged without evidence (``evidence=False``).
    """
    result = _with_evidence(result)
    return _frame([m.to_dict() for m in result.evidence.aliases], MENTION_COLUMNS)


def report_table(report):
    """The headline numbers of an evaluation :class:`Report`: one row per facet and system (model,
    majority baseline, alias rules only; a system that does not apply to a facet is left out)."""
    rows = []
    for facet, fr in report.facets.items():
        for system, m in fr.systems.items():
            if m is not None:
                rows.append({"facet": facet, "system": system, **m.summary()})
    return _frame(rows, REPORT_COLUMNS)


def _split_rows(corpus: Corpus, split: str, splits) -> list[int]:
    if splits is None:
        if corpus.path is None:
            raise InputError("misses_table: the corpus was not loaded from a folder; pass splits= (a SplitManifest).")
        from corpus import load_splits

        splits = load_splits(corpus.path)
    return split_rows(corpus.ids, splits, split, who="misses_table")


def _as_list(value) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def misses_table(tagger, corpus: Corpus, split: str = "eval", splits=None, *, top_terms: int = 3):
    """Which articles of a split the tagger got wrong, facet by facet, and why.

    Parameters
    ----------
    tagger : a fitted Tagger
    corpus : the labeled corpus
    split : the split to look at (the one :func:`evaluate` scored)
    splits : SplitManifest or ``{split: [ids]}``; default: the manifest saved beside the corpus
    top_terms : terms shown per predicted label

    Returns
    -------
    DataFrame
        One row per article and facet where the prediction differs from the annotation, in corpus
        order: ``id``, ``title``, ``facet``, ``truth``, ``predicted``, ``missed`` (annotated, not
        predicted), ``extra`` (predicted, not annotated), ``evidence`` (the top terms behind each
        predicted label, ``label: term weight, ...; ...``) and ``mentions`` (the alias mentions found,
        ``label 'text'``). Unlabeled articles and empty single-label annotations are not compared.

    Raises
    ------
    InputError
        When the split is unknown or names articles that are not in the corpus.
    """
    rows_of = _split_rows(corpus, split, splits)
    titles, texts = corpus.column("title"), corpus.texts()
    labeled = corpus.column("labeled")
    rows_of = [i for i in rows_of if labeled[i]]
    facets = [f for f in corpus.taxonomy.facets if f.name in tagger.fitted_taxonomy.facet_names]
    truth = {f.name: corpus.labels(f.name) for f in facets}
    results = tagger.tag_batch([texts[i] for i in rows_of], evidence=True, top_terms=top_terms)
    out = []
    for i, result in zip(rows_of, results):
        mentions = None
        for f in facets:
            want = _as_list(truth[f.name][i])
            if not f.multi and not want:
                continue
            got = _as_list(result.labels(f.name))
            if set(want) == set(got):
                continue
            if mentions is None:
                seen = dict.fromkeys(f"{m.label} {m.text!r}" for m in result.evidence.aliases)
                mentions = ", ".join(seen)
            terms = result.evidence.terms.get(f.name, {})
            evidence = "; ".join(f"{lab}: " + (", ".join(f"{t.term} {t.weight:.2f}" for t in terms.get(lab, ())) or "-")
                                 for lab in got)
            out.append({"id": corpus.ids[i], "title": titles[i], "facet": f.name, "truth": ", ".join(want),
                        "predicted": ", ".join(got), "missed": ", ".join(x for x in want if x not in got),
                        "extra": ", ".join(x for x in got if x not in want), "evidence": evidence,
                        "mentions": mentions})
    return _frame(out, MISSES_COLUMNS)
