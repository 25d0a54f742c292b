"""Model folders: skops with the reviewed trusted types, the model card, refusal of untrusted files."""

from __future__ import annotations

import json
import logging
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest
import skops.io as sio

from classifier import TRUSTED_TYPES, ModelError, ModelNotFoundError, Tagger, UntrustedModelError, default_model_path
from classifier._persist import untrusted_types
from corpus.models import bundled_model_path


class Sneaky:
    """A type no reviewer has seen: a model file holding it must be refused."""


def test_a_saved_model_loads_back_with_identical_predictions(trained, model_dir, small_corpus):
    loaded = Tagger.load(model_dir)
    texts = small_corpus.texts()
    a, b = trained.predict_proba(texts), loaded.predict_proba(texts)
    for facet in a:
        np.testing.assert_array_equal(a[facet], b[facet])
    assert loaded.get_params() == trained.get_params()
    assert [r.to_dict() for r in loaded.tag_batch(texts[:3])] == [r.to_dict() for r in trained.tag_batch(texts[:3])]


def test_the_same_data_and_seed_give_byte_identical_model_files(trained, tmp_path, monkeypatch, small_corpus,
                                                                small_splits):
    """skops names objects by their memory address and stamps zip entries with the time; the saved file must not
    depend on either, so the card's sha256 names the model, not the moment or the process that wrote it."""
    import time as _time

    trained.save(tmp_path / "a")
    later = _time.time() + 3600
    monkeypatch.setattr(_time, "time", lambda: later)
    monkeypatch.setattr(_time, "localtime", lambda *a: _time.gmtime(later))
    again = Tagger(random_state=0).fit(small_corpus, splits=small_splits)  # the same model, its objects elsewhere
    again.save(tmp_path / "b")
    a, b = (tmp_path / "a" / "model.skops").read_bytes(), (tmp_path / "b" / "model.skops").read_bytes()
    assert a == b
    card = json.loads((tmp_path / "a" / "model_card.json").read_text())
    assert card["model_file"] == json.loads((tmp_path / "b" / "model_card.json").read_text())["model_file"]
    with zipfile.ZipFile(tmp_path / "b" / "model.skops") as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert any(n.endswith(".npy") for n in z.namelist())
    loaded = Tagger.load(tmp_path / "b")  # the renumbered file loads back to the same predictions
    texts = small_corpus.texts()
    for facet, p in trained.predict_proba(texts).items():
        np.testing.assert_array_equal(p, loaded.predict_proba(texts)[facet])


def test_the_same_corpus_in_another_folder_gives_the_same_model_file_and_each_card_names_its_folder(
        small_corpus, small_splits, tmp_path):
    """Where the corpus was read from is provenance for the card, not part of the model: the model file (and the
    card's sha256 of it) depends on the data, the code and the seed only."""
    from corpus import load, load_splits

    shutil.copytree(small_corpus.path, tmp_path / "elsewhere" / "corpus")
    moved = load(tmp_path / "elsewhere" / "corpus")
    Tagger(random_state=0).fit(small_corpus, splits=small_splits).save(tmp_path / "a")
    Tagger(random_state=0).fit(moved, splits=load_splits(moved.path)).save(tmp_path / "b")
    assert (tmp_path / "a" / "model.skops").read_bytes() == (tmp_path / "b" / "model.skops").read_bytes()
    cards = [json.loads((tmp_path / m / "model_card.json").read_text()) for m in ("a", "b")]
    assert cards[0]["model_file"] == cards[1]["model_file"]
    assert [c["training"]["corpus_path"] for c in cards] == [str(small_corpus.path), str(moved.path)]
    assert "corpus_path" not in Tagger.load(tmp_path / "b").training_


def test_the_model_file_needs_no_type_beyond_the_reviewed_list(model_dir):
    found = set(sio.get_untrusted_types(file=str(model_dir / "model.skops")))
    assert found <= set(TRUSTED_TYPES), sorted(found - set(TRUSTED_TYPES))
    assert "sklearn.model_selection._split.PredefinedSplit" in found  # the manifest's folds were used


def test_a_model_with_char_ngrams_and_one_region_needs_no_other_type(tmp_path):
    texts = ["Japan and Korea hold drills.", "Japan tests a missile.", "Seoul meets Tokyo.", "Korea drills."] * 3
    t = Tagger(char_ngram_range=(2, 4), min_df=1, threshold_cv=2).fit(
        texts, {"region": ["asia"] * 12, "themes": [["military_training"], ["missile_nuclear"], ["diplomacy"],
                                                     ["military_training"]] * 3})
    t.save(tmp_path / "m")
    assert untrusted_types(tmp_path / "m" / "model.skops") == []
    assert Tagger.load(tmp_path / "m").predict(texts[:1])["region"] == ["asia"]


def test_a_model_file_holding_an_untrusted_type_is_refused_naming_the_type(trained, tmp_path):
    from sklearn.base import clone

    bad = clone(trained)
    bad.__dict__.update(trained.__dict__)
    bad.hidden_ = Sneaky()
    path = tmp_path / "bad.skops"
    sio.dump(bad, path)
    with pytest.raises(UntrustedModelError, match=r"untrusted type\(s\): tests\.classifier\.test_persist\.Sneaky\.") as exc:
        Tagger.load(path)
    assert exc.value.types == ["tests.classifier.test_persist.Sneaky"]
    assert isinstance(exc.value, ValueError)


