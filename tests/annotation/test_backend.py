"""The ML backend over real HTTP (uvicorn in a thread): the protocol Label Studio 1.23 speaks, bad input,
tokens, concurrent requests, and learning from annotation webhooks."""

from __future__ import annotations

import base64
import io
import json
import re
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from annotation import labeling_config, load_predictor
from annotation._http import BackendServer, is_loopback
from annotation.backend import Backend
from annotation.errors import BackendError

from .test_mapping import HAND_MADE

TEXTS = [
    {"title": "Seoul and Washington hold joint drills", "text": "South Korean and US forces began air drills."},
    {"title": "EU adopts new sanctions on Russia", "text": "The European Union adopted sanctions against Moscow."},
    {"title": "China sends coast guard ships", "text": "Chinese ships entered waters near the disputed islands."},
]


def tasks(items=TEXTS, start=1) -> list[dict]:
    return [{"id": start + n, "data": dict(d)} for n, d in enumerate(items)]


@pytest.fixture
def served(small_model, tmp_path):
    """A backend on a free loopback port, with its state in tmp_path; yields (server, client)."""
    model_dir, _ = small_model
    backend = Backend(load_predictor(model_dir), state_dir=tmp_path / "state")
    with BackendServer(backend) as server, httpx.Client(base_url=server.url, timeout=60) as client:
        yield server, client


def chosen(prediction: dict) -> dict[str, list[str]]:
    return {item["from_name"]: item["value"]["choices"] for item in prediction["result"]}


def test_health_and_setup_answer_with_the_model_version(served, small_model):
    server, client = served
    version = load_predictor(small_model[0]).model_version
    health = client.get("/health").json()
    assert health["status"] == "UP" and health["model_version"] == version
    config = labeling_config(server.backend.predictor.taxonomy)
    setup = client.post("/setup", json={"project": "1.1700000000", "schema": config})
    assert setup.json() == {"model_version": version}


def test_predict_answers_one_result_per_task_in_order_with_the_labels_newstag_tag_gives(served, small_model,
                                                                                         monkeypatch, capsys):
    from corpus._cli import main

    server, client = served
    config = labeling_config(server.backend.predictor.taxonomy)
    body = client.post("/predict", json={"tasks": tasks(), "label_config": config, "project": "1.1700000000"})
    assert body.status_code == 200
    results = body.json()["results"]
    assert len(results) == len(TEXTS)
    assert all(r["model_version"] == server.backend.model_version for r in results)

    monkeypatch.setattr(sys, "stdin", io.StringIO("".join(json.dumps(t) + "\n" for t in TEXTS)))
    assert main(["tag", "--model", str(small_model[0]), "-", "--no-evidence"]) == 0
    tagged = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    for got, want in zip(results, tagged):
        labels = chosen(got)
        assert labels.get("region") == [want["region"]["label"]]
        for facet in ("themes", "actors"):
            assert sorted(labels.get(facet, [])) == sorted(s["label"] for s in want[facet])


def test_predict_maps_a_hand_made_config_onto_its_own_controls(served):
    _, client = served
    story = [{"id": t["id"], "data": {"body": t["data"]["text"], "title": t["data"]["title"]}} for t in tasks()]
    results = client.post("/predict", json={"tasks": story, "label_config": HAND_MADE}).json()["results"]
    names = {item["from_name"] for r in results for item in r["result"]}
    assert names <= {"Region", "Themes"} and all(item["to_name"] == "story" for r in results for item in r["result"])


