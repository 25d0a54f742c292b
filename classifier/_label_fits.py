"""The per-label work of :class:`ThresholdedOneVsRest.fit`, run in parallel: each label's out-of-fold
scores, its Platt calibration and F1-optimal threshold, and its final estimator.

Labels are independent and every binary estimator is a clone of one base estimator with its own fixed
``random_state``, so the labels can be fitted in any order, in any process: the fitted estimators are the
same for every ``n_jobs``. The workers are processes (joblib's loky), not threads: liblinear's dual solver
draws from one random generator shared by the whole process, so two threads fitting at once would make
the result depend on timing.

Labels are dealt to ``chunks_per_job * n_jobs`` chunks round-robin (so the frequent labels, the slow ones,
are spread over the chunks) and X is sent once per chunk, not once per label.
"""

from __future__ import annotations

__all__ = ["LabelFit", "LabelPlan", "fit_labels", "effective_n_jobs", "out_of_fold"]

import numbers
import os
from typing import NamedTuple, Sequence

import numpy as np
from scipy.special import expit
from sklearn.base import clone

CHUNKS_PER_JOB = 4


class LabelPlan(NamedTuple):
    """What to fit for one label: its column of y, its feature columns (None: all), and the folds of its
    out-of-fold scores (None: no tuning; its calibration and threshold stay at their defaults)."""

    j: int
    y: np.ndarray
    columns: np.ndarray | None
    splits: list[tuple[np.ndarray, np.ndarray]] | None


class LabelFit(NamedTuple):
    """One label's fitted binary estimator, Platt's ``(a, b)`` and threshold (None: not tuned), and its out-of-fold
    decision scores on the training rows (None: not tuned), which a second stage reads (:mod:`classifier._stacking`)."""

    j: int
    estimator: object
    calibration: tuple[float, float] | None
    threshold: float | None
    oof: np.ndarray | None = None


def effective_n_jobs(n_jobs) -> int:
    """``n_jobs`` as a number of worker processes: None means 1, a negative number counts back from the
    CPUs (-1: all of them), as in scikit-learn.

    Raises
    ------
    ValueError
        When ``n_jobs`` is 0 or not an integer.
    """
    if n_jobs is None:
        return 1
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, numbers.Integral) or n_jobs == 0:
        raise ValueError(f"n_jobs must be a non-zero integer or None, got {n_jobs!r}.")
    if n_jobs > 0:
        return int(n_jobs)
    return max(1, (os.cpu_count() or 1) + 1 + int(n_jobs))


def fit_labels(base, X, plans: Sequence[LabelPlan], *, fold_base=None, tune: bool, default_threshold: float,
               n_jobs=None) -> list[LabelFit]:
    """Fit every planned label (see :class:`LabelPlan`); one :class:`LabelFit` per plan, in plan order.

    ``base`` is cloned for each label's final estimator, ``fold_base`` (default ``base``) for its fold fits.

    ``tune``: whether a tuned label also gets an F1-optimal threshold (False for a multi-class target,
    whose labels are only calibrated). The result does not depend on ``n_jobs``.
    """
    bases = (base, base if fold_base is None else fold_base)
    jobs = min(effective_n_jobs(n_jobs), len(plans))
    if jobs <= 1:
        return _fit_chunk(bases, X, list(plans), tune, default_threshold)
    from joblib import Parallel, delayed

    n_chunks = min(len(plans), CHUNKS_PER_JOB * jobs)
    chunks = [list(plans[c::n_chunks]) for c in range(n_chunks)]
    done = Parallel(n_jobs=jobs, backend="loky")(
        delayed(_fit_chunk)(bases, X, chunk, tune, default_threshold) for chunk in chunks)
    by_label = {fit.j: fit for part in done for fit in part}
    return [by_label[p.j] for p in plans]


def _fit_chunk(bases, X, plans: list[LabelPlan], tune: bool, default_threshold: float) -> list[LabelFit]:
    return [_fit_label(*bases, X, plan, tune, default_threshold) for plan in plans]


def out_of_fold(splits, y: np.ndarray, score) -> np.ndarray:
    """Each example's score from the fold that leaves it out: ``score(train, test)`` (row indices) per
    ``(train, test)`` of ``splits``; a fold whose training part holds one class only gives its test part a
    constant score (1.0 or -1.0)."""
    oof = np.zeros(len(y))
    for train, test in splits:
        ytr = y[train]
        if ytr.min() == ytr.max():
            oof[test] = 1.0 if ytr[0] else -1.0
            continue
        oof[test] = score(train, test)
    return oof


def _fit_label(base, fold_base, X, plan: LabelPlan, tune: bool, default_threshold: float) -> LabelFit:
    # imported here: _estimators imports this module
    from ._estimators import _scores, best_f1_threshold, platt_scaling

    Xj = X if plan.columns is None else X[:, plan.columns]
    yj = plan.y
    calibration = threshold = oof = None
    if plan.splits:
        oof = out_of_fold(plan.splits, yj, lambda tr, te: _scores(clone(fold_base).fit(Xj[tr], yj[tr]), Xj[te]))
        a, b = platt_scaling(oof, yj)
        calibration = (a, b)
        if tune:
            threshold = best_f1_threshold(expit(a * oof + b), yj, default=default_threshold)
    return LabelFit(plan.j, clone(base).fit(Xj, yj), calibration, threshold, oof)
