"""Splits: reproducible, stratified on every label, groups kept together, stable as the corpus grows."""

import json
import os
import subprocess
import sys
from collections import Counter

import datasets
import pytest

from corpus import (Article, CorpusError, InputError, SplitManifest, from_articles, load_splits, make_splits,
                    parse_taxonomy, save, split_datasets)
from corpus._cli import main
from corpus import split_rows

TINY = parse_taxonomy({
    "taxonomy": {"name": "tiny", "version": "1"},
    "facets": {
        "region": {"kind": "single", "labels": {r: {} for r in ("asia", "europe", "africa")}},
        "themes": {"kind": "multi", "labels": {t: {} for t in ("alliance", "sanctions", "diplomacy", "cyber", "trade",
                                                                 "nuclear")}},
    },
})
THEMES = TINY.facet("themes").ids
REGIONS = TINY.facet("region").ids


def body(i: int, words: int = 12) -> str:
    """Words no other article shares, so that no two test articles are near-duplicates."""
    return " ".join(f"w{(i * 7919 + j * 104729) % 1_000_003}q{j}" for j in range(words))


def article(i: int, region=None, themes=(), *, labeled: bool = True, **fields) -> Article:
    labels = {}
    if labeled:
        labels = {"themes": list(themes)}
        if region is not None:
            labels["region"] = region
    return Article(title=f"Story {i}", body=body(i), labels=labels, **fields)


def tiny_corpus(n: int = 120, *, start: int = 0, stories: int | None = None, unlabeled_every: int = 0):
    """``n`` articles with skewed themes (alliance common … nuclear rare), regions in turn, and an
    optional story line in ``meta``."""
    arts = []
    for i in range(start, start + n):
        themes = [t for t, every in zip(THEMES, (2, 3, 5, 7, 11, 40)) if i % every == 0]
        meta = {"story": f"s{i % stories}"} if stories else {}
        arts.append(article(i, REGIONS[i % 3], themes, labeled=not (unlabeled_every and i % unlabeled_every == 0),
                            meta=meta))
    return arts


@pytest.fixture(scope="module")
def corpus120():
    return from_articles(tiny_corpus(120, unlabeled_every=10), TINY)


def side_of(m: SplitManifest) -> dict[str, str]:
    return m.assignment()


# --- the split itself -----------------------------------------------------------------------------

def test_every_labeled_article_is_in_exactly_one_split_and_unlabeled_ones_in_none(corpus120):
    m = make_splits(corpus120, {"train": 0.8, "eval": 0.2}, seed=0)
    labeled = {i for i, ok in zip(corpus120.ids, corpus120.dataset["labeled"]) if ok}
    assert set(m.ids) == {"train", "eval"}
    assert set(m.ids["train"]) | set(m.ids["eval"]) == labeled
    assert not set(m.ids["train"]) & set(m.ids["eval"])
    assert m.label_report["unlabeled"] == 12 and m.label_report["labeled"] == 108
    assert all(ids == sorted(ids) for ids in m.ids.values())


def test_split_sizes_follow_the_ratios(corpus120):
    m = make_splits(corpus120, (0.7, 0.15, 0.15), seed=3)
    sizes = {k: len(v) for k, v in m.ids.items()}
    assert list(m.ids) == ["train", "eval", "test"] and m.ratios == {"train": 0.7, "eval": 0.15, "test": 0.15}
    for name, share in m.ratios.items():
        assert abs(sizes[name] - share * 108) <= 2, sizes


def test_every_label_with_enough_examples_is_in_every_split_in_proportion(corpus120):
    m = make_splits(corpus120, (0.7, 0.15, 0.15), seed=1)
    rep = m.label_report
    assert rep["min_examples"] == 14  # two expected examples in the smallest (0.15) split
    for facet, labels in rep["proportions"].items():
        for label, counts in labels.items():
            if counts["total"] < rep["min_examples"]:
                continue
            for name, share in m.ratios.items():
                assert counts[name] >= 1, (facet, label, name)
                assert abs(counts[name] - share * counts["total"]) <= 2, (facet, label, counts)
    assert rep["not_covered"] == {}


