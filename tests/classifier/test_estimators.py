"""ThresholdedOneVsRest, AliasRuleClassifier, calibration and threshold helpers; scikit-learn conventions."""

from __future__ import annotations

import re

import numpy as np
import pytest
from scipy.special import expit
from sklearn import clone
from sklearn.datasets import make_multilabel_classification
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import PredefinedSplit, StratifiedKFold
from sklearn.svm import LinearSVC
from sklearn.utils import estimator_checks as ec
from sklearn.utils.estimator_checks import parametrize_with_checks

from classifier._places import PlaceFeatures
from classifier import (AliasFeatures, AliasRuleClassifier, PrefixTfidfVectorizer, StackedOneVsRest, Tagger,
                        ThresholdedOneVsRest, best_f1_threshold, platt_scaling)
from classifier._embeddings import SentenceEmbeddings
from classifier._estimators import group_stratified_folds

from .conftest import ALIASES, GROUPS
from .test_embeddings import needs_encoder  # noqa: F401 (a fixture)
from .rows_as_text import (CHECK_TAXONOMY, AliasFeaturesOnRows, AliasRuleClassifierOnRows,
                           FastTfidfVectorizerOnRows, PlaceFeaturesOnRows, PrefixTfidfVectorizerOnRows,
                           SentenceEmbeddingsOnRows, TaggerOnRows)
from .test_embeddings import HAVE_ENCODER

_THRESHOLD = ("predict applies per-label thresholds tuned for F1, not probability 0.5, so predict is not "
              "argmax/round of predict_proba; scikit-learn marks its own TunedThresholdClassifierCV the same way")


_DICT_OUTPUT = ("predict returns {facet: [labels per text]} and predict_proba {facet: (n_texts, n_labels) scores}, "
                "one entry per facet of the taxonomy; the check indexes, sorts or subtracts the outputs as arrays")
_RULE = ("AliasRuleClassifier learns nothing from y: it tags its own alias labels (an indicator matrix, one column "
         "per label of `aliases`), whatever classes y has")
_RULE_Y = ("AliasRuleClassifier learns nothing from y and is fitted without the checks' y (a y that is not an "
           "indicator matrix of its labels; see rows_as_text), so it does not refuse this y")
_RULE_SCORE = ("score is ClassifierMixin's: subset accuracy of the rule's indicator matrix against y, and the checks' "
               "1-d y is refused (ValueError: a mix of binary/multiclass and multilabel-indicator targets)")


def _expected_failures(estimator) -> dict[str, str]:
    """Every check that cannot pass, with its reason (docs/sklearn.md lists them with the counts)."""
    if isinstance(estimator, ThresholdedOneVsRest):
        return {"check_classifiers_train": _THRESHOLD, "check_classifier_multioutput": _THRESHOLD}
    if isinstance(estimator, Tagger):
        return {
            "check_estimators_pickle": _DICT_OUTPUT + " (the pickle round trip itself works)",
            "check_methods_sample_order_invariance": _DICT_OUTPUT,
            "check_methods_subset_invariance": _DICT_OUTPUT,
            "check_fit_idempotent": _DICT_OUTPUT,
        }
    if isinstance(estimator, AliasRuleClassifier):
        return {
            "check_classifiers_one_label": _RULE, "check_classifiers_classes": _RULE,
            "check_classifier_multioutput": _RULE, "check_classifiers_multilabel_output_format_predict": _RULE,
            "check_classifiers_multilabel_output_format_predict_proba": _RULE,
            "check_classifiers_train": _RULE_Y, "check_classifiers_regression_target": _RULE_Y,
            "check_supervised_y_no_nan": _RULE_Y,
            "check_fit_score_takes_y": _RULE_SCORE, "check_pipeline_consistency": _RULE_SCORE,
        }
    return {}


