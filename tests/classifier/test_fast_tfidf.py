"""FastTfidfVectorizer: scikit-learn's TfidfVectorizer with a faster transform that gives the same matrix,
bit for bit, and falls back to scikit-learn's own transform for what the fast path does not cover."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion

from classifier import FastTfidfVectorizer, text_features
from classifier._fast_tfidf import TOKEN_PATTERN, analyse, transform_text


def _assert_same_matrix(A, B):
    A, B = sp.csr_matrix(A), sp.csr_matrix(B)
    assert A.shape == B.shape
    assert A.dtype == B.dtype
    np.testing.assert_array_equal(A.indptr, B.indptr)
    np.testing.assert_array_equal(A.indices, B.indices)
    np.testing.assert_array_equal(A.data, B.data)


@pytest.fixture(scope="module")
def fixture_texts():
    import json

    from .conftest import TRAIN_ARTICLES

    return [f"{r['title']}\n\n{r['text']}" for r in map(json.loads, TRAIN_ARTICLES.read_text().splitlines())]


PARAMS = [
    dict(ngram_range=(1, 2), token_pattern=TOKEN_PATTERN, sublinear_tf=True, min_df=2),
    dict(ngram_range=(1, 1)),
    dict(ngram_range=(1, 2), binary=True, norm="l1", use_idf=False, min_df=1),
    dict(ngram_range=(1, 2), lowercase=False, smooth_idf=False, min_df=1, dtype=np.float32),
    dict(ngram_range=(2, 2), min_df=1),
    dict(ngram_range=(1, 3), min_df=1),  # trigrams: scikit-learn's own transform
    dict(ngram_range=(1, 2), max_df=0.3),  # a bigram may outlive its words: scikit-learn's own transform
    dict(analyzer="char_wb", ngram_range=(2, 4), min_df=1),  # characters: scikit-learn's own transform
    dict(ngram_range=(1, 2), stop_words=["the", "and"], min_df=1),  # stop words: scikit-learn's own transform
]


@pytest.mark.parametrize("params", PARAMS, ids=str)
@pytest.mark.parametrize("shared_words", [False, True], ids=["own tokens", "the batch's words"])
def test_transform_gives_exactly_what_sklearns_vectorizer_gives(fixture_texts, params, shared_words):
    fast = FastTfidfVectorizer(**params).fit(fixture_texts[:20])
    plain = TfidfVectorizer(**params).fit(fixture_texts[:20])
    assert fast.vocabulary_ == plain.vocabulary_
    analysed = analyse(fixture_texts) if shared_words else None
    _assert_same_matrix(fast.transform_analysed(fixture_texts, analysed), plain.transform(fixture_texts))
    _assert_same_matrix(fast.transform(fixture_texts), plain.transform(fixture_texts))


def test_fit_transform_and_transform_agree(fixture_texts):
    fast = FastTfidfVectorizer(ngram_range=(1, 2), token_pattern=TOKEN_PATTERN, sublinear_tf=True, min_df=1)
    # scikit-learn's fit_transform stores a row's entries in another order: compare the values
    np.testing.assert_allclose(fast.fit_transform(fixture_texts).toarray(), fast.transform(fixture_texts).toarray(),
                               rtol=1e-12)


_VECTORIZERS: dict = {}


def _fitted(texts):
    if texts not in _VECTORIZERS:
        docs = list(texts) + ["ab cd ab", "cd ab cd. ab", "é É-é ab"]
        kw = dict(ngram_range=(1, 2), token_pattern=TOKEN_PATTERN, sublinear_tf=True, min_df=1)
        _VECTORIZERS[texts] = FastTfidfVectorizer(**kw).fit(docs), TfidfVectorizer(**kw).fit(docs)
    return _VECTORIZERS[texts]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("ab cd.É-é,\nİx_1")), max_size=40), min_size=1, max_size=6))
def test_transform_matches_sklearn_on_any_text(fixture_texts, docs):
    fast, plain = _fitted(tuple(fixture_texts[:10]))
    _assert_same_matrix(fast.transform(docs), plain.transform(docs))
    _assert_same_matrix(fast.transform_analysed(docs, analyse(docs)), plain.transform(docs))


def test_a_refit_vectorizer_looks_words_up_in_its_new_vocabulary(fixture_texts):
    fast = FastTfidfVectorizer(ngram_range=(1, 2), min_df=1).fit(fixture_texts[:5])
    fast.transform(fixture_texts)
    fast.fit(fixture_texts[5:15])
    _assert_same_matrix(fast.transform(fixture_texts),
                        TfidfVectorizer(ngram_range=(1, 2), min_df=1).fit(fixture_texts[5:15]).transform(fixture_texts))


def test_bad_input_gets_sklearns_errors():
    fast = FastTfidfVectorizer().fit(["a first text", "a second text"])
    with pytest.raises(ValueError, match="Iterable over raw text documents expected"):
        fast.transform("one string")
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        FastTfidfVectorizer().transform(["text"])


def test_clone_and_get_params_are_the_vectorizers(fixture_texts):
    fast = FastTfidfVectorizer(ngram_range=(1, 2), min_df=2).fit(fixture_texts)
    twin = clone(fast)
    assert type(twin) is FastTfidfVectorizer and twin.get_params() == fast.get_params()
    assert not hasattr(twin, "vocabulary_")
    assert fast.get_params() == TfidfVectorizer(ngram_range=(1, 2), min_df=2).get_params()


def test_the_text_union_is_a_plain_feature_union_of_the_fast_vectorizer(fixture_texts):
    union = text_features(word_ngram_range=(1, 2), char_ngram_range=(2, 4), min_df=1)
    assert type(union) is FeatureUnion
    words, chars = (part for _, part in union.transformer_list)
    assert type(words) is FastTfidfVectorizer and type(chars) is TfidfVectorizer
    union.fit(fixture_texts)
    _assert_same_matrix(transform_text(union, fixture_texts, analyse(fixture_texts)), union.transform(fixture_texts))


# ---- fitting: the vocabulary and idf counted with numpy must be scikit-learn's, order of the dict included ----

def _assert_same_fit(fast, plain):
    assert list(fast.vocabulary_.items()) == list(plain.vocabulary_.items())  # same terms, columns and dict order
    assert [type(v) for v in fast.vocabulary_.values()] == [type(v) for v in plain.vocabulary_.values()]
    if plain.use_idf:
        assert fast.idf_.dtype == plain.idf_.dtype
        np.testing.assert_array_equal(fast.idf_, plain.idf_)
    assert fast.fixed_vocabulary_ is plain.fixed_vocabulary_


FIT_PARAMS = PARAMS + [
    dict(ngram_range=(1, 2), min_df=0.05, max_df=0.9),
    dict(ngram_range=(1, 2), min_df=3, max_df=40),
    dict(ngram_range=(1, 2), dtype=np.int64, min_df=1),
    dict(ngram_range=(1, 2), max_features=50),  # scikit-learn's own fit
]


@pytest.mark.parametrize("params", FIT_PARAMS, ids=str)
def test_fit_learns_exactly_sklearns_vocabulary_and_idf(fixture_texts, params):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the int dtype's warning, from both
        fast = FastTfidfVectorizer(**params).fit(fixture_texts)
        plain = TfidfVectorizer(**params).fit(fixture_texts)
    _assert_same_fit(fast, plain)
    _assert_same_matrix(fast.transform(fixture_texts), plain.transform(fixture_texts))


def test_fit_transform_gives_sklearns_matrix_and_fit_reads_a_generator_once(fixture_texts):
    params = dict(ngram_range=(1, 2), sublinear_tf=True, min_df=2)
    ours = FastTfidfVectorizer(**params).fit_transform(fixture_texts)
    # bit for bit scikit-learn's transform of its fitted vectorizer; its own fit_transform sums each row's
    # norm in another order (columns unsorted), so it differs in the last bit
    _assert_same_matrix(ours, TfidfVectorizer(**params).fit(fixture_texts).transform(fixture_texts))
    plain = TfidfVectorizer(**params).fit_transform(fixture_texts)
    assert abs(ours - plain).max() < 1e-15
    fast = FastTfidfVectorizer(**params).fit(t for t in fixture_texts)
    _assert_same_fit(fast, TfidfVectorizer(**params).fit(fixture_texts))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("ab cÉé.ßİ1_\n")), max_size=40), min_size=1, max_size=8),
       st.sampled_from([(1, 1), (1, 2), (2, 2)]), st.sampled_from([1, 2, 0.5]))
def test_fit_matches_sklearn_on_any_texts_or_raises_its_error(docs, ngram_range, min_df):
    params = dict(ngram_range=ngram_range, min_df=min_df)
    try:
        plain = TfidfVectorizer(**params).fit(docs)
    except ValueError as exc:
        with pytest.raises(ValueError, match=str(exc)[:30]):
            FastTfidfVectorizer(**params).fit(docs)
        return
    _assert_same_fit(FastTfidfVectorizer(**params).fit(docs), plain)


def test_fit_keeps_sklearns_errors_for_bad_input():
    with pytest.raises(ValueError, match="Iterable over raw text documents expected"):
        FastTfidfVectorizer().fit("one string")
    with pytest.raises(ValueError, match="max_df corresponds to < documents than min_df"):
        FastTfidfVectorizer(min_df=3, max_df=2).fit(["a text here", "another text", "a third text"])
    with pytest.raises(ValueError, match="empty vocabulary"):
        FastTfidfVectorizer().fit(["a", "b c"])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 6)), max_size=60), st.sampled_from([np.float64, np.float32]))
def test_count_matrix_is_scipys_matrix_of_the_same_pairs_in_canonical_form(pairs, dtype):
    from classifier._fast_tfidf import count_matrix

    pairs = sorted(pairs, key=lambda p: p[0])  # rows in order, columns in any order, duplicates kept
    rows = np.asarray([r for r, _ in pairs], dtype=np.int64)
    cols = np.asarray([c for _, c in pairs], dtype=np.int64)
    ours = count_matrix(rows, cols, (6, 7), dtype)
    theirs = sp.csr_matrix((np.ones(len(rows), dtype=dtype), (rows, cols)), shape=(6, 7))
    theirs.sum_duplicates()
    _assert_same_matrix(ours, theirs)
    assert ours.has_canonical_format
