"""TagResult: facet access comes from the model's taxonomy, whatever its facets are called."""

from __future__ import annotations

import copy
import pickle

import pytest

from classifier import LabelScore, TagResult


def result() -> TagResult:
    return TagResult("a1", {"sections": LabelScore("armed_conflict", 0.9), "actors": (LabelScore("UKR", 0.8),),
                            "region": None})


def test_every_facet_of_the_taxonomy_is_an_attribute_and_an_item():
    r = result()
    assert r.sections == r["sections"] == LabelScore("armed_conflict", 0.9)
    assert r.actors == (LabelScore("UKR", 0.8),)
    assert r.region is None
    assert {"sections", "actors", "region"} <= set(dir(r))


def test_a_name_that_is_no_facet_is_an_attribute_error_naming_the_facets():
    with pytest.raises(AttributeError, match=r"'themes' is not a facet .* \['sections', 'actors', 'region'\]"):
        result().themes
    with pytest.raises(KeyError, match="facet 'themes' is not in this model's taxonomy"):
        result()["themes"]


def test_the_results_own_fields_win_over_a_facet_of_the_same_name():
    r = TagResult("a1", {"id": LabelScore("x", 1.0)})
    assert r.id == "a1" and r["id"] == LabelScore("x", 1.0)


def test_a_result_copies_and_pickles():
    r = result()
    assert copy.deepcopy(r) == r
    assert pickle.loads(pickle.dumps(r)) == r


def test_the_default_taxonomy_gives_region_themes_and_actors(trained, seed_article):
    r = trained.tag(seed_article)
    assert r.region == r["region"] and r.themes == r["themes"] and r.actors == r["actors"]
