"""The model lookup (corpus.models): explicit path, $NEWSTAG_MODEL, ./models/default, the bundled model; and
``newstag --version``, which reports what the lookup finds. Only files are read here, never a model."""

from __future__ import annotations

import hashlib
import json

import pytest

from corpus import CorpusError, ModelSource, find_model
from corpus import models
from corpus._cli import main


def _model_folder(path, *, sha="ab" * 32, **training):
    """A folder that looks like a model folder to the lookup: a model file and a card."""
    path.mkdir(parents=True)
    (path / "model.skops").write_bytes(b"not read by the lookup")
    card = {"versions": {"newstag": "0.1.0"}, "model_file": {"name": "model.skops", "sha256": sha},
            "training": {"articles": 12, "corpus_fingerprint": "f" * 64, **training}}
    (path / "model_card.json").write_text(json.dumps(card))
    return path


@pytest.fixture
def elsewhere(tmp_path, monkeypatch):
    """An empty current folder and no $NEWSTAG_MODEL."""
    monkeypatch.delenv("NEWSTAG_MODEL", raising=False)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


def test_an_explicit_path_is_taken_as_given(elsewhere, tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSTAG_MODEL", str(_model_folder(tmp_path / "env")))
    source = find_model(tmp_path / "given")
    assert source == ModelSource("path", tmp_path / "given")
    assert source.describe() == str(tmp_path / "given")


def test_newstag_model_comes_before_models_default(elsewhere, tmp_path, monkeypatch):
    _model_folder(elsewhere / "models" / "default")
    monkeypatch.setenv("NEWSTAG_MODEL", str(_model_folder(tmp_path / "env")))
    source = find_model()
    assert (source.kind, source.path) == ("env", tmp_path / "env")
    assert source.summary() == (f"$NEWSTAG_MODEL = {tmp_path / 'env'} (newstag 0.1.0, model_version abababababab, "
                                f"trained on 12 articles (corpus ffffffffffff))")


def test_newstag_model_naming_nothing_is_an_error_that_says_what_to_do(elsewhere, tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSTAG_MODEL", str(tmp_path / "missing"))
    with pytest.raises(CorpusError, match=r"\$NEWSTAG_MODEL is set to .*missing, but there is no model there\. "
                                          r"Point it at a model folder .* or unset it"):
        find_model()


def test_models_default_of_the_current_folder_comes_before_the_bundled_model(elsewhere):
    _model_folder(elsewhere / "models" / "default")
    source = find_model()
    assert (source.kind, str(source.path)) == ("local", "models/default")
    assert source.describe() == "local model models/default"


def test_the_bundled_model_comes_last(elsewhere, monkeypatch, tmp_path):
    pkg = tmp_path / "site" / "fakepkg"
    _model_folder(pkg / "bundled")
    (pkg / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.setattr(models, "BUNDLE_PACKAGE", "fakepkg")
    source = find_model()
    assert (source.kind, source.path) == ("bundled", pkg / "bundled")
    assert source.summary().startswith("bundled default model (newstag 0.1.0, model_version abababababab, ")


def test_no_model_anywhere_tells_a_pip_user_and_a_repository_user_what_to_do(elsewhere, monkeypatch):
    monkeypatch.setattr(models, "BUNDLE_PACKAGE", "corpus")  # a package with no bundled/ folder
    with pytest.raises(CorpusError, match=r"no model found: \$NEWSTAG_MODEL is not set, there is no ./models/default "
                                          r"here, and this install has no bundled default model\. Installed with pip: "
                                          r"reinstall newstag .* In the repository: run `make main`.*make bundle-model"):
        find_model()


def test_the_lookup_raises_the_error_class_it_is_given(elsewhere, monkeypatch, tmp_path):
    class Missing(CorpusError):
        pass

    monkeypatch.setenv("NEWSTAG_MODEL", str(tmp_path / "missing"))
    with pytest.raises(Missing, match="NEWSTAG_MODEL"):
        find_model(error=Missing)


def test_the_model_version_is_hashed_from_the_file_when_the_card_lacks_it(tmp_path):
    folder = _model_folder(tmp_path / "m")
    (folder / "model_card.json").write_text("{}")
    assert models.model_version(folder) == hashlib.sha256(b"not read by the lookup").hexdigest()[:12]


def test_the_training_data_phrase_names_each_source_folder_with_its_licence():
    card = {"training": {"articles": 1596},
            "training_data": {"folders": [{"folder": "seeds/news", "articles": 1386, "licence": "CC BY-SA 4.0"},
                                          {"folder": "seeds/starter", "articles": 210, "licence": None}]}}
    assert models.training_data(card) == "1596 articles of seeds/news (1386, CC BY-SA 4.0), seeds/starter (210)"


def test_the_training_data_phrase_names_corpora_and_licence_when_the_card_has_them():
    card = {"training": {"articles": 5, "corpus_fingerprint": "0123456789abcdef"},
            "training_data": {"corpora": ["starter", {"name": "news"}], "licence": "CC BY-SA 4.0"}}
    assert models.training_data(card) == "5 articles of starter, news (corpus 0123456789ab, licence CC BY-SA 4.0)"
    assert models.training_data({}) == ""


def test_version_prints_the_package_version_and_the_model_the_lookup_finds(elsewhere, capsys):
    _model_folder(elsewhere / "models" / "default")
    assert main(["--version"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == ["newstag 0.1.0", "model: local model models/default (newstag 0.1.0, model_version abababababab, "
                                    "trained on 12 articles (corpus ffffffffffff))"]


def test_version_without_any_model_says_why_and_still_prints_the_version(elsewhere, monkeypatch, capsys):
    monkeypatch.setattr(models, "BUNDLE_PACKAGE", "corpus")
    assert main(["--version"]) == 0
    out = capsys.readouterr().out.replace("\n", " ")
    assert out.startswith("newstag 0.1.0 model: none (no model found: ")
