"""The word-prefix block beside the words, read only by the heads of ``prefix_facets`` (themes by default):
which heads read it, that the others read what they read without it, persistence, parameters."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone

from classifier import PrefixTfidfVectorizer, Tagger, text_features
from classifier._batch import feature_batch
from classifier._persist import untrusted_types
from classifier._evidence import block_feature_names
from corpus import InputError

SEED_TEXT = "US, Japan and South Korea hold drills\n\nThe three allies launched joint military training."


@pytest.fixture(scope="module")
def themed(small_corpus, small_splits):
    """A Tagger whose themes head reads word prefixes of 6 characters."""
    return Tagger(random_state=0, prefix_length=6, prefix_facets=("themes",)).fit(small_corpus, splits=small_splits)


@pytest.fixture(scope="module")
def plain(small_corpus, small_splits):
    """The same Tagger without a prefix block."""
    return Tagger(random_state=0, prefix_length=None).fit(small_corpus, splits=small_splits)


@pytest.fixture(scope="module")
def themed_dir(themed, tmp_path_factory):
    path = tmp_path_factory.mktemp("themed") / "m"
    themed.save(path)
    return path


def _width(tagger, block):
    start, stop = tagger.blocks_[block]
    return stop - start


def test_the_themes_head_reads_the_prefix_columns_and_the_region_and_actors_heads_do_not(themed):
    assert themed.head_blocks_ == {"region": ["text", "actors", "places"], "themes": ["text", "prefix", "themes"],
                                    "actors": ["text", "actors"]}
    assert list(themed.blocks_) == ["text", "prefix", "themes", "actors", "places"]
    assert _width(themed, "prefix") == len(dict(themed.features_.transformer_list)["prefix"].vocabulary_) > 0
    text, prefix, themes, actors, places = (_width(themed, b) for b in ("text", "prefix", "themes", "actors", "places"))
    # the fitted heads' own column counts: only the themes head was fitted on the prefix columns
    assert themed.heads_["themes"].n_features_in_ == text + prefix + themes
    assert "actors" not in themed.heads_  # acting_words: the acting model tags every actor, no head is fitted
    assert themed.heads_["region"].n_features_in_ == text + actors + places


def test_region_and_actors_give_the_same_scores_and_tags_as_without_the_prefix_block(themed, plain, small_corpus):
    texts = small_corpus.texts() + [SEED_TEXT]
    ours, theirs = themed.predict_proba(texts), plain.predict_proba(texts)
    for facet in ("region", "actors"):
        np.testing.assert_array_equal(ours[facet], theirs[facet])
    assert plain.head_blocks_["themes"] == ["text", "themes"] and "prefix" not in plain.blocks_
    assert [name for name, _ in plain.features_.transformer_list] == ["text", "themes_aliases", "actors_aliases",
                                                                      "places"]
    assert themed.heads_["region"].n_features_in_ == plain.heads_["region"].n_features_in_


def test_the_batch_holds_the_words_and_the_prefixes_as_two_blocks_each_its_transformers_matrix(themed, small_corpus):
    texts = small_corpus.texts()[:5] + ["", "é attackers attacked, U.S.-led strikes!"]
    batch = themed.features(texts)
    parts = dict(themed.features_.transformer_list)
    np.testing.assert_array_equal(batch.blocks["text"].toarray(), parts["text"].transform(texts).toarray())
    np.testing.assert_array_equal(batch.blocks["prefix"].toarray(), parts["prefix"].transform(texts).toarray())
    # the themes pipeline of the scikit-learn way reads the same columns as the themes head
    union = themed.make_features(blocks=themed.head_blocks_["themes"])
    assert [name for name, _ in union.transformer_list] == ["text", "prefix", "themes_aliases"]


def test_prefix_facets_none_gives_every_head_the_prefixes_and_prefix_length_none_builds_no_block(small_corpus):
    every = Tagger(random_state=0, prefix_length=6, prefix_facets=None, threshold_cv=2).fit(small_corpus)
    assert all(blocks[:2] == ["text", "prefix"] for blocks in every.head_blocks_.values())
    none = Tagger(random_state=0, prefix_length=None, prefix_facets=None, threshold_cv=2).fit(small_corpus)
    assert all("prefix" not in blocks for blocks in none.head_blocks_.values()) and "prefix" not in none.blocks_


@pytest.mark.parametrize("facets", [(), ("topics",)])
def test_no_prefix_block_is_built_when_no_head_of_the_taxonomy_reads_it(small_corpus, facets):
    t = Tagger(random_state=0, prefix_length=6, prefix_facets=facets, threshold_cv=2).fit(small_corpus)
    assert "prefix" not in t.blocks_ and "prefix" not in dict(t.features_.transformer_list)
    assert t.head_blocks_["themes"] == ["text", "themes"]


def test_the_prefix_facets_may_name_other_heads(small_corpus):
    t = Tagger(random_state=0, prefix_length=6, prefix_facets=("region", "themes"), threshold_cv=2).fit(small_corpus)
    assert t.head_blocks_ == {"region": ["text", "prefix", "actors", "places"], "themes": ["text", "prefix", "themes"],
                              "actors": ["text", "actors"]}
    assert t.uses_aliases("region") and t.uses_aliases("themes")


def test_a_saved_tagger_with_the_prefix_head_loads_back_with_identical_scores_and_evidence(themed_dir, themed,
                                                                                           small_corpus):
    assert untrusted_types(themed_dir / "model.skops") == []
    loaded = Tagger.load(themed_dir)
    assert loaded.get_params() == themed.get_params() and loaded.head_blocks_ == themed.head_blocks_
    texts = small_corpus.texts()[:6] + [SEED_TEXT]
    a, b = themed.predict_proba(texts), loaded.predict_proba(texts)
    for facet in a:
        np.testing.assert_array_equal(a[facet], b[facet])
    assert [r.to_dict() for r in loaded.tag_batch(texts)] == [r.to_dict() for r in themed.tag_batch(texts)]


def test_a_prefix_feature_is_named_as_a_word_start_in_the_evidence(themed):
    names = block_feature_names(themed, "prefix")
    assert len(names) == _width(themed, "prefix") and all(n.endswith("*") for n in names)
    assert "traini*" in set(names)


def test_a_tagger_saved_before_prefix_facets_existed_loads_with_the_prefixes_read_by_every_head(themed):
    state = dict(themed.__getstate__())
    del state["prefix_facets"]
    old = type(themed).__new__(type(themed))
    old.__setstate__(state)
    assert old.get_params()["prefix_facets"] is None  # a prefix_length then was read by every head
    assert clone(old).get_params()["prefix_facets"] is None


def test_a_union_holding_the_prefix_part_as_older_models_do_still_gives_its_own_matrix(small_corpus):
    from sklearn.pipeline import FeatureUnion

    texts = small_corpus.texts()
    union = FeatureUnion([("text", text_features(prefix_length=6))]).fit(texts)
    batch = feature_batch(union, texts[:4] + ["Strikers and strikes"])
    np.testing.assert_array_equal(batch.blocks["text"].toarray(),
                                  union.transform(texts[:4] + ["Strikers and strikes"]).toarray())


def test_clone_and_get_params_round_trip_the_prefix_parameters():
    t = Tagger(prefix_length=5, prefix_facets=("themes", "actors"))
    c = clone(t)
    assert c.get_params() == t.get_params()
    assert c.set_params(prefix_facets=None).get_params()["prefix_facets"] is None
    assert Tagger().get_params()["prefix_facets"] == ("themes",)


def test_the_same_seed_gives_identical_scores_with_the_prefix_head(small_corpus, small_splits, themed):
    again = clone(themed).fit(small_corpus, splits=small_splits)
    texts = small_corpus.texts()
    a, b = themed.predict_proba(texts), again.predict_proba(texts)
    for facet in a:
        np.testing.assert_array_equal(a[facet], b[facet])


@pytest.mark.parametrize("params,message", [
    ({"prefix_facets": "themes"}, r"prefix_facets must be a tuple of facet names, e\.g\. \('themes',\), or None "
                                  r"\(every head\), got 'themes'"),
    ({"prefix_facets": ("themes", 3)}, r"prefix_facets must be a tuple of facet names"),
    ({"prefix_length": 0}, r"prefix_length must be a positive integer \(characters kept of each word\) or None, got 0"),
    ({"prefix_length": True}, r"prefix_length must be a positive integer"),
])
def test_prefix_parameters_of_the_wrong_kind_are_refused_before_fitting(small_corpus, params, message):
    with pytest.raises(InputError, match=message):
        Tagger(**params).fit(small_corpus)


def test_a_facet_with_aliases_named_like_the_prefix_block_is_refused():
    texts = ["Strikes hit the port.", "Talks resumed.", "Strikes again.", "More talks."]
    taxonomy = ('[taxonomy]\nname = "t"\nversion = "1"\n[facets.prefix]\nkind = "multi"\n'
                '[facets.prefix.labels.war]\nname = "War"\naliases = ["strikes"]\n'
                '[facets.prefix.labels.talk]\nname = "Talk"\naliases = ["talks"]\n')
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.toml"
        path.write_text(taxonomy)
        with pytest.raises(InputError, match=r"taxonomy facet 'prefix' has aliases.*rename the facet"):
            Tagger(taxonomy=str(path), prefix_length=6, threshold_cv=2).fit(texts, {"prefix": [["war"], ["talk"], ["war"], ["talk"]]})


def test_the_prefix_block_matrix_is_the_prefix_vectorizers(themed):
    part = dict(themed.features_.transformer_list)["prefix"]
    assert isinstance(part, PrefixTfidfVectorizer) and part.prefix_length == 6
    X = themed.features(["Attackers attacked; the attack failed."]).blocks["prefix"]
    np.testing.assert_array_equal(X.toarray(), part.transform(["Attackers attacked; the attack failed."]).toarray())
    assert sp.issparse(X) and X[0, part.vocabulary_["attack"]] == X.max() > 0  # three forms, one column