@pytest.mark.parametrize("send, status, detail", [
    (dict(json={"tasks": [{"id": 7, "data": {"title": "no body"}}]}), 400, r"task 0 \(id 7\): no text: data.text"),
    (dict(content=b'{"tasks": [', headers={"content-type": "application/json"}), 400, "not valid JSON"),
    (dict(json=["a", "list"]), 400, "expected a JSON object, got list"),
    (dict(json={"tasks": "x"}), 400, "'tasks' must be a list"),
    (dict(json={"tasks": tasks(), "label_config": "<View><Choices name='mood' toName='t'/></View>"}), 422,
     r"no <Choices> control maps to a facet.*\['mood'\]"),
    (dict(json={"tasks": tasks(), "label_config": "<View"}), 422, "not valid XML"),
])
def test_bad_predict_requests_get_a_json_4xx_and_the_service_keeps_serving(served, send, status, detail):
    _, client = served
    answer = client.post("/predict", **send)
    assert answer.status_code == status
    body = answer.json()
    assert set(body) == {"error", "detail"}
    assert re.search(detail, body["detail"])
    assert client.post("/predict", json={"tasks": tasks()}).status_code == 200


def test_an_oversize_body_is_refused_before_it_is_read(small_model, tmp_path):
    backend = Backend(load_predictor(small_model[0]), state_dir=tmp_path)
    with BackendServer(backend, max_body=2000) as server, httpx.Client(base_url=server.url) as client:
        big = {"tasks": [{"id": 1, "data": {"text": "word " * 1000}}]}
        answer = client.post("/predict", json=big)
        assert answer.status_code == 413 and "more than the limit of 2000" in answer.json()["detail"]
        chunks = (b"x" * 1000 for _ in range(5))  # no content-length: counted while streaming
        answer = client.post("/predict", content=chunks)
        assert answer.status_code == 413 and "exceeds the limit" in answer.json()["detail"]
        assert client.get("/health").json()["status"] == "UP"


def test_unknown_routes_and_methods_answer_json(served):
    _, client = served
    assert client.get("/nope").status_code == 404 and "error" in client.get("/nope").json()
    assert client.get("/predict").status_code == 405


def test_with_a_token_every_request_needs_it_as_token_bearer_or_basic_auth_password(small_model, tmp_path):
    backend = Backend(load_predictor(small_model[0]), state_dir=tmp_path)
    with BackendServer(backend, token="s3cret-token") as server, httpx.Client(base_url=server.url) as client:
        refused = client.get("/health")
        assert refused.status_code == 401 and "needs its token" in refused.json()["detail"]
        assert client.get("/health", headers={"Authorization": "Token wrong-token"}).status_code == 401
        assert client.get("/health", headers={"Authorization": "Token s3cret-token"}).status_code == 200
        assert client.get("/health", headers={"Authorization": "Bearer s3cret-token"}).status_code == 200
        basic = base64.b64encode(b"label-studio:s3cret-token").decode()
        assert client.post("/predict", json={"tasks": tasks()},
                           headers={"Authorization": f"Basic {basic}"}).status_code == 200


def test_binding_beyond_loopback_without_a_token_is_refused(small_model, tmp_path):
    backend = Backend(load_predictor(small_model[0]), state_dir=tmp_path)
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0")
    with pytest.raises(BackendError, match="not a loopback address.*--token"):
        BackendServer(backend, host="0.0.0.0")


def test_concurrent_predict_requests_all_get_the_same_right_answer(served):
    _, client = served
    expected = client.post("/predict", json={"tasks": tasks()}).json()["results"]

    def ask(_):
        return client.post("/predict", json={"tasks": tasks()}).json()["results"]

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(ask, range(24)))
    assert all(a == expected for a in answers)


def annotation_event(task_id: int, data: dict, region: str, themes: list[str], *, ann_id=None,
                     action="ANNOTATION_CREATED", cancelled=False, config=None) -> dict:
    result = [{"from_name": "region", "to_name": "text", "type": "choices", "value": {"choices": [region]}},
              {"from_name": "themes", "to_name": "text", "type": "choices", "value": {"choices": themes}}]
    return {"action": action, "project": {"id": 1, "label_config": config},
            "task": {"id": task_id, "data": data},
            "annotation": {"id": ann_id or 100 + task_id, "task": task_id, "result": [] if cancelled else result,
                           "was_cancelled": cancelled}}


