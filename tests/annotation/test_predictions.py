"""FacetScores as Label Studio predictions on a project's controls."""

from __future__ import annotations

import numpy as np

from annotation import FacetScores, labeling_config
from annotation.mapping import map_label_config
from annotation.predictions import ls_predictions

from .test_mapping import HAND_MADE


def scores(taxonomy) -> dict:
    region = taxonomy.facet("region").ids
    themes = taxonomy.facet("themes").ids
    r = np.full((2, len(region)), 0.05)
    r[0, region.index("asia")] = 0.8
    r[1, region.index("europe")] = 0.6
    t = np.zeros((2, len(themes)))
    t[0, themes.index("diplomacy")] = 0.9
    t[0, themes.index("military_training")] = 0.7
    return {"region": FacetScores(tuple(region), r, None),
            "themes": FacetScores(tuple(themes), t, np.full(len(themes), 0.5))}


def test_each_text_gets_one_choices_item_per_facet_with_its_labels_and_scores(small_taxonomy):
    config = map_label_config(labeling_config(small_taxonomy), small_taxonomy)
    preds = ls_predictions(scores(small_taxonomy), config, model_version="m1")
    assert len(preds) == 2 and all(p["model_version"] == "m1" for p in preds)
    first = {item["from_name"]: item for item in preds[0]["result"]}
    assert first["region"] == {"from_name": "region", "to_name": "text", "type": "choices",
                               "value": {"choices": ["asia"]}, "score": 0.8}
    assert first["themes"]["value"]["choices"] == ["military_training", "diplomacy"]
    assert first["themes"]["score"] == 0.8
    assert preds[0]["score"] == 0.8


def test_a_multi_label_facet_with_no_label_gives_no_item(small_taxonomy):
    config = map_label_config(labeling_config(small_taxonomy), small_taxonomy)
    second = ls_predictions(scores(small_taxonomy), config, model_version="m1")[1]
    assert [item["from_name"] for item in second["result"]] == ["region"]
    assert second["score"] == 0.6


def test_a_hand_made_config_gets_its_own_control_names_and_choice_values(small_taxonomy):
    config = map_label_config(HAND_MADE, small_taxonomy)
    first = ls_predictions(scores(small_taxonomy), config, model_version="m1")[0]
    by_name = {item["from_name"]: item for item in first["result"]}
    assert by_name["Region"]["value"] == {"choices": ["Asia"]} and by_name["Region"]["to_name"] == "story"
    assert by_name["Themes"]["value"] == {"choices": ["Military Training", "diplomacy"]}


def test_a_label_the_config_cannot_show_is_left_out(small_taxonomy):
    config = map_label_config(HAND_MADE, small_taxonomy)
    s = scores(small_taxonomy)
    ids = small_taxonomy.facet("region").ids
    s["region"].scores[1] = 0.0
    s["region"].scores[1, ids.index("africa")] = 0.9
    second = ls_predictions(s, config, model_version="m1")[1]
    assert second["result"] == [] and "score" not in second
