"""Consolidating annotators into consensus labels, and writing them into the corpus."""

from __future__ import annotations

import json

import pytest

from annotation import AnnotationRecord, ExportError, apply_annotations, consolidate, import_annotations, read_export
from corpus import load

from .conftest import HANDMADE, HANDMADE_MAP, annotation, choices, task, write_json


def rec(who: str, article: str = "a1", task_id: int = 1, gt: bool = False, updated: str = "2024-01-01",
        ann_id: int = 1, **labels) -> AnnotationRecord:
    full = {"themes": (), "actors": ()}
    full.update({k: tuple(v) for k, v in labels.items()})
    return AnnotationRecord(task_id, article, who, full, gt, ann_id, updated, source=f"e.json, task {task_id}")


# ---- consolidate ---------------------------------------------------------------------------------

def test_agreeing_annotators_give_a_unanimous_label(small_taxonomy):
    c = consolidate([rec("1", region=["asia"]), rec("2", region=["asia"])], small_taxonomy)["region"]
    assert (c.labels, c.method, c.needs_adjudication) == (("asia",), "unanimous", False)


def test_a_single_label_majority_wins(small_taxonomy):
    c = consolidate([rec("1", region=["asia"]), rec("2", region=["asia"]), rec("3", region=["europe"])],
                    small_taxonomy)["region"]
    assert (c.labels, c.method, dict(c.votes)) == (("asia",), "majority", {"asia": 2, "europe": 1})


def test_a_single_label_tie_is_flagged_not_guessed(small_taxonomy):
    c = consolidate([rec("1", region=["asia"]), rec("2", region=["oceania"])], small_taxonomy)["region"]
    assert (c.labels, c.method, c.tied, c.needs_adjudication) == (None, "tie", ("asia", "oceania"), True)


def test_a_three_way_split_is_a_tie(small_taxonomy):
    c = consolidate([rec("1", region=["asia"]), rec("2", region=["europe"]), rec("3", region=["global"])],
                    small_taxonomy)["region"]
    assert c.labels is None and c.tied == ("asia", "europe", "global")


def test_a_multi_label_is_in_when_more_than_half_chose_it(small_taxonomy):
    c = consolidate([rec("1", themes=["alliance", "diplomacy"]), rec("2", themes=["alliance"]),
                     rec("3", themes=["alliance", "diplomacy", "sanctions"])], small_taxonomy)["themes"]
    assert (c.labels, c.method, c.needs_adjudication) == (("alliance", "diplomacy"), "majority", False)


def test_a_multi_label_chosen_by_exactly_half_is_a_tie_and_left_out(small_taxonomy):
    c = consolidate([rec("1", themes=["alliance", "diplomacy"]), rec("2", themes=["alliance"])],
                    small_taxonomy)["themes"]
    assert (c.labels, c.tied, c.method) == (("alliance",), ("diplomacy",), "tie")


def test_no_theme_from_everyone_is_an_empty_consensus(small_taxonomy):
    c = consolidate([rec("1"), rec("2")], small_taxonomy)["themes"]
    assert (c.labels, c.method) == ((), "unanimous")


def test_a_ground_truth_annotation_wins_over_the_majority(small_taxonomy):
    cons = consolidate([rec("1", region=["asia"], themes=["alliance"]), rec("2", region=["asia"]),
                        rec("3", gt=True, region=["europe"], themes=["sanctions"])], small_taxonomy)
    assert (cons["region"].labels, cons["region"].method) == (("europe",), "ground_truth")
    assert (cons["themes"].labels, cons["themes"].method) == (("sanctions",), "ground_truth")


def test_two_disagreeing_ground_truths_are_a_tie(small_taxonomy):
    c = consolidate([rec("1", gt=True, region=["asia"]), rec("2", gt=True, region=["europe"]),
                     rec("3", region=["asia"])], small_taxonomy)["region"]
    assert (c.labels, c.method, c.tied) == (None, "tie", ("asia", "europe"))


