"""Reading Label Studio exports: every quirk of JSON, JSON_MIN and CSV, and every error by its message."""

from __future__ import annotations

import io
import json

import pytest

from annotation import ExportError, detect_format, read_annotators, read_export
from annotation._export import _iter_json_array
from corpus import TaxonomyError

from .conftest import HANDMADE, HANDMADE_MAP, annotation, choices, span, task, write_csv, write_json


def records_by(export):
    return {(r.task_id, r.annotator): r for r in export.records}


# ---- JSON (full) ---------------------------------------------------------------------------------

def test_several_annotators_on_one_task_give_one_record_each(tmp_path, small_taxonomy):
    path = write_json(tmp_path / "e.json", [task(1, "a1", [annotation(1, 1, choices("region", "asia")),
                                                          annotation(2, 2, choices("region", "europe"))])])
    ex = read_export(path, small_taxonomy)
    assert ex.format == "JSON" and ex.tasks == 1
    assert {(r.annotator, r.labels["region"]) for r in ex.records} == {("1", ("asia",)), ("2", ("europe",))}


def test_a_skipped_annotation_is_reported_as_cancelled_not_used(tmp_path, small_taxonomy):
    path = write_json(tmp_path / "e.json", [task(3, "a3", [annotation(5, 1, cancelled=True)])])
    ex = read_export(path, small_taxonomy)
    assert ex.records == []
    assert [(s.kind, s.task_id, s.article_id, s.annotator) for s in ex.skipped] == [("cancelled", 3, "a3", "1")]
    assert "was_cancelled" in str(ex.skipped[0])


def test_a_cancelled_annotation_with_a_result_is_still_not_used(tmp_path, small_taxonomy):
    path = write_json(tmp_path / "e.json", [task(3, "a3", [annotation(5, 1, choices("region", "asia"), cancelled=True)])])
    ex = read_export(path, small_taxonomy)
    assert ex.records == [] and ex.skipped[0].kind == "cancelled"


def test_ground_truth_is_carried_on_the_record(tmp_path, small_taxonomy):
    path = write_json(tmp_path / "e.json", [task(1, "a1", [annotation(1, 1, choices("region", "asia"), ground_truth=True),
                                                          annotation(2, 2, choices("region", "europe"))])])
    recs = records_by(read_export(path, small_taxonomy))
    assert recs[(1, "1")].ground_truth is True and recs[(1, "2")].ground_truth is False


def test_drafts_are_reported_whether_objects_or_snapshot_ids(tmp_path, small_taxonomy):
    path = write_json(tmp_path / "e.json", [
        task(1, "a1", drafts=[{"id": 1, "user": "one@example.com", "created_username": "one@example.com, 1",
                               "result": [choices("region", "asia")]}]),
        task(2, "a2", drafts=[7]),
    ])
    ex = read_export(path, small_taxonomy)
    drafts = [s for s in ex.skipped if s.kind == "draft"]
    assert [(s.task_id, s.annotator) for s in drafts] == [(1, "1"), (2, None)]
    assert "snapshot" in drafts[1].detail
    assert ex.annotators == {"1": "one@example.com"}  # learnt from created_username
    assert ex.records == []


def test_an_untouched_task_is_reported(tmp_path, small_taxonomy):
    ex = read_export(write_json(tmp_path / "e.json", [task(4, "a4")]), small_taxonomy)
    assert [(s.kind, s.task_id, s.article_id) for s in ex.skipped] == [("untouched", 4, "a4")]


def test_predictions_are_counted_and_never_taken_as_labels(tmp_path, small_taxonomy):
    pred = {"id": 9, "model_version": "m1", "result": [choices("region", "africa")]}
    full_pred = {"id": 10, "model_version": "m1", "result": [choices("region", "africa")], "score": 0.4}
    path = write_json(tmp_path / "e.json", [
        task(1, "a1", [annotation(1, 1, choices("region", "asia"), prediction=pred)], predictions=[full_pred]),
        task(2, "a2", predictions=[full_pred]),
    ])
    ex = read_export(path, small_taxonomy)
    assert ex.predictions_ignored == 2
    assert [r.labels["region"] for r in ex.records] == [("asia",)]
    assert {s.kind for s in ex.skipped} == {"untouched"}


