"""evaluate(): per-facet metrics of the model beside the majority and alias-rules baselines; the written report."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.metrics import f1_score

from classifier import Report, evaluate
from corpus import InputError


@pytest.fixture(scope="module")
def report(trained, small_corpus, small_splits) -> Report:
    return evaluate(trained, small_corpus, "eval", small_splits)


def test_every_facet_is_scored_for_the_model_and_the_three_baselines(report, small_splits):
    assert report.articles == len(small_splits.ids["eval"])
    assert list(report.facets) == ["region", "themes", "actors"]
    for name, fr in report.facets.items():
        assert list(fr.systems) == ["model", "sklearn", "majority", "alias_rules"]
        for m in fr.systems.values():
            if m is not None:
                for v in (m.micro_f1, m.macro_f1, m.hamming_loss, m.subset_accuracy):
                    assert 0.0 <= v <= 1.0
    # actors by their aliases, themes by their cue phrases, region by the regions of the actors mentioned
    assert all(fr.systems["alias_rules"] is not None for fr in report.facets.values())


def test_model_metrics_agree_with_sklearn_on_the_models_predictions(report, trained, small_corpus, small_splits):
    rows = [i for i, a in enumerate(small_corpus.ids) if a in set(small_splits.ids["eval"])]
    texts = [small_corpus.texts()[i] for i in rows]
    pred = trained.predict(texts)
    ids = small_corpus.taxonomy.facet("actors").ids
    truth = [small_corpus.labels("actors")[i] for i in rows]
    Y = np.array([[int(lab in t) for lab in ids] for t in truth])
    P = np.array([[int(lab in p) for lab in ids] for p in pred["actors"]])
    assert report.facets["actors"].systems["model"].micro_f1 == pytest.approx(f1_score(Y, P, average="micro"))
    region_truth = [small_corpus.labels("region")[i] for i in rows]
    acc = np.mean([a == b for a, b in zip(region_truth, pred["region"])])
    assert report.facets["region"].systems["model"].micro_f1 == pytest.approx(acc)


def test_per_label_scores_and_the_confusion_matrix_count_the_eval_articles(report):
    region = report.facets["region"]
    cm = np.array(region.confusion["matrix"])
    assert cm.sum() == region.articles
    support = region.systems["model"].per_label
    for lab, row in zip(region.confusion["labels"], cm):
        assert row.sum() == support[lab]["support"]
    actors = report.facets["actors"].systems["model"].per_label
    assert all(set(d) == {"precision", "recall", "f1", "support"} for d in actors.values())


def test_the_majority_baseline_predicts_the_most_frequent_training_region(report, trained):
    counts = trained.label_counts_["region"]
    top = max(counts, key=counts.get)
    majority = report.facets["region"].systems["majority"]
    assert {lab for lab, d in majority.per_label.items() if d["precision"] > 0 or d["recall"] > 0} <= {top}


def test_write_saves_json_markdown_and_png_plots(report, tmp_path):
    paths = report.write(tmp_path / "r")
    names = sorted(p.name for p in (tmp_path / "r").iterdir())
    assert names == ["confusion_region.png", "f1_actors.png", "f1_region.png", "f1_themes.png", "pr_actors.png",
                     "pr_themes.png", "reliability.png", "report.json", "report.md"]
    for p in (tmp_path / "r").glob("*.png"):
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    data = json.loads(paths["json"].read_text())
    assert data["facets"]["region"]["systems"]["model"]["micro_f1"] == round(report.facets["region"].systems["model"].micro_f1, 4)
    md = paths["markdown"].read_text()
    assert "| model |" in md and "![f1_region.png](f1_region.png)" in md and "alias rules only" in md


def test_the_json_report_is_identical_when_written_twice(report, tmp_path):
    a = report.write(tmp_path / "a")["json"].read_bytes()
    b = report.write(tmp_path / "b")["json"].read_bytes()
    assert a == b


def test_evaluating_on_the_training_split_or_an_unknown_one_is_refused(trained, small_corpus, small_splits):
    with pytest.raises(InputError, match="trained on the 'train' split; evaluate on another one"):
        evaluate(trained, small_corpus, "train", small_splits)
    with pytest.raises(InputError, match=r"no 'test' split"):
        evaluate(trained, small_corpus, "test", small_splits)
    with pytest.raises(InputError, match=r"names 1 article\(s\) not in this corpus"):
        evaluate(trained, small_corpus, "eval", {"eval": ["missing"]})


def test_the_plain_pipeline_baseline_is_what_scikit_learn_gives_when_fitted_on_the_train_split(
        report, small_corpus, small_splits):
    from sklearn.metrics import accuracy_score
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import LinearSVC

    texts, region = small_corpus.texts(), small_corpus.labels("region")
    train = [i for i, a in enumerate(small_corpus.ids) if a in set(small_splits.ids["train"])]
    test = [i for i, a in enumerate(small_corpus.ids) if a in set(small_splits.ids["eval"])]
    pipe = make_pipeline(TfidfVectorizer(sublinear_tf=True), LinearSVC(C=1.0, random_state=0))
    pred = pipe.fit([texts[i] for i in train], [region[i] for i in train]).predict([texts[i] for i in test])
    expected = accuracy_score([region[i] for i in test], pred)
    assert abs(report.facets["region"].systems["sklearn"].micro_f1 - expected) < 1e-9


@pytest.mark.filterwarnings("ignore:Label not .* is present in all training examples:UserWarning")
def test_the_plain_pipelines_thresholds_come_from_the_manifests_folds_like_the_taggers(small_corpus):
    """With a manifest that has folds (story lines kept whole), the baseline's per-label thresholds are tuned on
    those folds, as the Tagger's are: like is compared with like, not story-leaking KFold against story folds."""
    from sklearn.model_selection import PredefinedSplit, cross_val_predict

    from classifier import best_f1_threshold
    from classifier._baseline import plain_pipeline, plain_predictions

    texts = small_corpus.texts()
    themes = small_corpus.labels("themes")
    ids = small_corpus.taxonomy.facet("themes").ids
    train, test = list(range(24)), list(range(24, len(texts)))
    fold = [i % 3 for i in train]
    got = plain_predictions(small_corpus.taxonomy, [texts[i] for i in train], {"themes": [themes[i] for i in train]},
                            [texts[i] for i in test], folds=fold)["themes"]
    Y = np.array([[lab in themes[i] for lab in ids] for i in train], dtype=int)
    learned = np.flatnonzero((Y.sum(0) > 0) & (Y.sum(0) < len(Y)))
    tr = [texts[i] for i in train]
    S = plain_pipeline(True).fit(tr, Y[:, learned]).decision_function([texts[i] for i in test])
    cv = cross_val_predict(plain_pipeline(True), tr, Y[:, learned], cv=PredefinedSplit(fold), method="decision_function")
    t = [best_f1_threshold(cv[:, j], Y[:, learned[j]], default=0.0, bounds=(-np.inf, np.inf))
         if Y[:, learned[j]].sum() >= 3 else 0.0 for j in range(len(learned))]
    want = [[ids[learned[j]] for j in np.flatnonzero(row > t)] for row in S]
    assert got == want
    without = plain_predictions(small_corpus.taxonomy, tr, {"themes": [themes[i] for i in train]},
                                [texts[i] for i in test])["themes"]
    assert isinstance(without, list) and len(without) == len(test)  # no folds: KFold, as before