def test_annotations_from_webhooks_are_stored_and_n_of_them_start_a_retrain_with_a_new_version(small_model, tmp_path):
    model_dir, corpus_dir = small_model
    backend = Backend(load_predictor(model_dir), state_dir=tmp_path / "state", corpus=corpus_dir, retrain_after=2)
    old = backend.model_version
    with BackendServer(backend) as server, httpx.Client(base_url=server.url, timeout=60) as client:
        config = labeling_config(backend.predictor.taxonomy)
        skipped = client.post("/webhook", json=annotation_event(9, TEXTS[0], "asia", [], cancelled=True, config=config))
        assert skipped.json()["skipped"] == 1
        first = client.post("/webhook", json=annotation_event(1, TEXTS[1], "europe", ["sanctions"], config=config))
        assert first.json() == {"status": "ok", "learnt": 1, "skipped": 0, "training": False}
        event = annotation_event(2, TEXTS[2], "asia", ["territorial_maritime"], config=config)
        second = client.post("/webhook", json=event)
        assert second.json()["training"] is True
        assert backend.wait_idle(120)
        health = client.get("/health").json()
        assert health["last_training"]["error"] is None, health["last_training"]
        assert health["model_version"] != old and health["annotations"] == 2
        assert health["skipped"] == {"cancelled": 1}
        assert (tmp_path / "state" / "models" / health["model_version"] / "model.skops").is_file()
        after = client.post("/predict", json={"tasks": tasks()}).json()["results"]
        assert all(r["model_version"] == health["model_version"] for r in after)
        assert client.get("/versions").json()["versions"] == [health["model_version"], old]
        assert client.post("/webhook", json={"action": "PROJECT_UPDATED"}).json()["status"] == "ignored"


def test_start_training_retrains_and_the_store_survives_a_restart(small_model, tmp_path):
    model_dir, corpus_dir = small_model
    state = tmp_path / "state"
    backend = Backend(load_predictor(model_dir), state_dir=state, corpus=corpus_dir)
    backend.webhook(annotation_event(1, TEXTS[1], "europe", ["sanctions"]))
    assert not backend.training
    assert backend.webhook({"action": "START_TRAINING", "project": {"id": 1}})["status"] == "training"
    assert backend.wait_idle(120) and backend.last_training["error"] is None
    with open(state / "annotations.jsonl", "a", encoding="utf-8") as fh:
        fh.write('{"key": "1/5", "cut by a cra')  # a write cut short
    again = Backend(load_predictor(model_dir), state_dir=state)
    assert len(again.store) == 1 and again.store.latest()[0]["labels"]["region"] == "europe"
    assert "line 2: unreadable" in again.store.errors[0] and again.health()["store_errors"] == 1


def test_a_retrain_never_blocks_predict_and_the_new_model_swaps_in_when_done(small_model, tmp_path):
    from classifier._predictor import TaggerProvider, tagger_provider

    gate = threading.Event()

    class GatedProvider(TaggerProvider):
        def retrain(self, *args, **kwargs):
            gate.wait(60)
            return super().retrain(*args, **kwargs)

    model_dir, corpus_dir = small_model
    base = tagger_provider(model_dir)
    from annotation import Predictor

    predictor = Predictor(GatedProvider(base.tagger, model_version=base.model_version, source=base.source))
    backend = Backend(predictor, state_dir=tmp_path, corpus=corpus_dir, retrain_after=1)
    with BackendServer(backend) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        client.post("/webhook", json=annotation_event(1, TEXTS[1], "europe", ["sanctions"]))
        assert client.get("/health").json()["training"] is True
        during = client.post("/predict", json={"tasks": tasks()}, timeout=10)
        assert during.status_code == 200 and during.json()["model_version"] == base.model_version
        gate.set()
        assert backend.wait_idle(120)
        assert client.post("/predict", json={"tasks": tasks()}).json()["model_version"] != base.model_version