def test_span_results_become_validated_spans_not_labels(tmp_path, small_taxonomy):
    path = write_json(tmp_path / "e.json", [task(1, "a1", [annotation(1, 1, choices("region", "asia"), span("JPN"))])])
    (rec,) = read_export(path, small_taxonomy).records
    assert "actors" not in rec.labels  # no actors control in this export: the facet is not annotated
    assert [(s.facet, s.label, s.start, s.end, s.text) for s in rec.spans] == [("actors", "JPN", 0, 8, "Japanese")]


def test_results_of_other_controls_are_reported_as_unknown_control(tmp_path, small_taxonomy):
    comment = {"from_name": "comment", "to_name": "text", "type": "textarea", "value": {"text": ["ok"]}}
    path = write_json(tmp_path / "e.json", [task(1, "a1", [annotation(1, 1, choices("region", "asia"), comment)])])
    ex = read_export(path, small_taxonomy)
    assert len(ex.records) == 1
    assert [(s.kind, s.detail) for s in ex.skipped] == [("unknown_control", "1 result(s) from control 'comment' ignored")]


def test_a_task_without_article_id_keeps_its_annotations_and_its_data(tmp_path, small_taxonomy):
    path = write_json(tmp_path / "e.json", [task(1, None, [annotation(1, 1, choices("region", "asia"))], url="u1")])
    ex = read_export(path, small_taxonomy)
    assert [(r.task_id, r.article_id, dict(r.labels)) for r in ex.records] == [(1, None, {"region": ("asia",)})]
    assert ex.task_data == {1: {"title": "title 1", "text": "text 1", "url": "u1"}} and ex.skipped == []


def test_an_annotation_without_annotator_is_reported(tmp_path, small_taxonomy):
    path = write_json(tmp_path / "e.json", [task(1, "a1", [annotation(1, None, choices("region", "asia"))])])
    ex = read_export(path, small_taxonomy)
    assert ex.records == [] and ex.skipped[0].kind == "no_annotator"


def test_completed_by_as_an_object_gives_the_user_id_and_learns_the_email(tmp_path, small_taxonomy):
    who = {"id": 7, "email": "seven@example.com", "first_name": "", "last_name": ""}
    path = write_json(tmp_path / "e.json", [task(1, "a1", [annotation(1, who, choices("region", "asia"))])])
    ex = read_export(path, small_taxonomy)
    assert ex.records[0].annotator == "7" and ex.annotators == {"7": "seven@example.com"}


def test_a_seen_multi_label_facet_without_choice_means_none_and_a_single_label_one_is_unanswered(tmp_path,
                                                                                                small_taxonomy):
    path = write_json(tmp_path / "e.json", [task(1, "a1", [annotation(1, 1, choices("themes", "sanctions"))]),
                                            task(2, "a2", [annotation(2, 1, choices("actors", "JPN"))])])
    ex = read_export(path, small_taxonomy)
    assert [dict(r.labels) for r in ex.records] == [{"themes": ("sanctions",), "actors": ()},
                                                    {"actors": ("JPN",), "themes": ()}]
    assert ex.facets_seen == ["themes", "actors"]  # region: no result anywhere, so not annotated


def test_labels_come_out_in_taxonomy_order_without_duplicates(tmp_path, small_taxonomy):
    path = write_json(tmp_path / "e.json", [task(1, "a1", [annotation(
        1, 1, choices("themes", "diplomacy", "deterrence"), choices("themes", "deterrence"))])])
    (rec,) = read_export(path, small_taxonomy).records
    assert rec.labels["themes"] == ("deterrence", "diplomacy")


def test_facets_restrict_the_facets_read_and_report_the_others(tmp_path, small_taxonomy):
    path = write_json(tmp_path / "e.json", [task(1, "a1", [annotation(1, 1, choices("region", "asia"),
                                                                      choices("actors", "JPN"))])])
    ex = read_export(path, small_taxonomy, facets=["region"])
    assert dict(ex.records[0].labels) == {"region": ("asia",)}
    assert [s.kind for s in ex.skipped] == ["unknown_control"]


