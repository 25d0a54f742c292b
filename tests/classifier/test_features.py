"""AliasFeatures (gazetteer features) and the tf-idf feature union."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion

from classifier import AliasFeatures, alias_table, group_table, text_features
from classifier._fast_tfidf import TOKEN_PATTERN
from classifier._features import split_title

from .conftest import ALIASES, GROUPS

TEXT = ("US and Japan sign a defence pact\n\n"
        "The United States and Japan agreed on Sunday to deepen their alliance.\n\n"
        "Officials in Washington said the deal answers threats in the region. "
        "Russia was not consulted.")


def fitted(**kw) -> AliasFeatures:
    return AliasFeatures(aliases=ALIASES, groups=GROUPS, **kw).fit()


def row(features: AliasFeatures, text: str) -> dict[str, float]:
    X = features.transform([text]).toarray()[0]
    return dict(zip(features.get_feature_names_out(), X))


def test_columns_count_title_position_and_lead_per_label():
    f = row(fitted(), TEXT)
    assert f["USA:count"] == pytest.approx(np.log1p(3))  # US, United States, Washington
    assert f["USA:title"] == 1.0 and f["USA:lead"] == 1.0
    assert f["USA:early"] == pytest.approx(1.0)  # first word of the text
    assert f["JPN:count"] == pytest.approx(np.log1p(2))
    assert 0.9 < f["JPN:early"] < 1.0


def test_a_state_mentioned_once_late_in_the_body_has_no_title_or_lead_feature():
    f = row(fitted(), TEXT)
    assert f["RUS:count"] == pytest.approx(np.log1p(1))
    assert f["RUS:title"] == 0.0 and f["RUS:lead"] == 0.0
    assert f["RUS:early"] < 0.15
    assert f["KOR:count"] == 0.0 and f["KOR:early"] == 0.0


def test_group_features_add_up_the_mentions_of_each_groups_labels():
    f = row(fitted(), TEXT)
    assert f["americas:group_count"] == pytest.approx(np.log1p(3))
    assert f["asia:group_count"] == pytest.approx(np.log1p(2))
    assert f["americas:group_share"] == pytest.approx(3 / 6)
    assert f["europe:group_share"] == pytest.approx(1 / 6)


def test_a_text_without_a_blank_line_has_no_title_and_a_short_lead():
    assert split_title("one paragraph only") == (0, 0, len("one paragraph only"))
    long = "Japan " + "x" * 500 + " Russia"
    f = row(fitted(), long)
    assert f["JPN:title"] == 0.0 and f["JPN:lead"] == 1.0
    assert f["RUS:lead"] == 0.0  # beyond the first 300 characters


def test_acronym_aliases_match_only_in_capitals():
    f = row(fitted(), "Give us the facts\n\nThey told us nothing.")
    assert f["USA:count"] == 0.0


def test_feature_names_follow_label_then_part_order():
    names = list(fitted().get_feature_names_out())
    assert names[:5] == ["USA:count", "USA:title", "USA:early", "USA:lead", "JPN:count"]
    assert names[-2:] == ["europe:group_count", "europe:group_share"]
    assert len(names) == fitted().n_features_out_ == 4 * 4 + 2 * 3


def test_alias_table_and_group_table_come_from_the_taxonomy(taxonomy):
    actors = taxonomy.facet("actors")
    table = dict(alias_table(actors))
    assert table["USA"][0] == "United States" and "Pentagon" in table["USA"]
    assert dict(group_table(actors))["JPN"] == "asia"
    assert "NATO" not in dict(group_table(actors))  # organisations have no region


def test_params_are_plain_data_that_survive_clone_and_the_matcher_is_not_persisted():
    f = fitted()
    f.transform([TEXT])
    assert "_matcher" in f.__dict__
    assert "_matcher" not in f.__getstate__()
    c = clone(f)
    assert c.get_params() == f.get_params() and not hasattr(c, "labels_")


@pytest.mark.parametrize("aliases, match", [
    ((("USA", ("US",)), ("USA", ("America",))), "appear more than once"),
    ((("USA", ()),), "non-empty tuple"),
    ((("USA", "United States"),), "non-empty tuple"),
])
def test_bad_alias_tables_are_rejected_with_the_label(aliases, match):
    with pytest.raises(ValueError, match=match):
        AliasFeatures(aliases=aliases).fit()


def test_groups_naming_an_unknown_label_are_rejected():
    with pytest.raises(ValueError, match=r"\['XXX'\] that are not in `aliases`"):
        AliasFeatures(aliases=ALIASES, groups=(("XXX", "asia"),)).fit()


def test_a_single_string_instead_of_a_list_of_texts_is_rejected_with_a_hint():
    with pytest.raises(ValueError, match=r"wrap it in a list"):
        fitted().transform(TEXT)
    with pytest.raises(ValueError, match=r"text 1: expected a str, got int"):
        fitted().transform(["fine", 3])


def test_refitting_with_other_aliases_matches_the_new_aliases_and_transform_changes_nothing():
    f = AliasFeatures(aliases=(("JPN", ("Japan",)),)).fit()
    assert f.transform(["Japan and Korea"]).toarray()[0, 0] > 0
    f.set_params(aliases=(("KOR", ("Korea",)),)).fit()
    before = dict(f.__dict__)
    assert f.transform(["Korea only"]).toarray()[0, 0] > 0  # was 0: the first fit's matcher was kept
    assert f.__dict__.keys() == before.keys()  # the matcher is built by fit, not by transform


def test_transform_before_fit_raises_not_fitted():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        AliasFeatures(aliases=ALIASES).transform([TEXT])


def test_text_features_union_word_and_optional_char_tfidf():
    union = text_features(word_ngram_range=(1, 2), char_ngram_range=(2, 4), min_df=1)
    assert isinstance(union, FeatureUnion)
    assert [name for name, _ in union.transformer_list] == ["word", "char"]
    assert [name for name, _ in text_features().transformer_list] == ["word"]
    X = union.fit_transform([TEXT, "Russia and Japan talk"])
    assert X.shape[0] == 2 and X.shape[1] > 0


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=80))
def test_the_fast_token_pattern_finds_the_same_tokens_as_sklearns_default(text):
    fast = TfidfVectorizer(token_pattern=TOKEN_PATTERN).build_analyzer()
    default = TfidfVectorizer().build_analyzer()
    assert fast(text) == default(text)


# The actor features depend on AliasMatcher's fast search (first words, then anchored trie patterns)
# finding what its rule says: checked against the rule written plainly, on real and made-up text.

def _reference(matcher):
    """AliasMatcher's rule written plainly: every occurrence of every alias that starts and ends on a word
    boundary is a candidate (acronyms in capitals only); overlaps go to the earliest, then the longest;
    not-alias phrases are then dropped."""
    import re

    from corpus.aliases import _case_sensitive

    patterns = []
    for label in matcher.facet.labels:
        phrases = [(a, label.id) for a in {label.name, *label.aliases}]
        phrases += [(a, None) for a in label.attrs.get("not_aliases", ())]
        for alias, owner in phrases:
            alias = " ".join(alias.split())
            flags = 0 if _case_sensitive(alias) else re.IGNORECASE
            patterns.append((re.compile(rf"(?<!\w)(?=({re.escape(alias)})(?!\w))", flags), owner))

    def find(text):
        found = {(m.start(1), -(m.end(1) - m.start(1)), m.end(1), owner, m.group(1))
                 for pat, owner in patterns for m in pat.finditer(text)}
        out, end = [], -1
        for start, _, stop, label, matched in sorted(found, key=lambda f: (f[0], f[1])):
            if start >= end:
                end = stop
                out.append((label, start, stop, matched))
        return [m for m in out if m[0] is not None]

    return find


@pytest.fixture(scope="module")
def actor_matcher(taxonomy):
    from corpus import AliasMatcher

    return AliasMatcher(taxonomy.facet("actors"))


@pytest.fixture(scope="module")
def reference_find(actor_matcher):
    return _reference(actor_matcher)


def test_alias_matcher_finds_what_its_rule_says_in_real_text(actor_matcher, reference_find, seed_article_path):
    from .conftest import TRAIN_ARTICLES

    texts = [seed_article_path.read_text(encoding="utf-8")] + TRAIN_ARTICLES.read_text(encoding="utf-8").splitlines()
    for text in texts:
        got = [(m.label, m.start, m.end, m.text) for m in actor_matcher.find(text)]
        assert got == reference_find(text)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(["South Korea", "Korea", "korean", "North Korean", "US", "us", "U.S.", "U.S. military",
                                 "Washington", "Japan", "Japanese", "the Pentagon", "South China Sea", "Congo",
                                 "Democratic Republic of the Congo", "Niger", "Nigeria", "-", " ", ", ", "x", "'s"]),
                max_size=12))
def test_alias_matcher_finds_what_its_rule_says_in_made_up_text(actor_matcher, reference_find, parts):
    text = " ".join(parts)
    assert [(m.label, m.start, m.end, m.text) for m in actor_matcher.find(text)] == reference_find(text)


def test_alias_matcher_scans_every_position_when_lowercasing_would_shift_offsets(actor_matcher, reference_find,
                                                                                 seed_article_path):
    text = "İzmir: " + seed_article_path.read_text(encoding="utf-8")  # 'İ'.lower() is two characters
    assert len(text.lower()) != len(text)
    assert [(m.label, m.start, m.end, m.text) for m in actor_matcher.find(text)] == reference_find(text)


def test_alias_matcher_scans_every_position_for_an_alias_starting_with_punctuation():
    from corpus import AliasMatcher, Facet, Label

    facet = Facet("actors", "multi", (Label("NET", "Internet", aliases=(".net",)), Label("USA", "United States",
                                                                                      aliases=("US",))))
    matcher = AliasMatcher(facet)
    text = "The .net site and the US.\n\nInternet, again: .NET"
    assert [(m.label, m.text) for m in matcher.find(text)] == [("NET", ".net"), ("USA", "US"), ("NET", "Internet"),
                                                               ("NET", ".NET")]
    assert [(m.label, m.start, m.end, m.text) for m in matcher.find(text)] == _reference(matcher)(text)



def _izmir_matcher():
    from corpus import AliasMatcher, Facet, Label

    # 'İ'.lower() is two characters, so "İzmir Port" has no lower-case first word to index it by
    return AliasMatcher(Facet("actors", "multi", (Label("TUR", "Türkiye", aliases=("İzmir Port",)),)))


@pytest.mark.parametrize("text", ["Ships left İzmir Port today.", "Ships left İZMIR PORT today."])
def test_an_alias_whose_lower_case_is_longer_is_found_as_written_or_in_capitals(text):
    matcher = _izmir_matcher()
    found = [(m.label, m.start, m.end, m.text) for m in matcher.find(text)]
    assert found == _reference(matcher)(text) and [f[0] for f in found] == ["TUR"]


@pytest.mark.xfail(strict=True, reason="known gap: the owner of a match is looked up by its case fold, and "
                                       "'izmir port' does not fold to 'İzmir Port' (regex IGNORECASE matches it)")
def test_an_alias_whose_lower_case_is_longer_is_found_in_lower_case_too():
    matcher = _izmir_matcher()
    text = "Ships left izmir port today."
    assert [(m.label, m.start, m.end, m.text) for m in matcher.find(text)] == _reference(matcher)(text)

@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["South Korea", "Korea", "US", "us", "U.S.", "the Pentagon", "the", "South China Sea",
                                 "İzmir", "Japan's", "x", "-", " ", "\n\n"]), max_size=12))
def test_alias_matching_with_the_batchs_words_finds_the_same_mentions(actor_matcher, parts):
    from classifier._fast_tfidf import analyse

    text = " ".join(parts)
    analysed = analyse([text])
    assert actor_matcher.find(text, lower=analysed.lower[0], words=analysed.words[0]) == actor_matcher.find(text)
