"""The ML backend with a real Label Studio 1.23 server.

A project from the taxonomy's config, with tasks from the small corpus -> the backend on a free loopback
port, connected through ``POST /api/ml`` (Label Studio calls /health and /setup) -> Label Studio's own
"Retrieve predictions" action calls /predict and stores one prediction per task with the backend's
model_version -> two annotations made in Label Studio reach /webhook through the webhook Label Studio
creates for the backend -> the retrain gives a new model_version, which Label Studio picks up ->
``newstag annotate predict`` swaps the old version's predictions for the new model's.
"""

from __future__ import annotations

import time

import httpx
import pytest

from annotation import labeling_config, load_predictor, make_tasks
from annotation._http import BackendServer
from annotation.backend import Backend
from corpus import load

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _choices(facet: str, labels: list[str]) -> dict:
    return {"from_name": facet, "to_name": "text", "type": "choices", "value": {"choices": labels}}


def _predictions_by_task(ls, project: int) -> dict[int, list]:
    out: dict[int, list] = {}
    for p in ls.predictions.list(project=project):
        out.setdefault(p.task, []).append(p)
    return out


def _wait(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.5)


@pytest.fixture(scope="module")
def connected(label_studio, small_model, tmp_path_factory):
    """A project with 6 tasks and the backend connected to it; yields (ls, project id, ml id, server)."""
    from label_studio_sdk import LabelStudio

    model_dir, corpus_dir = small_model
    corpus = load(corpus_dir)
    ls = LabelStudio(base_url=label_studio.url, api_key=label_studio.token)
    project = ls.projects.create(title="ml backend", label_config=labeling_config(corpus.taxonomy)).id
    ls.projects.import_tasks(id=project, request=make_tasks(corpus)[:6])
    backend = Backend(load_predictor(model_dir), state_dir=tmp_path_factory.mktemp("backend"), corpus=corpus_dir,
                      retrain_after=2)
    with BackendServer(backend) as server:
        ml = ls.ml.create(project=project, url=server.url, title="newstag", is_interactive=False)
        yield ls, project, ml.id, server


def test_connecting_the_backend_gives_label_studio_its_model_version(connected, label_studio):
    ls, project, ml_id, server = connected
    ml = ls.ml.get(id=ml_id)
    assert ml.state == "CO", ml.error_message
    assert ml.model_version == server.backend.model_version
    hooks = httpx.get(f"{label_studio.url}/api/webhooks", params={"project": project},
                      headers={"Authorization": f"Token {label_studio.token}"}).json()
    assert any(h["url"] == f"{server.url}/webhook" for h in hooks)


def test_label_studio_retrieves_one_prediction_per_task_with_the_models_version(connected):
    ls, project, _, server = connected
    ls.actions.create(id="retrieve_tasks_predictions", project=project, selected_items={"all": True, "excluded": []})
    by_task = _predictions_by_task(ls, project)
    tasks = list(ls.tasks.list(project=project))
    assert set(by_task) == {t.id for t in tasks}
    version = server.backend.model_version
    assert all(len(ps) == 1 and ps[0].model_version == version for ps in by_task.values())
    names = {r["from_name"] for ps in by_task.values() for r in ps[0].result}
    assert "region" in names


def test_annotations_made_in_label_studio_retrain_the_model_and_label_studio_sees_the_new_version(connected):
    ls, project, ml_id, server = connected
    backend = server.backend
    old = backend.model_version
    tasks = list(ls.tasks.list(project=project))
    ls.annotations.create(id=tasks[0].id, result=[_choices("region", ["oceania"]), _choices("themes", ["sanctions"])])
    ls.annotations.create(id=tasks[1].id, result=[_choices("region", ["africa"]), _choices("themes", ["diplomacy"])])
    _wait(lambda: len(backend.store) == 2, 60, "the two ANNOTATION_CREATED webhooks")
    new = _wait(lambda: not backend.training and backend.model_version != old and backend.model_version, 180,
                "the retrain")
    assert backend.last_training["error"] is None and backend.last_training["annotations"] == 2
    assert ls.ml.get(id=ml_id).model_version == new  # Label Studio asks /setup again and takes the version

    ls.actions.create(id="retrieve_tasks_predictions", project=project, selected_items={"all": True, "excluded": []})
    versions = {p.model_version for ps in _predictions_by_task(ls, project).values() for p in ps}
    assert new in versions


