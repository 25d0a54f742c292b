"""Articles from an export's tasks (annotation.articles): fields, metadata, ids, and matching to a corpus."""

from __future__ import annotations

import pytest

from annotation import TaskFields, match_tasks, read_export, task_article
from corpus import InputError, article_id

from .conftest import annotation, choices, task, write_json


def test_text_title_url_and_own_id_come_from_the_usual_fields_and_the_rest_is_metadata():
    a = task_article({"id": 42, "headline": "Talks", "text": "Japan held talks.", "url": "https://e.org/1",
                      "n": 5, "score": 0.5, "flag": True, "tags": ["a", "b"], "empty": "", "none": None})
    assert (a.title, a.body, a.url, a.source_id, a.tags) == ("Talks", "Japan held talks.", "https://e.org/1", "42",
                                                             ("a", "b"))
    assert a.meta == {"n": "5", "score": "0.5", "flag": "True"}


def test_without_an_own_id_the_url_is_the_source_id_and_newstags_task_fields_are_not_metadata():
    a = task_article({"article_id": "", "group_id": "g", "title": "T", "text": "Body.", "url": "https://e.org/2"})
    assert a.source_id == "https://e.org/2" and a.meta == {}


def test_newstags_own_tasks_keep_their_source_id_before_the_article_id():
    a = task_article({"article_id": "3f1c", "source_id": "row-7", "title": "T", "text": "Body."})
    assert a.source_id == "row-7"
    assert task_article({"article_id": "3f1c", "source_id": "", "text": "Body."}).source_id == "3f1c"


def test_named_fields_may_be_dotted_paths_into_nested_data_which_is_kept_as_canonical_json():
    data = {"doc": {"body": "Nested body.", "head": "Nested title", "ref": {"n": 7}}, "extra": {"b": 1, "a": [1, 2]}}
    a = task_article(data, TaskFields(text="doc.body", title="doc.head", id="doc.ref.n"))
    assert (a.body, a.title, a.source_id) == ("Nested body.", "Nested title", "7")
    assert a.meta == {"doc": '{"body":"Nested body.","head":"Nested title","ref":{"n":7}}',
                      "extra": '{"a":[1,2],"b":1}'}


def test_an_html_text_field_becomes_plain_paragraphs():
    a = task_article({"html": "<div><p>First <i>part</i>.</p><p>Second part.</p></div>"})
    assert a.body == "First part.\n\nSecond part." and a.raw.startswith("<div>")


@pytest.mark.parametrize("data, fields, message", [
    ({"headline": "Only a title", "url": "u"}, TaskFields(),
     r"task 3: no article text: expected one of \['text', 'body', 'content', 'html'\] in the task data, found "
     r"fields \['headline', 'url'\]\. Name the field that holds the text with --text-field\."),
    ({"text": "x"}, TaskFields(text="story"), r"task 3: no article text: expected 'story' in the task data"),
    ({"text": "   "}, TaskFields(), r"task 3: no article text"),
])
def test_a_task_without_text_is_an_error_naming_its_fields_and_the_option(data, fields, message):
    with pytest.raises(InputError, match=message):
        task_article(data, fields, "task 3")


def _export(tmp_path, small_taxonomy, *tasks):
    return read_export(write_json(tmp_path / "e.json", list(tasks)), small_taxonomy)


def test_tasks_match_by_article_id_then_source_id_then_the_texts_fingerprint(tmp_path, small_taxonomy, small_corpus):
    from corpus import Article, from_articles

    corpus = from_articles([Article(id="a1", title="One", body="First body.", source_id="src-1"),
                            Article(title="Two", body="Second body.", source_id="src-2"),
                            Article(title="Three", body="Third body.")], small_taxonomy)
    r = [annotation(1, 1, choices("region", "asia"))]
    ex = _export(tmp_path, small_taxonomy,
                 task(1, "a1", r, text="edited"),                              # by article_id
                 task(2, None, r, id="src-2", text="Second body, edited."),     # by source id
                 {"id": 3, "data": {"title": "Three", "text": "Third body."}, "annotations": r},  # by fingerprint
                 task(4, None, r, id="nowhere", text="Unknown."))
    found, unmatched = match_tasks(ex, corpus)
    assert found == {1: "a1", 2: article_id("Two", "Second body."), 3: article_id("Three", "Third body.")}
    assert unmatched == [4]


def test_a_source_id_that_two_articles_share_matches_neither(tmp_path, small_taxonomy):
    from corpus import Article, from_articles

    corpus = from_articles([Article(title="A", body="x", source_id="dup"),
                            Article(title="B", body="y", source_id="dup")], small_taxonomy)
    ex = _export(tmp_path, small_taxonomy, task(1, None, [annotation(1, 1, choices("region", "asia"))], id="dup",
                                                text="z"))
    assert match_tasks(ex, corpus) == ({}, [1])
