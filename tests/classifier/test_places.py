"""Place features for the region head (classifier/_places.py) and their wiring in the Tagger."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.base import clone

from classifier import Tagger, load_model
from classifier._places import PlaceFeatures, place_table
from corpus import load_taxonomy

COUNTRIES = (("UA", "europe"), ("US", "americas"), ("PK", "asia"), ("FR", "europe"))


def _cols(pf: PlaceFeatures, X) -> dict[str, float]:
    names = pf.get_feature_names_out()
    row = X.toarray()[0]
    return {names[k]: round(float(row[k]), 4) for k in np.flatnonzero(row)}


def test_place_table_gives_each_taxonomy_country_its_region():
    table = dict(place_table(load_taxonomy(None).facet("actors")))
    assert table["UA"] == "europe" and table["PK"] == "asia" and table["US"] == "americas"
    assert "NATO" not in table and len(table) > 150


def test_place_features_count_share_and_first_place_per_region():
    pf = PlaceFeatures(countries=COUNTRIES).fit()
    X = pf.transform(["Missiles hit Ternopil and Kharkiv; a man from Boulder, Colorado, is hurt."])
    assert _cols(pf, X) == {"europe:place_count": round(np.log1p(2), 4), "europe:place_share": 0.5,
                            "europe:first_place": 1.0,
                            "americas:place_count": round(np.log1p(2), 4), "americas:place_share": 0.5}
    assert pf.transform(["Nothing here names a place."]).nnz == 0
    assert X.shape == (1, 3 * 3)


def test_places_of_countries_outside_the_table_are_not_counted_and_given_words_are_used():
    pf = PlaceFeatures(countries=(("US", "americas"),)).fit()
    assert pf.transform(["Floods in Khyber Pakhtunkhwa."]).nnz == 0
    assert pf.transform(["A storm."], words=[["a", "storm", "in", "colorado"]]).nnz == 3


def test_only_the_lead_words_are_searched():
    text = "Floods hit Ternopil. " + "More rain is coming. " * 30 + "Talks in Colorado."
    assert _cols(PlaceFeatures(countries=COUNTRIES).fit(), PlaceFeatures(countries=COUNTRIES).fit().transform([text])) \
        == {"europe:place_count": round(np.log1p(1), 4), "europe:place_share": 1.0, "europe:first_place": 1.0}
    assert PlaceFeatures(countries=COUNTRIES, lead_words=None).fit().transform([text]).nnz == 5


def test_place_features_refuse_a_country_given_twice_or_a_bad_lead():
    with pytest.raises(ValueError, match=r"country code\(s\) \['US'\] appear more than once"):
        PlaceFeatures(countries=(("US", "americas"), ("US", "europe"))).fit()
    with pytest.raises(ValueError, match=r"lead_words must be a positive number of words or None, got 0"):
        PlaceFeatures(countries=COUNTRIES, lead_words=0).fit()


def test_another_gazetteer_than_the_fitted_one_gives_a_warning_that_says_to_retrain(tmp_path):
    a, b = tmp_path / "a.tsv", tmp_path / "b.tsv"
    a.write_text("Ternopil\tUA\tternopil\n", encoding="utf-8")
    b.write_text("Ternopil\tUA\tternopil\nKharkiv\tUA\tkharkiv\n", encoding="utf-8")
    pf = PlaceFeatures(countries=COUNTRIES, gazetteer=str(a)).fit()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pf.transform(["Ternopil"])
    pf.gazetteer = str(b)
    with pytest.warns(UserWarning, match="not the one this model was fitted with.*Retrain"):
        pf.transform(["Ternopil"])


def test_only_the_region_head_reads_the_place_block(trained):
    assert trained.places is True
    assert trained.head_blocks_["region"][-1] == "places"
    assert all("places" not in b for f, b in trained.head_blocks_.items() if f != "region")
    start, stop = trained.blocks_["places"]
    assert stop - start == 3 * len(dict(trained.features_.transformer_list)["places"].group_names_)


def test_places_off_leaves_the_block_out_and_the_other_heads_unchanged(small_corpus, small_splits, trained):
    off = Tagger(random_state=0, places=False).fit(small_corpus, splits=small_splits)
    assert "places" not in off.blocks_ and "places" not in off.head_blocks_["region"]
    texts = small_corpus.texts()[:8]
    a, b = trained.predict_proba(texts), off.predict_proba(texts)
    for facet in ("themes", "actors"):
        np.testing.assert_array_equal(a[facet], b[facet])


def test_a_place_named_without_its_country_moves_the_region_score(trained):
    texts = ["Floods kill 40 people across the province.", "Floods kill 40 people across Khyber Pakhtunkhwa."]
    p = trained.predict_proba(texts)["region"]
    X = trained.features(texts).blocks["places"]
    assert X[0].nnz == 0 and X[1].nnz == 3
    assert not np.allclose(p[0], p[1])


def test_a_saved_tagger_with_places_loads_back_with_identical_scores_and_clones(trained, model_dir, small_corpus):
    texts = small_corpus.texts()[:5] + ["A shooting in Boulder, Colorado."]
    loaded = load_model(model_dir)
    for facet, p in trained.predict_proba(texts).items():
        np.testing.assert_array_equal(p, loaded.predict_proba(texts)[facet])
    assert clone(trained).get_params()["places"] is True


def test_a_model_saved_before_places_existed_loads_without_them(trained):
    state = dict(trained.__getstate__())  # a copy: the session's tagger stays as it is
    state.pop("places")
    old = Tagger.__new__(Tagger)
    old.__setstate__(state)
    assert old.places is False


@pytest.mark.parametrize("value", ["yes", 1, None])
def test_places_that_is_not_true_or_false_is_refused_naming_the_parameter(small_corpus, value):
    from corpus import InputError

    with pytest.raises(InputError, match=rf"places must be True or False, got {value!r}"):
        Tagger(places=value).fit(small_corpus)