def test_labels_with_too_few_examples_are_reported_with_their_counts_and_absent_labels_listed():
    arts = [article(i, "asia", ["alliance"] + (["nuclear"] if i < 3 else [])) for i in range(40)]
    m = make_splits(from_articles(arts, TINY), {"train": 0.8, "eval": 0.2}, seed=0)
    rep = m.label_report
    assert rep["too_few"] == {"region": {}, "themes": {"nuclear": 3}}
    assert rep["absent"] == {"region": ["europe", "africa"], "themes": ["sanctions", "diplomacy", "cyber", "trade"]}
    assert rep["proportions"]["themes"]["nuclear"]["total"] == 3
    assert rep["proportions"]["themes"]["alliance"] == {"total": 40, "train": 32, "eval": 8}


def test_rare_labels_still_reach_eval_when_one_example_is_expected_there():
    # 5 of 40 articles carry "cyber": 0.2 * 5 = 1 expected in eval, so eval gets one
    arts = [article(i, "europe", ["cyber"] if i % 8 == 0 else ["trade"]) for i in range(40)]
    m = make_splits(from_articles(arts, TINY), (0.8, 0.2), seed=0)
    assert m.label_report["proportions"]["themes"]["cyber"] == {"total": 5, "train": 4, "eval": 1}


def test_the_same_corpus_and_seed_give_a_byte_identical_manifest_and_another_seed_other_splits(corpus120, tmp_path):
    a = make_splits(corpus120, (0.8, 0.2), seed=7, folds=3)
    b = make_splits(corpus120, {"eval": 0.2, "train": 0.8}, seed=7, folds=3)
    a.save(tmp_path / "a")
    b.save(tmp_path / "b")
    assert (tmp_path / "a" / "splits.json").read_bytes() == (tmp_path / "b" / "splits.json").read_bytes()
    others = [make_splits(corpus120, (0.8, 0.2), seed=s) for s in (8, 9)]
    assert all(o.ids["eval"] != a.ids["eval"] for o in others)


def test_the_manifest_is_byte_identical_across_separate_processes(corpus120, tmp_path):
    save(corpus120, tmp_path / "c")
    code = ("import sys, corpus; c = corpus.load(sys.argv[1]); "
            "m = corpus.make_splits(c, (0.7, 0.15, 0.15), 5, folds=4, group_columns=('group_id',)); "
            "corpus.atomic_write_json(sys.argv[2], m.to_dict())")
    outs = []
    for hashseed in ("1", "2"):
        out = tmp_path / f"splits-{hashseed}.json"
        env = {**os.environ, "PYTHONHASHSEED": hashseed}
        subprocess.run([sys.executable, "-c", code, str(tmp_path / "c"), str(out)], check=True, env=env)
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    assert json.loads(outs[0])["splits"] == make_splits(corpus120, (0.7, 0.15, 0.15), 5, folds=4).to_dict()["splits"]


def test_the_manifest_file_is_canonical_json_with_the_documented_keys(corpus120, tmp_path):
    m = make_splits(corpus120, seed=0)
    path = m.save(tmp_path)
    text = path.read_text()
    data = json.loads(text)
    assert path.name == "splits.json" and text.endswith("}\n")
    assert list(data) == sorted(data)
    assert data["format"] == "newstag-splits/1" and data["method"] == "iterative-stratification"
    assert data["seed"] == 0 and data["ratios"] == {"train": 0.8, "eval": 0.2}
    assert data["corpus_fingerprint"] == corpus120.fingerprint and data["group_columns"] == ["group_id"]
    assert data["splits"] == {"train": m.ids["train"], "eval": m.ids["eval"]} and data["folds"] is None
    assert {"too_few", "proportions", "unlabeled"} <= set(data["label_report"]) and data["extends"] is None


# --- groups ---------------------------------------------------------------------------------------