def test_evaluate_hands_the_manifests_folds_to_the_plain_pipeline(trained, small_corpus, small_splits, monkeypatch):
    from classifier import _baseline

    seen = {}
    real = _baseline.plain_predictions

    def spy(*args, **kwargs):
        seen["folds"] = kwargs.get("folds")
        return real(*args, **kwargs)

    monkeypatch.setattr(_baseline, "plain_predictions", spy)
    evaluate(trained, small_corpus, "eval", small_splits)
    fold_of = {a: k for k, fold in enumerate(small_splits.folds) for a in fold}
    train = [a for a in small_corpus.ids if a in set(small_splits.ids["train"])]
    assert small_splits.folds and seen["folds"] == [fold_of[a] for a in train]


def test_every_facet_gets_reliability_bins_whose_counts_add_up_and_an_ece(report, trained):
    themes, region = report.facets["themes"], report.facets["region"]
    assert themes.calibration["pairs"] == "label" and region.calibration["pairs"] == "top"
    assert themes.calibration["n"] == themes.articles * len(trained.fitted_taxonomy.facet("themes").ids)
    for fr in (themes, region):
        cal = fr.calibration
        assert sum(b["count"] for b in cal["bins"]) == cal["n"] and len(cal["bins"]) == 10
        assert 0 <= cal["ece"] <= 1
    assert report.summary()["calibration"]["region"] == region.calibration


