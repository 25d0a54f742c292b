"""Model scores as Label Studio predictions (annotation.predictions.ls_prediction)."""

from __future__ import annotations

import numpy as np
import pytest

from annotation import FacetScores, labeling_config
from annotation.mapping import map_label_config
from annotation.predictions import default_controls, ls_prediction, ls_predictions

from .test_mapping import HAND_MADE

SCORES = {
    "region": FacetScores(("asia", "europe"), np.array([[0.7, 0.3], [0.2, 0.8]]), None),
    "themes": FacetScores(("alliance", "deterrence"), np.array([[0.9, 0.55], [0.1, 0.2]]), np.array([0.5, 0.5])),
}
CONTROLS = {"region": ("region", "text"), "themes": ("themes", "text")}


def test_each_facet_becomes_a_choices_result_with_every_labels_score():
    pred = ls_prediction(SCORES, 0, model_version="abc123", controls=CONTROLS)
    assert pred["model_version"] == "abc123"
    region, themes = pred["result"]
    assert region == {"from_name": "region", "to_name": "text", "type": "choices", "value": {"choices": ["asia"]},
                      "score": 0.4, "scores": {"asia": 0.7, "europe": 0.3}}
    assert themes["value"] == {"choices": ["alliance", "deterrence"]}
    assert themes["scores"] == {"alliance": 0.9, "deterrence": 0.55}
    assert themes["thresholds"] == {"alliance": 0.5, "deterrence": 0.5}
    assert themes["score"] == pytest.approx(0.1)  # deterrence: (0.55 - 0.5) / (1 - 0.5)


def test_the_prediction_score_is_the_least_sure_facets_confidence():
    assert ls_prediction(SCORES, 0, model_version="m", controls=CONTROLS)["score"] == pytest.approx(0.1)


def test_a_multi_label_facet_with_no_label_given_has_no_result_but_counts_in_the_score():
    pred = ls_prediction(SCORES, 1, model_version="m", controls=CONTROLS)
    assert [r["from_name"] for r in pred["result"]] == ["region"]
    assert pred["score"] == pytest.approx(0.6)  # themes: deterrence (0.5 - 0.2) / 0.5; region 0.6


def test_controls_rename_facets_and_leave_out_the_ones_not_mapped():
    pred = ls_prediction(SCORES, 0, model_version="m", controls={"themes": ("topics", "body")})
    assert [(r["from_name"], r["to_name"]) for r in pred["result"]] == [("topics", "body")]


def test_default_controls_follow_newstags_labeling_config(taxonomy):
    assert default_controls(taxonomy) == {f: (f, "text") for f in taxonomy.facet_names}


# ---- on a project's own controls (the ML backend) ----

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
    assert {k: first["region"][k] for k in ("from_name", "to_name", "type", "value")} == {
        "from_name": "region", "to_name": "text", "type": "choices", "value": {"choices": ["asia"]}}
    assert first["region"]["score"] == pytest.approx(0.75)  # best 0.8 minus second best 0.05
    assert first["themes"]["value"]["choices"] == ["military_training", "diplomacy"]
    assert first["themes"]["score"] == pytest.approx(0.4)  # military_training: (0.7 - 0.5) / (1 - 0.5)
    assert preds[0]["score"] == pytest.approx(0.4)


def test_a_multi_label_facet_with_no_label_gives_no_item(small_taxonomy):
    config = map_label_config(labeling_config(small_taxonomy), small_taxonomy)
    second = ls_predictions(scores(small_taxonomy), config, model_version="m1")[1]
    assert [item["from_name"] for item in second["result"]] == ["region"]
    assert second["score"] == pytest.approx(0.55)  # region 0.6 - 0.05; themes far from every threshold


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
    assert second["result"] == []  # Africa has no choice in that config
