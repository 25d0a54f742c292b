"""PrefixTfidfVectorizer: the tf-idf of word prefixes (forms of one word pooled), the same matrix as
scikit-learn's TfidfVectorizer given the same tokens, and the same from a batch's shared words."""

from __future__ import annotations

import re

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from classifier import PrefixTfidfVectorizer, text_features
from classifier._fast_tfidf import TOKEN_PATTERN, analyse, transform_text

TEXTS = [
    "Israeli strikes kill five in Gaza\n\nThe strikes hit a camp; five people are killed.",
    "Gunmen attack a village\n\nAttackers kill ten villagers in an attack on a market.",
    "Talks resume in Geneva\n\nDiplomats from both sides attend the talks.",
    "Ünïcode wörds and a striking attacker",
]


def _prefixes(k):
    return lambda text: [w[:k] for w in re.findall(TOKEN_PATTERN, text.lower())]


def test_the_forms_of_one_word_share_a_prefix_feature():
    vec = PrefixTfidfVectorizer(prefix_length=6, min_df=1).fit(TEXTS)
    names = list(vec.get_feature_names_out())
    assert "attack" in names and "attacker" not in names and "strike" in names
    X = vec.transform(["attacked", "attacks"]).toarray()
    np.testing.assert_allclose(X[0], X[1])
    assert X[0, names.index("attack")] == pytest.approx(1.0)


@pytest.mark.parametrize("k,min_df,sublinear", [(6, 1, True), (4, 2, True), (5, 1, False), (3, 0.5, True)])
def test_the_matrix_is_scikit_learns_tfidf_of_the_same_prefixes(k, min_df, sublinear):
    ours = PrefixTfidfVectorizer(prefix_length=k, min_df=min_df, sublinear_tf=sublinear).fit(TEXTS)
    ref = TfidfVectorizer(analyzer=_prefixes(k), min_df=min_df, sublinear_tf=sublinear).fit(TEXTS)
    assert ours.vocabulary_ == ref.vocabulary_
    np.testing.assert_allclose(ours.idf_, ref.idf_)
    new = TEXTS + ["an unseen text about attacks", ""]
    np.testing.assert_allclose(ours.transform(new).toarray(), ref.transform(new).toarray(), rtol=1e-12, atol=1e-15)


def test_a_batchs_shared_words_give_the_same_matrix_as_the_texts():
    vec = PrefixTfidfVectorizer(min_df=1).fit(TEXTS)
    new = TEXTS + ["A x y attacks, U.S.-led strikes!", ""]
    np.testing.assert_array_equal(vec.transform_analysed(new, analyse(new)).toarray(), vec.transform(new).toarray())


def test_text_features_adds_the_prefix_part_only_when_asked():
    assert [name for name, _ in text_features().transformer_list] == ["word"]
    union = text_features(prefix_length=6, min_df=1).fit(TEXTS)
    assert [name for name, _ in union.transformer_list] == ["word", "prefix"]
    np.testing.assert_allclose(transform_text(union, TEXTS, analyse(TEXTS)).toarray(), union.transform(TEXTS).toarray())


@pytest.mark.parametrize("params,match", [
    ({"prefix_length": 0}, "prefix_length must be a positive integer, got 0"),
    ({"prefix_length": True}, "prefix_length must be a positive integer"),
    ({"min_df": 1.5}, "min_df must be a count >= 0 or a share in"),
    ({"min_df": 10}, "no prefix occurs in 10 or more of the 4 texts; give more texts or a lower min_df"),
])
def test_bad_settings_are_refused_with_what_to_change(params, match):
    with pytest.raises(ValueError, match=match):
        PrefixTfidfVectorizer(**params).fit(TEXTS)


def test_a_single_string_is_refused():
    with pytest.raises(ValueError, match=r"got a single string; wrap it in a list"):
        PrefixTfidfVectorizer().fit("one text")


def test_the_word_memo_changes_no_value_and_is_not_saved():
    import pickle

    vec = PrefixTfidfVectorizer(min_df=1).fit(TEXTS)
    cold = vec.transform_analysed(TEXTS, analyse(TEXTS)).toarray()
    warm = vec.transform_analysed(TEXTS, analyse(TEXTS)).toarray()
    np.testing.assert_array_equal(cold, warm)
    assert "_memo" in vec.__dict__ and "_memo" not in pickle.loads(pickle.dumps(vec)).__dict__
    vec.fit(TEXTS[:2])  # a refit: the memo of the old vocabulary is not read
    np.testing.assert_array_equal(vec.transform_analysed(TEXTS, analyse(TEXTS)).toarray(), vec.transform(TEXTS).toarray())


def _beside(union, texts):
    """The word and prefix blocks of a fitted text_features union, each transformed on its own, side by side."""
    import scipy.sparse as sp

    return sp.hstack([vec.transform(texts) for _, vec in union.transformer_list], format="csr").toarray()


# bigrams alone: the word block has no fast path (no unigram ids to pair), so each block runs alone
@pytest.mark.parametrize("word_ngram_range,one_lookup", [((1, 2), True), ((1, 1), True), ((2, 2), False)])
def test_words_and_prefixes_from_one_lookup_give_the_same_matrix_as_each_block_alone(word_ngram_range, one_lookup):
    union = text_features(prefix_length=6, min_df=1, word_ngram_range=word_ngram_range).fit(TEXTS)
    new = TEXTS + ["A x y attackers attacked, U.S.-led strikes!", "", "é ü ß", "striking strikes strike"]
    joint = transform_text(union, new, analyse(new))
    np.testing.assert_array_equal(joint.toarray(), _beside(union, new))
    assert ("_joint" in union.transformer_list[1][1].__dict__) is one_lookup


def test_the_joint_lookup_table_learns_new_words_without_changing_a_value_and_is_not_saved():
    import pickle

    union = text_features(prefix_length=6, min_df=1).fit(TEXTS)
    prefix = union.transformer_list[1][1]
    new = ["The attackers regrouped; more attackers came.", "Strikers and strikes"]
    cold = transform_text(union, new, analyse(new)).toarray()
    size = len(prefix.__dict__["_joint"][2])
    warm = transform_text(union, new, analyse(new)).toarray()
    assert len(prefix.__dict__["_joint"][2]) == size  # the new words were learned by the first call
    np.testing.assert_array_equal(cold, warm)
    np.testing.assert_array_equal(cold, _beside(union, new))
    assert "_joint" not in pickle.loads(pickle.dumps(prefix)).__dict__
    union.fit(TEXTS[:2])  # a refit: the table of the old vocabularies is not read
    np.testing.assert_array_equal(transform_text(union, TEXTS, analyse(TEXTS)).toarray(), _beside(union, TEXTS))


def test_a_word_block_that_cannot_read_the_shared_words_falls_back_to_each_block_alone():
    union = text_features(prefix_length=6, min_df=1).fit(TEXTS)
    union.transformer_list[0][1].set_params(lowercase=False)  # the shared words are lower-cased: not its tokens
    union.transformer_list[0][1].fit(TEXTS)
    np.testing.assert_array_equal(transform_text(union, TEXTS, analyse(TEXTS)).toarray(), _beside(union, TEXTS))
    assert "_joint" not in union.transformer_list[1][1].__dict__
