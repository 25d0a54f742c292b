import datasets
import pytest

from corpus import TaxonomyError, load_taxonomy, parse_taxonomy

BASE = """
[taxonomy]
name = "t"
version = "1"

[facets.region]
kind = "single"
[facets.region.labels.asia]
name = "Asia"
[facets.region.labels.europe]
name = "Europe"

[facets.actors]
kind = "multi"
[facets.actors.labels.USA]
name = "United States"
aliases = ["Washington", "US"]
[facets.actors.labels.KOR]
name = "South Korea"
aliases = ["Seoul"]
"""


def write(tmp_path, text, name="tax.toml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_default_taxonomy_has_the_three_default_facets_with_guide_descriptions(taxonomy):
    assert taxonomy.facet_names == ["region", "themes", "actors"]
    assert taxonomy.facet("region").ids == ["africa", "americas", "asia", "europe", "middle_east", "oceania", "global"]
    assert taxonomy.facet("region").kind == "single"
    assert len(taxonomy.facet("themes").ids) == 10
    assert "exercises" in taxonomy.facet("themes").label("military_training").description
    assert taxonomy.facet("themes").multi and taxonomy.facet("actors").multi


def test_default_actors_cover_every_iso_state_and_the_guide_organisations(taxonomy):
    import pycountry

    actors = taxonomy.facet("actors")
    ids = set(actors.ids)
    assert {c.alpha_3 for c in pycountry.countries} <= ids
    assert {"NATO", "UN", "EU", "ASEAN", "QUAD", "AUKUS", "IAEA", "G7", "AU", "HAMAS", "HEZBOLLAH", "HOUTHIS", "ISIS"} <= ids


@pytest.mark.parametrize(
    "label, alias",
    [("KOR", "Seoul"), ("PRK", "Pyongyang"), ("USA", "Washington"), ("RUS", "the Kremlin"), ("CHN", "Beijing"),
     ("PRK", "North Korean"), ("CHN", "Chinese"), ("USA", "US")],
)
def test_default_actors_carry_capitals_demonyms_and_seats_of_government(taxonomy, label, alias):
    assert alias in taxonomy.facet("actors").label(label).aliases


def test_states_carry_a_region_and_iso_cross_references(taxonomy):
    kor = taxonomy.facet("actors").label("KOR")
    assert kor.attrs["region"] == "asia" and kor.attrs["kind"] == "state"
    assert kor.refs["iso3166_alpha2"] == "KR"
    assert taxonomy.facet("actors").label("RUS").attrs["region"] == "europe"
    assert taxonomy.facet("actors").label("EGY").attrs["region"] == "middle_east"


def test_features_are_classlabel_for_single_and_a_list_of_classlabel_for_multi(tmp_path):
    tax = load_taxonomy(write(tmp_path, BASE))
    feats = tax.features()
    assert isinstance(feats["region"], datasets.ClassLabel)
    assert feats["region"].names == ["asia", "europe"]
    inner = getattr(feats["actors"], "feature", None)
    assert isinstance(inner, datasets.ClassLabel) and inner.names == ["USA", "KOR"]


def test_duplicate_label_id_is_an_error_that_names_the_file(tmp_path):
    text = BASE + '\n[facets.region.labels.asia]\nname = "Asia again"\n'
    with pytest.raises(TaxonomyError, match=r"tax\.toml.*declare.*twice.*duplicate label id"):
        load_taxonomy(write(tmp_path, text))


def test_duplicate_label_id_differing_only_in_case_is_an_error(tmp_path):
    text = BASE + '\n[facets.region.labels.Asia]\nname = "Asia again"\n'
    with pytest.raises(TaxonomyError, match=r"duplicate label id 'Asia' in facet 'region' \(also 'asia'"):
        load_taxonomy(write(tmp_path, text))


def test_alias_claimed_by_two_labels_is_an_error_naming_both(tmp_path):
    text = BASE.replace('aliases = ["Seoul"]', 'aliases = ["Seoul", "Washington"]')
    with pytest.raises(TaxonomyError, match=r"alias 'Washington' is claimed by two actors labels, 'USA' and 'KOR'"):
        load_taxonomy(write(tmp_path, text))


def test_unknown_facet_kind_is_an_error_listing_the_kinds(tmp_path):
    with pytest.raises(TaxonomyError, match=r"facets.region.kind is 'several'; expected one of \['single', 'multi'\]"):
        load_taxonomy(write(tmp_path, BASE.replace('kind = "single"', 'kind = "several"')))


def test_empty_facet_is_an_error(tmp_path):
    with pytest.raises(TaxonomyError, match=r"facet 'themes' has no labels"):
        load_taxonomy(write(tmp_path, BASE + '\n[facets.themes]\nkind = "multi"\n'))


def test_no_facets_is_an_error(tmp_path):
    with pytest.raises(TaxonomyError, match="no \\[facets.NAME\\] tables"):
        load_taxonomy(write(tmp_path, '[taxonomy]\nname = "x"\n'))


def test_missing_taxonomy_file_says_what_to_pass(tmp_path):
    with pytest.raises(TaxonomyError, match="does not exist; pass --taxonomy"):
        load_taxonomy(tmp_path / "nope.toml")


def test_unknown_label_error_lists_the_valid_labels(tmp_path):
    tax = load_taxonomy(write(tmp_path, BASE))
    with pytest.raises(TaxonomyError, match=r"batch3.json, task 4: region label 'Elections ' is not in the taxonomy's region \[asia, europe\]"):
        tax.check_labels({"region": "Elections "}, where="batch3.json, task 4")


def test_single_label_facet_refuses_two_labels_and_multi_accepts_a_plain_string(tmp_path):
    tax = load_taxonomy(write(tmp_path, BASE))
    with pytest.raises(TaxonomyError, match="single-label and expects exactly one label"):
        tax.check_labels({"region": ["asia", "europe"]})
    assert tax.check_labels({"actors": "KOR", "region": ["asia"]}) == {"actors": ["KOR"], "region": "asia"}


def test_multi_labels_are_returned_in_taxonomy_order_without_repeats(tmp_path):
    tax = load_taxonomy(write(tmp_path, BASE))
    assert tax.check_labels({"actors": ["KOR", "USA", "KOR"]}) == {"actors": ["USA", "KOR"]}


def test_hash_ignores_formatting_but_changes_with_content(tmp_path):
    a = load_taxonomy(write(tmp_path, BASE, "a.toml"))
    b = load_taxonomy(write(tmp_path, "# comment\n" + BASE, "b.toml"))
    c = load_taxonomy(write(tmp_path, BASE.replace('"Seoul"', '"Seoul", "ROK"'), "c.toml"))
    assert a.hash == b.hash != c.hash


def test_parse_taxonomy_accepts_a_mapping_built_in_code():
    tax = parse_taxonomy({"facets": {"topic": {"kind": "multi", "labels": {"a": {}, "b": {"name": "B"}}}}})
    assert tax.facet("topic").ids == ["a", "b"] and tax.facet("topic").label("a").name == "a"
