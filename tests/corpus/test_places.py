"""The place-name gazetteer (corpus/places.py) and the list that ships with newstag."""

from __future__ import annotations

import pytest

from corpus import InputError, load_taxonomy, text_words
from corpus.places import Gazetteer, default_gazetteer_path, load_gazetteer

SMALL = [("Ternopil", "UA", "ternopil"), ("Rio Grande", "US", "grande"), ("Rio Grande do Sul", "BR", "sul"),
         ("Colorado", "US", "colorado"), ("The Hague", "NL", "hague"), ("New York", "US", "york")]


def test_places_are_found_in_order_with_their_country_and_word_position():
    gaz = Gazetteer(SMALL)
    found = gaz.find("Missiles hit Ternopil; a shooting in Boulder, Colorado.")
    assert found == [("UA", "ternopil", 2), ("US", "colorado", 7)]


def test_the_earliest_then_longest_name_wins():
    gaz = Gazetteer(SMALL)
    assert [p.country for p in gaz.find("Floods in Rio Grande do Sul kill 40.")] == ["BR"]
    assert [p.country for p in gaz.find("Floods along the Rio Grande.")] == ["US"]
    assert gaz.find("The Ternopilska oblast; a new town in York") == []
    assert [p.name for p in gaz.find("Talks in The Hague and New York")] == ["the hague", "new york"]


def test_matching_ignores_case_as_it_works_on_the_lower_cased_words():
    gaz = Gazetteer(SMALL)
    assert [p.name for p in gaz.find("COLORADO's governor; colorado")] == ["colorado", "colorado"]


@pytest.mark.parametrize("content, message", [
    ("# comment\nTernopil\tUA\tternopil\nBoulder US\n",
     r"places.tsv:3: expected 'name<TAB>two-letter country code<TAB>anchor word', got 'Boulder US'"),
    ("Ternopil\tUA\tternopil\nTernopil\tRU\tternopil\n", r"places.tsv:2: 'Ternopil' is given twice, for UA and RU"),
    ("New York\tUS\tnew york\n", r"places.tsv: gazetteer: the anchor 'new york' of 'New York' is not one of its words"),
    ("Sana'a\tYE\tsana\nSana a\tUS\tsana\n", r"the same words have different countries \(YE, US\)"),
    (b"Ternopil\tUA\tternopil\n\xff", r"places.tsv: the gazetteer must be UTF-8"),
])
def test_a_bad_gazetteer_line_names_the_file_and_line(tmp_path, content, message):
    f = tmp_path / "places.tsv"
    f.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    with pytest.raises(InputError, match=message):
        Gazetteer.from_file(f)


def test_a_missing_gazetteer_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match=r"missing.tsv: cannot read the gazetteer"):
        load_gazetteer(tmp_path / "missing.tsv")


def test_the_digest_identifies_the_file(tmp_path):
    a, b = tmp_path / "a.tsv", tmp_path / "b.tsv"
    a.write_text("Ternopil\tUA\tternopil\n", encoding="utf-8")
    b.write_text("Ternopil\tUA\tternopil\nColorado\tUS\tcolorado\n", encoding="utf-8")
    assert Gazetteer.from_file(a).digest != Gazetteer.from_file(b).digest
    assert load_gazetteer(a).digest == Gazetteer.from_file(a).digest


def test_the_shipped_gazetteer_places_real_news_places_and_avoids_common_words():
    gaz = load_gazetteer()
    assert gaz.digest and len(gaz) > 50_000
    text = ("At least 189 people are killed in flooding across Khyber Pakhtunkhwa. Missiles hit Ternopil. "
            "Police in Boulder, Colorado, arrest a man. Mobile Clay Orchards; the port said; A 1 S")
    assert [(p.name, p.country) for p in gaz.find(text)] == [
        ("khyber pakhtunkhwa", "PK"), ("ternopil", "UA"), ("boulder", "US"), ("colorado", "US")]


def test_the_shipped_gazetteer_holds_no_taxonomy_alias_and_only_taxonomy_countries():
    tax = load_taxonomy(None)
    names = {a.casefold() for f in tax.facets for lab in f.labels for a in (lab.id, lab.name, *lab.aliases)}
    names |= {" ".join(text_words(n.lower())) for n in names}
    codes = {lab.refs["iso3166_alpha2"] for lab in tax.facet("actors").labels if "iso3166_alpha2" in (lab.refs or {})}
    gaz = Gazetteer.from_file(default_gazetteer_path())
    assert not {n for n in gaz.places if n.casefold() in names or " ".join(text_words(n.lower())) in names}
    assert set(gaz.places.values()) <= codes
    assert default_gazetteer_path().read_text(encoding="utf-8").startswith("# Place names")
    assert "CC BY 4.0" in default_gazetteer_path().read_text(encoding="utf-8")[:400]
