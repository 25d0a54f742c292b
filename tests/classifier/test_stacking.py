"""The second stage over every label's score (StackedOneVsRest) and the Tagger's ``stack_facets`` (themes by
default): what it learns, which labels it decides, that the other heads are unchanged, persistence, parameters."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone

from classifier import StackedOneVsRest, Tagger, ThresholdedOneVsRest
from classifier._stacking import cooccurrence_logistic
from classifier._persist import untrusted_types
from corpus import InputError

SEED_TEXT = "US, Japan and South Korea hold drills\n\nThe three allies launched joint military training."


def _co_occurring(n: int = 600, seed: int = 0):
    """Label 0 is read off column 0; label 1 comes with label 0 (90% of the time) and nothing in its own private
    column 1 tells it; columns 2-9 are noise, shared. ``private``: column 0 is label 0's, column 1 label 1's."""
    rng = np.random.default_rng(seed)
    y0 = rng.random(n) < 0.3
    y1 = y0 & (rng.random(n) < 0.9)
    X = rng.normal(size=(n, 10)) * 0.5
    X[:, 0] += 2.0 * y0
    return X, np.column_stack([y0, y1]).astype(int), [[0], [1]]


def test_a_label_whose_own_columns_say_nothing_is_found_through_the_label_it_comes_with():
    X, Y, private = _co_occurring()
    Xt, Yt, _ = _co_occurring(seed=1)
    alone = ThresholdedOneVsRest(cv=3, random_state=0).fit(X, Y, private_columns=private)
    stacked = StackedOneVsRest(cv=3, random_state=0).fit(X, Y, private_columns=private)

    def f1(pred, gold):
        return 2 * (pred & gold).sum() / (pred.sum() + gold.sum())

    assert stacked.stacked_.tolist() == [True, True] and stacked.stack_inputs_.tolist() == [0, 1]
    assert stacked.stack_coef_[1, 0] > 0.5  # label 1's second stage leans on label 0's score
    assert f1(stacked.predict(Xt)[:, 1] == 1, Yt[:, 1] == 1) > f1(alone.predict(Xt)[:, 1] == 1, Yt[:, 1] == 1) + 0.2
    # the first stage is the one-vs-rest head's: same calibration, same coefficients (the evidence)
    np.testing.assert_array_equal(stacked.calibration_, alone.calibration_)
    np.testing.assert_array_equal(stacked.linear_coefficients()[0], alone.linear_coefficients()[0])


def test_another_label_can_only_speak_for_a_label_never_against_it():
    # label 1 never comes with label 0: a free logistic regression would weigh label 0's score against it
    rng = np.random.default_rng(3)
    y0 = rng.random(600) < 0.4
    y1 = ~y0 & (rng.random(600) < 0.5)
    X = rng.normal(size=(600, 4)) * 0.5
    X[:, 0] += 2.0 * y0
    X[:, 1] += 1.0 * y1
    stacked = StackedOneVsRest(cv=3, random_state=0).fit(X, np.column_stack([y0, y1]).astype(int))
    off_diagonal = stacked.stack_coef_[~np.eye(2, dtype=bool)]
    assert (off_diagonal >= 0).all() and stacked.stack_coef_[1, 0] == 0.0
    assert stacked.stack_coef_[0, 0] > 0 and stacked.stack_coef_[1, 1] > 0


def test_the_second_stage_regression_is_scikit_learns_where_no_weight_is_held_at_zero():
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    Z = rng.normal(size=(400, 3))
    y = (Z @ [1.5, 0.8, 0.4] + rng.normal(size=400) > 0.5).astype(int)
    w, b = cooccurrence_logistic(Z, y, 1.0, own=0)
    ref = LogisticRegression(C=1.0, class_weight="balanced", tol=1e-10, max_iter=10_000).fit(Z, y)
    np.testing.assert_allclose(w, ref.coef_[0], atol=1e-4)
    assert b == pytest.approx(ref.intercept_[0], abs=1e-4)
    # the own column may go below zero, the others may not
    w, _ = cooccurrence_logistic(-Z, y, 1.0, own=1)
    assert w[1] < 0 and w[0] == 0.0 and w[2] == 0.0


def test_the_second_stage_regression_needs_both_classes():
    with pytest.raises(ValueError, match="cooccurrence_logistic needs both classes in y"):
        cooccurrence_logistic(np.zeros((4, 2)), np.ones(4), 1.0, own=0)


def test_a_label_too_rare_to_tune_keeps_its_first_stage_score_and_is_no_input_of_the_others():
    X, Y, _ = _co_occurring()
    rare = np.zeros(len(Y), dtype=int)
    rare[:2] = 1
    Y3 = np.column_stack([Y, rare])
    stacked = StackedOneVsRest(cv=3, min_positives=3, random_state=0).fit(X, Y3)
    alone = ThresholdedOneVsRest(cv=3, min_positives=3, random_state=0).fit(X, Y3)
    assert stacked.stacked_.tolist() == [True, True, False] and stacked.stack_inputs_.tolist() == [0, 1]
    assert stacked.stack_coef_.shape == (3, 2) and not stacked.stack_coef_[2].any()
    np.testing.assert_array_equal(stacked.predict_proba(X)[:, 2], alone.predict_proba(X)[:, 2])
    assert stacked.thresholds_[2] == alone.thresholds_[2] == 0.5


@pytest.mark.parametrize("target", ["binary", "multiclass", "one indicator column"])
def test_a_target_without_two_tuned_labels_gets_no_second_stage_and_the_one_vs_rest_decisions(target):
    X, Y, _ = _co_occurring()
    y = {"binary": Y[:, 0], "multiclass": Y[:, 0] + Y[:, 1], "one indicator column": Y[:, :1]}[target]
    kw = {"indicator": True} if target == "one indicator column" else {}
    stacked = StackedOneVsRest(cv=3, random_state=0).fit(X, y, **kw)
    alone = ThresholdedOneVsRest(cv=3, random_state=0).fit(X, y, **kw)
    assert not stacked.stacked_.any()
    np.testing.assert_array_equal(stacked.predict_proba(X), alone.predict_proba(X))
    np.testing.assert_array_equal(stacked.predict(X), alone.predict(X))


def test_the_same_seed_and_any_n_jobs_give_identical_scores_and_thresholds():
    X, Y, private = _co_occurring()
    a = StackedOneVsRest(cv=3, random_state=4, n_jobs=1).fit(X, Y, private_columns=private)
    b = StackedOneVsRest(cv=3, random_state=4, n_jobs=2).fit(X, Y, private_columns=private)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    np.testing.assert_array_equal(a.thresholds_, b.thresholds_)


@pytest.mark.parametrize("bad", [0, -1.0, "1", True, None])
def test_a_stack_C_that_is_not_a_positive_number_is_refused_when_fitting(bad):
    X, Y, _ = _co_occurring(n=60)
    with pytest.raises(ValueError, match=r"stack_C must be a positive number \(the second stage's inverse "
                                         r"regularisation\), got"):
        StackedOneVsRest(stack_C=bad).fit(X, Y)


# ---- in the Tagger ----


@pytest.fixture(scope="module")
def stacked(small_corpus, small_splits):
    """The default Tagger: its themes head stacked."""
    return Tagger(random_state=0).fit(small_corpus, splits=small_splits)


@pytest.fixture(scope="module")
def unstacked(small_corpus, small_splits):
    return Tagger(random_state=0, stack_facets=()).fit(small_corpus, splits=small_splits)


def test_the_default_tagger_stacks_the_themes_head_only(stacked, unstacked):
    assert Tagger().get_params()["stack_facets"] == ("themes",)
    assert type(stacked.heads_["themes"]) is StackedOneVsRest and stacked.heads_["themes"].stacked_.any()
    assert "actors" not in stacked.heads_  # tagged by the acting model (acting_words)
    assert type(unstacked.heads_["themes"]) is ThresholdedOneVsRest


def test_region_and_actors_give_the_same_scores_and_tags_with_the_themes_head_stacked(stacked, unstacked, small_corpus):
    texts = small_corpus.texts() + [SEED_TEXT]
    ours, theirs = stacked.predict_proba(texts), unstacked.predict_proba(texts)
    for facet in ("region", "actors"):
        np.testing.assert_array_equal(ours[facet], theirs[facet])
    a, b = stacked.predict(texts), unstacked.predict(texts)
    assert a["region"] == b["region"] and a["actors"] == b["actors"]
    # the themes head reads the same columns and its first stage is the same one-vs-rest head
    np.testing.assert_array_equal(stacked.heads_["themes"].calibration_, unstacked.heads_["themes"].calibration_)


def test_stack_facets_may_name_another_multi_label_head_and_a_single_label_one_is_left_out(small_corpus):
    t = Tagger(random_state=0, threshold_cv=2, stack_facets=("region", "actors", "topics"),
               acting_words=False).fit(small_corpus)
    assert type(t.heads_["actors"]) is StackedOneVsRest and type(t.heads_["themes"]) is ThresholdedOneVsRest
    assert type(t.heads_["region"]) is not StackedOneVsRest


@pytest.mark.parametrize("bad", ["themes", ("themes", 3), None])
def test_stack_facets_of_the_wrong_kind_are_refused_before_fitting(small_corpus, bad):
    with pytest.raises(InputError, match=r"stack_facets must be a tuple of facet names, e\.g\. \('themes',\), or \(\) "
                                         r"for none, got"):
        Tagger(stack_facets=bad).fit(small_corpus)


def test_a_saved_tagger_with_the_stacked_head_loads_back_with_identical_scores_and_tags(stacked, small_corpus,
                                                                                        tmp_path):
    stacked.save(tmp_path / "m")
    assert untrusted_types(tmp_path / "m" / "model.skops") == []
    loaded = Tagger.load(tmp_path / "m")
    assert loaded.get_params() == stacked.get_params()
    texts = small_corpus.texts()[:6] + [SEED_TEXT]
    a, b = stacked.predict_proba(texts), loaded.predict_proba(texts)
    for facet in a:
        np.testing.assert_array_equal(a[facet], b[facet])
    assert [r.to_dict() for r in loaded.tag_batch(texts)] == [r.to_dict() for r in stacked.tag_batch(texts)]


def test_a_tagger_saved_before_stack_facets_existed_loads_unstacked(unstacked, small_corpus):
    state = dict(unstacked.__getstate__())
    del state["stack_facets"]
    old = type(unstacked).__new__(type(unstacked))
    old.__setstate__(state)
    assert old.get_params()["stack_facets"] == () and clone(old).get_params()["stack_facets"] == ()
    texts = small_corpus.texts()[:5]
    np.testing.assert_array_equal(old.predict_proba(texts)["themes"], unstacked.predict_proba(texts)["themes"])


def test_clone_and_get_params_round_trip_stack_facets():
    t = Tagger(stack_facets=("themes", "actors"))
    assert clone(t).get_params() == t.get_params()
    assert clone(t).set_params(stack_facets=()).get_params()["stack_facets"] == ()
    head = StackedOneVsRest(cv=3, stack_C=0.5)
    assert clone(head).get_params() == head.get_params() and head.get_params()["stack_C"] == 0.5


def test_the_same_seed_gives_identical_scores_with_the_stacked_head(stacked, small_corpus, small_splits):
    again = clone(stacked).fit(small_corpus, splits=small_splits)
    texts = small_corpus.texts()
    a, b = stacked.predict_proba(texts), again.predict_proba(texts)
    for facet in a:
        np.testing.assert_array_equal(a[facet], b[facet])