def test_the_model_card_records_taxonomy_corpus_split_thresholds_metrics_versions_and_time(model_dir, trained,
                                                                                          small_corpus, small_splits):
    card = json.loads((model_dir / "model_card.json").read_text())
    assert card["taxonomy"]["hash"] == small_corpus.taxonomy.hash
    assert card["training"]["corpus_fingerprint"] == small_corpus.fingerprint
    s = card["training"]["splits"]
    assert s["counts"] == {k: len(v) for k, v in small_splits.ids.items()} and s["seed"] == small_splits.seed
    assert set(s["ids_sha256"]) == {"train", "eval"}
    assert set(card["heads"]["themes"]["thresholds"]) == set(trained.head_labels_["themes"])
    assert card["heads"]["actors"]["acting_model"]["labels"] == len(trained.rule_labels_)  # acting_words: every label
    assert {"scikit-learn", "numpy", "skops", "python"} <= set(card["versions"])
    assert card["training"]["seconds"] > 0 and card["training"]["random_state"] == 0
    assert card["model_file"]["name"] == "model.skops"
    md = (model_dir / "model_card.md").read_text()
    assert "# newstag model card" in md and small_corpus.fingerprint in md
    assert (model_dir / "taxonomy.toml").read_text() == small_corpus.taxonomy_text


def test_save_with_metrics_puts_them_in_both_cards(trained, small_corpus, small_splits, tmp_path):
    from classifier import evaluate

    report = evaluate(trained, small_corpus, "eval", small_splits)
    trained.save(tmp_path / "m", metrics=report.summary())
    card = json.loads((tmp_path / "m" / "model_card.json").read_text())
    assert card["metrics"]["facets"]["region"]["model"]["micro_f1"] == round(report.facets["region"].systems["model"].micro_f1, 4)
    md = (tmp_path / "m" / "model_card.md").read_text()
    assert "## Evaluation" in md and "| region | model |" in md
    assert card["reliability_plot"] == "reliability.png" and (tmp_path / "m" / "reliability.png").is_file()
    assert "![reliability diagram](reliability.png)" in md


def test_a_replaced_model_file_is_detected_by_the_cards_hash(model_dir, tmp_path):
    import shutil

    copy = tmp_path / "m"
    shutil.copytree(model_dir, copy)
    with zipfile.ZipFile(copy / "model.skops", "a") as z:
        z.writestr("extra.txt", "tampered")
    with pytest.raises(ModelError, match="sha256 differs from the one in model_card.json"):
        Tagger.load(copy)


