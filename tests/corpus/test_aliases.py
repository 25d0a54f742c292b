from corpus import AliasMatcher


def test_capitals_demonyms_and_seats_of_government_name_their_state(taxonomy):
    m = AliasMatcher(taxonomy.facet("actors"))
    text = "Seoul and Pyongyang traded warnings as the Kremlin and the Pentagon watched; Chinese officials said little."
    assert m.labels(text) == ["KOR", "PRK", "RUS", "USA", "CHN"]


def test_acronyms_match_only_in_capitals(taxonomy):
    m = AliasMatcher(taxonomy.facet("actors"))
    assert m.labels("The US and the UN met.") == ["USA", "UN"]
    assert m.labels("Let us meet at the union hall.") == []


def test_longest_alias_wins_where_two_overlap(taxonomy):
    m = AliasMatcher(taxonomy.facet("actors"))
    assert m.labels("Fighting in the Democratic Republic of the Congo continued.") == ["COD"]
    assert m.labels("South Korea protested.") == ["KOR"]


def test_not_alias_phrases_do_not_count_as_mentions(taxonomy):
    m = AliasMatcher(taxonomy.facet("actors"))
    assert m.labels("Ships sailed through the South China Sea towards the Indian Ocean.") == []
    assert m.labels("China and India objected.") == ["CHN", "IND"]
    assert m.labels("A storm hit New Mexico.") == []


def test_an_alias_right_before_a_dollar_sign_names_a_currency_not_the_state(taxonomy):
    m = AliasMatcher(taxonomy.facet("actors"))
    assert m.labels("Israel agrees to export US$35 billion of gas; U.S.$5 more.") == ["ISR"]
    assert m.labels("The US pays US$3 billion.") == ["USA"]


def test_mentions_carry_positions_and_the_text_matched(taxonomy):
    m = AliasMatcher(taxonomy.facet("actors"))
    (men,) = m.find("Talks in Tokyo.")
    assert (men.label, men.start, men.end, men.text) == ("JPN", 9, 14, "Tokyo")


def test_common_english_words_are_not_aliases(taxonomy):
    m = AliasMatcher(taxonomy.facet("actors"))
    assert m.labels("The island was hit by a cyclone.") == []


def test_plural_demonyms_name_their_state(taxonomy):
    m = AliasMatcher(taxonomy.facet("actors"))
    assert m.labels("Bangladeshis vote to elect members of the Jatiya Sangsad.") == ["BGD"]
    assert m.labels("Israelis and Iraqis protest; Filipinos, Greeks and Barbadians watch.") == [
        "ISR", "IRQ", "PHL", "GRC", "BRB"]
    (men,) = m.find("Three South Koreans were hurt.")
    assert (men.label, men.text) == ("KOR", "South Koreans")


def test_only_capitalised_demonym_like_aliases_take_a_plural(taxonomy):
    m = AliasMatcher(taxonomy.facet("actors"))
    assert m.labels("Trade across the Americas.") == []  # "America" ends in -a: no plural (not a demonym)
    assert m.labels("Americans and South Koreans met.") == ["USA", "KOR"]
    assert m.labels("Fighting in the Democratic Republic of the Congo.") == ["COD"]
    assert m.labels("The new jerseys of the Tokyo side.") == ["JPN"]  # lower-case words take no plural
    assert m.labels("The Houthis fired.") == ["HOUTHIS"]


def test_text_words_are_the_word_runs_of_any_text():
    import re

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from corpus import text_words

    @settings(max_examples=300, deadline=None)
    @given(st.text(alphabet=st.sampled_from(list("ab Z9_-.,'\n\t\x00\x1cé€İ’")), max_size=40))
    def check(text):
        assert text_words(text) == re.findall(r"\w+", text)

    check()


def test_spaced_words_give_the_words_of_any_slice_of_an_ascii_text_by_splitting():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from corpus import spaced_words, text_words

    @settings(max_examples=300, deadline=None)
    @given(st.text(alphabet=st.sampled_from(list("ab Z9_-.,'\n\t\x00\x1c")), max_size=40), st.integers(0, 45),
           st.integers(0, 45))
    def check(text, a, b):
        spaced = spaced_words(text)
        assert len(spaced) == len(text) and spaced[a:b].split() == text_words(text[a:b])

    check()
    assert spaced_words("São Tomé") is None and spaced_words("Kenya’s") is None
