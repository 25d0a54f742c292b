"""Mapping a labeling config (generated or hand-made) to the taxonomy's facets and labels."""

from __future__ import annotations

import pytest

from annotation import labeling_config
from annotation.errors import ConfigError
from annotation.mapping import map_label_config, task_text
from corpus import InputError

HAND_MADE = """
<View>
  <Text name="story" value="$body"/>
  <Choices name="Region" toName="story" choice="single">
    <Choice value="Asia"/>
    <Choice value="EUROPE"/>
    <Choice value="Somewhere else"/>
  </Choices>
  <Choices name="Themes" toName="story" choice="multiple">
    <Choice value="Military Training"/>
    <Choice value="diplomacy"/>
  </Choices>
  <Choices name="sentiment" toName="story"><Choice value="good"/></Choices>
</View>
"""


def test_the_generated_config_maps_every_facet_to_its_control_with_label_ids_as_tokens(small_taxonomy):
    config = map_label_config(labeling_config(small_taxonomy), small_taxonomy)
    assert list(config.controls) == small_taxonomy.facet_names
    region = config.controls["region"]
    assert (region.from_name, region.to_name) == ("region", "text")
    assert region.tokens["asia"] == "asia" and not region.missing_labels and not region.unmapped_choices
    assert config.text_field == "text" and config.notes() == []


def test_a_hand_made_config_maps_by_facet_name_and_label_display_name_in_any_case(small_taxonomy):
    config = map_label_config(HAND_MADE, small_taxonomy)
    assert list(config.controls) == ["region", "themes"]
    assert config.controls["region"].from_name == "Region"
    assert config.controls["region"].tokens == {"asia": "Asia", "europe": "EUROPE"}
    assert config.controls["themes"].tokens == {"military_training": "Military Training", "diplomacy": "diplomacy"}
    assert config.controls["region"].unmapped_choices == ("Somewhere else",)
    assert config.text_field == "body"
    notes = "\n".join(config.notes())
    assert "facet 'actors' has no <Choices>" in notes and "'Somewhere else'" in notes


def test_a_choice_matches_a_label_alias_too(small_taxonomy):
    xml = ('<View><Text name="t" value="$text"/><Choices name="actors" toName="t" choice="multiple">'
           '<Choice value="Pyongyang"/><Choice value="united states"/></Choices></View>')
    tokens = map_label_config(xml, small_taxonomy).controls["actors"].tokens
    assert tokens == {"PRK": "Pyongyang", "USA": "united states"}


def test_a_config_without_a_facet_control_is_an_error_naming_the_controls_found(small_taxonomy):
    xml = ('<View><Text name="t" value="$text"/>'
           '<Choices name="sentiment" toName="t"><Choice value="ok"/></Choices></View>')
    with pytest.raises(ConfigError, match=r"no <Choices> control maps to a facet.*\['sentiment'\]"):
        map_label_config(xml, small_taxonomy, where="project 7")


def test_a_config_that_is_not_xml_is_an_error(small_taxonomy):
    with pytest.raises(ConfigError, match="project 7: the labeling config is not valid XML"):
        map_label_config("<View><Choices>", small_taxonomy, where="project 7")


def test_an_annotation_result_reads_back_as_label_ids(small_taxonomy):
    config = map_label_config(HAND_MADE, small_taxonomy)
    result = [{"from_name": "Region", "to_name": "story", "type": "choices", "value": {"choices": ["EUROPE"]}},
              {"from_name": "Themes", "to_name": "story", "type": "choices",
               "value": {"choices": ["diplomacy", "Military Training"]}},
              {"from_name": "sentiment", "to_name": "story", "type": "choices", "value": {"choices": ["good"]}}]
    assert config.read_result(result) == {"region": "europe", "themes": ["diplomacy", "military_training"]}
    assert config.read_result([]) == {"region": None, "themes": []}


def test_a_choice_that_stands_for_no_label_is_an_error_in_an_annotation(small_taxonomy):
    config = map_label_config(HAND_MADE, small_taxonomy)
    result = [{"from_name": "Region", "type": "choices", "value": {"choices": ["Somewhere else"]}}]
    with pytest.raises(ConfigError, match="task 4: choice 'Somewhere else' of control 'Region' stands for no label"):
        config.read_result(result, "task 4")


def test_the_task_text_is_title_and_text_as_newstag_tag_reads_them():
    assert task_text({"title": "T", "text": "body"}) == "T\n\nbody"
    assert task_text({"body": "only body"}, "body") == "only body"
    assert task_text({"text": "fallback"}, "body") == "fallback"
    with pytest.raises(InputError, match=r"task 3: no text: data.body is None"):
        task_text({"title": "no body"}, "body", where="task 3")