def test_an_unanswered_single_label_facet_has_no_consensus_and_no_flag(small_taxonomy):
    c = consolidate([rec("1"), rec("2")], small_taxonomy)["region"]
    assert (c.labels, c.method, c.needs_adjudication) == (None, "unanswered", False)


# ---- apply_annotations ---------------------------------------------------------------------------

def test_consensus_goes_in_the_facet_columns_and_every_annotator_in_annotations(small_corpus):
    records = [rec("1", region=["asia"], themes=["military_training"], actors=["JPN", "USA"]),
               rec("2", region=["asia"], themes=["military_training", "alliance"], actors=["JPN"])]
    new, report = apply_annotations(small_corpus, records)
    row = new.ids.index("a1")
    assert new.labels("region")[row] == "asia"
    assert new.labels("themes")[row] == ["military_training"]  # alliance: 1 of 2 -> tie
    assert new.labels("actors")[row] == ["JPN"]
    assert new.dataset["labeled"][row] is True
    assert new.dataset["needs_adjudication"][row] == ["themes", "actors"]
    assert new.dataset["annotations"][row] == [
        {"annotator": "1", "facet": "region", "labels": ["asia"], "ground_truth": False},
        {"annotator": "2", "facet": "region", "labels": ["asia"], "ground_truth": False},
        {"annotator": "1", "facet": "themes", "labels": ["military_training"], "ground_truth": False},
        {"annotator": "2", "facet": "themes", "labels": ["military_training", "alliance"], "ground_truth": False},
        {"annotator": "1", "facet": "actors", "labels": ["JPN", "USA"], "ground_truth": False},
        {"annotator": "2", "facet": "actors", "labels": ["JPN"], "ground_truth": False},
    ]
    assert (report.records, report.records_used, report.articles_updated, report.annotators) == (2, 2, 1, ["1", "2"])
    assert [(a["article_id"], a["facet"], a["tied"]) for a in report.needs_adjudication] == [
        ("a1", "themes", ["alliance"]), ("a1", "actors", ["USA"])]


def test_a_region_tie_leaves_the_region_empty_and_lists_it(small_corpus):
    new, report = apply_annotations(small_corpus, [rec("1", region=["asia"]), rec("2", region=["oceania"])])
    row = new.ids.index("a1")
    assert new.labels("region")[row] is None and new.dataset["needs_adjudication"][row] == ["region"]
    assert report.needs_adjudication == [{"article_id": "a1", "facet": "region", "tied": ["asia", "oceania"],
                                          "votes": {"asia": 1, "oceania": 1}, "annotators": 2, "task_ids": [1]}]


def test_articles_not_in_the_export_keep_their_labels_and_the_input_corpus_is_unchanged(small_corpus):
    before = small_corpus.fingerprint
    new, _ = apply_annotations(small_corpus, [rec("1", region=["asia"])])
    row = new.ids.index("a4")
    assert new.labels("region")[row] == "europe" and new.labels("actors")[row] == ["EU", "RUS"]
    assert new.dataset["labeled"][row] is True and not new.dataset["labeled"][new.ids.index("a2")]
    assert small_corpus.fingerprint == before != new.fingerprint


def test_an_annotated_labeled_article_takes_the_annotators_labels(small_corpus):
    new, _ = apply_annotations(small_corpus, [rec("1", article="a4", region=["global"], themes=["sanctions"])])
    row = new.ids.index("a4")
    assert (new.labels("region")[row], new.labels("themes")[row], new.labels("actors")[row]) == (
        "global", ["sanctions"], [])


def test_an_article_not_in_the_corpus_is_reported(small_corpus):
    new, report = apply_annotations(small_corpus, [rec("1", article="zz", task_id=9, region=["asia"])])
    assert [(s.kind, s.task_id, s.article_id) for s in report.skipped] == [("unknown_article", 9, "zz")]
    assert new.fingerprint == small_corpus.fingerprint and report.articles_updated == 0