# Every custom estimator goes through scikit-learn's checks. The text estimators (AliasFeatures,
# AliasRuleClassifier, Tagger) read texts, and scikit-learn runs no check on an estimator that does not
# take 2-d arrays: they go through the test-only adapter of rows_as_text, which validates the checks'
# numeric arrays and turns each row into a text (its docstring says exactly what it does, and which checks
# therefore test the adapter rather than the estimator). The counts are in docs/sklearn.md.
_CHECKED = [ThresholdedOneVsRest(cv=3, random_state=0), StackedOneVsRest(cv=3, random_state=0), AliasFeaturesOnRows(aliases=ALIASES, groups=GROUPS),
            AliasRuleClassifierOnRows(aliases=ALIASES), TaggerOnRows(taxonomy=str(CHECK_TAXONOMY)),
            PrefixTfidfVectorizerOnRows(prefix_length=2, min_df=1), FastTfidfVectorizerOnRows(sublinear_tf=True),
            PlaceFeaturesOnRows(countries=(("UA", "europe"), ("US", "americas"), ("PK", "asia"), ("FR", "europe")))]
_CHECKED += [SentenceEmbeddingsOnRows()] if HAVE_ENCODER else []  # without the extra: test_the_encoder_is_checked_in_ci


@parametrize_with_checks(_CHECKED, expected_failed_checks=_expected_failures, xfail_strict=True)
def test_custom_estimators_pass_sklearns_checks(estimator, check):
    check(estimator)


def test_the_check_counts_in_the_docs_are_the_checks_that_run():
    from sklearn.utils.estimator_checks import _check_name, estimator_checks_generator

    from ..conftest import ROOT

    rows = {m.group(1): (int(m.group(2)), int(m.group(3))) for m in re.finditer(
        r"^\| `(\w+)`[^|]*\| (\d+) \| \d+ \| [^|]+ \| (\d+) \|", (ROOT / "docs" / "sklearn.md").read_text(), re.M)}
    assert set(rows) == {"ThresholdedOneVsRest", "StackedOneVsRest", "AliasFeatures", "AliasRuleClassifier", "Tagger", "PrefixTfidfVectorizer",
                         "FastTfidfVectorizer", "PlaceFeatures", "SentenceEmbeddings"}
    for estimator in _CHECKED:
        name = type(estimator).__name__.removesuffix("OnRows")
        expected = _expected_failures(estimator)
        checks = [_check_name(check) for _, check in estimator_checks_generator(estimator)]
        assert (len(checks), sum(c in expected for c in checks)) == rows[name], name
        assert set(expected) <= set(checks), f"{name}: expected failures of checks that do not run"


def test_the_sentence_embeddings_go_through_the_checks(needs_encoder):
    """(Without the embeddings extra the encoder's checks cannot run: this skips, or fails in CI.)"""
    assert any(type(e).__name__ == "SentenceEmbeddingsOnRows" for e in _CHECKED)


# The API checks again on the estimators themselves (not through the adapter): their own parameters and tags.
_API_CHECKS = ["check_no_attributes_set_in_init", "check_get_params_invariance", "check_set_params",
               "check_parameters_default_constructible", "check_estimator_repr", "check_mixin_order",
               "check_valid_tag_types", "check_estimator_tags_renamed",
               "check_do_not_raise_errors_in_init_or_set_params"]


@pytest.mark.parametrize("check_name", _API_CHECKS)
@pytest.mark.parametrize("estimator", [AliasFeatures(aliases=ALIASES), AliasRuleClassifier(aliases=ALIASES), Tagger(),
                                       PrefixTfidfVectorizer(), PlaceFeatures(), SentenceEmbeddings()],
                         ids=lambda e: type(e).__name__)
def test_text_estimators_pass_sklearns_data_free_api_checks(estimator, check_name):
    getattr(ec, check_name)(type(estimator).__name__, clone(estimator))


# --------------------------------------------------------------------------------------------------
# ThresholdedOneVsRest
# --------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def multilabel():
    X, Y = make_multilabel_classification(n_samples=400, n_features=30, n_classes=5, n_labels=2,
                                          allow_unlabeled=True, random_state=3)
    return X.astype(float), Y


