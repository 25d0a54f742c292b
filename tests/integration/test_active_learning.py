"""`newstag annotate next` against a real Label Studio server.

A pool of unannotated articles and a model trained for the test -> a batch pushed into a new project
(predictions stored with the model's version and every label's score, hidden from annotators, the
WHY record in each task's data) -> a second batch into the same project leaves the first one's
articles out -> an existing project's own setting for showing predictions is left alone.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpus import Article, from_articles
from corpus._cli import main

pytestmark = [pytest.mark.integration, pytest.mark.slow]
TRAIN_ARTICLES = Path(__file__).resolve().parents[1] / "classifier" / "data" / "train_articles.jsonl"

PLACES = ("Seoul", "Tokyo", "Manila", "Berlin", "Nairobi", "Tehran")
EVENTS = ("holds joint military drills with allied navies near the coast",
          "summons the ambassador after a missile launch over its waters",
          "signs a defence cooperation pact with Washington",
          "announces sanctions on companies that supply drones to Russia")


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    """A 24-article pool over three months (unannotated) and a model trained on other articles."""
    from classifier import Tagger
    from corpus import build

    tmp = tmp_path_factory.mktemp("active")
    arts = [Article(title=f"{place} {event}", body=f"{place} {event}. " + " ".join(f"note{k}w{j}" for j in range(12)),
                    year=2025, month=1 + k % 3, day=1 + k, source="Portal", meta={"outlets": [f"Outlet {k % 4}"]})
            for k, (place, event) in enumerate((p, e) for p in PLACES for e in EVENTS)]
    pool = from_articles(arts, build([TRAIN_ARTICLES])[0].taxonomy)
    assert len(set(pool.dataset["group_id"])) == len(arts)  # no near-duplicates: every article can be chosen
    pool.save(tmp / "pool")
    train, _ = build([TRAIN_ARTICLES])
    Tagger(random_state=0).fit(train).save(tmp / "model")
    return tmp


def _client(label_studio):
    from label_studio_sdk import LabelStudio

    return LabelStudio(base_url=label_studio.url, api_key=label_studio.token)


def _next(setup, label_studio, *args) -> int:
    return main(["annotate", "next", "--corpus", str(setup / "pool"), "--model", str(setup / "model"),
                 "--url", label_studio.url, "--token", label_studio.token, *args])


@pytest.fixture(scope="module")
def first_batch(setup, label_studio):
    code = _next(setup, label_studio, "-n", "6", "--random", "0.5", "--project-title", "active round 1",
                 "-o", str(setup / "batch1.json"))
    assert code == 0
    batch = json.loads((setup / "batch1.json").read_text())
    ls = _client(label_studio)
    project = next(p for p in ls.projects.list() if p.title == "active round 1")
    return batch, project.id


def _tasks(label_studio, project: int) -> list:
    return list(_client(label_studio).tasks.list(project=project, fields="all"))


def test_next_pushes_the_batch_with_predictions_carrying_the_model_version(first_batch, setup, label_studio):
    from annotation import load_predictor

    batch, project = first_batch
    version = load_predictor(setup / "model").model_version
    assert batch["model_version"] == version
    tasks = _tasks(label_studio, project)
    assert sorted(t.data["article_id"] for t in tasks) == sorted(batch["ids"])
    ls = _client(label_studio)
    for t in tasks:
        preds = ls.predictions.list(task=t.id)
        assert [p.model_version for p in preds] == [version]
        region = next(r for r in preds[0].result if r["from_name"] == "region")
        assert set(region["scores"]) == {"africa", "americas", "asia", "europe", "middle_east", "oceania", "global"}
        assert region["value"]["choices"][0] in region["scores"]


def test_each_task_carries_why_it_was_chosen(first_batch, label_studio):
    batch, project = first_batch
    for t in _tasks(label_studio, project):
        assert t.data["newstag_selection"] == batch["why"][t.data["article_id"]]
    assert {w["strategy"] for w in batch["why"].values()} >= {"random"}


def test_a_project_made_by_next_hides_predictions_from_annotators(first_batch, label_studio):
    _, project = first_batch
    assert _client(label_studio).projects.get(id=project).show_collab_predictions is False


def test_a_second_call_never_sends_a_task_the_project_already_has(first_batch, setup, label_studio):
    batch, project = first_batch
    assert _next(setup, label_studio, "-n", "6", "--project", str(project), "-o", str(setup / "batch2.json")) == 0
    second = json.loads((setup / "batch2.json").read_text())
    assert len(second["ids"]) == 6 and not set(second["ids"]) & set(batch["ids"])
    assert second["counts"]["excluded"] == 6
    ids = [t.data["article_id"] for t in _tasks(label_studio, project)]
    assert len(ids) == 12 and len(set(ids)) == 12


def test_the_tasks_already_in_a_project_are_read_page_by_page(first_batch, label_studio):
    from annotation import project_article_ids

    batch, project = first_batch
    for page_size in (4, 6, 500):  # pages that divide the tasks, and one that holds them all
        ids = project_article_ids(url=label_studio.url, token=label_studio.token, project=project,
                                  page_size=page_size)
        assert set(batch["ids"]) <= ids


def test_an_existing_projects_prediction_setting_is_left_as_it_was(setup, label_studio):
    from annotation import labeling_config
    from corpus import load

    ls = _client(label_studio)
    config = labeling_config(load(setup / "pool").taxonomy)
    project = ls.projects.create(title="shows predictions", label_config=config, show_collab_predictions=True).id
    assert _next(setup, label_studio, "-n", "2", "--project", str(project)) == 0
    assert ls.projects.get(id=project).show_collab_predictions is True
    assert len(_tasks(label_studio, project)) == 2


def test_the_json_export_keeps_every_tasks_prediction_whole_and_every_annotation(first_batch, setup, label_studio,
                                                                                 tmp_path):
    # Label Studio's quick export gives a task's predictions as ids only: the committed export must carry what the
    # model predicted (version, choices, every label's score), the ground truth and skipped annotations too.
    from annotation import download_export, import_annotations, load_predictor

    batch, project = first_batch
    ls = _client(label_studio)
    tasks = {t.data["article_id"]: t.id for t in _tasks(label_studio, project)}
    first, second, third = sorted(batch["ids"])[:3]
    me = ls.users.whoami().id
    result = [{"from_name": "region", "to_name": "text", "type": "choices", "value": {"choices": ["asia"]}}]
    ls.annotations.create(id=tasks[first], result=result, completed_by=me)
    ls.annotations.create(id=tasks[second], result=result, completed_by=me, ground_truth=True)
    ls.annotations.create(id=tasks[third], result=[], completed_by=me, was_cancelled=True)
    path = download_export(url=label_studio.url, token=label_studio.token, project=project, fmt="JSON",
                           path=tmp_path / "export.json")
    exported = {t["data"]["article_id"]: t for t in json.loads(path.read_text())}
    assert set(batch["ids"]) <= set(exported)  # untouched tasks too
    version = load_predictor(setup / "model").model_version
    for aid in batch["ids"]:
        preds = exported[aid]["predictions"]
        assert [p["model_version"] for p in preds] == [version], preds
        region = next(r for r in preds[0]["result"] if r["from_name"] == "region")
        assert set(region["scores"]) == {"africa", "americas", "asia", "europe", "middle_east", "oceania", "global"}
    kept = {aid: [(a["completed_by"], a["ground_truth"], a["was_cancelled"]) for a in exported[aid]["annotations"]]
            for aid in (first, second, third)}
    assert kept == {first: [(me, False, False)], second: [(me, True, False)], third: [(me, False, True)]}
    corpus, report = import_annotations(path, tmp_path / "corpus")  # the importer reads it as before
    assert report.articles_built == len(exported)
