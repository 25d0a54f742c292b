"""The labeling config generated from the taxonomy."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from annotation import labeling_config
from corpus import TaxonomyError, parse_taxonomy


def small(facets: dict) -> object:
    return parse_taxonomy({"taxonomy": {"name": "t", "version": "1"}, "facets": facets})


def test_there_is_one_choices_per_facet_single_or_multiple(small_taxonomy):
    root = ET.fromstring(labeling_config(small_taxonomy))
    found = {c.get("name"): c.get("choice") for c in root.iter("Choices")}
    assert found == {"region": "single", "themes": "multiple", "actors": "multiple"}
    assert all(c.get("toName") == "text" for c in root.iter("Choices"))
    assert root.find("Text").get("value") == "$text" and root.find("Header").get("value") == "$title"


def test_choices_show_names_export_ids_and_carry_descriptions_as_hints(small_taxonomy):
    root = ET.fromstring(labeling_config(small_taxonomy))
    region = next(c for c in root.iter("Choices") if c.get("name") == "region")
    asia = next(c for c in region if c.get("alias") == "asia")
    assert asia.get("value") == "Asia" and asia.get("hint").startswith("East, South, Southeast and Central Asia")
    themes = next(c for c in root.iter("Choices") if c.get("name") == "themes")
    assert [c.get("alias") for c in themes] == small_taxonomy.facet("themes").ids


def test_single_label_facets_are_required(small_taxonomy):
    root = ET.fromstring(labeling_config(small_taxonomy))
    required = {c.get("name"): c.get("required") for c in root.iter("Choices")}
    assert required == {"region": "true", "themes": None, "actors": None}


def test_mentions_add_span_labels_for_a_facet(small_taxonomy):
    root = ET.fromstring(labeling_config(small_taxonomy, mentions=["actors"]))
    (labels,) = list(root.iter("Labels"))
    assert labels.get("name") == "actors_mentions" and labels.get("toName") == "text"
    assert [lab.get("alias") for lab in labels] == small_taxonomy.facet("actors").ids
    assert list(ET.fromstring(labeling_config(small_taxonomy)).iter("Labels")) == []


def test_the_config_is_the_same_bytes_for_the_same_taxonomy(small_taxonomy):
    assert labeling_config(small_taxonomy, mentions=["actors"]) == labeling_config(small_taxonomy, mentions=["actors"])


def test_special_characters_in_descriptions_are_escaped():
    tax = small({"topic": {"kind": "multi", "description": 'A & B <"quoted">',
                           "labels": {"x": {"name": "X & Y", "description": "<b>bold</b> & 'q'"}}}})
    root = ET.fromstring(labeling_config(tax))
    choice = root.find(".//Choice")
    assert choice.get("value") == "X & Y" and choice.get("hint") == "<b>bold</b> & 'q'"


def test_a_facet_named_like_a_task_field_is_an_error():
    tax = small({"text": {"kind": "single", "labels": {"x": {}}}})
    with pytest.raises(TaxonomyError, match=r"name 'text' collides with a Label Studio task/export field.*rename"):
        labeling_config(tax)


def test_a_facet_named_like_a_mention_control_is_an_error():
    tax = small({"actors": {"kind": "multi", "labels": {"x": {}}},
                 "actors_mentions": {"kind": "multi", "labels": {"y": {}}}})
    with pytest.raises(TaxonomyError, match=r"facet 'actors_mentions' collides with a mention control name"):
        labeling_config(tax, mentions=["actors"])


def test_mentions_of_an_unknown_facet_is_an_error(small_taxonomy):
    with pytest.raises(TaxonomyError, match=r"facet 'people' is not in taxonomy 'newstag-default'; its facets are"):
        labeling_config(small_taxonomy, mentions=["people"])