def _manual_threshold(X, y, cv, groups=None):
    oof = np.zeros(len(y))
    for tr, te in cv.split(X, y, groups):  # the fold fits stop at cv_tol (default 1e-2)
        oof[te] = LinearSVC(class_weight="balanced", tol=1e-2).fit(X[tr], y[tr]).decision_function(X[te])
    a, b = platt_scaling(oof, y)
    return best_f1_threshold(expit(a * oof + b), y), (a, b)


def test_thresholds_are_tuned_on_out_of_fold_scores_of_the_training_data(multilabel):
    X, Y = multilabel
    model = ThresholdedOneVsRest(cv=4, random_state=7).fit(X, Y)
    for j in range(Y.shape[1]):
        k = min(4, Y[:, j].sum(), len(Y) - Y[:, j].sum())
        t, ab = _manual_threshold(X, Y[:, j], StratifiedKFold(k, shuffle=True, random_state=7))
        assert model.thresholds_[j] == pytest.approx(t)
        assert tuple(model.calibration_[j]) == pytest.approx(ab)
    assert model.tuned_.all()


def test_given_folds_and_groups_decide_the_out_of_fold_scores(multilabel):
    X, Y = multilabel
    folds = np.arange(len(Y)) % 3
    model = ThresholdedOneVsRest(cv=PredefinedSplit(folds)).fit(X, Y)
    t, _ = _manual_threshold(X, Y[:, 0], PredefinedSplit(folds))
    assert model.thresholds_[0] == pytest.approx(t)
    groups = np.arange(len(Y)) // 2  # pairs of near-duplicates
    model = ThresholdedOneVsRest(cv=3, random_state=1).fit(X, Y, groups=groups)
    folds = group_stratified_folds(Y[:, 1], groups, 3, 1)
    t, _ = _manual_threshold(X, Y[:, 1], PredefinedSplit(_test_fold(folds, len(Y))))
    assert model.thresholds_[1] == pytest.approx(t)


def _test_fold(folds, n):
    out = np.full(n, -1)
    for k, (_, test) in enumerate(folds):
        out[test] = k
    return out


def test_group_folds_keep_each_group_whole_and_spread_the_positives():
    rng = np.random.default_rng(0)
    groups = rng.integers(0, 60, size=200)
    y = (groups % 7 == 0).astype(int)
    folds = group_stratified_folds(y, groups, 4, 0)
    assert len(folds) == 4
    seen = np.zeros(200, dtype=int)
    for train, test in folds:
        assert not set(groups[train]) & set(groups[test])
        assert y[test].sum() > 0
        seen[test] += 1
    assert (seen == 1).all()
    assert group_stratified_folds(np.r_[1, np.zeros(9, dtype=int)], np.arange(10), 3, 0) == []


def test_probabilities_are_calibrated_on_held_out_data(multilabel):
    X, Y = make_multilabel_classification(n_samples=3000, n_features=30, n_classes=4, n_labels=1,
                                          random_state=11)
    model = ThresholdedOneVsRest(random_state=0).fit(X[:2000], Y[:2000])
    P = model.predict_proba(X[2000:])
    raw = expit(model.decision_function(X[2000:]) + np.log(model.thresholds_ / (1 - model.thresholds_)))
    Yt = Y[2000:]

    def log_loss(p):
        p = np.clip(p, 1e-9, 1 - 1e-9)
        return -np.mean(Yt * np.log(p) + (1 - Yt) * np.log(1 - p))

    uncalibrated = expit(np.column_stack([e.decision_function(X[2000:]) for e in model.estimators_]))
    assert log_loss(P) < log_loss(uncalibrated)
    assert np.abs(P.mean(axis=0) - Yt.mean(axis=0)).max() < 0.05
    np.testing.assert_allclose(raw, P)


def test_decision_function_is_positive_exactly_where_predict_tags(multilabel):
    X, Y = multilabel
    model = ThresholdedOneVsRest(random_state=0).fit(X, Y)
    np.testing.assert_array_equal(model.predict(X), (model.decision_function(X) > 0).astype(int))
    np.testing.assert_array_equal(model.predict(X), (model.predict_proba(X) > model.thresholds_).astype(int))


