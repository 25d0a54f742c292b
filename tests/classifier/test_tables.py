"""Tagging results, reports and misses as pandas tables (classifier._tables)."""

from __future__ import annotations

import pandas as pd
import pytest

from classifier import (AliasMatch, Evidence, LabelScore, TagResult, TermWeight, evaluate, evidence_table,
                        mentions_table, misses_table, report_table, tag_counts, tags_table)
from corpus import Corpus, InputError


def _result(ident=None, *, region="asia", themes=(("alliance", 0.9),), actors=(("USA", 0.8, "model"),),
            evidence=True) -> TagResult:
    tags = {"region": LabelScore(region, 0.95) if region else None,
            "themes": tuple(LabelScore(lab, s) for lab, s in themes),
            "actors": tuple(LabelScore(lab, s, src) for lab, s, src in actors)}
    ev = None
    if evidence:
        ev = Evidence(terms={"region": {region: (TermWeight("alias asia:group_count", 1.5),)} if region else {},
                             "themes": {"alliance": (TermWeight("pact", 0.21), TermWeight("defence", 0.1))}},
                      aliases=(AliasMatch("USA", "Washington", 0, 10), AliasMatch("JPN", "Tokyo", 20, 25)))
    return TagResult(ident, tags, ev)


# ---- tags_table / tag_counts ----

def test_tags_table_is_tidy_one_row_per_article_facet_and_label_with_a_numeric_score():
    table = tags_table([_result("a1"), _result("a2", region="europe", themes=(), actors=())])
    assert list(table.columns) == ["article", "facet", "label", "score", "source"]
    assert table.to_dict("records") == [
        {"article": "a1", "facet": "region", "label": "asia", "score": 0.95, "source": "model"},
        {"article": "a1", "facet": "themes", "label": "alliance", "score": 0.9, "source": "model"},
        {"article": "a1", "facet": "actors", "label": "USA", "score": 0.8, "source": "model"},
        {"article": "a2", "facet": "region", "label": "europe", "score": 0.95, "source": "model"},
    ]
    assert table["score"].dtype == float


def test_tags_table_names_articles_as_given_else_by_id_else_by_position():
    assert list(tags_table([_result(), _result("x")])["article"].unique()) == ["0", "x"]
    assert list(tags_table([_result(), _result("x")], names=["first", "second"])["article"].unique()) == [
        "first", "second"]


def test_tags_table_keeps_where_a_label_came_from_and_the_order_of_the_result():
    r = _result(actors=(("NATO", 0.5, "alias-rule"), ("USA", 0.4, "model")))
    actors = tags_table(r).query("facet == 'actors'")
    assert list(zip(actors["label"], actors["source"])) == [("NATO", "alias-rule"), ("USA", "model")]


def test_tags_table_wide_has_a_row_per_article_with_label_lists_and_score_columns():
    table = tags_table([_result("a1"), _result("a2", region=None, themes=())], layout="wide")
    assert list(table.columns) == ["article", "region", "region_score", "themes", "themes_scores", "actors",
                                   "actors_scores"]
    assert table.to_dict("records")[0] == {"article": "a1", "region": "asia", "region_score": 0.95,
                                           "themes": ["alliance"], "themes_scores": [0.9], "actors": ["USA"],
                                           "actors_scores": [0.8]}
    assert pd.isna(table["region"][1]) and table["themes"][1] == []


def test_tags_table_refuses_an_unknown_layout():
    with pytest.raises(InputError, match="layout='tall'; expected long or wide"):
        tags_table(_result(), layout="tall")


def test_tags_table_refuses_a_names_list_of_another_length():
    with pytest.raises(InputError, match="2 results but 1 names"):
        tags_table([_result(), _result()], names=["only one"])


def test_tables_refuse_what_is_not_a_tag_result():
    with pytest.raises(InputError, match="item 1 is a dict, not a TagResult"):
        tags_table([_result(), {"region": "asia"}])


def test_tag_counts_counts_articles_per_label_most_frequent_first_within_each_facet():
    results = [_result(themes=(("alliance", 0.9), ("diplomacy", 0.6))), _result(themes=(("diplomacy", 0.7),)),
               _result(region="europe", themes=(("diplomacy", 0.8),))]
    table = tag_counts(results)
    assert table.to_dict("records") == [
        {"facet": "region", "label": "asia", "articles": 2}, {"facet": "region", "label": "europe", "articles": 1},
        {"facet": "themes", "label": "diplomacy", "articles": 3}, {"facet": "themes", "label": "alliance", "articles": 1},
        {"facet": "actors", "label": "USA", "articles": 3},
    ]


def test_tag_counts_of_no_results_is_an_empty_table_with_its_columns():
    table = tag_counts([])
    assert table.empty and list(table.columns) == ["facet", "label", "articles"]


# ---- evidence_table / mentions_table ----

def test_evidence_table_lists_the_top_terms_of_each_chosen_label():
    table = evidence_table(_result())
    themes = table[table["facet"] == "themes"]
    assert themes[["label", "term", "weight"]].values.tolist() == [["alliance", "pact", 0.21], ["alliance", "defence", 0.1]]
    assert set(themes["score"]) == {0.9} and set(themes["source"]) == {"model"}


def test_evidence_table_keeps_a_label_without_terms_as_one_row_without_a_term():
    actors = evidence_table(_result())
    row = actors[actors["facet"] == "actors"]
    assert len(row) == 1 and row["label"].iloc[0] == "USA" and row["term"].isna().all()


