"""The shapes of y that Tagger.fit and Tagger.score accept, and the errors for every other shape."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from classifier import Tagger
from classifier._targets import label_columns
from classifier._training_data import training_data
from corpus import InputError, TaxonomyError, load_taxonomy

TEXTS = ["Russia shelled Kharkiv.", "Japan held drills with the US.", "Iran enriched uranium.",
         "Ukraine struck a Russian depot.", "China and Japan held talks."] * 2
REGION = ["europe", "asia", "middle_east", "europe", "asia"] * 2
THEMES = [["armed_conflict"], ["military_training"], ["missile_nuclear"], ["armed_conflict"], ["diplomacy"]] * 2

ONE_SINGLE = """
[taxonomy]
name = "regions-only"
version = "1"
[facets.region]
kind = "single"
[facets.region.labels.asia]
name = "Asia"
[facets.region.labels.europe]
name = "Europe"
[facets.region.labels.middle_east]
name = "Middle East"
"""

ONE_MULTI = """
[taxonomy]
name = "themes-only"
version = "1"
[facets.themes]
kind = "multi"
[facets.themes.labels.armed_conflict]
name = "Armed conflict"
[facets.themes.labels.military_training]
name = "Military training"
[facets.themes.labels.missile_nuclear]
name = "Missile and nuclear"
[facets.themes.labels.diplomacy]
name = "Diplomacy"
"""


@pytest.fixture
def one_facet(tmp_path):
    def write(text):
        path = tmp_path / "taxonomy.toml"
        path.write_text(text, encoding="utf-8")
        return str(path)
    return write


@pytest.mark.parametrize("shape", ["dict of columns", "list of dicts", "DataFrame"])
def test_every_shape_of_y_gives_the_same_training_labels(shape):
    y = {
        "dict of columns": {"region": REGION, "themes": THEMES},
        "list of dicts": [{"region": r, "themes": t} for r, t in zip(REGION, THEMES)],
        "DataFrame": pd.DataFrame({"region": REGION, "themes": THEMES}),
    }[shape]
    data = training_data(TEXTS, y)
    assert data.labels["region"] == REGION
    assert data.labels["themes"] == THEMES
    assert data.labels["actors"] == [[]] * len(TEXTS)  # not given: no labels learned


def test_a_dataframe_cell_left_empty_is_no_label_and_array_cells_are_label_lists():
    df = pd.DataFrame({"region": ["asia", np.nan], "themes": [np.array(["diplomacy"]), np.array([], dtype=object)]})
    cols = label_columns(df, load_taxonomy(), 2)
    assert cols == {"region": ["asia", None], "themes": [["diplomacy"], []]}


def test_a_plain_list_of_labels_fits_a_one_facet_single_label_taxonomy(one_facet):
    tagger = Tagger(taxonomy=one_facet(ONE_SINGLE), min_df=1, threshold_cv=2).fit(TEXTS, REGION)
    assert tagger.head_labels_ == {"region": ["asia", "europe", "middle_east"]}
    assert tagger.predict(TEXTS)["region"] == REGION
    assert tagger.score(TEXTS, REGION) == 1.0


def test_a_plain_list_of_label_lists_fits_a_one_facet_multi_label_taxonomy(one_facet):
    tagger = Tagger(taxonomy=one_facet(ONE_MULTI), min_df=1, threshold_cv=2).fit(TEXTS, THEMES)
    assert set(tagger.head_labels_["themes"]) == {"armed_conflict", "military_training", "missile_nuclear",
                                                  "diplomacy"}
    assert 0 < tagger.score(TEXTS, THEMES) <= 1


def test_a_pandas_series_of_labels_is_a_plain_list(one_facet):
    tax = load_taxonomy(one_facet(ONE_SINGLE))
    assert label_columns(pd.Series(REGION), tax, len(TEXTS)) == {"region": REGION}


def test_a_plain_list_on_a_taxonomy_of_several_facets_names_the_facets():
    with pytest.raises(InputError, match=r"plain list of labels \('europe', \.\.\.\), but the taxonomy "
                                         r"'newstag-default' has 3 facets \['region', 'themes', 'actors'\]"):
        Tagger().fit(TEXTS, REGION)


@pytest.mark.parametrize("y, match", [
    (5, r"y is of type int \(5\); expected \{facet: \[labels per text\]\}; \[\{facet: labels\} per text\]; "
        r"a pandas DataFrame"),
    ("asia", r"y is of type str \('asia'\); expected \{facet"),
    ([1, 0] * 5, r"y is a list whose element 0 is of type int \(1\); expected \{facet"),
    (np.zeros((10, 2)), r"y is of type ndarray with shape \(10, 2\), first element array\(\[0\., 0\.\]\); expected"),
    ({"region": "asia"}, r"y\['region'\] is of type str \('asia'\); a dict y maps each facet to a list"),
])
def test_y_of_no_accepted_shape_is_an_input_error_that_shows_the_accepted_shapes(y, match):
    with pytest.raises(InputError, match=match):
        Tagger().fit(TEXTS, y)


def test_a_label_list_of_the_wrong_length_names_the_facet_and_the_counts():
    with pytest.raises(InputError, match=r"facet 'region' has 9 labels for 10 texts"):
        training_data(TEXTS, [{"region": r} for r in REGION[:9]])
    with pytest.raises(InputError, match=r"facet 'region' has 9 labels for 10 texts"):
        training_data(TEXTS, pd.DataFrame({"region": REGION[:9]}))


def test_a_facet_the_taxonomy_lacks_is_a_taxonomy_error_naming_the_facets():
    with pytest.raises(TaxonomyError, match="weather"):
        training_data(TEXTS, [{"region": r, "weather": "rain"} for r in REGION])
    with pytest.raises(TaxonomyError, match="weather"):
        training_data(TEXTS, pd.DataFrame({"weather": REGION}))