def test_the_latest_annotation_of_one_annotator_is_used_and_the_older_reported(small_corpus):
    records = [rec("1", task_id=1, ann_id=1, updated="2024-01-01", region=["asia"]),
               rec("1", task_id=7, ann_id=8, updated="2024-02-01", region=["europe"])]
    new, report = apply_annotations(small_corpus, records)
    assert new.labels("region")[new.ids.index("a1")] == "europe"
    assert [(s.kind, s.task_id, s.annotator) for s in report.skipped] == [("superseded", 1, "1")]


def test_strict_mode_fails_on_anything_skipped_and_lists_it(small_corpus, project_exports, small_taxonomy):
    export = read_export(project_exports["JSON"], small_taxonomy)
    with pytest.raises(ExportError, match=r"'project.json': 3 record\(s\) not used \(strict mode\): "
                                          r"\{'cancelled': 1, 'draft': 1, 'untouched': 1\}(?s:.*)task 3, annotation 5 \(article 'a3'\), "
                                          r"annotator 1: skipped by the annotator(?s:.*)Run without --strict"):
        apply_annotations(small_corpus, export, strict=True)


def test_strict_mode_fails_on_an_unknown_article(small_corpus):
    with pytest.raises(ExportError, match=r"\{'unknown_article': 1\}"):
        apply_annotations(small_corpus, [rec("1", article="zz", region=["asia"])], strict=True)


def test_the_three_export_formats_give_the_same_corpus(small_corpus, project_exports, small_taxonomy):
    corpora = {fmt: apply_annotations(small_corpus, read_export(p, small_taxonomy))[0]
               for fmt, p in project_exports.items()}
    fingerprints = {fmt: c.fingerprint for fmt, c in corpora.items()}
    assert len(set(fingerprints.values())) == 1, fingerprints
    c = corpora["CSV"]
    assert c.dataset["needs_adjudication"][c.ids.index("a2")] == ["region"]
    assert not c.dataset["labeled"][c.ids.index("a3")]


def test_the_report_lists_everything_and_serialises(small_corpus, project_exports, small_taxonomy):
    _, report = apply_annotations(small_corpus, read_export(project_exports["JSON"], small_taxonomy))
    d = json.loads(json.dumps(report.as_dict()))
    assert d["skipped_counts"] == {"cancelled": 1, "draft": 1, "untouched": 1, "no_annotator": 0,
                                   "unknown_control": 0, "no_facet": 0, "superseded": 0, "unknown_article": 0,
                                   "no_text": 0}
    assert (d["tasks"], d["records"], d["records_used"], d["predictions_ignored"], d["mention_spans"]) == (4, 4, 4, 2, 1)
    assert d["needs_adjudication"][0]["facet"] == "region"


def test_import_annotations_writes_the_corpus_and_its_report(small_corpus, project_exports, tmp_path):
    small_corpus.save(tmp_path / "c")
    new, report = import_annotations(project_exports["CSV"], tmp_path / "c")
    saved = load(tmp_path / "c")
    assert saved.manifest["fingerprint"] == new.fingerprint == report.corpus_fingerprint
    assert saved.dataset["annotations"] == new.dataset["annotations"]
    assert saved.manifest["counts"]["labeled"] == 3
    written = json.loads((tmp_path / "c" / "annotation-report.json").read_text())
    assert written["format"] == "CSV" and written["corpus_fingerprint"] == new.fingerprint


def test_a_strict_import_that_fails_leaves_the_corpus_folder_untouched(small_corpus, project_exports, tmp_path):
    small_corpus.save(tmp_path / "c")
    before = (tmp_path / "c" / "manifest.json").read_bytes()
    with pytest.raises(ExportError, match="strict mode"):
        import_annotations(project_exports["JSON"], tmp_path / "c", strict=True)
    assert (tmp_path / "c" / "manifest.json").read_bytes() == before
    assert not (tmp_path / "c" / "annotation-report.json").exists()