# ---- JSON_MIN and CSV ----------------------------------------------------------------------------

def min_row(task_id=1, article_id="a1", annotator=1, annotation_id=1, **controls):
    return {"id": task_id, "article_id": article_id, "title": "t", "text": "x", "annotator": annotator,
            "annotation_id": annotation_id, "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z",
            "lead_time": 1.5, **controls}


def test_json_min_columns_of_facets_not_read_are_reported(tmp_path, small_taxonomy):
    path = write_json(tmp_path / "e.json", [min_row(region="asia", actors="JPN")])
    ex = read_export(path, small_taxonomy, facets=["region", "themes"])
    assert dict(ex.records[0].labels) == {"region": ("asia",)}
    assert [(s.kind, s.detail) for s in ex.skipped] == [("unknown_control", "column 'actors' is not among the facets read")]


def test_single_choice_in_json_min_becomes_a_one_label_list(tmp_path, small_taxonomy):
    path = write_json(tmp_path / "e.json", [min_row(themes="sanctions", region="europe")])
    ex = read_export(path, small_taxonomy)
    assert ex.format == "JSON_MIN"
    assert dict(ex.records[0].labels) == {"region": ("europe",), "themes": ("sanctions",)}


def test_several_choices_in_json_min_are_a_choices_object(tmp_path, small_taxonomy):
    path = write_json(tmp_path / "e.json", [min_row(themes={"choices": ["sanctions", "diplomacy"]})])
    assert read_export(path, small_taxonomy).records[0].labels["themes"] == ("diplomacy", "sanctions")


def test_an_untouched_task_in_json_min_is_a_row_of_nulls(tmp_path, small_taxonomy):
    path = write_json(tmp_path / "e.json", [min_row(annotator=None, annotation_id=None, lead_time=None)])
    ex = read_export(path, small_taxonomy)
    assert ex.records == [] and [s.kind for s in ex.skipped] == ["untouched"]


def test_spans_in_json_min_are_a_list_of_objects(tmp_path, small_taxonomy):
    path = write_json(tmp_path / "e.json", [min_row(region="asia", actors_mentions=[{"start": 1, "end": 4,
                                                                                     "text": "USA", "labels": ["USA"]}])])
    assert [s.label for s in read_export(path, small_taxonomy).records[0].spans] == ["USA"]


def test_json_inside_csv_cells_is_decoded(tmp_path, small_taxonomy):
    rows = [min_row(themes={"choices": ["sanctions", "diplomacy"]}, region="europe",
                    actors_mentions=[{"start": 1, "end": 4, "text": "USA", "labels": ["USA"]}])]
    ex = read_export(write_csv(tmp_path / "e.csv", rows), small_taxonomy)
    (rec,) = ex.records
    assert ex.format == "CSV" and rec.task_id == 1 and rec.annotator == "1" and rec.annotation_id == 1
    assert rec.labels["themes"] == ("diplomacy", "sanctions") and rec.labels["region"] == ("europe",)
    assert [s.label for s in rec.spans] == ["USA"]


def test_empty_csv_cells_are_nulls_and_an_empty_row_is_untouched(tmp_path, small_taxonomy):
    rows = [min_row(region="asia"), min_row(task_id=2, article_id="a2", annotator=None, annotation_id=None)]
    ex = read_export(write_csv(tmp_path / "e.csv", rows), small_taxonomy)
    assert [dict(r.labels) for r in ex.records] == [{"region": ("asia",)}]
    assert [(s.kind, s.task_id) for s in ex.skipped] == [("untouched", 2)]


def test_csv_locations_are_the_line_where_the_row_starts(tmp_path, small_taxonomy):
    rows = [min_row(region="asia", text="two\nlines"), min_row(task_id=2, region="Mars", text="x")]
    with pytest.raises(TaxonomyError, match=r"'e.csv', line 4, task 2 "):
        read_export(write_csv(tmp_path / "e.csv", rows), small_taxonomy)


def test_tsv_is_read_like_csv(tmp_path, small_taxonomy):
    ex = read_export(write_csv(tmp_path / "e.tsv", [min_row(region="asia")], delimiter="\t"), small_taxonomy)
    assert ex.format == "TSV" and ex.records[0].labels["region"] == ("asia",)