def test_the_reliability_diagram_is_written_and_shown_in_the_report(report, tmp_path):
    paths = report.write(tmp_path / "r")
    assert paths["reliability"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    md = paths["markdown"].read_text()
    assert "## Calibration" in md and "![reliability.png](reliability.png)" in md and "ECE" in md
    again = report.write(tmp_path / "r2")
    assert again["reliability"].read_bytes() == paths["reliability"].read_bytes()


def test_ece_is_zero_for_calibrated_scores_and_the_gap_for_overconfident_ones():
    from classifier._calibration import reliability

    assert reliability([1, 0, 1, 0], [0.5, 0.5, 0.5, 0.5])["ece"] == 0.0
    cal = reliability([1, 0, 0, 0], [0.95, 0.95, 0.95, 0.95])
    assert cal["ece"] == 0.7 and [b["count"] for b in cal["bins"]][-1] == 4
    assert reliability([1], [1.0])["bins"][-1]["count"] == 1  # a score of 1 is in the last bin


# ---- the texts a model was trained on: evaluating on them is refused, whatever the split or corpus says ----

def test_a_model_knows_the_texts_it_was_trained_on_by_their_content(trained, small_corpus, small_splits):
    texts, train = small_corpus.texts(), set(small_splits.ids["train"])
    assert trained.seen(texts).tolist() == [i in train for i in small_corpus.ids]
    k = next(i for i, a in enumerate(small_corpus.ids) if a in train)
    respaced = "  " + texts[k].upper().replace(" ", " \n\t ") + "\n"  # white space and case do not make it new
    assert trained.seen([respaced, texts[k] + " One more sentence."]).tolist() == [True, False]
    assert trained.seen([]).tolist() == []


def test_the_training_digests_are_kept_by_the_model_file_and_are_reproducible(trained, small_corpus, small_splits,
                                                                               model_dir):
    from classifier import Tagger

    again = Tagger(random_state=0).fit(small_corpus, splits=small_splits)
    assert again.training_digests_.tobytes() == trained.training_digests_.tobytes()
    assert len(trained.training_digests_) == trained.training_["articles"]
    assert Tagger.load(model_dir).seen(small_corpus.texts()).tolist() == trained.seen(small_corpus.texts()).tolist()


def _leaky_splits(small_corpus, small_splits):
    """The eval split plus two articles the model was trained on, under another split name (as a grown or
    re-split corpus would put them)."""
    leaked = list(small_splits.ids["train"][:2])
    return {"train": list(small_splits.ids["train"]), "holdout": sorted([*small_splits.ids["eval"], *leaked])}, leaked


def test_evaluating_on_articles_the_model_was_trained_on_is_refused_and_names_them(trained, small_corpus,
                                                                                   small_splits):
    splits, leaked = _leaky_splits(small_corpus, small_splits)
    with pytest.raises(InputError) as e:
        evaluate(trained, small_corpus, "holdout", splits)
    msg = str(e.value)
    assert "2 of the" in msg and "'holdout' articles" in msg and "trained on" in msg
    assert all(a in msg for a in leaked) and "exclude_seen" in msg


def test_exclude_seen_scores_only_the_articles_the_model_never_saw(trained, small_corpus, small_splits, report):
    splits, _ = _leaky_splits(small_corpus, small_splits)
    r = evaluate(trained, small_corpus, "holdout", splits, exclude_seen=True)
    assert r.articles == report.articles and r.seen_left_out == 2 and report.seen_left_out == 0
    assert r.facets["themes"].systems["model"] == report.facets["themes"].systems["model"]
    assert r.to_dict()["seen_left_out"] == 2
    assert "2 articles the model was trained on were left out" in " ".join(r.to_markdown().split())


def test_a_model_saved_before_the_digests_is_evaluated_as_before(trained, small_corpus, small_splits):
    import copy

    old = copy.copy(trained)
    del old.training_digests_
    assert old.seen(small_corpus.texts()) is None
    splits, _ = _leaky_splits(small_corpus, small_splits)
    assert evaluate(old, small_corpus, "holdout", splits).articles == report_articles(small_splits) + 2


def report_articles(small_splits) -> int:
    return len(small_splits.ids["eval"])
