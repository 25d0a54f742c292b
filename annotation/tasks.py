"""Corpus articles as Label Studio tasks, optionally with model predictions as pre-annotations.

A task is ``{"data": {...}, "predictions": [...]}`` with the fields of
:data:`annotation.config.TASK_FIELDS` in ``data``: ``article_id`` (how an export finds its article
again), ``source_id`` (the article's own id where it came from), ``title``, ``text`` (the body; span offsets refer to it), ``section``, ``date``, ``source``,
``url`` and ``group_id`` (the near-duplicate group).

Predictions reach this package as plain data (it never imports ``classifier``). The file / mapping
shape is::

    {
      "model_version": "tfidf-logreg-3f2a",           # required, a non-empty string
      "predictions": {                                  # article id -> facet -> prediction
        "3f1c0a9e5b7d2c44": {
          "region": {"labels": ["asia"], "score": 0.93},
          "themes": {"labels": ["alliance", "diplomacy"], "score": 0.71},
          "actors": {"labels": ["USA", "JPN"]}          # score is optional
        }
      }
    }

Each facet becomes one ``choices`` result (with its ``score``); a multi-label facet with no labels
gives no result (Label Studio cannot show an empty choice). The task's ``score`` is the mean of the
facet scores given (absent when none is). Predictions are pre-annotations only: an import never takes
them as labels.
"""

from __future__ import annotations

__all__ = ["Predictions", "FacetPrediction", "make_tasks", "load_predictions", "parse_predictions",
           "write_tasks"]

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

from corpus import Corpus, Taxonomy, TaxonomyError, atomic_write_json

from ._jsonfile import read_json_file
from .config import TEXT_FIELD, check_control_names, mention_control
from .errors import ExportError


@dataclass(frozen=True)
class FacetPrediction:
    labels: tuple[str, ...]
    score: float | None = None


@dataclass(frozen=True)
class Predictions:
    """Model predictions for some articles: ``articles[article_id][facet] -> FacetPrediction``."""

    model_version: str
    articles: Mapping[str, Mapping[str, FacetPrediction]] = field(default_factory=dict)


def parse_predictions(data: Any, taxonomy: Taxonomy, where: str = "<predictions>") -> Predictions:
    """Validate the predictions mapping (shape in the module docstring) against the taxonomy.

    Raises
    ------
    ExportError
        When the shape is wrong (missing model_version, a score that is not a number in [0, 1], …).
    TaxonomyError
        When a facet or label is not in the taxonomy.
    """
    if not isinstance(data, Mapping):
        raise ExportError(f"{where}: expected a JSON object with 'model_version' and 'predictions', "
                          f"got {type(data).__name__}.")
    version = data.get("model_version")
    if not isinstance(version, str) or not version.strip():
        raise ExportError(f"{where}: 'model_version' must be a non-empty string, got {version!r}; "
                          f"name the model that made the predictions.")
    per_article = data.get("predictions")
    if not isinstance(per_article, Mapping):
        raise ExportError(f"{where}: 'predictions' must be an object mapping article id -> facet -> "
                          f"{{'labels': [...], 'score': float}}, got {type(per_article).__name__}.")
    out: dict[str, dict[str, FacetPrediction]] = {}
    for aid, facets in per_article.items():
        at = f"{where}, article {aid!r}"
        if not isinstance(facets, Mapping):
            raise ExportError(f"{at}: expected an object facet -> prediction, got {type(facets).__name__}.")
        preds: dict[str, FacetPrediction] = {}
        for fname, p in facets.items():
            facet = taxonomy.facet(fname) if fname in taxonomy.facet_names else None
            if facet is None:
                raise TaxonomyError(f"{at}: facet {fname!r} is not in the taxonomy; its facets are "
                                    f"{taxonomy.facet_names}.")
            if not isinstance(p, Mapping) or "labels" not in p:
                raise ExportError(f"{at}, facet {fname!r}: expected {{'labels': [...], 'score': float}}, got {p!r}.")
            labels = facet.check(p["labels"], at)
            labels = (labels,) if isinstance(labels, str) else tuple(labels)
            score = p.get("score")
            if score is not None and (isinstance(score, bool) or not isinstance(score, (int, float))
                                      or not math.isfinite(score) or not 0.0 <= score <= 1.0):
                raise ExportError(f"{at}, facet {fname!r}: score must be a number in [0, 1], got {score!r}.")
            preds[fname] = FacetPrediction(labels, None if score is None else float(score))
        out[str(aid)] = preds
    return Predictions(version.strip(), out)


