"""Labels present in every training article (or in some, as the only label a facet learns) train,
evaluate and tag without error: before, `train` crashed in evaluation and saved nothing, and without
an eval split every `tag` of the saved model crashed."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

from classifier import load_model
from classifier._estimators import ThresholdedOneVsRest
from classifier._evaluate import evaluate
from classifier._train import train_model
from corpus import build, load, load_splits, make_splits

from .conftest import TRAIN_ARTICLES


@pytest.mark.parametrize("y", [np.ones((12, 1), int), np.array([[1], [0]] * 6), np.zeros((12, 1), int)])
def test_one_label_indicator_column_gives_one_probability_column(y):
    X = np.random.default_rng(0).random((12, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = ThresholdedOneVsRest(cv=2).fit(X, y, indicator=True)
    assert m.predict_proba(X).shape == (12, 1) and m.predict(X).shape == (12, 1)
    if y.min() == y.max():  # in every article, or in none: a constant of that value
        assert (m.predict_proba(X) == y[0, 0]).all() and (m.predict(X) == y).all()


@pytest.mark.parametrize("case, change", [
    ("a theme in every article", lambda r: r.update(themes=["deterrence"])),
    ("one theme, in some articles", lambda r: r.update(themes=["deterrence"] if "PRK" in r.get("actors", []) else [])),
    ("an actor in every article, no themes", lambda r: r.update(actors=["USA"], themes=[])),
])
@pytest.mark.parametrize("eval_split", ["eval", None])
def test_training_on_degenerate_labels_saves_a_model_that_tags_and_evaluates(tmp_path, case, change, eval_split):
    rows = [json.loads(line) for line in TRAIN_ARTICLES.read_text().splitlines() if line.strip()]
    for r in rows:
        change(r)
    (tmp_path / "a.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
    corpus, _ = build([tmp_path / "a.jsonl"], output=tmp_path / "c")
    make_splits(corpus, {"train": 0.8, "eval": 0.2}, seed=0, folds=3).save(tmp_path / "c")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        train_model(tmp_path / "c", tmp_path / "m", seed=0, eval_split=eval_split)
        tagger = load_model(tmp_path / "m")
        results = list(tagger.tag_batch(["Japan holds drills near Okinawa.", "Russia and NATO talk in Brussels."]))
        report = evaluate(tagger, load(tmp_path / "c"), "eval", load_splits(tmp_path / "c"))
    assert len(results) == 2 and set(report.facets) == {"region", "themes", "actors"}
    if case == "a theme in every article":
        assert [t.label for t in results[0].themes] == ["deterrence"]