def test_a_label_without_positive_examples_is_a_constant_zero_and_fit_does_not_fail(multilabel):
    X, Y = multilabel
    Y = np.column_stack([Y, np.zeros(len(Y), dtype=int)])
    model = ThresholdedOneVsRest(random_state=0).fit(X, Y)
    assert model.estimators_[-1] is None and model.constant_[-1] == 0.0
    assert (model.predict_proba(X)[:, -1] == 0).all() and (model.predict(X)[:, -1] == 0).all()


def test_a_label_with_too_few_positives_keeps_the_default_threshold(multilabel):
    X, Y = multilabel
    y_rare = np.zeros(len(Y), dtype=int)
    y_rare[:2] = 1
    model = ThresholdedOneVsRest(min_positives=3, default_threshold=0.4, random_state=0).fit(X, np.column_stack([Y, y_rare]))
    assert not model.tuned_[-1] and model.thresholds_[-1] == 0.4
    assert model.estimators_[-1] is not None


def test_the_taggers_heads_tune_a_label_with_two_positives(multilabel):
    X, Y = multilabel
    y_rare = np.zeros(len(Y), dtype=int)
    y_rare[:2] = 1
    head = Tagger().make_head("themes")
    assert head.min_positives == 2
    model = head.set_params(estimator=LinearSVC(random_state=0)).fit(X, np.column_stack([Y, y_rare]))
    assert model.tuned_[-1]


