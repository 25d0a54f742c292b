"""Controls -> facets and choice values -> labels, from an export or a labeling config (annotation.mapping)."""

from __future__ import annotations

import pytest

from annotation import LabelMatcher, labeling_config, map_controls, parse_overrides
from annotation.errors import ConfigError
from annotation.mapping import map_label_config, task_text
from corpus import InputError, TaxonomyError, parse_taxonomy

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


def test_a_control_named_like_a_facet_maps_to_it_whatever_the_case(small_taxonomy):
    m = map_controls(["Region", "THEMES", "actors"], small_taxonomy)
    assert dict(m.facets) == {"Region": "region", "THEMES": "themes", "actors": "actors"} and m.unmapped == ()


def test_an_override_maps_a_control_of_another_name_and_the_rest_are_listed_as_unmapped(small_taxonomy):
    m = map_controls(["topic", "country", "notes", "Region"], small_taxonomy, {"topic": "themes", "country": "actors"})
    assert dict(m.facets) == {"topic": "themes", "country": "actors", "Region": "region"}
    assert m.unmapped == ("notes",) and m.controls_of("themes") == ["topic"]


def test_an_override_wins_over_the_name(small_taxonomy):
    assert dict(map_controls(["region"], small_taxonomy, {"region": "actors"}).facets) == {"region": "actors"}


def test_an_override_to_a_facet_not_in_the_taxonomy_is_an_error_naming_the_facets(small_taxonomy):
    with pytest.raises(TaxonomyError, match=r"control 'topic' is mapped to facet 'topics', which is not in taxonomy "
                                            r".*\['region', 'themes', 'actors'\]"):
        map_controls(["topic"], small_taxonomy, {"topic": "topics"})


def test_map_options_are_parsed_and_the_facet_is_matched_case_insensitively(small_taxonomy):
    assert parse_overrides(["topic=Themes", " country = actors "], small_taxonomy) == {"topic": "themes",
                                                                                        "country": "actors"}


@pytest.mark.parametrize("item, message", [
    ("topic", r"--map 'topic': expected CONTROL=FACET, e\.g\. topic=themes"),
    ("=themes", r"--map '=themes': expected CONTROL=FACET"),
    ("topic=topics", r"--map 'topic=topics': facet 'topics' is not in taxonomy .* its facets are \['region'"),
])
def test_a_bad_map_option_says_what_was_expected(small_taxonomy, item, message):
    with pytest.raises(TaxonomyError, match=message):
        parse_overrides([item], small_taxonomy)


@pytest.mark.parametrize("value, label", [
    ("middle_east", "middle_east"), ("Middle East", "middle_east"), ("middle  east", "middle_east"),
    ("MIDDLE EAST", "middle_east"), ("Asia", "asia"),
])
def test_a_choice_maps_to_a_label_by_id_or_display_name_case_insensitively(small_taxonomy, value, label):
    assert LabelMatcher(small_taxonomy.facet("region")).label(value) == label


def test_a_choice_maps_to_an_actor_by_alias(small_taxonomy):
    matcher = LabelMatcher(small_taxonomy.facet("actors"))
    assert matcher.label("Israel") == "ISR" and matcher.label("japan") == "JPN" and matcher.label("ISR") == "ISR"


def _clashing_taxonomy():
    """Ids are not checked against other labels' aliases: 'eu' is one label's id and, upper-case, another's alias."""
    return parse_taxonomy({"facets": {"actors": {"kind": "multi", "labels": {
        "eu": {"name": "European Union"},
        "europe": {"name": "Europe", "aliases": ["EU"]},
    }}}})


def test_an_exact_id_wins_over_another_labels_alias():
    assert LabelMatcher(_clashing_taxonomy().facet("actors")).label("eu") == "eu"


def test_a_value_naming_two_labels_is_ambiguous_and_the_error_lists_the_candidates():
    matcher = LabelMatcher(_clashing_taxonomy().facet("actors"))
    assert matcher.label("EU") is None
    assert matcher.error("EU", "task 3, annotator 2") == (
        "task 3, annotator 2: actors value 'EU' is ambiguous: it names 2 labels [eu (European Union), "
        "europe (Europe)] by id, display name or alias. Use the label id in the Label Studio config "
        "(alias=\"ID\"), or make the names distinct in the taxonomy file.")


def test_an_unknown_value_lists_the_valid_labels_and_what_to_do(small_taxonomy):
    matcher = LabelMatcher(small_taxonomy.facet("region"))
    assert matcher.label("Mars") is None and matcher.label(["asia"]) is None
    assert matcher.error("Mars") == (
        "region label 'Mars' is not in the taxonomy's region [africa, americas, asia, europe, middle_east, oceania, "
        "global] (by id, display name or alias). Fix the label in Label Studio, add it to the taxonomy file as an "
        "alias, or map the control to another facet with --map CONTROL=FACET.")
