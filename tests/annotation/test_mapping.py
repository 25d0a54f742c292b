"""Controls -> facets and choice values -> labels (annotation.mapping)."""

import pytest

from annotation import LabelMatcher, map_controls, parse_overrides
from corpus import TaxonomyError, parse_taxonomy


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
