"""Label co-occurrence stacking: a second stage per label reading every label's first-stage score.

In news, themes come together: a prisoner exchange is diplomacy and armed conflict, an arms deal between allies
is defence industry and alliance. A one-vs-rest head decides each label alone. :class:`StackedOneVsRest` fits
the one-vs-rest head (:class:`ThresholdedOneVsRest`: calibrated, out-of-fold thresholds), then per label a
logistic regression over the calibrated out-of-fold log-odds of every tuned label (its own among them), so a
label's decision can lean on the others. The other labels' weights are kept >= 0 (:func:`cooccurrence_logistic`):
themes are not exclusive (the guide tags every theme an item has), so another theme's score may speak for a
label, never against it. With free weights the short one-theme training items taught "diplomacy, so not
military training", and the seed article (drills of three allies after talks) lost military_training. The second
stage learns only from out-of-fold scores, so it sees scores like those of new texts; its own calibration and
threshold are tuned out of fold too, on the label's folds of the first stage.

Measured on the news time split's development folds (``bench/model_quality.py``, attempt ``themes_stack`` and
code attempt ``themes_stack_after_r6``): on the final corpus (1,990 real items) themes micro-F1 0.741 / 0.717 /
0.733 -> 0.759 / 0.733 / 0.738 (pooled 0.731 -> 0.743; threshold folds seeded 1: 0.719 -> 0.749), which made it
the default; on the 1,530-item corpus 0.7425 -> 0.750. The evaluation period (reported only): 0.771 -> 0.767. Cost (``bench/stack_cost.py``): ``Tagger.fit`` of the main job's corpus x1.06 CPU time, ``tag_batch``
+0.04 s per 10,000 Reuters articles.
"""

from __future__ import annotations

__all__ = ["StackedOneVsRest", "cooccurrence_logistic"]

import numbers

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit

from ._estimators import ThresholdedOneVsRest, best_f1_threshold, platt_scaling
from ._label_fits import out_of_fold

CLIP = 10.0  # first-stage log-odds are cut to +-CLIP (probabilities 4.5e-5 .. 1 - 4.5e-5) before the second stage