def test_near_duplicates_found_by_the_corpus_stay_on_one_side():
    story = " ".join(f"word{j}" for j in range(80))
    arts = tiny_corpus(60)
    for v in range(12):  # twelve wire copies of one story, each with one word changed
        words = story.split()
        words[v] = f"changed{v}"
        arts.append(Article(title="Wire story", body=" ".join(words), labels={"region": "asia", "themes": ["trade"]}))
    c = from_articles(arts, TINY)
    groups = Counter(c.dataset["group_id"])
    big = [g for g, n in groups.items() if n == 12]
    assert len(big) == 1
    copies = {i for i, g in zip(c.ids, c.dataset["group_id"]) if g == big[0]}
    for seed in range(5):
        m = make_splits(c, (0.5, 0.5), seed=seed, folds=3)
        assert copies <= set(m.ids["train"]) or copies <= set(m.ids["eval"])
        if copies <= set(m.ids["train"]):
            assert any(copies <= set(f) for f in m.folds)
    assert m.label_report["largest_group"] == 12


def test_articles_sharing_any_group_column_value_stay_together_as_one_connected_group():
    arts = tiny_corpus(60)
    # a chain: 0 and 1 share a source, 1 and 2 share a story line, so 0, 1 and 2 are one group
    arts[0] = arts[0].with_changes(source="Wire A")
    arts[1] = arts[1].with_changes(source="Wire A", meta={"story": "summit"})
    arts[2] = arts[2].with_changes(meta={"story": "summit"})
    c = from_articles(arts, TINY)
    chain = {i for i, t in zip(c.ids, c.dataset["title"]) if t in ("Story 0", "Story 1", "Story 2")}
    for seed in range(8):
        m = make_splits(c, (0.5, 0.5), seed=seed, group_columns=("source", "meta.story"))
        sides = {side_of(m)[i] for i in chain}
        assert len(sides) == 1, seed
    assert m.group_columns == ("group_id", "source", "meta.story")
    assert m.label_report["groups"] == 58


def test_empty_group_values_group_nothing(corpus120):
    # every article has source "" and no meta.story: no key, so no giant group
    m = make_splits(corpus120, (0.8, 0.2), seed=0, group_columns=("source", "meta.story"))
    assert m.label_report["groups"] == 108 and m.label_report["largest_group"] == 1


def test_a_story_column_keeps_each_story_line_on_one_side_and_in_one_fold():
    c = from_articles(tiny_corpus(150, stories=30), TINY)
    m = make_splits(c, (0.7, 0.15, 0.15), seed=2, folds=3, group_columns=["meta.story"])
    story = dict(zip(c.ids, (json.loads(x)["story"] for x in c.dataset["meta"])))
    for parts in (list(m.ids.values()), m.folds):
        homes = Counter(s for part in parts for s in {story[i] for i in part})
        assert set(homes.values()) == {1}
    assert m.label_report["groups"] == 30


# --- folds ----------------------------------------------------------------------------------------

def test_folds_partition_the_train_split_and_give_cross_validation_pairs(corpus120):
    m = make_splits(corpus120, (0.8, 0.2), seed=0, folds=4)
    assert len(m.folds) == 4
    assert sorted(i for f in m.folds for i in f) == m.ids["train"]
    assert max(map(len, m.folds)) - min(map(len, m.folds)) <= 2
    pairs = m.cross_validation()
    fit, val = pairs[1]
    assert val == m.folds[1] and sorted(fit + val) == m.ids["train"] and not set(fit) & set(val)
    rep = m.label_report["folds"]
    assert rep["k"] == 4 and rep["min_examples"] == 8 and rep["not_covered"] == {}
    for facet, labels in rep["proportions"].items():
        for label, per_fold in labels.items():
            if sum(per_fold) >= 8:
                assert min(per_fold) >= 1, (facet, label, per_fold)


def test_cross_validation_without_folds_says_how_to_make_them(corpus120):
    with pytest.raises(CorpusError, match="no folds; make one with folds=K"):
        make_splits(corpus120, seed=0).cross_validation()


# --- the default taxonomy -------------------------------------------------------------------------

def test_the_default_taxonomy_with_hundreds_of_actor_labels_splits_and_reports(taxonomy):
    actors = taxonomy.facet("actors").ids
    themes = taxonomy.facet("themes").ids
    regions = taxonomy.facet("region").ids
    arts = [Article(title=f"Story {i}", body=body(i),
                    labels={"region": regions[i % len(regions)], "themes": [themes[i % len(themes)]],
                            "actors": sorted({actors[i % 5], actors[(i * 7) % 40]})}) for i in range(200)]
    m = make_splits(from_articles(arts, taxonomy), (0.8, 0.2), seed=0)
    rep = m.label_report
    assert set(rep["too_few"]) == {"region", "themes", "actors"}
    assert len(rep["absent"]["actors"]) == len(actors) - 40
    assert all(rep["proportions"]["actors"][a]["eval"] >= 1 for a in actors[:5])


