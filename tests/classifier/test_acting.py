"""The acting model: per (article, state) whether the state acts or is merely mentioned (a place, a nationality)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone

from classifier import AliasFeatures
from classifier._acting import PAIR_FEATURES, pair_table
from classifier._features import split_title

from .conftest import ACTING_LABELS as LABELS
from .conftest import ACTING_TEXTS as TEXTS
from .conftest import ALIASES, GROUPS



def fitted(**kw) -> AliasFeatures:
    return AliasFeatures(aliases=ALIASES, groups=GROUPS, acting=True, **kw).fit(TEXTS, LABELS)


def flags(text: str) -> dict[str, dict[str, float]]:
    """Per label mentioned in ``text``: its pair features by name."""
    f = AliasFeatures(aliases=ALIASES).fit()
    index = {lab: k for k, (lab, _) in enumerate(ALIASES)}
    rows, labs, F = pair_table([text], f.match([text]), index, split_title)
    return {ALIASES[k][0]: dict(zip(PAIR_FEATURES, x)) for k, x in zip(labs.tolist(), F.tolist())}


def test_an_acting_state_gets_a_higher_probability_than_a_location_or_a_nationality():
    f = fitted()
    texts = ["Japan launches a satellite.", "An earthquake hits Sendai, Japan.", "Four Japanese nationals are freed.",
             "The Japanese government launches a satellite."]
    rows, labs, p = f.acting_probabilities(texts, f.match(texts))
    # (in these made-up items every state named with its government or troops acts: that weighs most)
    assert rows.tolist() == [0, 1, 2, 3] and p[3] > 0.5 > p[1] and p[0] > p[1] and p[0] > p[2]


def test_pair_features_read_a_place_a_chain_a_modifier_a_government_word_and_the_subject():
    assert flags("Fires burn in Lima and near the border.") == {}  # no alias: no pair
    chain = flags("A storm hits Nagoya, Japan.")["JPN"]
    assert chain["chain"] == 1.0 and chain["all_place"] == 1.0 and chain["subject"] == 0.0
    place = flags("Protests spread in the United States and in Russia.")
    assert place["USA"]["place"] == 1.0 and place["RUS"]["place"] == 1.0 and place["USA"]["first"] == 1.0
    modifier = flags("Two Russian nationals are hurt.")["RUS"]
    assert modifier["modifier"] == 1.0 and modifier["government"] == 0.0
    acting = flags("The Japanese government protests. Russia's foreign ministry replies.")
    assert acting["JPN"]["government"] == 1.0 and acting["JPN"]["subject"] == 1.0
    assert acting["RUS"]["possessive"] == 1.0 and acting["RUS"]["government"] == 1.0 and acting["RUS"]["subject"] == 1.0


def test_an_origin_suffix_makes_a_mention_a_modifier():
    assert flags("A Japan-based firm and a US-born singer merge.")["JPN"]["modifier"] == 1.0
    assert flags("A Japan-based firm and a US-born singer merge.")["USA"]["modifier"] == 1.0
    assert flags("A Japan-led coalition forms.")["JPN"]["modifier"] == 0.0


def test_counts_shares_and_ranks_are_per_label_within_the_text():
    f = flags("Japan warns Russia\n\nJapan says Japan will act; Russia and the United States reply.")
    assert f["JPN"]["count"] == pytest.approx(np.log1p(3)) and f["JPN"]["share"] == pytest.approx(3 / 6)
    assert f["JPN"]["top"] == 1.0 and f["RUS"]["top"] == 0.0 and f["JPN"]["first"] == 1.0
    assert f["JPN"]["title"] == 1.0 and f["RUS"]["title_subject"] == 0.0 and f["JPN"]["title_subject"] == 1.0
    assert f["USA"]["n_labels"] == pytest.approx(np.log1p(3)) and f["USA"]["title"] == 0.0


def test_the_first_columns_are_the_plain_alias_features_exactly():
    f, plain = fitted(), AliasFeatures(aliases=ALIASES, groups=GROUPS).fit()
    texts = TEXTS + ["Japan, Japan, Japan and Japan meet Russia in Seoul.\n\nThe US and Japan agree.", "No state."]
    X, P = f.transform(texts).toarray(), plain.transform(texts).toarray()
    assert np.array_equal(X[:, : plain.n_features_out_], P)


def test_acting_columns_follow_the_existing_layout_and_belong_to_their_label():
    f = fitted()
    plain = AliasFeatures(aliases=ALIASES, groups=GROUPS).fit()
    names = list(f.get_feature_names_out())
    assert names[: plain.n_features_out_] == list(plain.get_feature_names_out())
    assert len(names) == f.n_features_out_ == plain.n_features_out_ + len(ALIASES) + 2 * 3
    assert [names[c] for c in f.label_columns([3])[0]] == ["RUS:count", "RUS:title", "RUS:early", "RUS:lead", "RUS:act"]
    X = f.transform(["Russia strikes Kyiv.", "Nothing here."]).toarray()
    assert X[0, f.act_column(3)] > 0.5 and X[0, names.index("europe:group_act_share")] == pytest.approx(1.0)
    assert X[0, names.index("europe:group_act")] == X[0, f.act_column(3)] and not X[1].any()


def test_acting_with_roles_puts_the_acting_columns_last():
    f = fitted(roles=True)
    names = list(f.get_feature_names_out())
    assert names[-1] == "oceania:group_act_share" or names[-1].endswith(":group_act_share")
    assert names[f.act_column(0)] == "USA:act" and names[f.role_column(0)] == "USA:role"


def test_the_threshold_is_tuned_on_training_data_and_stays_a_probability():
    assert 0.05 <= fitted().acting_threshold_ <= 0.95


def test_acting_without_texts_and_labels_says_what_fit_needs():
    with pytest.raises(ValueError, match=r"AliasFeatures\(acting=True\)\.fit needs the texts and their labels"):
        AliasFeatures(aliases=ALIASES, acting=True).fit()
    with pytest.raises(ValueError, match="8 texts but 7 label rows"):
        AliasFeatures(aliases=ALIASES, acting=True).fit(TEXTS[:8], LABELS[:7])


def test_pairs_all_of_one_kind_give_every_pair_the_base_rate():
    f = AliasFeatures(aliases=ALIASES, acting=True).fit(["Japan votes.", "Russia votes."], [["JPN"], ["RUS"]])
    assert f.acting_threshold_ == 0.5 and not f.acting_coef_.any()
    assert f.acting_probabilities(["Japan votes."], f.match(["Japan votes."]))[2].tolist() == pytest.approx([1.0], abs=1e-5)


def test_acting_survives_clone_and_a_refit_gives_the_same_features():
    f = fitted()
    g = clone(f).fit(TEXTS, LABELS)
    assert g.acting and np.array_equal(f.transform(TEXTS).toarray(), g.transform(TEXTS).toarray())


def test_a_model_saved_before_acting_existed_loads_with_acting_off():
    f = AliasFeatures(aliases=ALIASES).fit()
    state = f.__getstate__()
    del state["acting"]
    g = AliasFeatures.__new__(AliasFeatures)
    g.__setstate__(state)
    assert g.acting is False and not g.needs_labels
    with pytest.raises(ValueError, match="built with acting=False"):
        g.act_column(0)


def test_a_tagger_with_acting_tags_rare_actors_by_their_acting_probability(small_corpus):
    from classifier import Tagger

    tagger = Tagger(random_state=0, acting=True, rule_below=1000).fit(small_corpus)
    aliases = tagger.alias_features("actors")
    assert aliases.acting and tagger.rule_labels_
    text = "Japan and South Korea hold talks in Tokyo.\n\nJapan and South Korea agree to share missile data."
    scores = tagger.scores([text])
    pos = tagger.classes_["actors"].index("JPN")
    assert scores.thresholds["actors"][pos] == aliases.acting_threshold_
    assert scores.proba["actors"][0, pos] == pytest.approx(scores.alias_features["actors"][0, aliases.act_column(
        aliases.labels_.index("JPN"))])
    assert Tagger().acting is True and Tagger(acting=False).fit(small_corpus).alias_features("actors").acting is False


# The same sentence shape twice: a state as the subject acts, or is hit by a disaster. Only words tell them apart.
_QUAKES = [("Japan is struck by an earthquake that kills ten.", []), ("Russia is struck by an earthquake.", []),
           ("South Korea is hit by floods that kill four.", []), ("The United States is hit by floods.", [])]
_ACTIONS = [("Japan is imposing sanctions on a neighbour.", ["JPN"]), ("Russia is imposing sanctions.", ["RUS"]),
            ("South Korea is sending troops to a neighbour.", ["KOR"]), ("The United States is sending troops.", ["USA"])]
WORD_TEXTS = [t for t, _ in (_QUAKES + _ACTIONS) * 6]
WORD_LABELS = [y for _, y in (_QUAKES + _ACTIONS) * 6]


def test_acting_words_tell_a_state_hit_by_a_disaster_from_one_that_acts():
    texts = ["Japan is struck by an earthquake.", "Japan is imposing sanctions."]
    flags_only = AliasFeatures(aliases=ALIASES, acting=True).fit(WORD_TEXTS, WORD_LABELS)
    words = AliasFeatures(aliases=ALIASES, acting=True, acting_words=True).fit(WORD_TEXTS, WORD_LABELS)
    p_flags = flags_only.acting_probabilities(texts, flags_only.match(texts))[2]
    p_words = words.acting_probabilities(texts, words.match(texts))[2]
    assert p_flags[0] == pytest.approx(p_flags[1], abs=0.05)  # the same flags: no way to tell
    assert p_words[0] < 0.5 < p_words[1] and p_words[0] < words.acting_threshold_ <= p_words[1]
    assert "earthquake" in words.acting_vocabulary_ and "a:sanctions" in words.acting_context_vocabulary_
    assert len(words.acting_coef_) == (len(PAIR_FEATURES) + len(words.acting_vocabulary_)
                                       + len(words.acting_context_vocabulary_) + len(ALIASES))
    # the act column of a batch is the same probability
    col = words.transform(texts)[:, words.act_column(words.labels_.index("JPN"))].toarray().ravel()
    np.testing.assert_allclose(col, p_words)


def test_acting_words_are_read_only_from_words_in_five_training_texts():
    f = AliasFeatures(aliases=ALIASES, acting=True, acting_words=True).fit(WORD_TEXTS[:8] * 4 + ["Japan zorbs."],
                                                                          WORD_LABELS[:8] * 4 + [["JPN"]])
    assert "zorbs" not in f.acting_vocabulary_ and "earthquake" in f.acting_vocabulary_
    assert list(f.acting_vocabulary_) == sorted(f.acting_vocabulary_)


def test_a_model_saved_before_acting_words_existed_loads_with_them_off():
    f = fitted()
    state = f.__getstate__()
    del state["acting_words"]
    g = AliasFeatures.__new__(AliasFeatures)
    g.__setstate__(state)
    assert g.acting_words is False
    np.testing.assert_array_equal(g.transform(TEXTS).toarray(), f.transform(TEXTS).toarray())


def test_the_default_tagger_tags_every_actor_by_the_acting_model_with_words(small_corpus, tmp_path):
    import json

    from classifier import Tagger

    tagger = Tagger(random_state=0).fit(small_corpus)
    aliases = tagger.alias_features("actors")
    assert Tagger().acting_words is True and aliases.acting_words
    assert "actors" not in tagger.heads_ and set(tagger.rule_labels_) == set(tagger.classes_["actors"])
    text = "Japan and South Korea hold talks in Tokyo.\n\nJapan and South Korea agree to share missile data."
    scores = tagger.scores([text])
    assert set(scores.thresholds["actors"]) == {aliases.acting_threshold_}
    result = tagger.tag(text)
    assert result.actors and all(s.source == "model" for s in result.actors)
    tagger.save(tmp_path / "m")
    head = json.loads((tmp_path / "m" / "model_card.json").read_text())["heads"]["actors"]
    assert head["acting_model"]["labels"] == len(tagger.classes_["actors"]) and "alias_rule_labels" not in head
    card = (tmp_path / "m" / "model_card.md").read_text()
    assert "tagged by the acting model" in card and "given by the alias rule alone" not in card
    # off, or without acting: the actors head is back
    assert "actors" in Tagger(random_state=0, acting_words=False).fit(small_corpus).heads_
    plain = Tagger(random_state=0, acting=False).fit(small_corpus)
    assert "actors" in plain.heads_ and not plain.alias_features("actors").acting_words
    state = tagger.__getstate__()
    del state["acting_words"]
    old = Tagger.__new__(Tagger)
    old.__setstate__(state)
    assert old.acting_words is False


def test_tag_time_acting_probabilities_are_the_fitted_models_own_without_building_its_input():
    from scipy.special import expit

    from classifier._acting import acting_input

    f = AliasFeatures(aliases=ALIASES, acting=True, acting_words=True).fit(WORD_TEXTS, WORD_LABELS)
    texts = ["Japan is struck by an earthquake; Russia is imposing sanctions on Japan.", "No state here.",
             "South Korea is sending troops.\n\nThe United States is hit by floods, and South Korea sends aid.", ""]
    mentions = f.match(texts)
    expected = expit(acting_input(f, texts, mentions, f._pairs(texts, mentions)) @ f.acting_coef_ + f.acting_intercept_)
    rows, labs, got = f.acting_probabilities(texts, mentions)
    assert rows.tolist() == [0, 0, 2, 2] and len(got) == 4
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)


def test_tag_time_acting_probabilities_do_not_depend_on_the_hash_seed(tmp_path):
    import subprocess
    import sys

    code = ("import json, sys; sys.path[:0] = [%r, %r]; from tests.classifier.test_acting import *; "
            "f = AliasFeatures(aliases=ALIASES, acting=True, acting_words=True).fit(WORD_TEXTS, WORD_LABELS); "
            "t = ['Japan is struck by an earthquake; Russia is imposing sanctions on Japan troops.']; "
            "print(json.dumps(f.acting_probabilities(t, f.match(t))[2].tolist()))")
    root = str(Path(__file__).resolve().parents[2])
    outs = {subprocess.run([sys.executable, "-c", code % (root, root)], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2", "3")}
    assert len(outs) == 1, outs


def test_tag_time_acting_probabilities_read_the_article_words_off_a_word_matrix_when_one_is_given():
    from classifier._acting import acting_input, acting_logits
    from classifier._fast_tfidf import TOKEN_PATTERN, FastTfidfVectorizer, analyse

    f = AliasFeatures(aliases=ALIASES, acting=True, acting_words=True).fit(WORD_TEXTS, WORD_LABELS)
    assert "a" in f.acting_vocabulary_  # a one-character word: no token of the word tf-idf
    texts = ["Japan is struck by an earthquake; Russia is imposing sanctions on Japan.", "No state here.",
             "São Tomé sends a note: South Korea is sending troops.\n\nThe United States is hit by floods.", ""]
    mentions = f.match(texts)
    pairs = f._pairs(texts, mentions)
    expected = acting_input(f, texts, mentions, pairs) @ f.acting_coef_ + f.acting_intercept_
    words = analyse(texts).words
    # a word tf-idf fitted on other texts: some acting words are not its columns, those are looked up in the words
    for fit_on in (WORD_TEXTS, WORD_TEXTS[:3], ["nothing alike"]):
        vec = FastTfidfVectorizer(token_pattern=TOKEN_PATTERN, ngram_range=(1, 2)).fit(fit_on)
        got = acting_logits(f, texts, mentions, pairs, words, word_matrix=(vec.transform(texts), vec.vocabulary_))
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)


def test_a_taggers_batch_gives_the_acting_columns_of_the_aliases_own_transform(small_corpus):
    from classifier import Tagger

    tagger = Tagger(random_state=0).fit(small_corpus)
    texts = small_corpus.texts()[:40] + ["Japan’s navy and São Tomé’s coast guard hold a drill; 5 ships and a jet."]
    got = tagger.features(texts).blocks["actors"]
    assert "_acting_columns" in tagger.alias_features("actors").__dict__  # the article words read off the word tf-idf
    np.testing.assert_allclose(got.toarray(), tagger.alias_features("actors").transform(texts).toarray(), rtol=0,
                               atol=1e-12)


def test_a_state_institution_in_the_article_is_read_with_the_labels_place_sole_and_first_flags():
    # the guide: a state acts when its government, forces or officials act or are the target, however it is named
    hit = flags("Gunmen storm a police station in Nagoya, Japan.")["JPN"]
    assert hit["all_place"] == 1.0 and hit["institution_place"] == 1.0
    assert hit["institution_sole"] == 1.0 and hit["institution_first"] == 1.0
    quake = flags("An earthquake hits Sendai, Japan.")["JPN"]  # no institution word: nothing
    assert quake["institution_place"] == quake["institution_sole"] == quake["institution_first"] == 0.0
    two = flags("Russian troops shell Busan, South Korea, and Japan protests.")
    assert two["RUS"]["institution_first"] == 1.0 and two["KOR"]["institution_first"] == 0.0
    assert two["KOR"]["institution_place"] == 1.0 and two["RUS"]["institution_sole"] == 0.0
    assert flags("THE POLICEMEN of Japan march.")["JPN"]["institution_first"] == 1.0  # any case
    assert flags("Japan's policeware firm grows.")["JPN"]["institution_first"] == 0.0  # whole words only


def test_a_model_fitted_before_the_institution_flags_tags_as_it_did():
    """A model saved with the 16 earlier pair features (no acting_pair_features_) reads only those columns."""
    from scipy.special import expit

    from classifier._acting import acting_input

    f = AliasFeatures(aliases=ALIASES, acting=True, acting_words=True).fit(WORD_TEXTS, WORD_LABELS)
    assert f.acting_pair_features_ == PAIR_FEATURES and len(PAIR_FEATURES) == 19
    old = AliasFeatures.__new__(AliasFeatures)
    state = dict(f.__getstate__())
    del state["acting_pair_features_"]
    state["acting_coef_"] = np.delete(f.acting_coef_, [16, 17, 18])  # as an old model's: 16 flags, then the words
    old.__setstate__(state)
    texts = ["Police in Japan arrest a man; Russia is imposing sanctions on Japan.", "South Korea is sending troops."]
    mentions = old.match(texts)
    pairs = old._pairs(texts, mentions)
    X = acting_input(old, texts, mentions, pairs)
    assert X.shape[1] == len(old.acting_coef_)
    _, _, got = old.acting_probabilities(texts, mentions)
    np.testing.assert_allclose(got, expit(X @ old.acting_coef_ + old.acting_intercept_), rtol=0, atol=1e-12)
