"""Tagger.score: the mean micro-F1 over the facets y gives, in any shape fit accepts; and to_xy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

from classifier import Tagger, to_xy
from classifier._scoring import micro_f1
from corpus import InputError, TaxonomyError


@pytest.fixture(scope="module")
def xy(small_corpus):
    return to_xy(small_corpus)


def _facet_f1(tagger, texts, y, facet):
    pred = tagger.predict(texts)[facet]
    if tagger.fitted_taxonomy.facet(facet).multi:
        return micro_f1([set(r.get(facet) or ()) for r in y], [set(p) for p in pred])
    rows = [i for i, r in enumerate(y) if r.get(facet) is not None]
    return float(np.mean([pred[i] == y[i][facet] for i in rows]))


def test_to_xy_gives_the_labeled_texts_and_one_dict_of_labels_per_text(small_corpus, xy):
    texts, y = xy
    assert len(texts) == len(y) == small_corpus.n_labeled
    assert set(y[0]) <= set(small_corpus.taxonomy.facet_names)
    assert [r.get("region") for r in y] == [small_corpus.labels("region")[i]
                                            for i, ok in enumerate(small_corpus.dataset["labeled"]) if ok]


def test_the_score_is_the_mean_of_the_facets_micro_f1_and_the_region_s_is_its_accuracy(tagger_all, xy):
    texts, y = xy
    per_facet = {f: _facet_f1(tagger_all, texts, y, f) for f in ("region", "themes", "actors")}
    assert tagger_all.score(texts, y) == pytest.approx(np.mean(list(per_facet.values())))
    assert tagger_all.score(texts, [{"region": r["region"]} for r in y]) == pytest.approx(per_facet["region"])
    assert 0 < tagger_all.score(texts, y) <= 1


def test_every_shape_of_y_gives_the_same_score(tagger_all, xy):
    texts, y = xy
    facets = ["region", "themes", "actors"]
    columns = {f: [r.get(f, [] if f != "region" else None) for r in y] for f in facets}
    want = tagger_all.score(texts, y)
    assert tagger_all.score(texts, columns) == pytest.approx(want)
    assert tagger_all.score(texts, pd.DataFrame(columns)) == pytest.approx(want)


def test_a_facet_absent_from_y_is_not_scored(tagger_all, xy):
    texts, y = xy
    themes_only = [{"themes": r.get("themes", [])} for r in y]
    assert tagger_all.score(texts, themes_only) == pytest.approx(_facet_f1(tagger_all, texts, themes_only, "themes"))


def test_a_text_without_a_region_in_y_is_left_out_of_the_region_s_score(tagger_all, xy):
    texts, y = xy
    region = [{"region": r["region"]} for r in y]
    wrong = next(r for r in tagger_all.fitted_taxonomy.facet("region").ids if r != tagger_all.predict(texts[:1])["region"][0])
    assert tagger_all.score(texts, [{"region": wrong}] + region[1:]) < tagger_all.score(texts, [{"region": None}] + region[1:])
    assert tagger_all.score(texts[1:], region[1:]) == tagger_all.score(texts, [{"region": None}] + region[1:])


def test_sample_weights_weigh_each_text_s_decisions(tagger_all, xy):
    texts, y = xy
    w = np.zeros(len(texts))
    w[:3] = 1.0
    assert tagger_all.score(texts, y, sample_weight=w) == pytest.approx(tagger_all.score(texts[:3], y[:3]))
    with pytest.raises(InputError, match=r"sample_weight has shape \(2,\); give one weight per text"):
        tagger_all.score(texts, y, sample_weight=[1.0, 2.0])


def test_micro_f1_pools_every_decision_and_is_one_when_nothing_is_to_be_found():
    assert micro_f1([{"a", "b"}, {"c"}], [{"a"}, {"c", "d"}]) == pytest.approx(2 * 2 / (2 * 2 + 1 + 1))
    assert micro_f1([set(), set()], [set(), set()]) == 1.0
    assert micro_f1([{"a"}], [set()]) == 0.0


def test_score_refuses_y_that_gives_no_facet_or_an_unknown_label(tagger_all, xy):
    texts, _ = xy
    with pytest.raises(InputError, match=r"score: y gives none of the taxonomy's facets \['region', 'themes', 'actors'\]"):
        tagger_all.score(texts, [{}] * len(texts))
    with pytest.raises(TaxonomyError, match="text 0: region label 'atlantis'"):
        tagger_all.score(texts[:1], [{"region": "atlantis"}])
    with pytest.raises(InputError, match=r"score: y is a plain list of labels"):
        tagger_all.score(texts[:1], ["asia"])


def test_score_before_fit_raises_not_fitted():
    with pytest.raises(NotFittedError):
        Tagger().score(["a text"], [{"region": "asia"}])