def test_importing_the_same_export_twice_gives_the_same_corpus(small_corpus, project_exports, small_taxonomy):
    export = read_export(project_exports["JSON"], small_taxonomy)
    once, _ = apply_annotations(small_corpus, export)
    twice, _ = apply_annotations(once, export)
    assert once.fingerprint == twice.fingerprint


def test_a_ground_truth_export_sets_the_consensus(small_corpus, tmp_path, small_taxonomy):
    path = write_json(tmp_path / "gt.json", [task(1, "a1", [
        annotation(1, 1, choices("region", "asia")), annotation(2, 2, choices("region", "asia")),
        annotation(3, 3, choices("region", "oceania"), ground_truth=True)])])
    new, _ = apply_annotations(small_corpus, read_export(path, small_taxonomy))
    row = new.ids.index("a1")
    assert new.labels("region")[row] == "oceania"
    assert [e["ground_truth"] for e in new.dataset["annotations"][row] if e["facet"] == "region"] == [False, False, True]


# ---- a corpus from the export itself; merging per facet ------------------------------------------

@pytest.mark.parametrize("fmt", ["JSON_MIN", "CSV", "TSV"])
def test_every_export_format_of_a_hand_made_project_builds_the_same_corpus_into_a_new_folder(tmp_path, fmt):
    json_corpus, json_report = import_annotations(HANDMADE["JSON"], tmp_path / "from-json", controls=HANDMADE_MAP)
    other, report = import_annotations(HANDMADE[fmt], tmp_path / fmt, controls=HANDMADE_MAP)
    assert json_report.articles_built == report.articles_built == 3
    assert load(tmp_path / fmt).manifest["fingerprint"] == load(tmp_path / "from-json").manifest["fingerprint"]
    assert other.fingerprint == json_corpus.fingerprint


def test_a_corpus_built_from_an_export_keeps_titles_metadata_source_ids_and_the_unannotated_state(tmp_path):
    import_annotations(HANDMADE["JSON"], tmp_path / "c", controls=HANDMADE_MAP)
    c = load(tmp_path / "c")
    rows = c.dataset.select_columns(["title", "source_id", "url", "meta", "annotated", "labeled"]).to_list()
    by_title = {r["title"]: r for r in rows}
    assert by_title["Israel and Iran"] == {"title": "Israel and Iran", "source_id": "u-1", "url": "https://x/1",
                                          "meta": '{"n": "5"}', "annotated": ["region", "themes", "actors"],
                                          "labeled": True}
    assert by_title["Nothing"]["annotated"] == [] and not by_title["Nothing"]["labeled"]
    row = c.dataset["title"].index("Israel and Iran")
    assert c.labels("region")[row] == "middle_east" and c.labels("actors")[row] == ["ISR"]  # IRN: 1 of 2 votes
    assert c.manifest["counts"]["annotated"] == {"region": 2, "themes": 2, "actors": 2}


def test_json_min_loses_the_users_ids_and_says_so(tmp_path):
    c, report = import_annotations(HANDMADE["JSON_MIN"], tmp_path / "c", controls=HANDMADE_MAP)
    assert sorted(c.dataset["source_id"]) == ["https://x/1", "https://x/2", "https://x/3"]  # the url instead
    assert any("a user's own ids survive in the JSON and CSV exports only" in n for n in report.notes)


def _labeled_corpus(small_taxonomy):
    from corpus import Article, from_articles

    return from_articles([
        Article(title="Israel and Iran", body="Israel struck Iran.", source_id="u-1",
                labels={"region": "europe", "themes": ["armed_conflict"], "actors": ["USA"]}),
        Article(title="Japan talks", body="Japan held talks.", source_id="u-2",
                labels={"themes": ["diplomacy"], "actors": ["JPN"]}),
    ], small_taxonomy)


