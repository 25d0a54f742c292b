"""Any Label Studio project in, against a real Label Studio server (issue 12).

A project made by hand, not by newstag: a hand-written labeling config (controls ``Region``, ``topic``,
``country`` with display-name choices such as "Middle East" and "Israel", and a ``notes`` TextArea),
tasks imported from a user's CSV with its own columns (``id``, ``headline``, ``text``, ``url``,
``desk``), two annotators. Its JSON, JSON_MIN and CSV exports (downloaded through the SDK) each build
the same corpus into a new folder; the user's ids are the source ids and appear in ``newstag tag``
output; a second, region-only project's export imported onto that corpus erases no theme or actor.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from annotation import download_export, import_annotations
from corpus import load

pytestmark = [pytest.mark.integration, pytest.mark.slow]
TRAIN_ARTICLES = Path(__file__).resolve().parents[1] / "classifier" / "data" / "train_articles.jsonl"

CONFIG = """<View>
  <Header value="$headline"/>
  <Text name="text" value="$text"/>
  <Choices name="Region" toName="text" choice="single" showInline="true">
    <Choice value="Asia"/><Choice value="Europe"/><Choice value="Middle East"/>
  </Choices>
  <Choices name="topic" toName="text" choice="multiple">
    <Choice value="Diplomacy"/><Choice value="Sanctions"/><Choice value="Armed conflict"/>
    <Choice value="Military training"/>
  </Choices>
  <Choices name="country" toName="text" choice="multiple">
    <Choice value="Israel"/><Choice value="Iran"/><Choice value="Japan"/><Choice value="Russia"/>
    <Choice value="United States"/>
  </Choices>
  <TextArea name="notes" toName="text"/>
</View>"""
REGION_ONLY = """<View>
  <Text name="text" value="$text"/>
  <Choices name="Region" toName="text" choice="single"><Choice value="Asia"/><Choice value="Europe"/>
    <Choice value="Middle East"/><Choice value="Global"/></Choices>