def test_fitting_twice_gives_identical_results(multilabel):
    X, Y = multilabel
    a = ThresholdedOneVsRest(random_state=5).fit(X, Y)
    b = ThresholdedOneVsRest(random_state=5).fit(X, Y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    np.testing.assert_array_equal(a.thresholds_, b.thresholds_)


@pytest.mark.parametrize("params, match", [
    ({"min_positives": 0}, "min_positives must be an integer >= 1"),
    ({"default_threshold": 1.5}, "default_threshold must be a number strictly between 0 and 1"),
    ({"cv": 1}, "cv must be at least 2 folds"),
])
def test_bad_parameters_are_rejected_at_fit(multilabel, params, match):
    X, Y = multilabel
    with pytest.raises(ValueError, match=match):
        ThresholdedOneVsRest(**params).fit(X, Y)


def test_predict_before_fit_raises_not_fitted():
    with pytest.raises(NotFittedError):
        ThresholdedOneVsRest().predict(np.zeros((2, 3)))


# --------------------------------------------------------------------------------------------------
# Calibration and threshold helpers
# --------------------------------------------------------------------------------------------------

def test_platt_scaling_recovers_a_known_sigmoid():
    rng = np.random.default_rng(0)
    s = rng.normal(size=20000)
    y = rng.random(20000) < expit(2.0 * s - 1.0)
    a, b = platt_scaling(s, y)
    assert a == pytest.approx(2.0, abs=0.1) and b == pytest.approx(-1.0, abs=0.1)


def test_platt_scaling_never_turns_a_higher_score_into_a_lower_probability():
    a, _ = platt_scaling(np.array([3.0, 2.0, 1.0, -1.0, -2.0]), np.array([0, 0, 0, 1, 1]))
    assert a > 0


def test_best_f1_threshold_separates_positives_from_negatives():
    p = np.array([0.9, 0.8, 0.35, 0.3, 0.1])
    y = np.array([1, 1, 1, 0, 0])
    assert best_f1_threshold(p, y) == pytest.approx((0.35 + 0.3) / 2)


def test_best_f1_threshold_defaults_without_positives_and_is_clipped():
    assert best_f1_threshold(np.array([0.2, 0.4]), np.array([0, 0]), default=0.5) == 0.5
    assert best_f1_threshold(np.array([0.99, 0.98, 0.01]), np.array([1, 1, 0])) <= 0.95
    assert best_f1_threshold(np.array([0.02, 0.01]), np.array([1, 1])) >= 0.05


def test_best_f1_threshold_never_splits_tied_probabilities():
    p = np.array([0.7, 0.5, 0.5, 0.2])
    y = np.array([1, 1, 0, 0])
    # Cutting between the two 0.5s would give F1 = 1, but no threshold can: the best real cut is below both.
    assert best_f1_threshold(p, y) == pytest.approx((0.5 + 0.2) / 2)


# --------------------------------------------------------------------------------------------------
# AliasRuleClassifier
# --------------------------------------------------------------------------------------------------

def test_alias_rule_tags_title_lead_and_repeated_mentions_but_not_a_passing_mention():
    rule = AliasRuleClassifier(aliases=ALIASES).fit()
    text = ("Japan and Seoul hold talks\n\nOfficials from Japan met in Tokyo on Monday.\n\n"
            "Washington welcomed it. The United States will send an envoy. Russia was not invited.")
    scores = dict(zip(rule.classes_, rule.predict_proba([text])[0]))
    assert scores["JPN"] == pytest.approx(0.8)  # title, lead and three mentions
    assert scores["KOR"] == pytest.approx(0.6)  # title only
    assert scores["USA"] == pytest.approx(0.5)  # two mentions, late in the body
    assert scores["RUS"] == pytest.approx(0.125)  # one passing mention
    assert dict(zip(rule.classes_, rule.predict([text])[0])) == {"USA": 1, "JPN": 1, "KOR": 1, "RUS": 0}


def test_alias_rule_criteria_can_be_switched_off():
    text = "Japan and Seoul hold talks\n\nNothing else."
    rule = AliasRuleClassifier(aliases=ALIASES, title=False, min_mentions=3).fit()
    assert rule.predict([text]).sum() == 0


def test_alias_rule_checks_y_shape_and_min_mentions():
    with pytest.raises(ValueError, match=r"one column per label \(4\), got shape \(2,\)"):
        AliasRuleClassifier(aliases=ALIASES).fit(["a", "b"], [1, 0])
    with pytest.raises(ValueError, match="min_mentions must be an integer >= 1"):
        AliasRuleClassifier(aliases=ALIASES, min_mentions=0).fit()


def test_alias_rule_before_fit_raises_not_fitted():
    with pytest.raises(NotFittedError):
        AliasRuleClassifier(aliases=ALIASES).predict(["Japan"])
    with pytest.raises(NotFittedError):
        AliasRuleClassifier(aliases=ALIASES).predict_from_features(np.zeros((1, 16)))


def test_private_columns_keep_each_label_to_the_shared_columns_and_its_own(multilabel):
    X, Y = multilabel
    Y = Y[:, :3]
    # columns 0-19 shared; 20-22 private to label 0, 23-25 to label 1, 26-29 to label 2
    private = [np.arange(20, 23), np.arange(23, 26), np.arange(26, 30)]
    X = X.copy()
    X[:, 20] = Y[:, 1] * 5.0  # a perfect predictor of label 1, private to label 0: label 1 must not see it
    model = ThresholdedOneVsRest(cv=3, random_state=0).fit(X, Y, private_columns=private)
    assert [list(c) for c in model.columns_] == [list(range(20)) + list(p) for p in private]
    assert model.estimators_[1].n_features_in_ == 23
    for j in range(3):
        cols = model.columns_[j]
        ref = ThresholdedOneVsRest(cv=3, random_state=0).fit(X[:, cols], Y[:, j])
        assert model.thresholds_[j] == pytest.approx(ref.thresholds_[0])
        np.testing.assert_allclose(model.predict_proba(X)[:, j], ref.predict_proba(X[:, cols])[:, 1])
    w = model.coef_of(1)
    assert w.shape == (30,) and w[20] == 0.0 and np.all(w[26:] == 0)


@pytest.mark.parametrize("private, match", [
    ([[20]], r"1 entries for 3 labels"),
    ([[20], [20], []], r"column 20 is private to labels 0 and 1"),
    ([[99], [], []], r"column\(s\) \[99\] outside X's 30 columns"),
])
def test_bad_private_columns_are_refused(multilabel, private, match):
    X, Y = multilabel
    with pytest.raises(ValueError, match=match):
        ThresholdedOneVsRest().fit(X, Y[:, :3], private_columns=private)


def test_rule_scores_from_sparse_features_equal_the_rule_applied_to_every_cell():
    import scipy.sparse as sp

    from classifier import AliasRuleClassifier

    rule = AliasRuleClassifier(aliases=tuple((f"L{k}", (f"name {k}",)) for k in range(5)), min_mentions=2).fit()
    rng = np.random.default_rng(0)
    dense = rng.choice([0.0, 0.0, 0.0, np.log1p(1), np.log1p(2), np.log1p(5), 1.0], size=(40, 5 * 4 + 3))
    dense[:, 1::4][:, :5] = rng.choice([0.0, 1.0], size=(40, 5))  # title flags, with or without a count
    got = rule.scores_from_features(sp.csr_matrix(dense))
    cells = dense[:, :20].reshape(40, 5, 4)
    count = np.rint(np.expm1(cells[:, :, 0]))
    in_title, in_lead = cells[:, :, 1] > 0, cells[:, :, 3] > 0
    met = (count >= 2).astype(int) + in_title + in_lead
    want = np.round(np.where(met > 0, 0.5 + 0.1 * (met - 1) + 0.1 * in_title, 0.25 * np.minimum(count / 2, 1.0)), 6)
    np.testing.assert_array_equal(got, want)


def test_labels_fitted_in_two_worker_processes_give_the_same_estimator_as_in_one(multilabel):
    X, Y = multilabel
    one = ThresholdedOneVsRest(cv=3, random_state=0, n_jobs=1).fit(X, Y)
    two = ThresholdedOneVsRest(cv=3, random_state=0, n_jobs=2).fit(X, Y)
    np.testing.assert_array_equal(one.calibration_, two.calibration_)
    np.testing.assert_array_equal(one.thresholds_, two.thresholds_)
    np.testing.assert_array_equal(one.linear_coefficients()[0], two.linear_coefficients()[0])
    np.testing.assert_array_equal(one.predict_proba(X), two.predict_proba(X))


def test_only_the_fold_fits_stop_at_cv_tol_and_the_final_fits_keep_the_estimators_tol(multilabel):
    X, Y = multilabel
    model = ThresholdedOneVsRest(LinearSVC(tol=1e-5), cv=3, cv_tol=0.1, random_state=0).fit(X, Y)
    assert {est.tol for est in model.estimators_ if est is not None} == {1e-5}
    exact = ThresholdedOneVsRest(LinearSVC(tol=1e-5), cv=3, cv_tol=None, random_state=0).fit(X, Y)
    np.testing.assert_array_equal(model.linear_coefficients()[0], exact.linear_coefficients()[0])
    assert not np.array_equal(model.calibration_, exact.calibration_)  # the folds' scores moved, a little


@pytest.mark.parametrize(("param", "value", "match"), [
    ("n_jobs", 0, "n_jobs must be a non-zero integer or None, got 0"),
    ("n_jobs", "two", "n_jobs must be a non-zero integer or None, got 'two'"),
    ("cv_tol", 0.0, "cv_tol must be a positive number or None, got 0.0"),
])
def test_a_bad_n_jobs_or_cv_tol_is_refused_naming_the_value(multilabel, param, value, match):
    X, Y = multilabel
    with pytest.raises(ValueError, match=match):
        ThresholdedOneVsRest(**{param: value}).fit(X, Y)


def test_the_check_ids_name_the_check_taxonomy_by_its_file_name_not_a_machine_path():
    from sklearn.utils.estimator_checks import _get_check_estimator_ids

    tagger = next(e for e in _CHECKED if isinstance(e, Tagger))
    ident = _get_check_estimator_ids(tagger)
    assert "check_taxonomy.toml" in ident and str(CHECK_TAXONOMY.parent) not in ident
    assert tagger.get_params()["taxonomy"] == str(CHECK_TAXONOMY)  # the estimator itself keeps the full path
