"""The mention-role model: an actor that acts or is acted upon vs a state merely mentioned."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone

from classifier import AliasFeatures
from classifier._roles import mention_contexts

from .conftest import ACTING_LABELS as LABELS
from .conftest import ACTING_TEXTS as TEXTS
from .conftest import ALIASES, GROUPS



def fitted(**kw) -> AliasFeatures:
    return AliasFeatures(aliases=ALIASES, groups=GROUPS, roles=True, **kw).fit(TEXTS, LABELS)


def test_an_acting_state_gets_a_higher_role_than_a_location_or_a_nationality():
    f = fitted()
    texts = ["Japan launches a satellite.", "An earthquake hits Sendai, Japan.", "Four Japanese nationals are freed."]
    roles = [float(r[0]) for r in f.mention_roles(texts, f.match(texts))]
    assert roles[0] > 0.5 > max(roles[1:])


def test_role_columns_follow_the_existing_layout_and_belong_to_their_label():
    f = fitted()
    plain = AliasFeatures(aliases=ALIASES, groups=GROUPS).fit()
    X = f.transform(["Russia strikes Kyiv."]).toarray()[0]
    names = list(f.get_feature_names_out())
    assert names[: plain.n_features_out_] == list(plain.get_feature_names_out())
    assert len(names) == f.n_features_out_ == plain.n_features_out_ + 2 * len(ALIASES) + 2 * 3
    rus = list(f.label_columns([3])[0])
    assert [names[c] for c in rus] == ["RUS:count", "RUS:title", "RUS:early", "RUS:lead", "RUS:role", "RUS:role_sum"]
    assert X[f.role_column(3)] > 0.5 and X[names.index("europe:group_role_share")] == pytest.approx(1.0)


def test_the_role_threshold_is_tuned_on_training_data_and_stays_a_probability():
    f = fitted()
    assert 0.05 <= f.role_threshold_ <= 0.95


def test_labels_may_be_an_indicator_matrix_in_alias_order():
    Y = np.array([[lab in y for lab, _ in ALIASES] for y in LABELS], dtype=int)
    a, b = fitted(), AliasFeatures(aliases=ALIASES, groups=GROUPS, roles=True).fit(TEXTS, Y)
    assert np.array_equal(a.transform(TEXTS).toarray(), b.transform(TEXTS).toarray())


def test_roles_without_texts_and_labels_say_what_fit_needs():
    with pytest.raises(ValueError, match=r"needs the texts and their labels: fit\(texts, y\)"):
        AliasFeatures(aliases=ALIASES, roles=True).fit()
    with pytest.raises(ValueError, match="8 texts but 7 label rows"):
        AliasFeatures(aliases=ALIASES, roles=True).fit(TEXTS[:8], LABELS[:7])


def test_mentions_all_of_one_kind_give_every_mention_the_base_rate():
    f = AliasFeatures(aliases=ALIASES, roles=True).fit(["Japan votes.", "Russia votes."], [["JPN"], ["RUS"]])
    assert f.role_model_ is None and f.role_prior_ == 1.0
    assert f.mention_roles(["Japan votes."], f.match(["Japan votes."]))[0].tolist() == [1.0]


def test_role_params_survive_clone_and_a_refit_gives_the_same_features():
    f = fitted(role_C=0.5)
    g = clone(f).fit(TEXTS, LABELS)
    assert g.role_C == 0.5 and np.array_equal(f.transform(TEXTS).toarray(), g.transform(TEXTS).toarray())


def test_fast_role_probabilities_are_the_role_models_own():
    f = fitted()
    texts = ["Japan launches a satellite.", "A storm hits Osaka, Japan, and Seoul.", "Russian nationals leave."]
    contexts = [c for t, m in zip(texts, f.match(texts)) for c in mention_contexts(t, m, 0)]
    fast = np.concatenate(f.mention_roles(texts, f.match(texts)))
    np.testing.assert_allclose(fast, f.role_model_.predict_proba(contexts)[:, 1], rtol=0, atol=1e-12)


def test_only_the_first_mentions_of_a_label_get_a_role_and_the_rest_are_nan():
    f = fitted(role_mentions=2)
    text = "Japan warns Japan, Japan and Russia."
    roles = f.mention_roles([text], f.match([text]))[0]
    assert np.isfinite(roles[[0, 1, 3]]).all() and np.isnan(roles[2])
    every = fitted()
    assert np.isfinite(every.mention_roles([text], every.match([text]))[0]).all()


def test_contexts_see_the_words_around_a_mention_and_a_trailing_location_chain():
    f = AliasFeatures(aliases=ALIASES).fit()
    text = "Three Japanese nationals are hurt in Kyoto, Japan."
    first, second = mention_contexts(text, f.match([text])[0], 0)
    assert first["n1=nationals"] == 1.0 and first["next_lower"] == 1.0
    assert second["p1=,"] == 1.0 and second["chain"] == 1.0 and second["p3=in kyoto ,"] == 1.0


def test_tag_results_give_each_actor_mention_its_role(small_corpus):
    from classifier import Tagger

    tagger = Tagger(random_state=0, mention_roles=True).fit(small_corpus)
    result = tagger.tag("Japan and the United States hold talks in Tokyo.")
    actors = [m for m in result.evidence.aliases if m.facet == "actors"]
    assert actors and all(0.0 <= m.role <= 1.0 for m in actors)
    assert all(m.role is None for m in result.evidence.aliases if m.facet != "actors")
    assert "role" in actors[0].to_dict()


def test_mention_roles_are_off_by_default_and_then_no_mention_has_a_role(tagger_all):
    from classifier import Tagger

    assert Tagger().mention_roles is False
    result = tagger_all.tag("Japan and the United States hold talks in Tokyo.")
    assert all(m.role is None for m in result.evidence.aliases)
    assert all("role" not in m.to_dict() for m in result.evidence.aliases)