def test_a_region_only_export_onto_a_labeled_corpus_erases_no_theme_or_actor(tmp_path, small_taxonomy):
    corpus = _labeled_corpus(small_taxonomy)
    region_only = write_json(tmp_path / "region.json", [
        {"id": 1, "data": {"id": "u-1", "text": "Israel struck Iran."},
         "annotations": [annotation(1, 1, choices("Region", "Middle East"))]},
        {"id": 2, "data": {"id": "u-2", "text": "Japan held talks."},
         "annotations": [annotation(2, 1, choices("Region", "Asia"))]}])
    new, report = import_annotations(region_only, corpus, save=False)
    assert report.facets_seen == ["region"] and report.unmatched_tasks == []
    assert new.labels("region") == ["middle_east", "asia"]
    assert new.labels("themes") == corpus.labels("themes") and new.labels("actors") == corpus.labels("actors")
    assert new.annotated("region") == [True, True] and new.annotated("themes") == [True, True]
    assert [sorted({e["facet"] for e in a}) for a in new.dataset["annotations"]] == [["region"], ["region"]]


def test_a_facet_nobody_answered_on_an_article_keeps_what_it_had(small_corpus):
    records = [rec("1", "a4", themes=("diplomacy",))]  # no region answer; a4 had europe from its source
    new, _ = apply_annotations(small_corpus, records)
    row = new.ids.index("a4")
    assert new.labels("region")[row] == "europe" and new.labels("themes")[row] == ["diplomacy"]


def test_tasks_that_match_no_article_are_listed_and_an_import_that_uses_nothing_says_how_to_build(tmp_path,
                                                                                                  small_corpus):
    small_corpus.save(tmp_path / "c")
    before = (tmp_path / "c" / "manifest.json").read_bytes()
    with pytest.raises(ExportError, match=r"0 of 3 annotation\(s\) used: 3 task\(s\) match no article of the corpus "
                                          r".*e\.g\. \[1, 2, 3\]\. Import into a new folder \(--corpus NEW_DIR\)"):
        import_annotations(HANDMADE["JSON"], tmp_path / "c", controls=HANDMADE_MAP)
    assert (tmp_path / "c" / "manifest.json").read_bytes() == before


def test_an_import_whose_controls_map_to_no_facet_fails_with_the_map_option(tmp_path):
    path = write_json(tmp_path / "e.json", [{"id": 1, "data": {"text": "x"}, "annotations": [
        annotation(1, 1, choices("topic", "Diplomacy"))]}])
    with pytest.raises(ExportError, match=r"0 of 0 annotation\(s\) used: no control maps to a facet \(controls seen: "
                                          r"\['topic'\].*--map topic=themes"):
        import_annotations(path, tmp_path / "new")
    assert not (tmp_path / "new").exists()


def test_an_export_without_submitted_annotations_fails_saying_so(tmp_path):
    path = write_json(tmp_path / "e.json", [task(1, None, [annotation(1, 1, cancelled=True)])])
    with pytest.raises(ExportError, match=r"0 of 0 annotation\(s\) used: the export holds no submitted annotation"):
        import_annotations(path, tmp_path / "new")


def test_a_task_without_text_is_reported_when_building_and_strict_mode_fails_on_it(tmp_path):
    path = write_json(tmp_path / "e.json", [
        {"id": 1, "data": {"text": "Body one."}, "annotations": [annotation(1, 1, choices("region", "asia"))]},
        {"id": 2, "data": {"headline": "no text"}, "annotations": [annotation(2, 1, choices("region", "asia"))]}])
    _, report = import_annotations(path, tmp_path / "c")
    assert [(s.kind, s.task_id) for s in report.skipped] == [("no_text", 2), ("unknown_article", 2)]
    assert report.unmatched_tasks == [2] and report.articles_built == 1
    with pytest.raises(ExportError, match=r"strict mode.*'no_text': 1"):
        import_annotations(path, tmp_path / "strict", strict=True)
