"""Corpus articles as Label Studio tasks, with predictions as pre-annotations."""

from __future__ import annotations

import json

import pytest

from annotation import (ExportError, FacetPrediction, Predictions, load_predictions, make_tasks, parse_predictions,
                        write_tasks)
from corpus import TaxonomyError

PRED_FILE = {"model_version": "tfidf-1", "predictions": {
    "a1": {"region": {"labels": ["asia"], "score": 0.9}, "themes": {"labels": ["military_training", "alliance"],
                                                                    "score": 0.5}, "actors": {"labels": ["JPN"]}},
    "a2": {"themes": {"labels": [], "score": 0.2}},
}}


def test_each_article_becomes_a_task_with_its_id_text_and_metadata(small_corpus):
    tasks = make_tasks(small_corpus)
    assert [t["data"]["article_id"] for t in tasks] == ["a1", "a2", "a3", "a4"]
    assert tasks[0]["data"] == {"article_id": "a1", "source_id": "", "title": "Drills near Okinawa",
                                "text": "Japanese and US forces began joint drills.", "section": "Asia",
                                "date": "Aug 2", "source": "EUROPA PRESS", "url": "https://example.com/1",
                                "group_id": "a1"}
    assert all("predictions" not in t for t in tasks)


def test_predictions_become_pre_annotations_with_model_version_and_scores(small_corpus, small_taxonomy):
    tasks = make_tasks(small_corpus, predictions=parse_predictions(PRED_FILE, small_taxonomy))
    (pred,) = tasks[0]["predictions"]
    assert pred["model_version"] == "tfidf-1"
    assert pred["score"] == pytest.approx((0.9 + 0.5) / 2)  # mean of the facet scores given
    assert pred["result"] == [
        {"from_name": "region", "to_name": "text", "type": "choices", "value": {"choices": ["asia"]}, "score": 0.9},
        {"from_name": "themes", "to_name": "text", "type": "choices",
         "value": {"choices": ["military_training", "alliance"]}, "score": 0.5},
        {"from_name": "actors", "to_name": "text", "type": "choices", "value": {"choices": ["JPN"]}},
    ]


def test_an_empty_multi_label_prediction_gives_no_result_but_keeps_its_score(small_corpus, small_taxonomy):
    tasks = make_tasks(small_corpus, predictions=parse_predictions(PRED_FILE, small_taxonomy))
    assert tasks[1]["predictions"] == [{"model_version": "tfidf-1", "result": [], "score": 0.2}]
    assert "predictions" not in tasks[2]


def test_mentions_are_pre_annotated_as_spans_from_the_aliases(small_corpus):
    tasks = make_tasks(small_corpus, mentions=["actors"])
    (pred,) = tasks[0]["predictions"]
    assert pred["model_version"] == "aliases"
    spans = {(r["value"]["text"], r["value"]["labels"][0]) for r in pred["result"]}
    assert ("Japanese", "JPN") in spans and ("US", "USA") in spans
    text = tasks[0]["data"]["text"]
    assert all(text[r["value"]["start"]:r["value"]["end"]] == r["value"]["text"] for r in pred["result"])
    assert all(r["from_name"] == "actors_mentions" and r["type"] == "labels" for r in pred["result"])


def test_only_unlabeled_leaves_labeled_articles_out(small_corpus):
    assert [t["data"]["article_id"] for t in make_tasks(small_corpus, only_unlabeled=True)] == ["a1", "a2", "a3"]


def test_predictions_for_articles_not_in_the_corpus_are_an_error(small_corpus):
    preds = Predictions("m", {"zz": {"region": FacetPrediction(("asia",))}})
    with pytest.raises(ExportError, match=r"predictions \(m\) name 1 article\(s\) not in the corpus, e.g. \['zz'\]"):
        make_tasks(small_corpus, predictions=preds)


def test_write_tasks_is_canonical_json(small_corpus, tmp_path):
    path = write_tasks(make_tasks(small_corpus), tmp_path / "tasks.json")
    text = path.read_text(encoding="utf-8")
    assert json.loads(text)[0]["data"]["article_id"] == "a1" and text.endswith("]\n")
    assert write_tasks(make_tasks(small_corpus), tmp_path / "again.json").read_bytes() == path.read_bytes()


def test_a_predictions_file_is_read_and_validated(tmp_path, small_taxonomy):
    (tmp_path / "p.json").write_text(json.dumps(PRED_FILE), encoding="utf-8")
    preds = load_predictions(tmp_path / "p.json", small_taxonomy)
    assert preds.model_version == "tfidf-1"
    assert preds.articles["a1"]["themes"] == FacetPrediction(("military_training", "alliance"), 0.5)
    assert preds.articles["a1"]["actors"].score is None


@pytest.mark.parametrize("data, error, message", [
    ([], ExportError, r"expected a JSON object with 'model_version' and 'predictions', got list"),
    ({"predictions": {}}, ExportError, r"'model_version' must be a non-empty string, got None"),
    ({"model_version": "m", "predictions": []}, ExportError, r"'predictions' must be an object mapping article id"),
    ({"model_version": "m", "predictions": {"a1": []}}, ExportError, r"article 'a1': expected an object facet"),
    ({"model_version": "m", "predictions": {"a1": {"topic": {"labels": []}}}}, TaxonomyError,
     r"article 'a1': facet 'topic' is not in the taxonomy; its facets are \['region', 'themes', 'actors'\]"),
    ({"model_version": "m", "predictions": {"a1": {"region": ["asia"]}}}, ExportError,
     r"facet 'region': expected \{'labels': \[...\], 'score': float\}"),
    ({"model_version": "m", "predictions": {"a1": {"region": {"labels": ["Asia"]}}}}, TaxonomyError,
     r"article 'a1': region label 'Asia' is not in the taxonomy's region"),
    ({"model_version": "m", "predictions": {"a1": {"region": {"labels": ["asia"], "score": 1.5}}}}, ExportError,
     r"facet 'region': score must be a number in \[0, 1\], got 1.5"),
])
def test_a_bad_predictions_mapping_is_an_error_that_says_where(small_taxonomy, data, error, message):
    with pytest.raises(error, match=message):
        parse_predictions(data, small_taxonomy)


def test_a_predictions_file_that_is_not_json_is_an_error(tmp_path, small_taxonomy):
    (tmp_path / "p.json").write_text("{oops", encoding="utf-8")
    with pytest.raises(ExportError, match=r"predictions file '.*p.json': invalid JSON at line 1 column 2"):
        load_predictions(tmp_path / "p.json", small_taxonomy)
    with pytest.raises(ExportError, match=r"predictions file '.*none.json' does not exist"):
        load_predictions(tmp_path / "none.json", small_taxonomy)


def test_tasks_for_chosen_ids_come_in_the_order_asked(small_corpus):
    assert [t["data"]["article_id"] for t in make_tasks(small_corpus, ids=["a3", "a1"])] == ["a3", "a1"]


def test_tasks_for_an_id_not_in_the_corpus_are_refused(small_corpus):
    with pytest.raises(ExportError, match=r"1 article id\(s\) are not in the corpus, e.g. \['zz'\]"):
        make_tasks(small_corpus, ids=["a1", "zz"])
