"""The split a model is refitted on after its evaluation (corpus.refit_split, ``newstag train --refit``): every
labeled article the evaluated split could place, in one train split, with folds cut the way the split's were."""

from __future__ import annotations

import json

import pytest

from corpus import Article, from_articles, make_splits, refit_split, time_split

from .test_time_split import _stories, art, by_body


@pytest.fixture
def corpus(taxonomy):
    undated = Article(title="", body="An undated item about nothing in particular at all.", year=None, month=7, day=28,
                      labels={"region": "asia", "themes": [], "actors": []})
    arts = [
        art(0, "2026-01-10", story=["War", "Front"]), art(1, "2026-02-01", story=["Other"]),
        art(2, "2026-02-20", selection="random"), art(3, "2026-03-05", selection="random", story=["War", "Front"]),
        art(4, "2026-03-06", selection="active"), art(5, "2026-04-01", selection="random", story=["War"]),
        art(6, "2026-06-01", selection="random"), art(7, "2026-03-07", labeled=False), undated,
    ]
    return from_articles(arts, taxonomy)


def test_the_refit_trains_on_the_evaluated_held_out_and_left_out_articles_too(corpus):
    m = time_split(corpus, "2026-03-01", until="2026-05-31", eval_where={"meta.selection": "random"},
                   group_column="meta.story_line", undated="drop")
    assert by_body(corpus, m.ids["train"]) == [1, 2]  # 0 left out (its story is evaluated), 4 and 6 held out
    r = refit_split(corpus, m)
    assert list(r.ids) == ["train"]
    assert by_body(corpus, r.ids["train"]) == [0, 1, 2, 3, 4, 5, 6]  # every labeled, dated article; 7 is unlabeled, the undated one stays out
    assert r.method == "refit" and r.corpus_fingerprint == corpus.fingerprint
    rep = r.label_report
    assert rep["refit_of"]["method"] == "time" and rep["refit_of"]["counts"] == {"train": 2, "eval": 2}
    assert rep["dates"] == {"train": ["2026-01-10", "2026-06-01"]}
    assert rep["left_out"]["undated"] == 1 and len(rep["left_out"]["ids"]) == 1


def test_undated_articles_the_split_trained_on_are_refitted_on(corpus):
    m = time_split(corpus, "2026-03-01", undated="train")
    r = refit_split(corpus, m)
    assert len(r.ids["train"]) == 8 and r.label_report["left_out"]["undated"] == 0


def test_a_random_split_is_refitted_on_every_labeled_article(corpus):
    m = make_splits(corpus, seed=3)
    r = refit_split(corpus, m)
    assert sorted(r.ids["train"]) == sorted(a for v in m.ids.values() for a in v)
    assert r.folds is None and r.seed == 3


def test_folds_are_cut_as_many_and_as_seeded_as_the_splits_keeping_stories_whole(taxonomy):
    c = _stories(taxonomy, n_stories=6, per_story=4)
    m = time_split(c, "2026-03-01", group_column="meta.story_line", folds=3, seed=5)
    r = refit_split(c, m)
    assert len(r.folds) == 3 and r.seed == 5 and r.group_columns == m.group_columns
    assert sorted(a for f in r.folds for a in f) == sorted(r.ids["train"])
    story = {a: json.loads(x)["story_line"][0] for a, x in zip(c.ids, c.column("meta")) if x and "story_line" in x}
    for f in r.folds:  # a story line's items are in one fold
        for g in {story[a] for a in f if a in story}:
            assert all(story.get(a) != g for other in r.folds if other is not f for a in other)
    again = refit_split(c, m)
    assert json.dumps(again.to_dict(), sort_keys=True) == json.dumps(r.to_dict(), sort_keys=True)
