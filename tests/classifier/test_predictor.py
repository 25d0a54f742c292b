"""The model as annotation sees it: the ``newstag.predictors`` entry point and plain per-facet scores."""

from __future__ import annotations

import numpy as np


def test_the_default_predictor_entry_point_gives_the_labels_the_tagger_gives(model_dir, small_corpus, trained):
    from annotation import load_predictor

    texts = small_corpus.texts()[:12]
    predictor = load_predictor(model_dir)
    scores = predictor.predict(texts)
    expected = trained.predict(texts)
    for facet, fs in scores.items():
        assert fs.scores.shape == (len(texts), len(fs.labels))
        got = fs.decided()
        want = expected[facet]
        if fs.multi:
            assert got == want
        else:
            assert [g[0] for g in got] == want


def test_the_model_version_is_the_model_files_hash_prefix(model_dir):
    import json

    from annotation import load_predictor

    card = json.loads((model_dir / "model_card.json").read_text())
    assert load_predictor(model_dir).model_version == card["model_file"]["sha256"][:12]


def test_facet_scores_choose_by_threshold_or_by_the_best_score():
    from annotation import FacetScores

    multi = FacetScores(("a", "b"), np.array([[0.6, 0.2], [0.1, 0.9]]), np.array([0.5, 0.95]))
    assert multi.decided() == [["a"], []]
    single = FacetScores(("x", "y"), np.array([[0.3, 0.7]]), None)
    assert single.decided() == [["y"]] and not single.multi


def test_no_provider_is_an_error_that_says_how_to_register_it():
    import pytest

    from annotation import LabelStudioError, load_predictor

    with pytest.raises(LabelStudioError, match="Reinstall newstag"):
        load_predictor(name="no-such-provider")
