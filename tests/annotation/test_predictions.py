"""Model scores as Label Studio predictions (annotation.predictions.ls_prediction)."""

from __future__ import annotations

import numpy as np
import pytest

from annotation.predictions import default_controls, ls_prediction
from annotation.predictor import FacetScores

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