def test_long_texts_in_csv_cells_are_read(tmp_path, small_taxonomy):
    path = write_csv(tmp_path / "e.csv", [min_row(region="asia", text="word " * 100_000)])
    assert len(read_export(path, small_taxonomy).records) == 1


def test_an_email_annotator_is_mapped_to_the_user_id_when_the_mapping_is_given(tmp_path, small_taxonomy):
    path = write_json(tmp_path / "e.json", [min_row(annotator="Two@Example.com", region="asia")])
    ex = read_export(path, small_taxonomy, annotators={"two@example.com": 2})
    assert ex.records[0].annotator == "2" and not any("email" in n for n in ex.notes)


def test_an_email_annotator_without_mapping_stays_the_email_and_is_noted(tmp_path, small_taxonomy):
    path = write_json(tmp_path / "e.json", [min_row(annotator="two@example.com", region="asia")])
    ex = read_export(path, small_taxonomy)
    assert ex.records[0].annotator == "two@example.com"
    assert any("named by email only" in n and "two@example.com" in n for n in ex.notes)


def test_json_min_and_csv_say_what_they_cannot_carry(tmp_path, small_taxonomy):
    ex = read_export(write_json(tmp_path / "e.json", [min_row(region="asia")]), small_taxonomy)
    assert any("leave out skipped (cancelled) annotations, drafts and the ground_truth flag" in n for n in ex.notes)


def test_the_three_formats_of_one_project_give_the_same_records(project_exports, small_taxonomy):
    def neutral(ex):
        return sorted((r.task_id, r.article_id, r.annotator, tuple(sorted(r.labels.items())), r.spans)
                      for r in ex.records)

    exports = {fmt: read_export(p, small_taxonomy) for fmt, p in project_exports.items()}
    assert {fmt: ex.format for fmt, ex in exports.items()} == {"JSON": "JSON", "JSON_MIN": "JSON_MIN", "CSV": "CSV"}
    assert neutral(exports["JSON"]) == neutral(exports["JSON_MIN"]) == neutral(exports["CSV"])
    assert {s.kind for s in exports["JSON"].skipped} == {"cancelled", "draft", "untouched"}
    assert {s.kind for s in exports["CSV"].skipped} == {"untouched"}


# ---- errors --------------------------------------------------------------------------------------

def test_an_unknown_label_names_the_file_task_annotator_and_valid_labels(tmp_path, small_taxonomy):
    path = write_json(tmp_path / "batch3.json", [task(412, "a1b2", [annotation(1, 7, choices("themes", "Elections "))])])
    with pytest.raises(TaxonomyError, match=r"annotation export 'batch3.json', task 412 \(article 'a1b2'\), "
                                            r"annotator 7: themes label 'Elections ' is not in the taxonomy's "
                                            r"themes \[deterrence, military_training, alliance.*Fix the label"):
        read_export(path, small_taxonomy)


def test_an_unknown_label_in_csv_names_the_line(tmp_path, small_taxonomy):
    path = write_csv(tmp_path / "e.csv", [min_row(region="asia"), min_row(task_id=2, region="Asia Minor")])
    with pytest.raises(TaxonomyError, match=r"'e.csv', line 3, task 2 \(article 'a1'\), annotator 1: region label "
                                            r"'Asia Minor' is not in the taxonomy's region \[africa, americas, asia"):
        read_export(path, small_taxonomy)


def test_an_unknown_span_label_is_an_error(tmp_path, small_taxonomy):
    path = write_json(tmp_path / "e.json", [task(1, "a1", [annotation(1, 1, span("Atlantis"))])])
    with pytest.raises(TaxonomyError, match=r"task 1 .*annotator 1: actors label 'Atlantis' is not in the taxonomy"):
        read_export(path, small_taxonomy)


def test_every_unknown_label_is_listed_with_a_count(tmp_path, small_taxonomy):
    tasks = [task(i, f"a{i}", [annotation(i, 1, choices("region", f"bad{i}"))]) for i in range(1, 13)]
    with pytest.raises(TaxonomyError, match=r"12 invalid labels in 'e.json':(?s:.*)'bad1'(?s:.*)… and 2 more\."):
        read_export(write_json(tmp_path / "e.json", tasks), small_taxonomy)