# --- saving, loading, using -----------------------------------------------------------------------

def test_a_saved_manifest_loads_back_equal(corpus120, tmp_path):
    m = make_splits(corpus120, (0.7, 0.15, 0.15), seed=4, folds=3)
    m.save(tmp_path)
    back = load_splits(tmp_path)
    assert back == m
    assert load_splits(tmp_path / "splits.json") == m


def test_loading_splits_where_there_are_none_says_to_run_the_split_command(tmp_path):
    with pytest.raises(CorpusError, match=r"no split manifest \(splits.json\); run `newstag corpus split"):
        load_splits(tmp_path)


def test_a_damaged_or_foreign_manifest_is_refused_with_the_reason(tmp_path):
    (tmp_path / "splits.json").write_text("{not json")
    with pytest.raises(CorpusError, match="not valid JSON.*line 1"):
        load_splits(tmp_path)
    (tmp_path / "splits.json").write_text('{"format": "other/2"}')
    with pytest.raises(CorpusError, match="format is 'other/2', expected 'newstag-splits/1'"):
        load_splits(tmp_path)
    (tmp_path / "splits.json").write_text('{"format": "newstag-splits/1", "method": "x"}')
    with pytest.raises(CorpusError, match=r"missing key\(s\) \['seed', 'ratios', 'corpus_fingerprint', 'splits'\]"):
        load_splits(tmp_path)


def test_other_methods_build_a_manifest_directly_and_it_round_trips(tmp_path):
    m = SplitManifest(method="modapte", seed=None, ratios={"test": 0.25, "train": 0.75}, corpus_fingerprint="abc",
                      ids={"train": ["b", "a", "c"], "test": ["d"]}, group_columns=(), folds=None, label_report={})
    assert m.ids["train"] == ["a", "b", "c"] and m.split_names == ["train", "test"]
    m.save(tmp_path)
    assert load_splits(tmp_path) == m
    assert json.loads((tmp_path / "splits.json").read_text())["method"] == "modapte"


def test_a_manifest_with_an_article_in_two_splits_or_a_fold_outside_train_is_refused():
    with pytest.raises(CorpusError, match="article 'a' is in both 'train' and 'eval'"):
        SplitManifest(method="m", seed=0, ratios={}, corpus_fingerprint="", ids={"train": ["a"], "eval": ["a"]})
    with pytest.raises(CorpusError, match="fold 0 holds article 'e', which is not in the train split"):
        SplitManifest(method="m", seed=0, ratios={}, corpus_fingerprint="", ids={"train": ["a"], "eval": ["e"]},
                      folds=[["e"]])
    with pytest.raises(CorpusError, match="article 'a' is in folds 0 and 1"):
        SplitManifest(method="m", seed=0, ratios={}, corpus_fingerprint="", ids={"train": ["a"]}, folds=[["a"], ["a"]])


def test_split_datasets_gives_a_datasetdict_with_rows_in_corpus_order(corpus120):
    m = make_splits(corpus120, (0.7, 0.15, 0.15), seed=0)
    dd = split_datasets(corpus120, m)
    assert isinstance(dd, datasets.DatasetDict) and list(dd) == ["train", "eval", "test"]
    for name, ds in dd.items():
        assert ds["id"][:] == m.ids[name]  # the corpus is sorted by id, so corpus order is id order
        assert ds.features == corpus120.dataset.features
    assert all(dd["train"]["labeled"])


def test_split_datasets_warns_about_labeled_articles_the_split_does_not_know(corpus120):
    m = make_splits(corpus120, seed=0)
    grown = from_articles(tiny_corpus(120, unlabeled_every=10) + tiny_corpus(5, start=500), TINY)
    with pytest.warns(UserWarning, match="5 labeled article.s. are in no split.*run `newstag corpus split DIR`"):
        dd = split_datasets(grown, m)
    assert sum(map(len, dd.values())) == 108