</View>"""
USER_CSV = [
    {"id": "NEWS-001", "headline": "Israel strikes targets in Iran", "desk": "mideast", "url": "https://news.example/1",
     "text": "Israeli aircraft struck military sites in Iran overnight, officials in Jerusalem said."},
    {"id": "NEWS-002", "headline": "Japan and the US hold drills", "desk": "asia", "url": "https://news.example/2",
     "text": "Japanese and American forces began joint exercises near Okinawa on Monday."},
    {"id": "NEWS-003", "headline": "EU weighs new sanctions on Russia", "desk": "europe",
     "url": "https://news.example/3", "text": "European ministers discussed a new package of sanctions on Moscow."},
    {"id": "NEWS-004", "headline": "Markets close higher", "desk": "business", "url": "https://news.example/4",
     "text": "Stocks rose for a third day as investors shrugged off trade worries."},
]
MAP = {"topic": "themes", "country": "actors"}


def _choices(control: str, *values: str) -> dict:
    return {"from_name": control, "to_name": "text", "type": "choices", "value": {"choices": list(values)}}


def _project(ls, title: str, config: str, csv_path: Path) -> dict[str, int]:
    """A project with the user's CSV rows as tasks; the user's id -> Label Studio task id."""
    project = ls.projects.create(title=title, label_config=config)
    with open(csv_path, encoding="utf-8", newline="") as fh:
        ls.projects.import_tasks(id=project.id, request=list(csv.DictReader(fh)))
    return project.id, {t.data["id"]: t.id for t in ls.tasks.list(project=project.id)}


@pytest.fixture(scope="module")
def handmade(label_studio, tmp_path_factory):
    from label_studio_sdk import LabelStudio

    tmp = tmp_path_factory.mktemp("handmade")
    user_csv = tmp / "my_articles.csv"
    with open(user_csv, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["id", "headline", "text", "url", "desk"])
        w.writeheader()
        w.writerows(USER_CSV)
    ls = LabelStudio(base_url=label_studio.url, api_key=label_studio.token)
    alice = ls.users.whoami().id
    users = {u.email: u.id for u in ls.users.list()}
    carol = users.get("carol@example.com") or ls.users.create(username="carol", email="carol@example.com",
                                                              password="carol-password-1").id
    project, task_of = _project(ls, "hand made", CONFIG, user_csv)

    def annotate(user_id: str, who: int, *result) -> None:
        ls.annotations.create(id=task_of[user_id], result=list(result), completed_by=who)

    for who in (alice, carol):
        annotate("NEWS-001", who, _choices("Region", "Middle East"), _choices("topic", "Armed conflict"),
                 _choices("country", "Israel", "Iran"))
    annotate("NEWS-002", alice, _choices("Region", "Asia"), _choices("topic", "Military training"),
             _choices("country", "Japan", "United States"), {"from_name": "notes", "to_name": "text",
                                                             "type": "textarea", "value": {"text": ["clear"]}})
    annotate("NEWS-002", carol, _choices("Region", "Asia"), _choices("topic", "Military training", "Diplomacy"),
             _choices("country", "Japan", "United States"))
    annotate("NEWS-003", alice, _choices("Region", "Europe"), _choices("topic", "Sanctions"),
             _choices("country", "Russia"))  # NEWS-004: untouched
    exports = {fmt: download_export(url=label_studio.url, token=label_studio.token, project=project, fmt=fmt,
                                    path=tmp / f"export{suffix}")
               for fmt, suffix in (("JSON", ".json"), ("JSON_MIN", ".min.json"), ("CSV", ".csv"))}
    built = {fmt: import_annotations(path, tmp / f"corpus-{fmt}", controls=MAP) for fmt, path in exports.items()}

    region_project, region_tasks = _project(ls, "region only", REGION_ONLY, user_csv)
    ls.annotations.create(id=region_tasks["NEWS-003"], result=[_choices("Region", "Global")], completed_by=alice)
    ls.annotations.create(id=region_tasks["NEWS-004"], result=[_choices("Region", "Global")], completed_by=alice)
    region_export = download_export(url=label_studio.url, token=label_studio.token, project=region_project,
                                    fmt="JSON", path=tmp / "region-only.json")
    return {"tmp": tmp, "csv": user_csv, "exports": exports, "built": built, "region_export": region_export,
            "users": (str(alice), str(carol)), "project": project}


def test_each_export_format_builds_the_same_corpus_into_a_new_folder(handmade):
    fingerprints = {fmt: load(handmade["tmp"] / f"corpus-{fmt}").manifest["fingerprint"] for fmt in handmade["built"]}
    assert len(set(fingerprints.values())) == 1, fingerprints
    for fmt, (corpus, report) in handmade["built"].items():
        assert report.articles_built == 4 and report.records_used == 5, fmt
        assert report.controls == {"Region": "region", "country": "actors", "topic": "themes"}, fmt
        assert report.unmapped_controls == ["notes"] and report.facets_seen == ["region", "themes", "actors"], fmt
        assert sorted(report.annotators) == sorted(handmade["users"]), fmt


def test_display_name_choices_become_label_ids_and_the_user_fields_are_kept(handmade):
    corpus = load(handmade["tmp"] / "corpus-JSON")
    rows = {r["title"]: r for r in corpus.dataset.select_columns(["title", "source_id", "url", "meta"]).to_list()}
    first = rows["Israel strikes targets in Iran"]
    assert (first["source_id"], first["url"], json.loads(first["meta"])) == ("NEWS-001", "https://news.example/1",
                                                                             {"desk": "mideast"})
    row = corpus.dataset["title"].index("Israel strikes targets in Iran")
    assert corpus.labels("region")[row] == "middle_east"
    assert corpus.labels("themes")[row] == ["armed_conflict"] and corpus.labels("actors")[row] == ["IRN", "ISR"]
    drills = corpus.dataset["title"].index("Japan and the US hold drills")
    assert corpus.labels("themes")[drills] == ["military_training"]  # diplomacy: one vote of two, a tie
    assert corpus.dataset["needs_adjudication"][drills] == ["themes"]


def test_the_untouched_task_is_an_unannotated_article_not_an_article_without_labels(handmade):
    corpus = load(handmade["tmp"] / "corpus-CSV")
    row = corpus.dataset["title"].index("Markets close higher")
    assert not corpus.dataset["labeled"][row]
    assert [corpus.annotated(f)[row] for f in ("region", "themes", "actors")] == [False, False, False]
    assert corpus.manifest["counts"]["annotated"] == {"region": 3, "themes": 3, "actors": 3}


def test_the_users_ids_are_the_source_ids_of_the_json_and_csv_corpora(handmade):
    for fmt in ("JSON", "CSV"):
        ids = sorted(load(handmade["tmp"] / f"corpus-{fmt}").dataset["source_id"])
        assert ids == ["NEWS-001", "NEWS-002", "NEWS-003", "NEWS-004"], fmt
    assert any("own ids survive in the JSON and CSV exports only" in n
               for n in handmade["built"]["JSON_MIN"][1].notes)


def test_the_users_ids_appear_in_newstag_tag_output(handmade, tmp_path, capsys):
    from classifier import Tagger
    from corpus import build
    from corpus._cli import main

    training, _ = build([TRAIN_ARTICLES])
    Tagger(random_state=0).fit(training).save(tmp_path / "model")
    assert main(["tag", "--model", str(tmp_path / "model"), "--no-evidence", str(handmade["csv"])]) == 0
    recs = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["source_id"] for r in recs] == ["NEWS-001", "NEWS-002", "NEWS-003", "NEWS-004"]
    assert recs[0]["region"]["label"] == "middle_east"


def test_a_region_only_export_imported_onto_the_corpus_erases_nothing(handmade, tmp_path):
    target = tmp_path / "corpus"
    shutil.copytree(handmade["tmp"] / "corpus-JSON", target)
    before = load(target)
    after, report = import_annotations(handmade["region_export"], target)
    assert report.facets_seen == ["region"] and report.unmatched_tasks == [] and report.records_used == 2
    assert after.labels("themes") == before.labels("themes") and after.labels("actors") == before.labels("actors")
    assert after.annotated("themes") == before.annotated("themes")
    titles = after.dataset["title"]
    assert after.labels("region")[titles.index("EU weighs new sanctions on Russia")] == "global"
    markets = titles.index("Markets close higher")
    assert after.labels("region")[markets] == "global"
    assert [after.annotated(f)[markets] for f in ("region", "themes", "actors")] == [True, False, False]
    saved = load(target)
    assert saved.manifest["fingerprint"] == after.fingerprint and saved.manifest["fingerprint"] != before.fingerprint


def test_pull_with_map_options_applies_the_hand_made_project_onto_its_corpus(handmade, label_studio, tmp_path,
                                                                             monkeypatch, capsys):
    from corpus._cli import main

    target = tmp_path / "corpus"
    shutil.copytree(handmade["tmp"] / "corpus-CSV", target)
    monkeypatch.setenv("NEWSTAG_LS_URL", label_studio.url)
    monkeypatch.setenv("NEWSTAG_LS_TOKEN", label_studio.token)
    assert main(["annotate", "pull", "--project", str(handmade["project"]), "--corpus", str(target),
                 "--map", "topic=themes", "--map", "country=actors"]) == 0
    assert "facets seen" in capsys.readouterr().out
    assert load(target).fingerprint == load(handmade["tmp"] / "corpus-JSON").fingerprint