def test_two_choices_for_a_single_label_facet_is_an_error(tmp_path, small_taxonomy):
    path = write_json(tmp_path / "e.json", [task(1, "a1", [annotation(1, 3, choices("region", "asia", "europe"))])])
    with pytest.raises(TaxonomyError, match=r"annotator 3: region is single-label and expects exactly one label, "
                                            r"got \['asia', 'europe'\]"):
        read_export(path, small_taxonomy)


def test_a_result_of_a_mapped_control_that_is_not_choices_is_an_error(tmp_path, small_taxonomy):
    bad = {"from_name": "where", "to_name": "text", "type": "labels", "value": {"labels": ["asia"]}}
    path = write_json(tmp_path / "e.json", [task(1, "a1", [annotation(1, 1, bad)])])
    with pytest.raises(ExportError, match=r"result of control 'where' \(mapped to facet 'region'\) must be "
                                          r"\{'type': 'choices'.*got type 'labels'.*--map CONTROL=region"):
        read_export(path, small_taxonomy, controls={"where": "region"})


def test_a_span_or_text_control_named_like_a_facet_is_reported_not_read_as_labels(tmp_path, small_taxonomy):
    spans = {"from_name": "Actors", "to_name": "text", "type": "labels",
             "value": {"start": 0, "end": 5, "text": "Japan", "labels": ["Japan"]}}
    path = write_json(tmp_path / "e.json", [task(1, "a1", [annotation(1, 1, choices("region", "asia"), spans)])])
    ex = read_export(path, small_taxonomy)
    assert dict(ex.records[0].labels) == {"region": ("asia",)}
    assert [s.detail for s in ex.skipped] == ["1 result(s) from control 'Actors' (type 'labels', not a choice) ignored"]
    rows = [min_row(region="asia", Actors=[{"start": 0, "end": 5, "text": "Japan", "labels": ["Japan"]}])]
    ex = read_export(write_json(tmp_path / "m.json", rows), small_taxonomy)
    assert dict(ex.records[0].labels) == {"region": ("asia",)}
    assert [s.detail for s in ex.skipped] == ["column 'Actors' holds lists, not choices; ignored"]


@pytest.mark.parametrize("value", [{"taxonomy": [["World", "Asia"]]}, {"taxonomy": [["Asia"]]}])
def test_a_real_taxonomy_control_result_is_read_by_the_last_item_of_its_path(tmp_path, small_taxonomy, value):
    tax = {"from_name": "Region", "to_name": "text", "type": "taxonomy", "value": value}
    ex = read_export(write_json(tmp_path / "e.json", [task(1, None, [annotation(1, 1, tax)])]), small_taxonomy)
    assert dict(ex.records[0].labels) == {"region": ("asia",)}
    rows = [min_row(Region=value)]
    assert dict(read_export(write_json(tmp_path / "m.json", rows), small_taxonomy).records[0].labels) == {
        "region": ("asia",)}


def test_a_span_without_exactly_one_label_is_an_error(tmp_path, small_taxonomy):
    bad = span("JPN")
    bad["value"]["labels"] = ["JPN", "USA"]
    with pytest.raises(ExportError, match=r"span result of 'actors_mentions' must carry exactly one label"):
        read_export(write_json(tmp_path / "e.json", [task(1, "a1", [annotation(1, 1, bad)])]), small_taxonomy)


def test_a_span_without_offsets_is_an_error(tmp_path, small_taxonomy):
    bad = span("JPN")
    del bad["value"]["start"]
    with pytest.raises(ExportError, match=r"needs integer 'start' and 'end'"):
        read_export(write_json(tmp_path / "e.json", [task(1, "a1", [annotation(1, 1, bad)])]), small_taxonomy)


def test_a_json_min_facet_value_of_another_shape_is_an_error(tmp_path, small_taxonomy):
    with pytest.raises(ExportError, match=r"row 1, task 1 .*facet 'themes' \(column 'themes'\) must be a label or "
                                          r"\{'choices'"):
        read_export(write_json(tmp_path / "e.json", [min_row(themes=3)]), small_taxonomy)