def test_split_datasets_refuses_a_manifest_made_for_another_corpus(corpus120):
    other = from_articles(tiny_corpus(30, start=900), TINY)
    with pytest.raises(CorpusError, match="names 30 article.s. that are not in this corpus.*another corpus"):
        split_datasets(corpus120, make_splits(other, seed=0))


def test_split_rows_are_the_corpus_rows_of_a_split_in_corpus_order():
    corpus_ids = ["c", "a", "d", "b"]
    assert split_rows(corpus_ids, {"eval": ["b", "c"], "train": ["a", "d"]}, "eval") == [0, 3]
    m = SplitManifest("given", None, {"train": 0.5, "eval": 0.5}, "f", {"train": ["d", "a"], "eval": ["b", "c"]})
    assert split_rows(corpus_ids, m, "train") == [1, 2]
    assert split_rows(corpus_ids, {"eval": []}, "eval") == []


def test_split_rows_refuses_an_unknown_split_and_names_the_ones_there_are():
    with pytest.raises(InputError, match=r"^evaluate: the split manifest has no 'test' split "
                                         r"\(it has \['eval', 'train'\]\); pass one of those\.$"):
        split_rows(["a"], {"train": ["a"], "eval": []}, "test", who="evaluate")


def test_split_rows_refuses_ids_of_another_corpus_and_says_how_to_remake_the_split():
    with pytest.raises(InputError) as err:
        split_rows(["a", "b"], {"eval": ["a", "x3", "x1", "x2", "x4"]}, "eval")
    msg = str(err.value)
    assert msg.startswith("the split manifest's 'eval' split names 4 article(s) not in this corpus, e.g. "
                          "['x1', 'x2', 'x3']")
    assert "made for another corpus" in msg and "`newstag corpus split DIR --reshuffle`" in msg


# --- growth ---------------------------------------------------------------------------------------

def test_adding_twenty_percent_new_articles_moves_no_old_article():
    old_arts = tiny_corpus(150, stories=40)
    old = make_splits(from_articles(old_arts, TINY), (0.7, 0.15, 0.15), seed=0, folds=3,
                      group_columns=("meta.story",))
    grown = from_articles(old_arts + tiny_corpus(30, start=150, stories=40), TINY)
    new = make_splits(grown, (0.7, 0.15, 0.15), seed=0, folds=3, group_columns=("meta.story",), previous=old)
    before, after = old.assignment(), new.assignment()
    assert len(after) == 180
    assert all(after[i] == s for i, s in before.items())
    fold_before = {i: k for k, f in enumerate(old.folds) for i in f}
    fold_after = {i: k for k, f in enumerate(new.folds) for i in f}
    assert all(fold_after[i] == k for i, k in fold_before.items())
    # new articles joined the side of their story line (stories 0..39 already existed)
    story = dict(zip(grown.ids, (json.loads(x)["story"] for x in grown.dataset["meta"])))
    side_of_story = {story[i]: s for i, s in before.items()}
    assert all(after[i] == side_of_story[story[i]] for i in after if i not in before)
    assert new.extends == {"method": "iterative-stratification", "seed": 0,
                           "corpus_fingerprint": old.corpus_fingerprint,
                           "kept": 150, "added": 30, "dropped": 0, "folds": "kept", "group_conflicts": []}


def test_new_articles_in_new_groups_are_stratified_towards_the_targets():
    old_arts = tiny_corpus(100)
    old = make_splits(from_articles(old_arts, TINY), (0.8, 0.2), seed=0)
    grown = make_splits(from_articles(old_arts + tiny_corpus(100, start=100), TINY), (0.8, 0.2), seed=0, previous=old)
    assert abs(len(grown.ids["eval"]) - 40) <= 1
    for label, counts in grown.label_report["proportions"]["themes"].items():
        if counts["total"] >= 10:
            assert abs(counts["eval"] - 0.2 * counts["total"]) <= 2, (label, counts)


