"""The Tagger itself in scikit-learn's model selection, on the committed starter corpus (seeds/starter with
its Label Studio export): cross_val_score and GridSearchCV split the texts and the per-text label dicts
of to_xy, and score with Tagger.score."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score

from tests.conftest import ROOT

pytestmark = [pytest.mark.integration, pytest.mark.slow]
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="module")
def starter_xy(tmp_path_factory):
    from annotation import import_annotations
    from classifier import to_xy
    from corpus import build

    out = tmp_path_factory.mktemp("starter") / "corpus"
    build([SEEDS / "starter", SEEDS / "000_de4c56d6e12b58d7.txt"], output=out)
    corpus, _ = import_annotations(SEEDS / "label-studio-export.json", out, strict=True)
    return to_xy(corpus)


def test_cross_val_score_scores_the_tagger_on_every_fold(starter_xy):
    from classifier import Tagger

    texts, y = starter_xy
    assert len(texts) == 275
    scores = cross_val_score(Tagger(), texts, y, cv=KFold(n_splits=3, shuffle=True, random_state=0))
    assert scores.shape == (3,)
    # mean micro-F1 over region, themes and actors on unseen articles: far above chance, below perfect
    assert np.all((scores > 0.6) & (scores < 1.0)), scores
    assert scores.std() < 0.1, scores


def test_grid_search_tunes_c_of_the_tagger_itself_and_refits_the_best(starter_xy):
    from classifier import Tagger

    texts, y = starter_xy
    search = GridSearchCV(Tagger(), {"C": [0.1, 1.0]}, cv=KFold(n_splits=3, shuffle=True, random_state=0))
    search.fit(texts, y)
    assert search.best_params_["C"] in (0.1, 1.0)
    assert 0.6 < search.best_score_ <= 1.0
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert search.best_estimator_.C == search.best_params_["C"]
    assert search.best_estimator_.training_["articles"] == len(texts)
    assert search.best_estimator_.tag(texts[0]).region is not None