def test_a_full_export_read_as_json_min_says_which_format_it_is(tmp_path, small_taxonomy):
    path = write_json(tmp_path / "e.json", [task(1, "a1")])
    with pytest.raises(ExportError, match=r"row 1: this is a full JSON export .*pass --format JSON"):
        read_export(path, small_taxonomy, fmt="JSON_MIN")


def test_json_min_read_as_full_json_says_which_format_it_is(tmp_path, small_taxonomy):
    path = write_json(tmp_path / "e.json", [min_row(region="asia")])
    with pytest.raises(ExportError, match=r"item 1: expected a task object with 'data' and 'annotations'.*JSON_MIN"):
        read_export(path, small_taxonomy, fmt="JSON")


def test_a_row_without_task_id_or_annotator_columns_is_an_error(tmp_path, small_taxonomy):
    path = write_csv(tmp_path / "e.csv", [{"text": "x", "region": "asia"}])
    with pytest.raises(ExportError, match=r"line 2: a JSON_MIN/CSV row needs 'id' \(the task\) and 'annotator'"):
        read_export(path, small_taxonomy)


def test_a_non_integer_task_id_is_an_error(tmp_path, small_taxonomy):
    with pytest.raises(ExportError, match=r"task 'id' must be an integer, got 'x'"):
        read_export(write_json(tmp_path / "e.json", [min_row(task_id="x")]), small_taxonomy)


def test_a_non_integer_task_id_in_a_full_json_export_is_the_same_error_with_the_item(tmp_path, small_taxonomy):
    with pytest.raises(ExportError, match=r"item 2: task 'id' must be an integer, got '7b'"):
        read_export(write_json(tmp_path / "e.json", [task(1, "a1"), task("7b", "a2")]), small_taxonomy)


def test_a_csv_row_with_more_cells_than_columns_is_an_error(tmp_path, small_taxonomy):
    path = tmp_path / "e.csv"
    path.write_text('id,annotator\n1,2,3\n', encoding="utf-8")
    with pytest.raises(ExportError, match=r"line 2: more cells than header columns"):
        read_export(path, small_taxonomy)


def test_an_empty_csv_file_is_an_error(tmp_path, small_taxonomy):
    path = tmp_path / "e.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(ExportError, match=r"empty CSV file \(no header row\)"):
        read_export(path, small_taxonomy)


def test_a_json_object_instead_of_an_array_is_an_error(tmp_path, small_taxonomy):
    with pytest.raises(ExportError, match=r"invalid JSON at line 1: expected a JSON array of tasks or rows \('\['\), "
                                          r"got '\{'"):
        read_export(write_json(tmp_path / "e.json", {"tasks": []}), small_taxonomy)


def test_an_empty_file_is_an_error(tmp_path, small_taxonomy):
    (tmp_path / "e.json").write_text("", encoding="utf-8")
    with pytest.raises(ExportError, match=r"got an empty file"):
        read_export(tmp_path / "e.json", small_taxonomy, fmt="JSON")