def test_a_new_near_duplicate_of_an_old_article_joins_its_side():
    story = " ".join(f"word{j}" for j in range(80))
    old_arts = tiny_corpus(40) + [Article(title="Wire", body=story, labels={"region": "asia", "themes": ["trade"]})]
    old_c = from_articles(old_arts, TINY)
    old = make_splits(old_c, (0.5, 0.5), seed=0)
    wire_id = next(i for i, t in zip(old_c.ids, old_c.dataset["title"]) if t == "Wire")
    copy = Article(title="Wire", body=story.replace("word5 ", "changed "),
                   labels={"region": "asia", "themes": ["trade"]})
    grown_c = from_articles(old_arts + [copy], TINY)
    copy_id = next(i for i, t in zip(grown_c.ids, grown_c.dataset["title"]) if t == "Wire" and i != wire_id)
    for seed in range(4):
        new = make_splits(grown_c, (0.5, 0.5), seed=seed, previous=old)
        assert new.assignment()[copy_id] == old.assignment()[wire_id]


def test_new_articles_that_link_groups_on_two_sides_are_reported_as_a_conflict_not_moved():
    arts = [article(i, REGIONS[i % 3], [THEMES[i % 4]], meta={"story": f"s{i}"}) for i in range(40)]
    c = from_articles(arts, TINY)
    old = make_splits(c, (0.5, 0.5), seed=0, group_columns=("meta.story",))
    side = old.assignment()
    by_title = dict(zip(c.dataset["title"], c.ids))
    t_id = next(by_title[f"Story {i}"] for i in range(40) if side[by_title[f"Story {i}"]] == "train")
    e_id = next(by_title[f"Story {i}"] for i in range(40) if side[by_title[f"Story {i}"]] == "eval")
    t_story = f"s{next(i for i in range(40) if by_title[f'Story {i}'] == t_id)}"
    e_story = f"s{next(i for i in range(40) if by_title[f'Story {i}'] == e_id)}"
    bridge = article(100, "asia", ["trade"], meta={"story": [t_story, e_story]})  # one article in both story lines
    grown = make_splits(from_articles(arts + [bridge], TINY), (0.5, 0.5), seed=0, group_columns=("meta.story",),
                        previous=old)
    assert grown.assignment()[t_id] == "train" and grown.assignment()[e_id] == "eval"
    assert grown.extends["group_conflicts"] == [{"train": [t_id], "eval": [e_id]}]


def test_reshuffle_ignores_the_previous_split_and_equals_a_fresh_one(corpus120):
    old = make_splits(corpus120, (0.8, 0.2), seed=0)
    fresh = make_splits(corpus120, (0.8, 0.2), seed=1)
    assert make_splits(corpus120, (0.8, 0.2), seed=1, previous=old, reshuffle=True) == fresh


def test_extending_with_an_unchanged_corpus_gives_the_previous_manifest_back(corpus120):
    old = make_splits(corpus120, (0.8, 0.2), seed=3, folds=3)
    assert make_splits(corpus120, (0.8, 0.2), seed=3, folds=3, previous=old).to_dict() == old.to_dict()


def test_removed_or_unlabeled_articles_are_dropped_from_an_extended_split():
    arts = tiny_corpus(60)
    old = make_splits(from_articles(arts, TINY), seed=0)
    shrunk = from_articles(arts[:50] + [arts[50].with_changes(labels={})], TINY)
    new = make_splits(shrunk, seed=0, previous=old)
    assert new.extends["dropped"] == 10 and new.extends["kept"] == 50 and new.extends["added"] == 0


def test_extending_with_other_ratios_or_group_columns_asks_for_reshuffle(corpus120):
    old = make_splits(corpus120, (0.8, 0.2), seed=0)
    with pytest.raises(InputError, match=r"previous split .* has ratios \{'train': 0.8, 'eval': 0.2\}, but "
                                         r"\{'train': 0.7, 'eval': 0.3\} were asked.*reshuffle"):
        make_splits(corpus120, (0.7, 0.3), seed=0, previous=old)
    with pytest.raises(InputError,
                       match=r"grouped articles by \['group_id'\], but \['group_id', 'source'\].*reshuffle"):
        make_splits(corpus120, (0.8, 0.2), seed=0, previous=old, group_columns=("source",))


