"""Tiny fixtures for the annotation tests: a four-article corpus and hand-written export snippets."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from corpus import Article, from_articles, load_taxonomy

IDS = ("a1", "a2", "a3", "a4")


@pytest.fixture(scope="session")
def small_taxonomy():
    return load_taxonomy()


@pytest.fixture
def small_corpus(small_taxonomy):
    """Four articles with fixed ids ``a1``…``a4``; ``a4`` is already labeled (from a labeled source)."""
    arts = [
        Article(id="a1", title="Drills near Okinawa", body="Japanese and US forces began joint drills.",
                section="Asia", date_text="Aug 2", source="EUROPA PRESS", url="https://example.com/1"),
        Article(id="a2", title="Ships near disputed islands", body="Chinese coast guard ships entered the waters."),
        Article(id="a3", title="NATO ministers meet", body="NATO defence ministers met in Brussels."),
        Article(id="a4", title="Sanctions on Russia", body="The EU adopted new sanctions against Russia.",
                labels={"region": "europe", "themes": ["sanctions"], "actors": ["EU", "RUS"]}),
    ]
    return from_articles(arts, small_taxonomy)


def choices(facet: str, *labels: str) -> dict:
    return {"from_name": facet, "to_name": "text", "type": "choices", "value": {"choices": list(labels)}}


def span(label: str, start: int = 0, end: int = 8, text: str = "Japanese") -> dict:
    return {"from_name": "actors_mentions", "to_name": "text", "type": "labels",
            "value": {"start": start, "end": end, "text": text, "labels": [label]}}


def task(task_id: int, article_id: str | None, annotations=(), drafts=(), predictions=(), **data) -> dict:
    d = {"title": f"title {task_id}", "text": f"text {task_id}", **data}
    if article_id is not None:
        d["article_id"] = article_id
    return {"id": task_id, "data": d, "annotations": list(annotations), "drafts": list(drafts),
            "predictions": list(predictions)}


def annotation(ann_id: int, who, *result, cancelled=False, ground_truth=False, updated="2024-01-01T00:00:00Z",
               prediction=None) -> dict:
    a = {"id": ann_id, "completed_by": who, "result": list(result), "was_cancelled": cancelled,
         "ground_truth": ground_truth, "updated_at": updated, "lead_time": 3.2}
    if prediction is not None:
        a["prediction"] = prediction
    return a


def write_json(path: Path, data) -> Path:
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return path


def write_csv(path: Path, rows: list[dict], delimiter: str = ",") -> Path:
    """Rows as Label Studio writes them: dicts/lists JSON-encoded, None as an empty cell."""
    cols = sorted({k for r in rows for k in r})
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=cols, delimiter=delimiter, quoting=csv.QUOTE_ALL, lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: ("" if r.get(k) is None else json.dumps(r[k], separators=(",", ":"))
                        if isinstance(r.get(k), (dict, list)) else str(r[k])) for k in cols})
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


@pytest.fixture
def project_exports(tmp_path):
    """The same small project as JSON, JSON_MIN and CSV, the way Label Studio 1.23 writes them.

    task 1 (a1): annotators 1 and 2 agree (2 marks a mention span); task 2 (a2): they disagree on region;
    task 3 (a3): annotator 1 skipped it; task 4 (a4): untouched, with a draft.
    """
    pred = {"id": 9, "model_version": "m1", "score": 0.5, "result": [choices("region", "africa")]}
    full = [
        task(1, "a1", [annotation(1, 1, choices("region", "asia"), choices("themes", "military_training"),
                                  choices("actors", "JPN", "USA"), prediction=pred),
                       annotation(2, 2, choices("region", "asia"), choices("themes", "military_training"),
                                  choices("actors", "USA", "JPN"), span("JPN"))], predictions=[9]),
        task(2, "a2", [annotation(3, 1, choices("region", "asia"), choices("themes", "territorial_maritime")),
                       annotation(4, 2, choices("region", "oceania"), choices("themes", "territorial_maritime"))]),
        task(3, "a3", [annotation(5, 1, cancelled=True)]),
        task(4, "a4", drafts=[{"id": 1, "user": "one@example.com", "created_username": "one@example.com, 1",
                               "result": [choices("region", "europe")]}], predictions=[10]),
    ]
    rows = [
        {"id": 1, "article_id": "a1", "title": "title 1", "text": "text 1", "region": "asia",
         "themes": "military_training", "actors": {"choices": ["JPN", "USA"]}, "annotator": 1, "annotation_id": 1,
         "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z", "lead_time": 3.2},
        {"id": 1, "article_id": "a1", "title": "title 1", "text": "text 1", "region": "asia",
         "themes": "military_training", "actors": {"choices": ["USA", "JPN"]},
         "actors_mentions": [{"start": 0, "end": 8, "text": "Japanese", "labels": ["JPN"]}],
         "annotator": 2, "annotation_id": 2, "created_at": "2024-01-01T00:00:00Z",
         "updated_at": "2024-01-01T00:00:00Z", "lead_time": 3.2},
        {"id": 2, "article_id": "a2", "title": "title 2", "text": "text 2", "region": "asia",
         "themes": "territorial_maritime", "annotator": 1, "annotation_id": 3, "created_at": "2024-01-01T00:00:00Z",
         "updated_at": "2024-01-01T00:00:00Z", "lead_time": 3.2},
        {"id": 2, "article_id": "a2", "title": "title 2", "text": "text 2", "region": "oceania",
         "themes": "territorial_maritime", "annotator": 2, "annotation_id": 4, "created_at": "2024-01-01T00:00:00Z",
         "updated_at": "2024-01-01T00:00:00Z", "lead_time": 3.2},
        {"id": 4, "article_id": "a4", "title": "title 4", "text": "text 4", "annotator": None, "annotation_id": None,
         "created_at": None, "updated_at": None, "lead_time": None},
    ]
    return {
        "JSON": write_json(tmp_path / "project.json", full),
        "JSON_MIN": write_json(tmp_path / "project.min.json", rows),
        "CSV": write_csv(tmp_path / "project.csv", rows),
    }


# Real exports (Label Studio 1.23.2) of a project made by hand, not by newstag: a labeling config with the
# controls Region (single), topic and country (multiple, display-name choices such as "Middle East",
# "Israel") and a notes TextArea; three tasks imported with their own fields (id "u-1".., headline, text,
# url, n); annotator 1 and 2 on task u-1, annotator 1 (Region only) and a skip by 2 on u-2, u-3 untouched.
HANDMADE = {fmt: Path(__file__).resolve().parent / "data" / f"handmade.{suffix}"
            for fmt, suffix in (("JSON", "json"), ("JSON_MIN", "min.json"), ("CSV", "csv"), ("TSV", "tsv"))}
HANDMADE_MAP = {"topic": "themes", "country": "actors"}