def load_predictions(path: str | Path, taxonomy: Taxonomy) -> Predictions:
    """Read a predictions JSON file (shape in the module docstring)."""
    path = Path(path)
    data = read_json_file(path, "predictions file")
    return parse_predictions(data, taxonomy, f"predictions file {str(path)!r}")


def _prediction(preds: Mapping[str, FacetPrediction], taxonomy: Taxonomy, model_version: str) -> dict[str, Any]:
    result, scores = [], []
    for facet in taxonomy.facets:
        p = preds.get(facet.name)
        if p is None:
            continue
        if p.score is not None:
            scores.append(p.score)
        if not p.labels:
            continue
        item: dict[str, Any] = {"from_name": facet.name, "to_name": TEXT_FIELD, "type": "choices",
                                "value": {"choices": list(p.labels)}}
        if p.score is not None:
            item["score"] = p.score
        result.append(item)
    out: dict[str, Any] = {"model_version": model_version, "result": result}
    if scores:
        out["score"] = sum(scores) / len(scores)
    return out


def _mention_prediction(text: str, matchers, model_version: str) -> dict[str, Any] | None:
    result = []
    for facet_name, matcher in matchers:
        for m in matcher.find(text):
            result.append({"from_name": mention_control(facet_name), "to_name": TEXT_FIELD, "type": "labels",
                           "value": {"start": m.start, "end": m.end, "text": m.text, "labels": [m.label]}})
    return {"model_version": model_version, "result": result} if result else None


def make_tasks(corpus: Corpus, *, predictions: Predictions | None = None, mentions: Sequence[str] = (),
               only_unlabeled: bool = False, ids: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """One Label Studio task per article (in corpus order, or in the order of ``ids``), with predictions where given.

    Parameters
    ----------
    corpus : the articles
    predictions : model predictions (see the module docstring); each article with predictions gets one
        ``predictions`` entry. Predictions for an article that is not in the corpus are an error.
    mentions : facets whose label mentions are pre-annotated as spans from the taxonomy's aliases
        (``corpus.AliasMatcher``), as a second prediction with model_version ``"aliases"``. The labeling
        config must have been made with the same ``mentions``.
    only_unlabeled : leave out articles that are already labeled
    ids : only these articles, in this order

    Raises
    ------
    ExportError
        When ``predictions`` or ``ids`` name articles that are not in the corpus.
    """
    from corpus import AliasMatcher

    taxonomy = corpus.taxonomy
    mentions = check_control_names(taxonomy, mentions)
    matchers = [(m, AliasMatcher(taxonomy.facet(m))) for m in mentions]
    if predictions is not None:
        known = set(corpus.ids)
        missing = sorted(a for a in predictions.articles if a not in known)
        if missing:
            raise ExportError(
                f"predictions ({predictions.model_version}) name {len(missing)} article(s) not in the corpus, "
                f"e.g. {missing[:5]}; make the predictions from this corpus (ids are corpus article ids)."
            )
    cols = corpus.dataset.select_columns(["id", "source_id", "title", "body", "section", "date_text", "source", "url",
                                          "group_id", "labeled"]).to_dict()
    rows: Sequence[int] = range(len(cols["id"]))
    if ids is not None:
        where = {aid: i for i, aid in enumerate(cols["id"])}
        missing = [a for a in ids if a not in where]
        if missing:
            raise ExportError(f"{len(missing)} article id(s) are not in the corpus, e.g. {missing[:5]}; "
                              f"choose articles of this corpus.")
        rows = [where[a] for a in ids]
    tasks = []
    for i in rows:
        aid = cols["id"][i]
        if only_unlabeled and cols["labeled"][i]:
            continue
        data = {"article_id": aid, "source_id": cols["source_id"][i] or "", "title": cols["title"][i] or "",
                TEXT_FIELD: cols["body"][i] or "",
                "section": cols["section"][i] or "", "date": cols["date_text"][i] or "",
                "source": cols["source"][i] or "", "url": cols["url"][i] or "", "group_id": cols["group_id"][i] or ""}
        task: dict[str, Any] = {"data": data}
        preds = []
        if predictions is not None and aid in predictions.articles:
            preds.append(_prediction(predictions.articles[aid], taxonomy, predictions.model_version))
        if matchers:
            spans = _mention_prediction(data[TEXT_FIELD], matchers, "aliases")
            if spans:
                preds.append(spans)
        if preds:
            task["predictions"] = preds
        tasks.append(task)
    return tasks


def write_tasks(tasks: list[dict[str, Any]], path: str | Path) -> Path:
    """Write tasks as a Label Studio import file (canonical JSON, atomic)."""
    atomic_write_json(path, tasks)
    return Path(path)