# --- errors ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("ratios, message", [
    ({"train": 0.8, "eval": 0.3}, r"sum to 1.1, expected 1"),
    ((0.5, 0.2), r"sum to 0.7, expected 1"),
    ({"train": 1.2, "eval": -0.2}, r"ratio for 'eval' is negative \(-0.2\)"),
    ({"train": 1.0, "eval": 0.0}, r"ratio for 'eval' is 0; leave the 'eval' split out"),
    ({"train": 0.8, "dev": 0.2}, r"unknown split name\(s\) \['dev'\].*\['train', 'eval', 'test'\]"),
    ({"train": 0.8, "test": 0.2}, r"need both a 'train' and an 'eval' share"),
    ((0.5, 0.2, 0.2, 0.1), r"2 \(train, eval\) or 3 \(train, eval, test\) numbers, got 4"),
    ("0.8,0.2", r"must be a mapping like .* or a sequence like \(0.8, 0.2\)"),
    ({"train": "0.8", "eval": 0.2}, r"ratio for 'train' must be a finite number, got '0.8'"),
    ({"train": float("nan"), "eval": 0.2}, r"ratio for 'train' must be a finite number"),
])
def test_bad_ratios_are_refused_with_what_came_and_what_to_give(corpus120, ratios, message):
    with pytest.raises(InputError, match=message):
        make_splits(corpus120, ratios, seed=0)


@pytest.mark.parametrize("seed", ["0", 1.5, True, None, -1])
def test_a_seed_that_is_not_a_non_negative_integer_is_refused(corpus120, seed):
    with pytest.raises(InputError, match=r"seed must be a non-negative integer, got .*Pass e.g. seed=0"):
        make_splits(corpus120, (0.8, 0.2), seed=seed)


def test_a_numpy_integer_seed_is_accepted(corpus120):
    import numpy as np

    assert make_splits(corpus120, seed=np.int64(2)) == make_splits(corpus120, seed=2)


def test_a_corpus_with_no_labeled_articles_is_refused():
    c = from_articles([article(i, labeled=False) for i in range(10)], TINY)
    with pytest.raises(CorpusError, match=r"no labeled articles \(10 unlabeled\).*Annotate articles first"):
        make_splits(c, seed=0)


def test_a_corpus_whose_labeled_articles_carry_no_label_is_refused():
    c = from_articles([article(i, None, []) for i in range(10)], TINY)
    with pytest.raises(CorpusError, match=r"10 labeled article\(s\) carry no label in any facet \(region, themes\)"):
        make_splits(c, seed=0)


@pytest.mark.parametrize("folds, message", [
    (1, r"folds must be at least 2 for cross-validation, got 1"),
    (True, r"folds must be an integer >= 2 or None, got bool True"),
    (2.0, r"folds must be an integer >= 2 or None, got float"),
    (30, r"folds=30 but the train split has only 8 group\(s\).*use at most 8 folds"),
])
def test_bad_fold_counts_are_refused(folds, message):
    c = from_articles([article(i, "asia", ["trade"]) for i in range(10)], TINY)
    with pytest.raises(InputError, match=message):
        make_splits(c, (0.8, 0.2), seed=0, folds=folds)


def test_an_unknown_group_column_is_refused_with_the_columns_there_are(corpus120):
    with pytest.raises(InputError,
                       match=r"group column 'story' is not a corpus column; use one of .*'source'.*'meta.KEY'"):
        make_splits(corpus120, seed=0, group_columns=("story",))


# --- command line ---------------------------------------------------------------------------------

def test_split_command_writes_the_manifest_and_prints_counts_and_too_few_labels(corpus120, tmp_path, capsys):
    save(corpus120, tmp_path / "c")
    assert main(["corpus", "split", str(tmp_path / "c"), "--ratios", "0.8,0.2", "--folds", "3", "--seed", "4"]) == 0
    out, err = capsys.readouterr()
    m = load_splits(tmp_path / "c")
    assert m == make_splits(corpus120, (0.8, 0.2), seed=4, folds=3)
    assert "articles" in out and "fold 2" in out and "themes:trade" in out
    assert "too few examples to be in every split (< 10 groups): themes: trade (9)" in err
    assert "12 unlabeled articles are in no split" in err


def test_split_command_run_twice_leaves_the_manifest_byte_identical(corpus120, tmp_path):
    save(corpus120, tmp_path / "c")
    assert main(["corpus", "split", str(tmp_path / "c"), "--folds", "3"]) == 0
    first = (tmp_path / "c" / "splits.json").read_bytes()
    assert main(["corpus", "split", str(tmp_path / "c")]) == 0  # options default to the saved split's
    assert (tmp_path / "c" / "splits.json").read_bytes() == first