def test_a_truncated_export_is_an_error_with_the_line(tmp_path, small_taxonomy):
    text = json.dumps([task(1, "a1"), task(2, "a2")], indent=1)
    (tmp_path / "e.json").write_text(text[: len(text) // 2 + 5], encoding="utf-8")
    with pytest.raises(ExportError, match=r"'e.json': invalid JSON at line \d+: .*Export the project again"):
        read_export(tmp_path / "e.json", small_taxonomy, fmt="JSON")


def test_garbage_between_items_is_an_error(tmp_path, small_taxonomy):
    (tmp_path / "e.json").write_text('[{"id": 1, "data": {}}\n x]', encoding="utf-8")
    with pytest.raises(ExportError, match=r"line 2: expected ',' or '\]' after an item, got 'x'"):
        read_export(tmp_path / "e.json", small_taxonomy, fmt="JSON")


def test_data_after_the_array_is_an_error(tmp_path, small_taxonomy):
    (tmp_path / "e.json").write_text('[] []', encoding="utf-8")
    with pytest.raises(ExportError, match=r"unexpected data after the closing"):
        read_export(tmp_path / "e.json", small_taxonomy, fmt="JSON")


def test_a_missing_export_file_is_an_error(tmp_path, small_taxonomy):
    with pytest.raises(ExportError, match=r"'.*nope.json' does not exist; download it with `newstag annotate pull`"):
        read_export(tmp_path / "nope.json", small_taxonomy)


def test_an_unknown_format_is_an_error(tmp_path, small_taxonomy):
    path = write_json(tmp_path / "e.json", [])
    with pytest.raises(ExportError, match=r"unknown format 'XML'; expected one of \['JSON', 'JSON_MIN', 'CSV', 'TSV'\]"):
        read_export(path, small_taxonomy, fmt="xml")


def test_an_empty_array_is_an_empty_export(tmp_path, small_taxonomy):
    ex = read_export(write_json(tmp_path / "e.json", []), small_taxonomy)
    assert ex.records == [] and ex.skipped == [] and ex.tasks == 0


# ---- the streaming reader, format detection, annotator files ------------------------------------

def test_the_streaming_reader_handles_items_split_across_chunks():
    items = [{"id": i, "text": "é" * (i * 7), "nested": {"a": [1, 2, {"b": "]"}]}} for i in range(30)]
    text = "\ufeff" + json.dumps(items, indent=2)
    assert list(_iter_json_array(io.StringIO(text.lstrip("\ufeff")), "x.json", chunk=5)) == items


def test_formats_are_detected_from_suffix_and_content(project_exports, tmp_path):
    assert {fmt: detect_format(p) for fmt, p in project_exports.items()} == {
        "JSON": "JSON", "JSON_MIN": "JSON_MIN", "CSV": "CSV"}
    assert detect_format(write_json(tmp_path / "e.json", [])) == "JSON"


def test_annotator_files_may_be_a_mapping_or_the_user_list(tmp_path):
    assert read_annotators(write_json(tmp_path / "a.json", {"a@x.org": 3})) == {"a@x.org": "3"}
    users = [{"id": 3, "email": "a@x.org", "first_name": ""}]
    assert read_annotators(write_json(tmp_path / "u.json", users)) == {"a@x.org": "3"}


def test_an_annotator_file_of_another_shape_is_an_error(tmp_path):
    with pytest.raises(ExportError, match=r"expected an object \{email: user id\} or a list of users"):
        read_annotators(write_json(tmp_path / "a.json", [1, 2]))
    with pytest.raises(ExportError, match=r"annotators file '.*missing.json' does not exist"):
        read_annotators(tmp_path / "missing.json")


def test_an_annotator_file_that_is_not_json_is_an_error_that_says_where(tmp_path):
    (tmp_path / "a.json").write_text('{\n  "a@x.org": 3,\n  oops\n}', encoding="utf-8")
    with pytest.raises(ExportError, match=r"annotators file '.*a.json': invalid JSON at line 3 column 3: "):
        read_annotators(tmp_path / "a.json")


# ---- a project made by hand (real exports in tests/annotation/data) --------------------------------

@pytest.mark.parametrize("fmt", list(HANDMADE))
def test_a_hand_made_projects_controls_and_display_name_choices_map_to_facets_and_label_ids(small_taxonomy, fmt):
    ex = read_export(HANDMADE[fmt], small_taxonomy, controls=HANDMADE_MAP)
    assert ex.controls == {"Region": "region", "country": "actors", "topic": "themes"}
    assert ex.unmapped_controls == ["notes"] and ex.facets_seen == ["region", "themes", "actors"]
    first = {r.annotator: dict(r.labels) for r in ex.records if r.task_id in (1, "u-1")}
    assert first == {"1": {"region": ("middle_east",), "themes": ("diplomacy", "sanctions"), "actors": ("ISR",)},
                     "2": {"region": ("middle_east",), "actors": ("IRN", "ISR"), "themes": ()}}


def test_json_min_and_csv_keep_the_task_data_without_the_control_columns(small_taxonomy):
    data = {fmt: read_export(HANDMADE[fmt], small_taxonomy, controls=HANDMADE_MAP).task_data for fmt in HANDMADE}
    assert data["JSON"][1] == {"id": "u-1", "headline": "Israel and Iran", "text": "Israel struck Iran.",
                               "url": "https://x/1", "n": 5}
    assert data["JSON_MIN"][1] == {"headline": "Israel and Iran", "text": "Israel struck Iran.", "url": "https://x/1",
                                   "n": 5}  # Label Studio put its task id in 'id'
    assert data["CSV"]["u-1"] == {"id": "u-1", "headline": "Israel and Iran", "text": "Israel struck Iran.",
                                  "url": "https://x/1", "n": "5"}  # the task's own id, and no Label Studio task id
    assert list(data["CSV"]) == ["u-1", "u-2", "u-3"]


def test_without_a_map_unmatched_controls_are_listed_and_their_results_reported(small_taxonomy):
    ex = read_export(HANDMADE["JSON"], small_taxonomy)
    assert ex.controls == {"Region": "region"} and ex.unmapped_controls == ["country", "notes", "topic"]
    assert ex.facets_seen == ["region"]
    assert {s.detail for s in ex.skipped if s.kind == "unknown_control"} == {
        "1 result(s) from control 'country' ignored", "1 result(s) from control 'topic' ignored",
        "1 result(s) from control 'notes' ignored"}


def test_a_column_that_differs_between_rows_of_one_task_is_a_control_not_task_data(tmp_path, small_taxonomy):
    rows = [min_row(region="asia", comment="looks fine", source_feed="rss"),
            min_row(annotator=2, annotation_id=2, region="asia", source_feed="rss")]
    ex = read_export(write_json(tmp_path / "e.json", rows), small_taxonomy)
    assert ex.task_data[1] == {"article_id": "a1", "title": "t", "text": "x", "source_feed": "rss"}
    assert ex.unmapped_controls == ["comment"]


def test_an_annotation_that_answers_no_facet_is_reported_not_used(tmp_path, small_taxonomy):
    note = {"from_name": "notes", "to_name": "text", "type": "textarea", "value": {"text": ["ok"]}}
    path = write_json(tmp_path / "e.json", [task(1, None, [annotation(1, 1, note)])])
    ex = read_export(path, small_taxonomy)
    assert ex.records == [] and [s.kind for s in ex.skipped] == ["unknown_control", "no_facet"]
    assert "map them with --map CONTROL=FACET" in ex.skipped[1].detail


def test_a_taxonomy_control_path_is_read_by_its_last_item(tmp_path, small_taxonomy):
    tax = {"from_name": "Region", "to_name": "text", "type": "taxonomy",
           "value": {"taxonomy": [["World", "Asia"]], "choices": [["World", "Asia"]]}}
    ex = read_export(write_json(tmp_path / "e.json", [task(1, None, [annotation(1, 1, tax)])]), small_taxonomy)
    assert dict(ex.records[0].labels) == {"region": ("asia",)}


def test_an_ambiguous_choice_names_the_file_task_annotator_and_candidates(tmp_path):
    from corpus import parse_taxonomy

    tax = parse_taxonomy({"facets": {"actors": {"kind": "multi", "labels": {
        "eu": {"name": "European Union"}, "europe": {"name": "Europe", "aliases": ["EU"]}}}}})
    path = write_json(tmp_path / "e.json", [task(5, None, [annotation(1, 7, choices("actors", "EU"))])])
    with pytest.raises(TaxonomyError, match=r"annotation export 'e.json', task 5, annotator 7: actors value 'EU' "
                                            r"is ambiguous: it names 2 labels \[eu \(European Union\), "
                                            r"europe \(Europe\)\]"):
        read_export(path, tax)


def test_a_numeric_csv_id_is_a_task_key_and_a_text_one_too(tmp_path, small_taxonomy):
    rows = [min_row(task_id=17, article_id=None, region="asia"), min_row(task_id="rec-2", article_id=None,
                                                                            region="Europe")]
    ex = read_export(write_csv(tmp_path / "e.csv", rows), small_taxonomy)
    assert [(r.task_id, r.labels["region"]) for r in ex.records] == [(17, ("asia",)), ("rec-2", ("europe",))]
