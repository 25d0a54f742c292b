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


def test_a_retrain_adds_new_labeled_texts_to_the_corpus_and_saves_a_new_version(model_dir, corpus_dir, small_corpus,
                                                                               tmp_path):
    import json

    from annotation import load_predictor

    old = load_predictor(model_dir)
    texts = ["Fiji and Australia hold talks on Pacific maritime security.", "Kenya hosts African Union envoys."]
    labels = [{"region": "oceania", "themes": ["diplomacy"]}, {"region": "africa", "themes": ["diplomacy"]}]
    new = old.retrain(texts, labels, models_dir=tmp_path, corpus=corpus_dir)
    assert new.model_version != old.model_version and new.source == str(tmp_path / new.model_version)
    card = json.loads((tmp_path / new.model_version / "model_card.json").read_text())
    assert card["training"]["articles"] == sum(small_corpus.dataset["labeled"]) + 2
    assert [p.name for p in tmp_path.iterdir()] == [new.model_version]  # no temporary folder left
    again = old.retrain(texts, labels, models_dir=tmp_path / "again", corpus=corpus_dir)
    probe = small_corpus.texts()[:8] + texts
    for facet, fs in new.predict(probe).items():  # same data, same seed: the same scores
        np.testing.assert_array_equal(fs.scores, again.predict(probe)[facet].scores)


def test_a_corpus_article_an_annotation_names_takes_its_labels_instead_of_being_added_again(model_dir, corpus_dir,
                                                                                           small_corpus, tmp_path):
    import json

    from annotation import load_predictor

    regions = small_corpus.labels("region")
    row = next(i for i, r in enumerate(regions) if r != "oceania")
    new = load_predictor(model_dir).retrain(["the corpus text is kept"], [{"region": "oceania", "themes": []}],
                                            ids=[small_corpus.ids[row]], models_dir=tmp_path, corpus=corpus_dir)
    card = json.loads((tmp_path / new.model_version / "model_card.json").read_text())
    assert card["training"]["articles"] == sum(small_corpus.dataset["labeled"])
    assert card["label_counts"]["region"]["oceania"] == regions.count("oceania") + 1


def test_a_retrain_with_a_label_outside_the_taxonomy_says_which(model_dir, tmp_path):
    import pytest

    from annotation import load_predictor
    from corpus import TaxonomyError

    with pytest.raises(TaxonomyError, match="retrain text 0"):
        load_predictor(model_dir).retrain(["text"], [{"region": "atlantis"}], models_dir=tmp_path)