def test_start_training_in_label_studio_reaches_the_backend(connected):
    ls, _, ml_id, server = connected
    backend = server.backend
    before = backend.last_training
    ls.ml.train(id=ml_id)  # Label Studio 1.23 sends START_TRAINING to /webhook
    _wait(lambda: backend.last_training is not before and not backend.training, 180, "the START_TRAINING retrain")
    assert backend.last_training["error"] is None and backend.last_training["annotations"] == 2


def test_annotate_predict_replaces_other_versions_predictions_with_the_current_models(connected, label_studio, capsys):
    from corpus._cli import main

    ls, project, _, server = connected
    backend = server.backend
    first = list(ls.tasks.list(project=project))[0].id
    ls.projects.import_predictions(id=project, request=[{"task": first, "model_version": "aliases",
                                                         "result": [_choices("region", ["asia"])]}])
    before = {p.model_version for ps in _predictions_by_task(ls, project).values() for p in ps}
    assert len(before - {"aliases"}) >= 2  # the first model's and the retrained one's
    assert main(["annotate", "predict", "--project", str(project), "--model", backend.predictor.source,
                 "--url", label_studio.url, "--token", label_studio.token]) == 0
    assert f"of model_version {backend.model_version} created" in capsys.readouterr().err
    by_task = _predictions_by_task(ls, project)
    assert len(by_task) == len(list(ls.tasks.list(project=project)))
    for task, ps in by_task.items():
        want = [backend.model_version] + (["aliases"] if task == first else [])
        assert sorted(p.model_version for p in ps) == sorted(want)


def test_a_backend_with_a_token_connects_by_basic_auth_and_learns_once_its_webhook_carries_the_token(
        label_studio, small_model, tmp_path):
    from label_studio_sdk import LabelStudio

    model_dir, corpus_dir = small_model
    corpus = load(corpus_dir)
    ls = LabelStudio(base_url=label_studio.url, api_key=label_studio.token)
    project = ls.projects.create(title="ml backend with token", label_config=labeling_config(corpus.taxonomy)).id
    ls.projects.import_tasks(id=project, request=make_tasks(corpus)[:2])
    first, second = (t.id for t in ls.tasks.list(project=project))
    token = "backend-token-for-tests"
    backend = Backend(load_predictor(model_dir), state_dir=tmp_path)
    with BackendServer(backend, token=token) as server:
        ml = ls.ml.create(project=project, url=server.url, title="newstag", auth_method="BASIC_AUTH",
                          basic_auth_user="label-studio", basic_auth_pass=token)
        assert ls.ml.get(id=ml.id).state == "CO"
        ls.actions.create(id="retrieve_tasks_predictions", project=project, selected_items={"all": True, "excluded": []})
        assert {p.model_version for p in ls.predictions.list(project=project)} == {backend.model_version}

        # Label Studio's webhook for the backend carries no credentials: refused until it has the header
        ls.annotations.create(id=first, result=[_choices("region", ["asia"])])
        time.sleep(2)
        assert len(backend.store) == 0
        hook = next(h for h in ls.webhooks.list(project=str(project)) if h.url == f"{server.url}/webhook")
        ls.webhooks.update(id=hook.id, headers={"Authorization": f"Token {token}"})
        ls.annotations.create(id=second, result=[_choices("region", ["europe"])])
        _wait(lambda: len(backend.store) == 1, 60, "the webhook with the token")
        assert backend.store.latest()[0]["labels"]["region"] == "europe"
