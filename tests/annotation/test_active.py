"""Active learning (annotation.active): which articles the next batch takes, and why.

The model here is a score table: a provider of the ``newstag.predictors`` protocol (plain data: texts in,
per-facet scores out) whose scores each test writes, so the ranking can be checked number by number.
The command line test (test_active_cli.py) runs the same code with a real trained model.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from annotation import Predictor, SelectionError, select_batch
from annotation.predictions import facet_margins, label_margins
from annotation.predictor import FacetScores
from corpus import Article, from_articles, parse_taxonomy
from corpus.taxonomy import tomllib

TAXONOMY = """
[taxonomy]
name = "active-test"
version = "1"

[facets.region]
kind = "single"
[facets.region.labels.asia]
name = "Asia"
[facets.region.labels.europe]
name = "Europe"
[facets.region.labels.africa]
name = "Africa"

[facets.themes]
kind = "multi"
[facets.themes.labels.deterrence]
name = "Deterrence"
aliases = ["deterrence", "deter"]
[facets.themes.labels.military_training]
name = "Military training"
aliases = ["drills", "exercise"]
[facets.themes.labels.diplomacy]
name = "Diplomacy"
aliases = ["talks"]
"""
REGION = ("asia", "europe", "africa")
THEMES = ("deterrence", "military_training", "diplomacy")
CALM_REGION = (0.9, 0.05, 0.05)  # margin 0.85
CALM_THEMES = (0.05, 0.05, 0.05)  # far below the 0.5 thresholds: margin 0.9


@pytest.fixture(scope="module")
def taxonomy():
    return parse_taxonomy(tomllib.loads(TAXONOMY), "<active-test>")


class TableProvider:
    """Scores looked up by text: ``table[text] = {"region": (3 scores), "themes": (3 scores)}``."""

    def __init__(self, taxonomy, table, version="table-1", thresholds=(0.5, 0.5, 0.5)):
        self.taxonomy, self.table, self.model_version, self.source = taxonomy, table, version, "<table>"
        self.thresholds = np.array(thresholds)

    def scores(self, texts):
        region = np.array([self.table.get(t, {}).get("region", CALM_REGION) for t in texts]).reshape(-1, 3)
        themes = np.array([self.table.get(t, {}).get("themes", CALM_THEMES) for t in texts]).reshape(-1, 3)
        return {"region": (list(REGION), region, None), "themes": (list(THEMES), themes, self.thresholds)}


def art(k: int, *, month: int = 1, story: str | None = None, outlet: str | None = None, labels=None,
        year: int | None = 2025, body: str | None = None) -> Article:
    meta = {}
    if story:
        meta["story_line"] = [story, "detail"]
    if outlet:
        meta["outlets"] = [outlet]
    return Article(id=f"a{k:03d}", title="", body=body or f"Item {k}: unrelated words number {k} here {k * 7}.",
                   year=year, month=month if year else None, day=1 if year else None, source="Portal",
                   meta=meta, labels=labels or {})


def pool(taxonomy, arts):
    return from_articles(arts, taxonomy)


def predictor(taxonomy, table=None, **kw):
    return Predictor(TableProvider(taxonomy, table or {}, **kw))


def text(corpus, aid):
    return corpus.texts()[corpus.ids.index(aid)]


def only_model(**kw):
    """No random share, no rare labels: the uncertainty ranking alone."""
    return {"random_share": 0.0, "rare_share": 0.0, **kw}


# ---- margins ----

def test_single_label_margin_is_the_gap_between_the_two_best_scores():
    fs = FacetScores(REGION, np.array([[0.5, 0.3, 0.2], [0.1, 0.1, 0.8]]), None)
    margins, label = facet_margins(fs)
    assert margins == pytest.approx([0.2, 0.7]) and list(label) == [0, 2]


def test_multi_label_margin_is_the_distance_to_the_threshold_normalised_by_the_room_on_that_side():
    fs = FacetScores(THEMES, np.array([[0.6, 0.1, 0.0], [0.2, 0.0, 0.9]]), np.array([0.2, 0.5, 0.5]))
    # label 0 of text 0: (0.6 - 0.2) / (1 - 0.2) = 0.5; label 1: (0.5 - 0.1) / 0.5 = 0.8
    assert label_margins(fs)[0] == pytest.approx([0.5, 0.8, 1.0])
    margins, label = facet_margins(fs)
    assert margins == pytest.approx([0.5, 0.0]) and list(label) == [0, 0]


# ---- uncertainty ----

def test_the_most_uncertain_article_of_each_facet_comes_first(taxonomy):
    corpus = pool(taxonomy, [art(k) for k in range(10)])
    table = {text(corpus, "a003"): {"region": (0.45, 0.44, 0.11)},      # region margin 0.01
             text(corpus, "a007"): {"themes": (0.51, 0.05, 0.05)},      # themes margin 0.02
             text(corpus, "a005"): {"region": (0.5, 0.3, 0.2)}}         # region margin 0.2
    batch = select_batch(corpus, predictor(taxonomy, table), 3, **only_model())
    assert batch.ids[:2] == ("a003", "a007") and batch.ids[2] == "a005"
    assert batch.why["a003"] == {"strategy": "uncertainty", "facet": "region", "label": "asia", "runner_up": "europe",
                                 "margin": 0.01, "score": 0.45, "rank": 1,
                                 "margins": {"region": 0.01, "themes": 0.9}}
    assert batch.why["a007"]["facet"] == "themes" and batch.why["a007"]["label"] == "deterrence"
    assert batch.why["a007"]["threshold"] == 0.5 and batch.why["a007"]["margin"] == pytest.approx(0.02)


def test_facets_are_combined_by_rank_so_one_facet_with_small_margins_does_not_take_the_batch(taxonomy):
    corpus = pool(taxonomy, [art(k) for k in range(8)])
    # themes margins are all small (0.02 .. 0.05), region ones larger (0.2 .. 0.23), yet the batch alternates
    # facets (on equal ranks the smaller margin goes first)
    table = {text(corpus, f"a{k:03d}"): {"themes": (0.51 + 0.01 * k, 0.05, 0.05)} for k in range(4)}
    table.update({text(corpus, f"a{k:03d}"): {"region": (0.5, 0.3 - 0.01 * k, 0.2)} for k in range(4, 8)})
    batch = select_batch(corpus, predictor(taxonomy, table), 4, **only_model())
    assert [batch.why[a]["facet"] for a in batch.ids] == ["themes", "region", "themes", "region"]


# ---- rare labels ----

def test_rare_labels_take_their_best_scored_candidates_in_turn(taxonomy):
    corpus = pool(taxonomy, [art(k) for k in range(12)])
    table = {text(corpus, "a001"): {"themes": (0.9, 0.05, 0.05)}, text(corpus, "a002"): {"themes": (0.7, 0.05, 0.05)},
             text(corpus, "a003"): {"themes": (0.05, 0.8, 0.05)}}
    batch = select_batch(corpus, predictor(taxonomy, table), 4, random_share=0.0, rare_share=0.75,
                         rare_facets=["themes"], cues=False, per_source=4)
    rare = [(a, batch.why[a]["label"]) for a in batch.ids if batch.why[a]["strategy"] == "rare_label"]
    # military_training is given to one candidate, deterrence to two: the rarer in the pool goes first
    assert rare == [("a003", "military_training"), ("a001", "deterrence"), ("a002", "deterrence")]
    assert batch.why["a001"] == {"strategy": "rare_label", "facet": "themes", "label": "deterrence", "positives": 0,
                                 "via": "model", "score": 0.9, "threshold": 0.5}


def test_facets_take_turns_and_labels_the_model_gives_least_often_go_first(taxonomy):
    corpus = pool(taxonomy, [art(k) for k in range(12)])
    europe, africa = (0.1, 0.8, 0.1), (0.1, 0.1, 0.8)  # asia is given to every other candidate
    table = {text(corpus, "a001"): {"region": europe}, text(corpus, "a002"): {"region": africa},
             text(corpus, "a003"): {"region": africa}, text(corpus, "a004"): {"themes": (0.05, 0.05, 0.9)}}
    batch = select_batch(corpus, predictor(taxonomy, table), 4, random_share=0.0, rare_share=1.0, cues=False,
                         per_source=4)
    assert [(batch.why[a]["facet"], batch.why[a]["label"]) for a in batch.ids] == [
        ("region", "europe"), ("themes", "diplomacy"), ("region", "africa"), ("region", "asia")]


def test_a_rare_label_the_model_never_gives_falls_back_on_its_cue_phrases(taxonomy):
    arts = [art(k) for k in range(6)] + [art(6, body="Leaders stress deterrence and deterrence again."),
                                        art(7, body="A word on deterrence.")]
    corpus = pool(taxonomy, arts)
    batch = select_batch(corpus, predictor(taxonomy), 2, random_share=0.0, rare_share=1.0, rare_facets=["themes"])
    assert batch.ids == ("a006", "a007")
    assert batch.why["a006"]["via"] == "cues" and batch.why["a006"]["mentions"] == 2


def test_labels_with_enough_annotated_positives_are_not_sought(taxonomy):
    done = [art(100 + k, labels={"region": "asia", "themes": ["deterrence"]}) for k in range(3)]
    corpus = pool(taxonomy, [art(k) for k in range(6)] + done)
    table = {text(corpus, "a001"): {"themes": (0.9, 0.05, 0.05)}, text(corpus, "a002"): {"themes": (0.05, 0.9, 0.05)}}
    batch = select_batch(corpus, predictor(taxonomy, table), 1, random_share=0.0, rare_share=1.0, rare_below=3,
                         rare_facets=["themes"], cues=False)
    assert batch.ids == ("a002",) and batch.why["a002"]["label"] == "military_training"


def test_positives_in_another_corpus_the_model_learns_from_count_too(taxonomy):
    starter = pool(taxonomy, [art(100 + k, labels={"region": "asia", "themes": ["deterrence"]}) for k in range(3)])
    corpus = pool(taxonomy, [art(k) for k in range(6)])
    table = {text(corpus, "a001"): {"themes": (0.9, 0.05, 0.05)}, text(corpus, "a002"): {"themes": (0.05, 0.9, 0.05)}}
    kw = {"random_share": 0.0, "rare_share": 1.0, "rare_below": 3, "rare_facets": ["themes"], "cues": False}
    assert select_batch(corpus, predictor(taxonomy, table), 1, **kw).ids == ("a001",)
    batch = select_batch(corpus, predictor(taxonomy, table), 1, positives_from=[starter], **kw)
    assert batch.ids == ("a002",) and batch.params["positives_from"] == [starter.fingerprint]


# ---- diversity ----

def test_no_two_articles_of_one_near_duplicate_group_are_chosen(taxonomy):
    long = "Warships of both navies held drills in the strait on Monday while diplomats met for talks in the capital."
    arts = [art(0, body=long), art(1, body=long + " Officials said."), art(2), art(3)]
    corpus = pool(taxonomy, arts)
    groups = dict(zip(corpus.ids, corpus.dataset["group_id"]))
    assert groups["a000"] == groups["a001"]
    table = {text(corpus, "a000"): {"region": (0.4, 0.4, 0.2)}, text(corpus, "a001"): {"region": (0.4, 0.4, 0.2)}}
    batch = select_batch(corpus, predictor(taxonomy, table), 3, **only_model())
    assert len({groups[a] for a in batch.ids}) == 3 and len(batch) == 3


def test_a_story_line_gives_at_most_k_articles(taxonomy):
    corpus = pool(taxonomy, [art(k, story="Gaza war") for k in range(5)] + [art(k) for k in range(5, 8)])
    table = {text(corpus, f"a{k:03d}"): {"region": (0.4, 0.39, 0.21)} for k in range(5)}
    batch = select_batch(corpus, predictor(taxonomy, table), 4, per_story=2, **only_model())
    assert sum(a < "a005" for a in batch.ids) == 2 and len(batch) == 4


def test_the_source_cap_is_lifted_only_when_it_leaves_the_batch_short(taxonomy):
    corpus = pool(taxonomy, [art(k, outlet="Reuters") for k in range(6)] + [art(6, outlet="AP")])
    batch = select_batch(corpus, predictor(taxonomy), 4, per_source=2, **only_model())
    assert len(batch) == 4 and "a006" in batch.ids
    lifted = [a for a in batch.ids if batch.why[a].get("source_cap_lifted")]
    assert len(lifted) == 1 and "lifted" in batch.notes[0]


# ---- random share ----

def test_the_random_share_is_drawn_first_and_stratified_by_month(taxonomy):
    corpus = pool(taxonomy, [art(k, month=1) for k in range(30)] + [art(k, month=2) for k in range(30, 40)])
    batch = select_batch(corpus, predictor(taxonomy), 10, random_share=0.8, rare_share=0.0)
    random_ids = batch.ids[:8]
    assert all(batch.why[a]["strategy"] == "random" for a in random_ids)
    assert sorted(batch.why[a]["stratum"] for a in random_ids) == ["2025-01"] * 6 + ["2025-02"] * 2
    assert all(batch.why[a]["strategy"] == "uncertainty" for a in batch.ids[8:])


def test_the_random_draw_does_not_depend_on_the_model(taxonomy):
    corpus = pool(taxonomy, [art(k, month=1 + k % 3) for k in range(30)])
    sure = predictor(taxonomy)
    unsure = predictor(taxonomy, {t: {"region": (0.34, 0.33, 0.33)} for t in corpus.texts()}, version="table-2")
    a = select_batch(corpus, sure, 10, random_share=0.5, seed=3)
    b = select_batch(corpus, unsure, 10, random_share=0.5, seed=3)
    assert a.ids[:5] == b.ids[:5]
    assert select_batch(corpus, sure, 10, random_share=0.5, seed=4).ids[:5] != a.ids[:5]


# ---- determinism, exclusions, window ----

def test_the_same_corpus_model_and_seed_give_a_byte_identical_batch_file(taxonomy, tmp_path):
    corpus = pool(taxonomy, [art(k, month=1 + k % 4, story=f"s{k % 5}") for k in range(40)])
    p = predictor(taxonomy, {t: {"themes": (0.3 + 0.01 * i, 0.05, 0.5)} for i, t in enumerate(corpus.texts())})
    first = select_batch(corpus, p, 12, seed=7, per_story=3).save(tmp_path / "one.json")
    second = select_batch(pool(taxonomy, [art(k, month=1 + k % 4, story=f"s{k % 5}") for k in range(40)]), p, 12,
                          seed=7, per_story=3).save(tmp_path / "two.json")
    assert first.read_bytes() == second.read_bytes()
    data = json.loads(first.read_text())
    assert data["model_version"] == "table-1" and data["seed"] == 7 and len(data["ids"]) == 12
    assert data["corpus_fingerprint"] == corpus.fingerprint and set(data["why"]) == set(data["ids"])


def test_excluded_and_annotated_articles_are_never_chosen(taxonomy):
    done = art(50, labels={"region": "asia"})
    corpus = pool(taxonomy, [art(k) for k in range(6)] + [done])
    batch = select_batch(corpus, predictor(taxonomy), 10, exclude_ids={"a000", "a001"}, **only_model())
    assert sorted(batch.ids) == ["a002", "a003", "a004", "a005"]
    assert batch.counts["excluded"] == 2 and batch.counts["annotated"] == 1
    assert "only 4 of 10" in batch.notes[-1]


def test_the_date_window_keeps_days_from_after_up_to_before_and_counts_undated_articles(taxonomy):
    corpus = pool(taxonomy, [art(k, month=k) for k in range(1, 7)] + [art(9, year=None)])
    batch = select_batch(corpus, predictor(taxonomy), 10, after="2025-02-01", before="2025-05-01", **only_model())
    assert sorted(batch.ids) == ["a002", "a003", "a004"]
    assert batch.counts["outside_window"] == 3 and batch.counts["undated"] == 1


def test_a_keyword_pool_keeps_only_articles_whose_title_or_body_matches_and_counts_the_rest(taxonomy):
    places = ("Busan harbour", "the Baltic coast", "Darwin")
    arts = [art(k, body=f"Navies hold joint drills off {places[k]}, item {k * 13}.") for k in range(3)]
    arts += [art(k) for k in range(3, 8)] + [art(9, body="Item 9: a DETERRENCE patrol.")]
    batch = select_batch(pool(taxonomy, arts), predictor(taxonomy), 10, match=r"drills|deterr", **only_model())
    assert sorted(batch.ids) == ["a000", "a001", "a002", "a009"]  # case-insensitive
    assert batch.counts["no_match"] == 5 and batch.as_dict()["params"]["match"] == "drills|deterr"


def test_the_random_share_of_a_keyword_pool_is_drawn_from_the_matching_articles_only(taxonomy):
    arts = [art(k, month=1 + k % 3, body=f"Item {k}: live-fire exercise number {k}.") for k in range(6)]
    arts += [art(k, month=1 + k % 3) for k in range(6, 30)]
    batch = select_batch(pool(taxonomy, arts), predictor(taxonomy), 3, random_share=1.0, match="exercise")
    assert set(batch.ids) <= {f"a{k:03d}" for k in range(6)} and len(batch) == 3


def test_a_keyword_pool_with_no_match_says_so(taxonomy):
    with pytest.raises(SelectionError, match=r"1 did not match --match 'deterr'"):
        select_batch(pool(taxonomy, [art(0)]), predictor(taxonomy), 5, match="deterr")


# ---- errors ----

@pytest.mark.parametrize("kwargs, message", [
    ({"n": 0}, "batch size n must be a whole number of at least 1, got 0"),
    ({"n": 10, "random_share": 1.5}, r"random share \(--random\) must be a number in \[0, 1\], got 1.5"),
    ({"n": 10, "before": "2025-13-01"}, "--before must be a date YYYY-MM-DD, got '2025-13-01'"),
    ({"n": 10, "after": "2025-03-01", "before": "2025-02-01"}, "the date window is empty"),
    ({"n": 10, "per_story": 0}, r"per_story \(--per-story\) must be a whole number of at least 1"),
    ({"n": 10, "match": "drills("}, r"--match must be a regular expression, got 'drills\(': missing \)"),
])
def test_bad_parameters_are_refused_with_what_was_expected(taxonomy, kwargs, message):
    corpus = pool(taxonomy, [art(0)])
    with pytest.raises(SelectionError, match=message):
        select_batch(corpus, predictor(taxonomy), **kwargs)


def test_no_candidate_left_says_where_they_went(taxonomy):
    corpus = pool(taxonomy, [art(0), art(1)])
    with pytest.raises(SelectionError, match=r"2 in the corpus, 0 annotated, 0 outside the date window, 2 excluded"):
        select_batch(corpus, predictor(taxonomy), 5, exclude_ids=["a000", "a001"])


def test_a_model_with_labels_the_corpus_taxonomy_lacks_is_refused(taxonomy):
    class Other(TableProvider):
        def scores(self, texts):
            return {"themes": (["cyber", "deterrence", "diplomacy"], np.zeros((len(texts), 3)), self.thresholds)}

    corpus = pool(taxonomy, [art(0)])
    with pytest.raises(SelectionError, match=r"gives themes labels \['cyber'\] that the corpus's taxonomy"):
        select_batch(corpus, Predictor(Other(taxonomy, {})), 1)


def test_each_chosen_article_carries_the_models_label_studio_prediction(taxonomy):
    corpus = pool(taxonomy, [art(0), art(1)])
    batch = select_batch(corpus, predictor(taxonomy, {text(corpus, "a000"): {"themes": (0.8, 0.05, 0.6)}}), 2,
                         **only_model())
    pred = batch.predictions["a000"]
    assert pred["model_version"] == "table-1"
    themes = next(r for r in pred["result"] if r["from_name"] == "themes")
    assert themes["value"] == {"choices": ["deterrence", "diplomacy"]}


def test_a_rare_label_with_no_candidate_given_and_no_cue_takes_the_models_best_scored_candidates(taxonomy):
    corpus = pool(taxonomy, [art(k) for k in range(6)])
    near = (0.3, 0.05, 0.05)  # deterrence under its threshold everywhere, but highest for this candidate
    table = {text(corpus, "a003"): {"themes": near}}
    batch = select_batch(corpus, predictor(taxonomy, table), 1, random_share=0.0, rare_share=1.0,
                         rare_facets=["themes"], cues=False)
    assert batch.ids == ("a003",)
    assert batch.why["a003"]["label"] == "deterrence" and batch.why["a003"]["via"] == "model_top"