def test_a_failed_retrain_keeps_the_old_model_and_says_why(small_model, tmp_path):
    model_dir, _ = small_model
    backend = Backend(load_predictor(model_dir), state_dir=tmp_path, corpus=tmp_path / "no-such-corpus")
    old = backend.model_version
    backend.webhook(annotation_event(1, TEXTS[1], "europe", ["sanctions"]))
    backend.start_training()
    assert backend.wait_idle(60)
    assert backend.model_version == old
    assert "no-such-corpus" in backend.last_training["error"]


def test_an_annotation_whose_choice_is_not_a_label_is_reported_not_learnt(small_model, tmp_path):
    backend = Backend(load_predictor(small_model[0]), state_dir=tmp_path)
    event = annotation_event(1, TEXTS[1], "Atlantis", ["sanctions"])
    assert backend.webhook(event) == {"status": "ok", "learnt": 0, "skipped": 1, "training": False}
    assert backend.health()["skipped"] == {"unusable": 1}
    assert "choice 'Atlantis' of control 'region' stands for no label" in backend.recent_skips[-1]


def test_deleted_annotations_are_forgotten(small_model, tmp_path):
    backend = Backend(load_predictor(small_model[0]), state_dir=tmp_path)
    backend.webhook(annotation_event(1, TEXTS[1], "europe", ["sanctions"], ann_id=55))
    assert backend.webhook({"action": "ANNOTATIONS_DELETED", "annotations": [{"id": 55}]})["forgotten"] == 1
    assert len(backend.store) == 0 and len(Backend(load_predictor(small_model[0]), state_dir=tmp_path).store) == 0


def test_the_older_train_call_learns_every_annotated_task_in_its_payload(small_model, tmp_path):
    model_dir, corpus_dir = small_model
    backend = Backend(load_predictor(model_dir), state_dir=tmp_path, corpus=corpus_dir)
    ev = annotation_event(3, TEXTS[0], "asia", ["military_training"])
    payload = {"project": "4.1700000000", "label_config": None,
               "annotations": [{**ev["task"], "annotations": [ev["annotation"]]}]}
    assert backend.train(payload) == {"status": "training", "learnt": 1}
    assert backend.wait_idle(120) and backend.store.latest()[0]["key"] == "4/3"


def test_the_backend_command_refuses_a_public_address_without_a_token(small_model, tmp_path, capsys, monkeypatch):
    from corpus._cli import main

    monkeypatch.delenv("NEWSTAG_BACKEND_TOKEN", raising=False)
    assert main(["annotate", "backend", "--model", str(small_model[0]), "--host", "0.0.0.0",
                 "--state-dir", str(tmp_path)]) == 2
    assert "is not a loopback address" in capsys.readouterr().err


def test_the_backend_command_serves_until_stopped(small_model, tmp_path):
    import os
    import signal
    import subprocess
    import time

    from annotation.server import free_port

    port = free_port()
    cmd = [sys.executable, "-c", "from corpus._cli import main; raise SystemExit(main())", "annotate", "backend",
           "--model", str(small_model[0]), "--port", str(port), "--state-dir", str(tmp_path / "state"),
           "--token", "token-for-tests"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env={**os.environ, "NEWSTAG_BACKEND_TOKEN": ""})
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/health", headers={"Authorization": "Token token-for-tests"})
                break
            except httpx.TransportError:
                assert proc.poll() is None and time.monotonic() < deadline, proc.stdout.read().decode()
                time.sleep(0.3)
        assert answer.json()["status"] == "UP"
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(30)


def test_a_short_token_or_no_body_limit_is_refused(small_model, tmp_path):
    backend = Backend(load_predictor(small_model[0]), state_dir=tmp_path)
    with pytest.raises(BackendError, match="token has 3 characters; use at least 8"):
        BackendServer(backend, token="abc")
    with pytest.raises(BackendError, match="body limit must be a positive number"):
        BackendServer(backend, max_body=0)