def test_split_command_extends_the_saved_split_after_the_corpus_grew(tmp_path, capsys):
    arts = tiny_corpus(100)
    save(from_articles(arts, TINY), tmp_path / "c")
    assert main(["corpus", "split", str(tmp_path / "c"), "--ratios", "0.7,0.3", "--seed", "2"]) == 0
    old = load_splits(tmp_path / "c")
    save(from_articles(arts + tiny_corpus(20, start=100), TINY), tmp_path / "c")
    capsys.readouterr()
    assert main(["corpus", "split", str(tmp_path / "c")]) == 0
    assert "extended the previous split: 100 kept, 20 added, 0 dropped" in capsys.readouterr().err
    new = load_splits(tmp_path / "c")
    assert new.seed == 2 and new.ratios == {"train": 0.7, "eval": 0.3}
    assert all(new.assignment()[i] == s for i, s in old.assignment().items())
    assert main(["corpus", "split", str(tmp_path / "c"), "--ratios", "0.5,0.5"]) == 2
    assert "--reshuffle" in capsys.readouterr().err
    assert main(["corpus", "split", str(tmp_path / "c"), "--ratios", "0.5,0.5", "--reshuffle"]) == 0
    assert load_splits(tmp_path / "c").extends is None


def test_split_command_test_option_holds_out_a_test_share(corpus120, tmp_path):
    save(corpus120, tmp_path / "c")
    assert main(["corpus", "split", str(tmp_path / "c"), "--test", "0.1"]) == 0
    assert load_splits(tmp_path / "c").ratios == {"train": 0.72, "eval": 0.18, "test": 0.1}


@pytest.mark.parametrize("args, message", [
    (["--ratios", "0.8;0.2"], "expected comma-separated numbers such as 0.8,0.2"),
    (["--ratios", "0.8,0.3"], "sum to 1.1, expected 1"),
    (["--test", "1.5"], "--test must be a share between 0 and 1"),
    (["--ratios", "0.7,0.2,0.1", "--test", "0.1"], "already have a test share"),
    (["--folds", "1"], "folds must be at least 2"),
])
def test_split_command_errors_exit_2_with_the_reason(corpus120, tmp_path, capsys, args, message):
    save(corpus120, tmp_path / "c")
    assert main(["corpus", "split", str(tmp_path / "c"), *args]) == 2
    err = capsys.readouterr().err
    assert "error:" in err and message in err and "Traceback" not in err


def test_split_command_on_a_folder_without_a_corpus_exits_2(tmp_path, capsys):
    assert main(["corpus", "split", str(tmp_path)]) == 2
    assert "not a corpus folder" in capsys.readouterr().err


def test_split_command_does_not_extend_a_split_of_another_kind_without_reshuffle(corpus120, tmp_path, capsys):
    save(corpus120, tmp_path / "c")
    labeled = [i for i, ok in zip(corpus120.ids, corpus120.dataset["labeled"]) if ok]
    SplitManifest(method="modapte", seed=None, ratios={"train": 0.75, "test": 0.25}, corpus_fingerprint="x",
                  ids={"train": labeled[:80], "test": labeled[80:]}).save(tmp_path / "c")
    assert main(["corpus", "split", str(tmp_path / "c")]) == 2
    assert "holds a 'modapte' split into ['train', 'test']" in capsys.readouterr().err
    assert main(["corpus", "split", str(tmp_path / "c"), "--reshuffle"]) == 0
    assert load_splits(tmp_path / "c").method == "iterative-stratification"


def test_split_command_warns_when_one_group_is_bigger_than_the_smallest_split(tmp_path, capsys):
    arts = [article(i, "asia", ["trade"], meta={"story": "war" if i < 30 else f"s{i}"}) for i in range(60)]
    save(from_articles(arts, TINY), tmp_path / "c")
    assert main(["corpus", "split", str(tmp_path / "c"), "--group-column", "meta.story"]) == 0
    assert "one group holds 30 of 60 articles, more than the smallest split's share (0.2)" in capsys.readouterr().err