def test_loading_where_there_is_no_model_says_how_to_train_one(tmp_path, monkeypatch):
    with pytest.raises(ModelNotFoundError, match=r"no model at .*nothing; give a model folder, or train one with "
                                                 r"`newstag train.*`make main`"):
        Tagger.load(tmp_path / "nothing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelNotFoundError, match="no model.skops in this folder"):
        Tagger.load(tmp_path / "empty")


def test_newstag_model_naming_a_missing_folder_is_an_error_that_names_the_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSTAG_MODEL", str(tmp_path / "default-here"))
    with pytest.raises(ModelNotFoundError, match=r"\$NEWSTAG_MODEL is set to .*default-here, but there is no model "
                                                 r"there.*unset it to use ./models/default or the bundled"):
        Tagger.load()
    with pytest.raises(ModelNotFoundError, match="default-here"):
        default_model_path()


def test_load_without_a_path_takes_newstag_model_first(model_dir, tmp_path, monkeypatch, caplog):
    monkeypatch.chdir(tmp_path)
    shutil.copytree(model_dir, tmp_path / "models" / "default")  # a local model too: the variable wins
    monkeypatch.setenv("NEWSTAG_MODEL", str(model_dir))
    with caplog.at_level(logging.INFO, logger="classifier"):
        tagger = Tagger.load()
    assert (tagger.source_.kind, tagger.source_.path) == ("env", model_dir)
    assert f"loaded $NEWSTAG_MODEL = {model_dir} (newstag " in caplog.text


def test_load_without_a_path_takes_models_default_of_the_current_folder_next(model_dir, tmp_path, monkeypatch):
    monkeypatch.delenv("NEWSTAG_MODEL", raising=False)
    monkeypatch.chdir(tmp_path)
    shutil.copytree(model_dir, tmp_path / "models" / "default")
    tagger = Tagger.load()
    assert tagger.source_.kind == "local"
    assert tagger.source_.summary().startswith("local model models/default (newstag ")
    assert default_model_path() == Path("models/default")


def test_a_broken_models_default_is_reported_not_passed_over_for_the_bundled_model(tmp_path, monkeypatch):
    monkeypatch.delenv("NEWSTAG_MODEL", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "models" / "default").mkdir(parents=True)
    with pytest.raises(ModelNotFoundError, match="models/default: no model.skops in this folder"):
        Tagger.load()


@pytest.mark.skipif(bundled_model_path() is None, reason="no bundled model in this checkout: run `make bundle-model`")
def test_load_without_a_path_elsewhere_takes_the_bundled_model_and_says_so(tmp_path, monkeypatch, caplog,
                                                                         seed_article):
    monkeypatch.delenv("NEWSTAG_MODEL", raising=False)
    monkeypatch.chdir(tmp_path)
    with caplog.at_level(logging.INFO, logger="classifier"):
        tagger = Tagger.load()
    assert tagger.source_.kind == "bundled"
    assert tagger.source_.path == bundled_model_path()
    assert "loaded bundled default model (newstag 0.1.0, model_version " in caplog.text
    tags = tagger.tag(seed_article)
    assert tags.labels("region") == "asia"
    assert {"USA", "JPN", "KOR"} <= set(tags.labels("actors"))


def test_where_a_model_was_loaded_from_is_not_saved_with_it(model_dir, tmp_path):
    loaded = Tagger.load(model_dir)
    assert loaded.source_.kind == "path"
    again = Tagger.load(loaded.save(tmp_path / "again"))  # would be refused if the source were in the file
    assert again.source_.path == tmp_path / "again"
    assert "source_" not in loaded.__getstate__()


def test_a_file_that_is_not_a_skops_model_is_refused(tmp_path):
    f = tmp_path / "model.skops"
    f.write_bytes(b"not a zip")
    with pytest.raises(ModelError, match="not a readable skops model file"):
        Tagger.load(f)


def test_an_unfitted_tagger_cannot_be_saved(tmp_path):
    with pytest.raises(ModelError, match="cannot save an unfitted Tagger"):
        Tagger().save(tmp_path / "m")


def test_saving_over_a_model_switches_in_a_whole_new_folder(trained, tmp_path):
    trained.save(tmp_path / "m")
    inode = (tmp_path / "m").stat().st_ino
    trained.save(tmp_path / "m")
    assert (tmp_path / "m").stat().st_ino != inode and Tagger.load(tmp_path / "m").heads_
    assert sorted(p.name for p in tmp_path.iterdir()) == [".m.lock", "m"]


def test_saving_a_model_over_a_folder_that_is_not_a_model_folder_is_refused(trained, tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.txt").write_text("mine")
    with pytest.raises(ModelError, match=r"notes: this folder is not empty \(1 entries: todo.txt\) and is not a model "
                                         r"folder newstag wrote"):
        trained.save(tmp_path / "notes")
    assert (tmp_path / "notes" / "todo.txt").read_text() == "mine"


def test_saving_a_model_to_a_file_path_is_a_model_error(trained, tmp_path):
    (tmp_path / "m.bin").write_text("mine")
    with pytest.raises(ModelError, match=r"m.bin: -o names a file, not a folder"):
        trained.save(tmp_path / "m.bin")


def test_a_corrupt_model_card_is_a_model_error_saying_what_to_do(trained, tmp_path):
    trained.save(tmp_path / "m")
    (tmp_path / "m" / "model_card.json").write_text('{"model_file": ')
    with pytest.raises(ModelError, match=r"model_card.json:1: the model card is not valid JSON .*retrain the model"):
        Tagger.load(tmp_path / "m")


def test_a_vocabulary_word_named_like_a_skops_field_keeps_the_model_file_reproducible(tmp_path):
    """A dict key "file" or "__id__" (a word of a tf-idf vocabulary) is data: its node gets a canonical id too."""
    from classifier._persist import _canonical_skops

    a = {"file": [1.5], "__id__": {"x": [2.5]}, "words": ["file", "__id__"]}
    b = {"file": [1.5], "__id__": {"x": [2.5]}, "words": ["file", "__id__"]}  # equal, at other addresses
    assert _canonical_skops(sio.dumps(a)) == _canonical_skops(sio.dumps(b))
    assert sio.loads(_canonical_skops(sio.dumps(a)), trusted=[]) == a


def _all_state(est) -> dict:
    """Every estimator in a fitted Tagger (itself, its feature parts, its heads) -> the names in its __dict__."""
    out = {"tagger": set(est.__dict__)}
    for name, part in est.features_.transformer_list:
        out[name] = set(part.__dict__)
        for sub_name, sub in getattr(part, "transformer_list", []):
            out[f"{name}/{sub_name}"] = set(sub.__dict__)
    for facet, head in est.heads_.items():
        out[f"head {facet}"] = set(head.__dict__)
    return out


def test_saving_a_model_leaves_the_fitted_tagger_as_it_was(small_corpus, small_splits, tmp_path):
    # __getstate__ must hand back a copy: object.__getstate__ gives the live __dict__, and popping the caches from
    # it dropped them from the model in use (its alias matcher, acting tables, tf-idf index, a head's coefficients)
    tagger = Tagger(random_state=0).fit(small_corpus, splits=small_splits)
    texts = small_corpus.texts()
    tagger.predict(texts)
    list(tagger.tag_batch(texts))  # every cache filled
    before = _all_state(tagger)
    tagger.save(tmp_path / "m")
    assert _all_state(tagger) == before