class StackedOneVsRest(ThresholdedOneVsRest):
    """:class:`ThresholdedOneVsRest` with a second stage per label over every label's first-stage log-odds.

    After the one-vs-rest fit, for each label whose threshold was tuned out of fold:

    1. the inputs: the calibrated out-of-fold log-odds of every tuned label (``stack_inputs_``), cut to +-10;
    2. out-of-fold scores of a logistic regression (``C=stack_C``, balanced class weights, the other labels'
       weights >= 0: :func:`cooccurrence_logistic`) on those inputs, on the label's own first-stage folds;
    3. Platt scaling of those scores and the F1-optimal threshold on them (as in the first stage);
    4. the logistic regression fitted on all the rows.

    At prediction the inputs are the first stage's calibrated log-odds of the texts. Labels that were not tuned
    (too few examples) keep their first-stage scores and are no input (they have no out-of-fold scores).
    Only a multi-label target with two or more tuned labels gets a second stage; for any other the estimator is
    its first stage. Evidence (:meth:`linear_coefficients`) stays the first stage's: the words behind a label.

    Parameters
    ----------
    estimator, cv, min_positives, default_threshold, random_state, cv_tol, n_jobs : as :class:`ThresholdedOneVsRest`
    stack_C : float, default 1.0
        Inverse regularisation strength of the second stage's logistic regressions.

    Attributes
    ----------
    as :class:`ThresholdedOneVsRest` (``calibration_`` and ``tuned_`` of the first stage, ``thresholds_`` of the
    stage that decides), and:

    stack_inputs_ : ndarray of int
        The labels whose first-stage log-odds are the second stage's inputs.
    stacked_ : ndarray of bool, shape (n_labels,)
        Which labels the second stage decides.
    stack_coef_ : ndarray of shape (n_labels, len(stack_inputs_))
        The second stage's weights (zero rows for labels it does not decide); only a label's own input may be < 0.
    stack_intercept_ : ndarray of shape (n_labels,)
    stack_calibration_ : ndarray of shape (n_labels, 2)
        Platt's ``(a, b)`` of the second stage's scores.
    """

    def __init__(self, estimator=None, *, cv=5, min_positives: int = 3, default_threshold: float = 0.5,
                 random_state=None, cv_tol: float | None = 1e-2, n_jobs=None, stack_C: float = 1.0):
        super().__init__(estimator, cv=cv, min_positives=min_positives, default_threshold=default_threshold,
                         random_state=random_state, cv_tol=cv_tol, n_jobs=n_jobs)
        self.stack_C = stack_C

    def _check_params(self) -> None:
        super()._check_params()
        c = self.stack_C
        if isinstance(c, bool) or not isinstance(c, numbers.Real) or not c > 0:
            raise ValueError(f"stack_C must be a positive number (the second stage's inverse regularisation), got {c!r}.")

    def _fit_second_stage(self, Y, plans, fits) -> None:
        n_labels = Y.shape[1]
        tuned = [(plan, fit) for plan, fit in zip(plans, fits) if fit.oof is not None]
        self.stack_inputs_ = np.asarray([plan.j for plan, _ in tuned], dtype=np.int64)
        self.stacked_ = np.zeros(n_labels, dtype=bool)
        self.stack_coef_ = np.zeros((n_labels, len(tuned)))
        self.stack_intercept_ = np.zeros(n_labels)
        self.stack_calibration_ = np.tile([1.0, 0.0], (n_labels, 1))
        if self.target_type_ != "multilabel-indicator" or len(tuned) < 2:
            return
        Z = np.column_stack([fit.calibration[0] * fit.oof + fit.calibration[1] for _, fit in tuned])
        np.clip(Z, -CLIP, CLIP, out=Z)
        for k, (plan, _) in enumerate(tuned):
            j, yj = plan.j, plan.y

            def score(train, test, k=k, yj=yj):
                w, b0 = cooccurrence_logistic(Z[train], yj[train], self.stack_C, k)
                return Z[test] @ w + b0

            oof = out_of_fold(plan.splits, yj, score)
            a, b = platt_scaling(oof, yj)
            self.stack_calibration_[j] = (a, b)
            self.thresholds_[j] = best_f1_threshold(expit(a * oof + b), yj, default=self.default_threshold)
            self.stack_coef_[j], self.stack_intercept_[j] = cooccurrence_logistic(Z, yj, self.stack_C, k)
            self.stacked_[j] = True

    def _log_odds(self, X) -> np.ndarray:
        z = super()._log_odds(X)
        stacked = self.stacked_
        if not stacked.any():
            return z
        Z = np.clip(z[:, self.stack_inputs_], -CLIP, CLIP)
        second = Z @ self.stack_coef_[stacked].T + self.stack_intercept_[stacked]
        z[:, stacked] = self.stack_calibration_[stacked, 0] * second + self.stack_calibration_[stacked, 1]
        return z


def cooccurrence_logistic(Z: np.ndarray, y: np.ndarray, C: float, own: int) -> tuple[np.ndarray, float]:
    """``(weights, intercept)`` of a logistic regression of ``y`` on ``Z`` with balanced class weights and
    scikit-learn's objective (``C`` times the weighted log-loss plus half the squared weights; the intercept not
    penalised), every weight but column ``own``'s kept >= 0: another label's score can only speak for the label.

    Raises
    ------
    ValueError
        When ``y`` holds one class only.
    """
    y = np.asarray(y).astype(bool)
    n, d = Z.shape
    n_pos = int(y.sum())
    if n_pos in (0, n):
        raise ValueError("cooccurrence_logistic needs both classes in y.")
    s = np.where(y, n / (2.0 * n_pos), n / (2.0 * (n - n_pos)))
    t = np.where(y, 1.0, -1.0)

    def f(x):
        w, b = x[:d], x[d]
        m = t * (Z @ w + b)
        loss = C * float(np.dot(s, np.logaddexp(0.0, -m))) + 0.5 * float(np.dot(w, w))
        g = -C * s * t * expit(-m)
        return loss, np.r_[Z.T @ g + w, g.sum()]

    bounds = [(0.0, None)] * d + [(None, None)]
    bounds[own] = (None, None)
    res = minimize(f, np.zeros(d + 1), jac=True, method="L-BFGS-B", bounds=bounds)
    return res.x[:d], float(res.x[d])
