"""The Tagger: fitting from a corpus, a split or texts; tagging; evidence; determinism; sklearn conventions."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, KFold

from classifier import LabelScore, TagResult, Tagger
from corpus import Article, InputError, TaxonomyError

from ..conftest import ROOT
from .conftest import TRAIN_ARTICLES


def test_the_seed_article_is_tagged_asia_with_usa_japan_and_south_korea_by_a_tagger_that_never_saw_it(
        tagger_all, seed_article, small_corpus):
    assert seed_article.text not in small_corpus.texts()
    result = tagger_all.tag(seed_article)
    assert result.region.label == "asia"
    assert {"USA", "JPN", "KOR"} <= set(result.labels("actors"))


def test_states_the_seed_article_only_mentions_are_not_actors(tagger_all, seed_article):
    actors = set(tagger_all.tag(seed_article).labels("actors"))
    assert not actors & {"RUS", "AUS", "IND"}  # "Russia's belligerence", the QUAD's members in passing


def test_training_twice_with_the_same_corpus_and_seed_gives_identical_predictions(small_corpus, small_splits, trained):
    again = Tagger(random_state=0).fit(small_corpus, splits=small_splits)
    texts = small_corpus.texts()
    a, b = trained.predict_proba(texts), again.predict_proba(texts)
    for facet in a:
        np.testing.assert_array_equal(a[facet], b[facet])
    assert trained.predict(texts) == again.predict(texts)


def test_a_fresh_process_trains_a_tagger_with_identical_predictions(corpus_dir, trained, small_corpus):
    code = (
        "import json, sys\n"
        "from corpus import load, load_splits\n"
        "from classifier import Tagger\n"
        f"c = load({str(corpus_dir)!r})\n"
        f"t = Tagger(random_state=0).fit(c, splits=load_splits({str(corpus_dir)!r}))\n"
        "p = t.predict_proba(c.texts())\n"
        "json.dump({k: v.tolist() for k, v in p.items()}, sys.stdout)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    theirs = json.loads(out.stdout)
    ours = trained.predict_proba(small_corpus.texts())
    for facet, values in theirs.items():
        assert np.asarray(values).tolist() == ours[facet].tolist()


def test_a_split_trains_on_its_articles_only_and_uses_the_manifests_folds(trained, small_splits):
    assert trained.training_["articles"] == len(small_splits.ids["train"])
    assert trained.training_["splits"]["fit_on"] == "train"
    assert trained.training_["splits"]["folds"] == 3
    themes = trained.heads_["themes"]
    assert type(themes.cv).__name__ == "PredefinedSplit"


def test_an_unknown_split_or_a_manifest_of_another_corpus_is_refused(small_corpus):
    with pytest.raises(InputError, match=r"no 'test' split \(it has \['eval', 'train'\]\)"):
        Tagger().fit(small_corpus, splits={"train": small_corpus.ids, "eval": []}, split="test")
    with pytest.raises(InputError, match=r"names 1 article\(s\) not in this corpus.*reshuffle"):
        Tagger().fit(small_corpus, splits={"train": ["nope"]})


def test_tag_batch_equals_tag_one_at_a_time_keeps_order_and_carries_ids(trained):
    items = [{"id": f"a{i}", "title": "Talks", "text": t} for i, t in enumerate(
        ["Russia fired missiles at Kyiv.", "Japan and South Korea held drills.", "Iran expanded enrichment."])]
    batch = list(trained.tag_batch(items, batch_size=2))
    single = [trained.tag(x) for x in items]
    assert [r.id for r in batch] == ["a0", "a1", "a2"]
    assert [r.to_dict() for r in batch] == [r.to_dict() for r in single]


def test_tag_accepts_a_text_an_article_or_a_record(trained):
    a = Article(title="Seoul and Tokyo talk", body="South Korea and Japan met in Seoul.", id="x1")
    by_article = trained.tag(a)
    by_text = trained.tag(a.text)
    by_record = trained.tag({"title": a.title, "text": a.body, "id": 7})
    assert by_article.id == "x1" and by_text.id is None and by_record.id == "7"
    assert by_article.tags == by_text.tags == by_record.tags


@pytest.mark.parametrize("item, match", [
    ({"title": "no text"}, r"item 0: expected a 'text' string, got no text"),
    ({"text": 3}, r"item 0: expected a 'text' string, got int"),
    ({"text": "ok", "title": 5}, r"'title' must be a string"),
    (42, r"cannot tag a int"),
])
def test_bad_items_are_refused_with_what_was_expected(trained, item, match):
    with pytest.raises(InputError, match=match):
        trained.tag(item)


def test_tag_batch_refuses_a_single_string(trained):
    with pytest.raises(InputError, match="use tag"):
        list(trained.tag_batch("one text"))


def test_a_result_is_typed_and_json_ready(trained, seed_article):
    r = trained.tag(seed_article)
    assert isinstance(r, TagResult) and isinstance(r.region, LabelScore)
    assert all(isinstance(s, LabelScore) for s in r.themes + r.actors)
    assert list(r.tags) == ["region", "themes", "actors"]
    d = json.loads(json.dumps(r.to_dict()))
    assert set(d) == {"id", "region", "themes", "actors", "evidence"}
    assert 0.0 <= d["region"]["score"] <= 1.0
    assert [s["score"] for s in d["actors"]] == sorted((s["score"] for s in d["actors"]), reverse=True)
    with pytest.raises(KeyError, match="facet 'topics' is not in this model's taxonomy"):
        r["topics"]


def test_evidence_gives_top_weighted_terms_and_the_matched_aliases(trained, seed_article):
    r = trained.tag(seed_article)
    ev = r.evidence
    assert ev.terms["region"][r.region.label]
    for s in r.actors:
        assert s.label in ev.terms["actors"]
    assert {"USA", "JPN", "KOR", "PRK", "CHN"} <= {m.label for m in ev.aliases}
    m = ev.aliases[0]
    assert seed_article.text[m.start:m.end] == m.text
    rule_terms = [t.term for s in r.actors if s.source == "alias-rule" for t in ev.terms["actors"][s.label]]
    assert all(t.startswith("alias ") for t in rule_terms)
    assert trained.tag(seed_article, evidence=False).evidence is None


def test_predict_and_predict_proba_follow_the_taxonomys_label_order(trained, small_corpus):
    texts = small_corpus.texts()[:4]
    proba = trained.predict_proba(texts)
    pred = trained.predict(texts)
    for facet, labels in trained.classes_.items():
        assert proba[facet].shape == (4, len(labels))
    assert all(isinstance(v, str) for v in pred["region"])
    assert all(isinstance(v, list) for v in pred["actors"])
    best = [trained.classes_["region"][k] for k in proba["region"].argmax(axis=1)]
    assert pred["region"] == best


def test_scores_give_predict_proba_predict_and_the_alias_features_of_one_pass(trained, small_corpus):
    texts = small_corpus.texts()[:6]
    scores = trained.scores(texts)
    proba = trained.predict_proba(texts)
    assert scores.labels == trained.predict(texts)
    for facet, p in proba.items():
        np.testing.assert_array_equal(scores.proba[facet], p)
        assert scores.thresholds[facet].shape == (p.shape[1],)
    assert set(scores.alias_features) == {"themes", "actors"}
    assert scores.alias_features["actors"].shape[0] == len(texts)
    again = trained.scores(trained.features(texts))
    assert again.labels == scores.labels


def test_actor_labels_with_few_examples_fall_back_to_the_alias_rule(small_corpus):
    t = Tagger(rule_below=4, acting_words=False).fit(small_corpus)
    counts = t.label_counts_["actors"]
    assert set(t.head_labels_["actors"]) == {lab for lab, n in counts.items() if n >= 4}
    assert set(t.rule_labels_) == set(t.classes_["actors"]) - set(t.head_labels_["actors"])
    assert all(lab in t.rule_labels_ for lab, n in counts.items() if n < 4)
    assert "TUV" in t.rule_labels_  # never seen in training: still tagged by its aliases
    assert "TUV" in t.tag("Tuvalu asks for help\n\nTuvalu's prime minister spoke.").labels("actors")


def test_each_head_reads_its_own_aliases_and_region_reads_the_actors_and_places_too(trained):
    assert trained.head_blocks_ == {"region": ["text", "actors", "places"], "themes": ["text", "themes"],
                                    "actors": ["text", "actors"]}  # no prefix block by default (prefix_length=None)
    assert all(trained.uses_aliases(f) for f in ("region", "themes", "actors"))
    assert trained.alias_features("themes").labels_ == trained.classes_["themes"]
    assert trained.alias_features("region") is None  # region labels have no aliases in the default taxonomy


def test_group_facet_names_the_head_that_reads_the_actors_and_group_attr_their_grouping(small_corpus):
    from classifier import Tagger

    alone = Tagger(group_facet=None, random_state=0).fit(small_corpus)
    assert alone.head_blocks_["region"] == ["text"]
    assert alone.alias_features("actors").group_names_
    ungrouped = Tagger(group_attr=None, random_state=0).fit(small_corpus)
    assert ungrouped.head_blocks_["region"] == ["text", "actors"]
    assert ungrouped.alias_features("actors").group_names_ == []


def test_a_tagger_saved_before_group_facet_existed_reads_it_from_group_attr(trained):
    state = dict(trained.__getstate__())  # a copy: the state may be the live __dict__
    del state["group_facet"]
    old = type(trained).__new__(type(trained))
    old.__setstate__(state)
    assert old.group_facet == "region" and old.get_params()["group_facet"] == "region"


def test_labels_absent_from_training_never_break_fitting_and_are_never_predicted():
    texts = ["Russia shelled Kharkiv.", "Japan held drills with the US.", "Iran enriched uranium.",
             "Ukraine struck a Russian depot.", "China and Japan held talks."] * 2
    y = {"themes": [["armed_conflict"], ["military_training"], ["missile_nuclear"], ["armed_conflict"],
                    ["diplomacy"]] * 2,
         "region": ["europe", "asia", "middle_east", "europe", "asia"] * 2}
    t = Tagger(min_df=1, threshold_cv=2).fit(texts, y)
    assert "sanctions" not in t.head_labels_["themes"]
    assert all("sanctions" not in labs for labs in t.predict(texts)["themes"])
    assert t.training_["source"] == "texts"


def test_fitting_on_texts_checks_labels_against_the_taxonomy():
    with pytest.raises(TaxonomyError, match="text 0: themes label 'weather'"):
        Tagger().fit(["a text"], {"themes": [["weather"]]})
    with pytest.raises(InputError, match="y is missing"):
        Tagger().fit(["a text"])
    with pytest.raises(InputError, match=r"facet 'region' has 2 labels for 1 texts"):
        Tagger().fit(["a text"], {"region": ["asia", "europe"]})
    with pytest.raises(InputError, match="none of the articles has labels"):
        Tagger().fit([Article(title="t", body="b")])


def test_bad_parameters_are_refused_at_fit(small_corpus):
    with pytest.raises(InputError, match="random_state must be an integer seed"):
        Tagger(random_state=None).fit(small_corpus)
    with pytest.raises(InputError, match="C must be a positive number"):
        Tagger(C=0).fit(small_corpus)


def test_an_unfitted_tagger_raises_not_fitted(seed_article):
    with pytest.raises(NotFittedError):
        Tagger().tag(seed_article)
    with pytest.raises(NotFittedError):
        Tagger().predict(["text"])


def test_clone_keeps_the_parameters_and_drops_what_was_learned(trained):
    c = clone(trained)
    assert c.get_params() == trained.get_params()
    assert not hasattr(c, "heads_")


def test_grid_search_over_a_heads_c_runs_on_the_heads_pipeline(small_corpus):
    texts = small_corpus.texts()
    ids = small_corpus.taxonomy.facet("themes").ids
    Y = np.array([[int(lab in labs) for lab in ids] for labs in small_corpus.labels("themes")])
    keep = Y.sum(axis=0) >= 3
    pipe = Tagger(threshold_cv=2).make_pipeline("themes")
    search = GridSearchCV(pipe, {"head__estimator__C": [0.1, 1.0]}, cv=KFold(3, shuffle=True, random_state=0),
                          scoring="f1_micro").fit(texts, Y[:, keep])
    assert search.best_params_["head__estimator__C"] in (0.1, 1.0)
    assert len(search.cv_results_["params"]) == 2
    # the region head calibrates a LogisticRegression: its C is head__estimator__C too
    assert "head__estimator__C" in Tagger().make_pipeline("region").get_params()


# The evidence's top terms: a pre-filter keeps the per-row sort small; it must never change the result.

def _top_k_reference(indptr, contrib, k):
    out = []
    for r in range(len(indptr) - 1):
        entries = [(c, j) for j, c in enumerate(contrib[indptr[r]:indptr[r + 1]], start=indptr[r]) if c > 0]
        entries.sort(key=lambda e: (-e[0], e[1]))  # descending; ties in column (entry) order
        out += [(r, j, c) for c, j in entries[:k]]
    return out


def test_top_k_per_row_equals_sorting_each_row_with_ties_and_short_rows():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from classifier._evidence import _top_k_per_row

    rows_st = st.lists(st.lists(st.sampled_from([-1.0, 0.0, 0.1, 0.2, 0.2, 0.5, 1.5, 3.0]), max_size=40), max_size=8)

    @settings(max_examples=300, deadline=None)
    @given(rows_st, st.integers(min_value=1, max_value=6))
    def check(table, k):
        counts = [len(r) for r in table]
        indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        contrib = np.asarray([v for r in table for v in r], dtype=np.float64)
        rows = np.repeat(np.arange(len(table)), counts)
        cols = np.arange(len(contrib))  # the entry's position stands for its column
        r, c, v = _top_k_per_row(indptr, rows, cols, contrib, k)
        assert list(zip(r.tolist(), c.tolist(), v.tolist())) == _top_k_reference(indptr, contrib, k)

    check()


def test_a_tagger_fitted_with_one_or_two_jobs_learns_the_same_heads(small_corpus, small_splits, trained):
    # `trained` used the default n_jobs=2: each head's labels were fitted in worker processes
    one = Tagger(random_state=0, n_jobs=1).fit(small_corpus, splits=small_splits)
    assert trained.n_jobs == 2 and set(one.heads_) == set(trained.heads_)
    for facet, head in one.heads_.items():
        for name in ("calibration_", "thresholds_"):
            if hasattr(head, name):
                np.testing.assert_array_equal(getattr(head, name), getattr(trained.heads_[facet], name))
    texts = small_corpus.texts()
    a, b = one.predict_proba(texts), trained.predict_proba(texts)
    for facet in a:
        np.testing.assert_array_equal(a[facet], b[facet])


@pytest.mark.parametrize("n_jobs", [0, 1.5, True])
def test_a_tagger_refuses_an_n_jobs_that_is_not_a_nonzero_integer(small_corpus, n_jobs):
    with pytest.raises(InputError, match=f"n_jobs must be a non-zero integer .*got {n_jobs!r}"):
        Tagger(n_jobs=n_jobs).fit(small_corpus)
