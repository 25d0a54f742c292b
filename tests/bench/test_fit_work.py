"""bench.fit_work counts solver work, not time: check the counter and the tolerance setting it compares."""

import numpy as np
import scipy.sparse as sp
from sklearn.svm import LinearSVC

from bench.fit_work import SolverWork, TolTagger


def test_solver_work_counts_every_linear_svc_fit_and_its_passes_over_x():
    rng = np.random.default_rng(0)
    X = sp.random(60, 30, density=0.2, random_state=0, format="csr")
    y = (rng.random(60) > 0.5).astype(int)
    with SolverWork() as work:
        a = LinearSVC(random_state=0).fit(X, y)
        b = LinearSVC(random_state=0).fit(X[:30], y[:30])
    units = work.units()
    assert work.fits == 2 and work.full_nnz == X.nnz
    assert units["solver_passes"] == round((a.n_iter_ * X.nnz + b.n_iter_ * X[:30].nnz) / X.nnz)
    assert units["work_units"] == round(work.passes / X.nnz + 6)
    assert units["fit_cpu_seconds"] >= 0 and work.cpu > 0
    LinearSVC(random_state=0).fit(X, y)  # after the block: LinearSVC.fit is its own again
    assert work.fits == 2


def test_tol_tagger_sets_the_multi_label_heads_tolerances_and_fits_in_one_process(taxonomy):
    tagger = TolTagger(final_tol=1e-3, cv_tol=1e-1)
    head = tagger.make_head("themes", taxonomy)
    assert head.cv_tol == 1e-1 and head.estimator.tol == 1e-3 and tagger.n_jobs == 1
