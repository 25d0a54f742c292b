"""The annotation round trip against a real Label Studio server.

Seed-format articles -> corpus -> project (config from the taxonomy) + tasks with predictions -> two
annotators who disagree on one task, one skipped task, one untouched task with a draft -> JSON,
JSON_MIN and CSV exports -> the same labeled corpus from each; the tie is flagged, the skip reported.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import httpx
import pytest

from annotation import FacetPrediction, Predictions, agreement, labeling_config, pull, push
from annotation.errors import ExportError
from corpus import build, load

pytestmark = [pytest.mark.integration, pytest.mark.slow]
SEED_ARTICLE = Path(__file__).resolve().parents[2] / "seeds" / "000_de4c56d6e12b58d7.txt"

ARTICLES = {
    "101_drills.txt": ("Asia", "Japan and the US hold joint drills near Okinawa", "Aug 2. (EUROPA PRESS) –",
                       "Japanese and American forces began a week of joint military drills near Okinawa on Friday.\n\n"
                       "The exercise involves destroyers and fighter jets, the Japanese Defense Ministry said."),
    "102_strait.txt": ("Asia", "Chinese coast guard ships sail near disputed islands",
                       "Aug 3. (EUROPA PRESS) –",
                       "Four Chinese coast guard vessels entered waters around the disputed islands on Saturday.\n\n"
                       "Tokyo lodged a protest with Beijing through diplomatic channels."),
    "103_talks.txt": ("Europe", "NATO ministers meet in Brussels", "Aug 4. (EUROPA PRESS) –",
                      "NATO defence ministers met in Brussels to discuss support for Ukraine.\n\n"
                      "The allies agreed to expand air defence deliveries before winter."),
    "104_sanctions.txt": ("Europe", "EU adopts a new sanctions package against Russia", "Aug 5. (EUROPA PRESS) –",
                          "The European Union adopted its fifteenth package of sanctions against Russia.\n\n"
                          "The measures target shipping companies and banks."),
}


def _seed_text(section: str, title: str, dateline: str, body: str) -> str:
    return f"{section}\n\n{title}\n\n{title}\n\n{dateline}\n\n{body}\n\nSource link\n\nTags\n\nDefense, Asia\n"


def _choices(facet: str, labels: list[str]) -> dict:
    return {"from_name": facet, "to_name": "text", "type": "choices", "value": {"choices": labels}}


@pytest.fixture(scope="module")
def round_trip(label_studio, tmp_path_factory):
    """Push the seed-format corpus with predictions, annotate it as two people, return what the tests need."""
    from label_studio_sdk import LabelStudio

    tmp = tmp_path_factory.mktemp("round-trip")
    src = tmp / "articles"
    src.mkdir()
    shutil.copy(SEED_ARTICLE, src / SEED_ARTICLE.name)
    for name, parts in ARTICLES.items():
        (src / name).write_text(_seed_text(*parts), encoding="utf-8")
    corpus_dir = tmp / "corpus"
    corpus, _ = build([src], output=corpus_dir)
    by_title = {t: i for t, i in zip(corpus.dataset["title"], corpus.ids)}
    seed_id = by_title["US, Japan and South Korea formalize their defense partnership"]
    drills, strait, talks, sanctions = (by_title[p[1]] for p in ARTICLES.values())

    predictions = Predictions("test-model-1", {
        aid: {"region": FacetPrediction(("asia",), 0.9), "themes": FacetPrediction(("diplomacy",), 0.6)}
        for aid in corpus.ids
    })
    pushed = push(corpus, url=label_studio.url, token=label_studio.token, title="round trip",
                  predictions=predictions, mentions=["actors"])

    ls = LabelStudio(base_url=label_studio.url, api_key=label_studio.token)
    alice = ls.users.whoami().id
    bob = ls.users.create(username="bob", email="bob@example.com", password="bob-password-1").id
    task_of = {t.data["article_id"]: t.id for t in ls.tasks.list(project=pushed.project_id)}

    def annotate(aid: str, who: int, region: str, themes: list[str], actors: list[str], extra=()) -> None:
        result = [_choices("region", [region]), _choices("themes", themes), _choices("actors", actors), *extra]
        ls.annotations.create(id=task_of[aid], result=result, completed_by=who)

    mention = {"from_name": "actors_mentions", "to_name": "text", "type": "labels",
                "value": {"start": 0, "end": 8, "text": "Japanese", "labels": ["JPN"]}}
    # Agreement on the seed article, a one-theme task (a plain string in JSON_MIN) and the strait story.
    for who in (alice, bob):
        annotate(seed_id, who, "asia", ["alliance", "military_training", "deterrence", "missile_nuclear", "diplomacy"],
                 ["USA", "JPN", "KOR", "PRK", "CHN"])
        annotate(drills, who, "asia", ["military_training"], ["JPN", "USA"], extra=[mention] if who == alice else [])
    annotate(strait, alice, "asia", ["territorial_maritime", "diplomacy"], ["CHN", "JPN"])
    annotate(strait, bob, "oceania", ["territorial_maritime", "diplomacy"], ["CHN", "JPN"])  # the disagreement
    ls.annotations.create(id=task_of[talks], result=[], completed_by=alice, was_cancelled=True)  # the skip
    httpx.post(f"{label_studio.url}/api/tasks/{task_of[sanctions]}/drafts",
               headers={"Authorization": f"Token {label_studio.token}"},
               json={"result": [_choices("region", ["europe"])], "lead_time": 2.0}).raise_for_status()
    pulled = {}
    for fmt in ("JSON", "JSON_MIN", "CSV"):
        target = tmp / f"corpus-{fmt}"
        shutil.copytree(corpus_dir, target)
        pulled[fmt] = pull(url=label_studio.url, token=label_studio.token, project=pushed.project_id,
                           corpus=target, fmt=fmt)
    return {"pushed": pushed, "pulled": pulled, "ids": {"seed": seed_id, "drills": drills, "strait": strait,
            "talks": talks, "sanctions": sanctions}, "corpus_dir": corpus_dir, "users": (str(alice), str(bob)),
            "tmp": tmp, "client": ls}


def test_the_project_is_created_from_the_taxonomy_config_with_tasks_and_predictions(round_trip, label_studio):
    pushed, ls = round_trip["pushed"], round_trip["client"]
    project = ls.projects.get(id=pushed.project_id)
    assert project.label_config.strip() == labeling_config(load(round_trip["corpus_dir"]).taxonomy,
                                                            mentions=["actors"]).strip()
    assert pushed.tasks == 5
    tasks = list(ls.tasks.list(project=pushed.project_id))
    assert len(tasks) == 5 and all(t.total_predictions >= 1 for t in tasks)


def test_json_json_min_and_csv_exports_give_the_same_labeled_corpus(round_trip):
    pulled = round_trip["pulled"]
    fingerprints = {fmt: p.corpus.fingerprint for fmt, p in pulled.items()}
    assert len(set(fingerprints.values())) == 1, fingerprints
    for fmt, p in pulled.items():
        assert p.export_path.is_file()
        saved = load(p.corpus.path)
        assert saved.manifest["fingerprint"] == fingerprints["JSON"], fmt
    assert fingerprints["JSON"] != load(round_trip["corpus_dir"]).fingerprint


def test_consensus_labels_and_every_annotators_labels_are_in_the_corpus(round_trip):
    corpus = round_trip["pulled"]["JSON"].corpus
    ids = round_trip["ids"]
    row = corpus.ids.index(ids["seed"])
    alice, bob = round_trip["users"]
    assert corpus.labels("region")[row] == "asia"
    assert corpus.labels("themes")[row] == ["deterrence", "military_training", "alliance", "missile_nuclear",
                                            "diplomacy"]  # taxonomy order
    assert set(corpus.labels("actors")[row]) == {"USA", "JPN", "KOR", "PRK", "CHN"}
    entries = corpus.dataset["annotations"][row]
    assert {(e["annotator"], e["facet"]) for e in entries} == {(a, f) for a in (alice, bob)
                                                               for f in ("region", "themes", "actors")}
    labeled = dict(zip(corpus.ids, corpus.dataset["labeled"]))
    assert labeled[ids["seed"]] and labeled[ids["drills"]] and labeled[ids["strait"]]
    assert not labeled[ids["talks"]] and not labeled[ids["sanctions"]]


def test_the_disagreement_is_flagged_for_adjudication_not_guessed(round_trip):
    ids = round_trip["ids"]
    for fmt, p in round_trip["pulled"].items():
        corpus, report = p.corpus, p.report
        row = corpus.ids.index(ids["strait"])
        assert corpus.dataset["needs_adjudication"][row] == ["region"], fmt
        assert corpus.labels("region")[row] is None, fmt
        assert set(corpus.labels("themes")[row]) == {"territorial_maritime", "diplomacy"}, fmt
        assert [(a["article_id"], a["facet"], a["tied"]) for a in report.needs_adjudication] == [
            (ids["strait"], "region", ["asia", "oceania"])], fmt


def test_the_skipped_task_and_the_draft_are_reported_by_the_json_export(round_trip):
    ids = round_trip["ids"]
    report = round_trip["pulled"]["JSON"].report
    counts = report.counts()
    assert counts["cancelled"] == 1 and counts["draft"] == 1
    cancelled = [s for s in report.skipped if s.kind == "cancelled"]
    assert cancelled[0].article_id == ids["talks"] and cancelled[0].annotator == round_trip["users"][0]
    untouched = {s.article_id for s in report.skipped if s.kind == "untouched"}
    assert untouched == {ids["sanctions"]}
    assert report.spans == 1
    for fmt in ("JSON_MIN", "CSV"):  # these formats leave skips out, and say so
        assert any("leave out skipped" in n for n in round_trip["pulled"][fmt].report.notes)


def test_predictions_are_never_taken_as_labels(round_trip):
    ids = round_trip["ids"]
    report = round_trip["pulled"]["JSON"].report
    assert report.predictions_ignored == 5 + 5  # model predictions + alias mention pre-annotations
    corpus = round_trip["pulled"]["JSON"].corpus
    row = corpus.ids.index(ids["sanctions"])
    assert corpus.labels("region")[row] is None and corpus.labels("themes")[row] == []


def test_agreement_is_computed_on_the_pulled_corpus(round_trip):
    report = agreement(round_trip["pulled"]["CSV"].corpus)
    region = report.facets["region"]
    assert region.n_items == 3 and region.annotators == list(round_trip["users"])
    assert region.cohen is not None and region.cohen.n_items == 3
    assert report.facets["themes"].alpha.value == pytest.approx(1.0)


def test_strict_pull_fails_on_the_skip_and_leaves_the_corpus_untouched(round_trip, label_studio):
    target = round_trip["tmp"] / "corpus-strict"
    shutil.copytree(round_trip["corpus_dir"], target)
    before = (target / "manifest.json").read_bytes()
    with pytest.raises(ExportError, match=r"strict mode.*cancelled"):
        pull(url=label_studio.url, token=label_studio.token, project=round_trip["pushed"].project_id,
             corpus=target, fmt="JSON", strict=True)
    assert (target / "manifest.json").read_bytes() == before


def test_the_command_line_pushes_and_pulls_through_the_server(round_trip, label_studio, monkeypatch, capsys):
    from corpus._cli import main

    target = round_trip["tmp"] / "corpus-cli"
    shutil.copytree(round_trip["corpus_dir"], target)
    monkeypatch.setenv("NEWSTAG_LS_URL", label_studio.url)
    monkeypatch.setenv("NEWSTAG_LS_TOKEN", label_studio.token)
    assert main(["annotate", "push", str(target), "--project-title", "cli push"]) == 0
    project = int(capsys.readouterr().out.strip().splitlines()[-1])
    assert project != round_trip["pushed"].project_id
    assert main(["annotate", "pull", "--project", str(round_trip["pushed"].project_id), "--corpus", str(target),
                 "--format", "JSON_MIN"]) == 0
    assert "needs adjudication" in capsys.readouterr().out
    assert load(target).fingerprint == round_trip["pulled"]["JSON"].corpus.fingerprint
    assert main(["annotate", "pull", "--project", "99999", "--corpus", str(target), "--token", "wrong-token"]) == 2
    assert "401" in capsys.readouterr().err


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fault injection forks child processes (POSIX only)")
def test_a_pull_killed_at_random_moments_leaves_the_old_or_the_new_corpus(round_trip, label_studio, tmp_path):
    """`annotate pull` = download the export + import it: SIGKILLed at seeded moments, the corpus is always the
    old or the new version and a raw export left behind is complete (both writes are atomic)."""
    from .faults import KILLS, check_each_kill

    target, old = tmp_path / "c", load(round_trip["corpus_dir"])
    export = target / "annotations" / f"project-{round_trip['pushed'].project_id}.json"

    def work():
        pull(url=label_studio.url, token=label_studio.token, project=round_trip["pushed"].project_id, corpus=target,
             fmt="JSON")

    def export_is_whole(folder: Path) -> str:
        if export.exists():
            json.loads(export.read_text(encoding="utf-8"))  # never a partial file
        return load(folder).manifest["fingerprint"]

    versions = {old.manifest["fingerprint"]: "old", round_trip["pulled"]["JSON"].corpus.fingerprint: "new"}
    check_each_kill("pull", target, lambda: old.save(target), work, versions, check=export_is_whole, seed=4,
                    kills=KILLS // 2)
    work()
    assert load(target).fingerprint == round_trip["pulled"]["JSON"].corpus.fingerprint