def test_mentions_table_lists_every_alias_mention_with_its_offsets():
    assert mentions_table(_result()).to_dict("records") == [
        {"label": "USA", "text": "Washington", "start": 0, "end": 10}, {"label": "JPN", "text": "Tokyo", "start": 20, "end": 25}]


@pytest.mark.parametrize("table", [evidence_table, mentions_table])
def test_evidence_and_mentions_tables_refuse_a_result_tagged_without_evidence(table):
    with pytest.raises(InputError, match="tagged with evidence=False"):
        table(_result(evidence=False))


def test_tables_read_what_a_fitted_tagger_returns(trained):
    text = "Japanese and American warships held joint drills near Tokyo as Washington reaffirmed the alliance."
    result = trained.tag(text)
    tags = tags_table(result)
    assert tags.query("facet == 'region'")["label"].tolist() == [result.region.label]
    mentions = mentions_table(result)
    assert mentions["start"].is_monotonic_increasing
    assert all(text[s:e] == t for s, e, t in zip(mentions["start"], mentions["end"], mentions["text"]))
    ev = evidence_table(result)
    chosen = {("region", result.region.label)} | {(f, s.label) for f in ("themes", "actors") for s in result[f]}
    assert set(zip(ev["facet"], ev["label"])) == chosen


# ---- report_table ----

def test_report_table_has_a_row_per_facet_and_system_with_its_headline_numbers(trained, small_corpus, small_splits):
    report = evaluate(trained, small_corpus, "eval", small_splits)
    table = report_table(report)
    assert list(table.columns) == ["facet", "system", "micro_f1", "macro_f1", "hamming_loss", "subset_accuracy"]
    expected = [(f, s, m.summary()) for f, fr in report.facets.items() for s, m in fr.systems.items() if m is not None]
    assert [(r["facet"], r["system"]) for r in table.to_dict("records")] == [(f, s) for f, s, _ in expected]
    for row, (_, _, summary) in zip(table.to_dict("records"), expected):
        assert {k: row[k] for k in summary} == summary


def test_report_table_leaves_out_a_system_that_does_not_apply_to_a_facet(trained, small_corpus, small_splits):
    report = evaluate(trained, small_corpus, "eval", small_splits)
    report.facets["themes"].systems["alias_rules"] = None  # what evaluate reports for a facet without aliases
    pairs = set(zip(*(report_table(report)[c] for c in ("facet", "system"))))
    assert ("themes", "alias_rules") not in pairs and ("themes", "model") in pairs


# ---- misses_table ----

def _expected_misses(tagger, corpus, split_ids):
    rows = [i for i, a in enumerate(corpus.ids) if a in set(split_ids)]
    texts = corpus.texts()
    pred = tagger.predict([texts[i] for i in rows])
    out = set()
    for f in corpus.taxonomy.facets:
        truth = corpus.labels(f.name)
        for k, i in enumerate(rows):
            want, got = truth[i], pred[f.name][k]
            if not f.multi:
                if want is not None and want != got:
                    out.add((corpus.ids[i], f.name))
            elif set(want) != set(got):
                out.add((corpus.ids[i], f.name))
    return out


def test_misses_table_lists_exactly_the_articles_and_facets_where_model_and_annotators_differ(
        trained, small_corpus, small_splits):
    misses = misses_table(trained, small_corpus, "eval", small_splits)
    assert set(zip(misses["id"], misses["facet"])) == _expected_misses(trained, small_corpus, small_splits.ids["eval"])


def test_misses_table_splits_the_difference_into_missed_and_extra_labels(tagger_all, small_corpus, small_splits):
    misses = misses_table(tagger_all, small_corpus, "train", small_splits)  # a tagger fitted on every article
    assert set(zip(misses["id"], misses["facet"])) == _expected_misses(tagger_all, small_corpus, small_splits.ids["train"])
    for row in misses.to_dict("records"):
        truth, pred = set(filter(None, row["truth"].split(", "))), set(filter(None, row["predicted"].split(", ")))
        assert set(filter(None, row["missed"].split(", "))) == truth - pred
        assert set(filter(None, row["extra"].split(", "))) == pred - truth
        assert truth != pred
        titles = dict(zip(small_corpus.ids, small_corpus.dataset["title"]))
        assert row["title"] == titles[row["id"]]


def test_misses_table_reads_the_split_manifest_saved_beside_the_corpus(trained, small_corpus, small_splits):
    assert misses_table(trained, small_corpus).equals(misses_table(trained, small_corpus, "eval", small_splits))


def test_misses_table_has_its_columns_also_when_nothing_was_missed(trained, small_corpus):
    table = misses_table(trained, small_corpus, "eval", {"eval": []})
    assert table.empty and list(table.columns) == ["id", "title", "facet", "truth", "predicted", "missed", "extra",
                                                    "evidence", "mentions"]


def test_misses_table_refuses_an_unknown_split(trained, small_corpus, small_splits):
    with pytest.raises(InputError, match="no 'test' split .*'eval', 'train'"):
        misses_table(trained, small_corpus, "test", small_splits)


def test_misses_table_refuses_a_split_of_another_corpus(trained, small_corpus):
    with pytest.raises(InputError, match="names 1 article.*not in this corpus"):
        misses_table(trained, small_corpus, "eval", {"eval": ["0000000000000000"]})


def test_misses_table_needs_splits_for_a_corpus_not_loaded_from_a_folder(trained, small_corpus):
    in_memory = Corpus(small_corpus.dataset, small_corpus.taxonomy)
    with pytest.raises(InputError, match="pass splits="):
        misses_table(trained, in_memory)
