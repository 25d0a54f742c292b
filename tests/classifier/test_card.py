"""The model card answers a reviewer: intended use, limitations, training data and licence, evaluation on the
held-out split beside the baselines, calibration (classifier._card, written by `newstag train`)."""

from __future__ import annotations

import json

import pytest

from classifier._card import _attribution, training_data_summary
from corpus._cli import main

SECTIONS = ["# newstag model card", "## Intended use", "## Out-of-scope uses", "## Limitations", "## Training data",
            "## Evaluation", "## Calibration", "## Technical details"]


@pytest.fixture(scope="module")
def trained_dir(corpus_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("card") / "model"
    assert main(["train", "--corpus", str(corpus_dir), "-o", str(out), "--seed", "0"]) == 0
    return out


def test_a_trained_models_card_has_every_section_a_reviewer_asks_for_in_order(trained_dir):
    md = (trained_dir / "model_card.md").read_text()
    at = [md.index(s) for s in SECTIONS]
    assert at == sorted(at)
    assert "![reliability diagram](reliability.png)" in md and (trained_dir / "reliability.png").is_file()
    assert "plain scikit-learn pipeline" in md and "alias rules only" in md and "majority baseline" in md


def test_the_card_describes_the_plain_pipeline_it_was_compared_with_as_it_is(trained_dir):
    from classifier._baseline import plain_pipeline

    md = (trained_dir / "model_card.md").read_text()
    baselines = md.split("## Evaluation")[1].split("| facet |")[0]
    steps = [type(s).__name__ for _, s in plain_pipeline(True).steps]
    assert steps == ["TfidfVectorizer", "OneVsRestClassifier"] and "tf-idf + LinearSVC" in baselines
    assert "per-label thresholds from cross-validation" in baselines and "logistic regression" not in baselines


def test_the_card_names_the_training_data_folder_its_size_and_the_rarest_labels_with_their_counts(trained_dir):
    card = json.loads((trained_dir / "model_card.json").read_text())
    data = card["training_data"]
    assert data["split"] == "train" and data["articles"] == card["training"]["articles"]
    (folder,) = data["folders"]  # the corpus was built from one absolute file path: the card keeps no machine path
    assert folder["articles"] == data["articles"] and folder["median_words"] > 10
    assert folder["folder"] in ("tests/classifier/data", "data") and folder["licence"] is None
    themes = card["label_counts"]["themes"]
    rarest = sorted(themes.items(), key=lambda kv: (kv[1], kv[0]))[0]
    md = (trained_dir / "model_card.md").read_text()
    assert f"{rarest[0]} {rarest[1]}" in md.split("## Limitations")[1].split("## Training data")[0]
    assert card["intended_use"] and len(card["out_of_scope"]) >= 3
    assert set(card["metrics"]["calibration"]) == {"region", "themes", "actors"}


def test_the_card_is_the_same_for_the_same_corpus_and_seed_but_the_training_time_and_model_hash(corpus_dir, trained_dir,
                                                                                                 tmp_path):
    assert main(["train", "--corpus", str(corpus_dir), "-o", str(tmp_path / "m"), "--seed", "0"]) == 0

    def stable(text):
        return [line for line in text.splitlines() if "trained " not in line and "model file" not in line]

    assert stable((tmp_path / "m" / "model_card.md").read_text()) == stable((trained_dir / "model_card.md").read_text())
    assert (tmp_path / "m" / "reliability.png").read_bytes() == (trained_dir / "reliability.png").read_bytes()


def test_a_folder_with_an_attribution_file_gives_its_licence_and_source(tmp_path, monkeypatch):
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "ATTRIBUTION.md").write_text(
        "Summaries from Wikipedia's [Portal:Current events](https://en.wikipedia.org/wiki/Portal:Current_events), "
        "licensed under the [Creative Commons Attribution-ShareAlike 4.0 International licence (CC BY-SA 4.0)]"
        "(https://creativecommons.org/licenses/by-sa/4.0/).\n")
    monkeypatch.chdir(tmp_path)
    portal = "Portal:Current events (https://en.wikipedia.org/wiki/Portal:Current_events)"
    assert _attribution("news") == {"attribution": "news/ATTRIBUTION.md", "licence": "CC BY-SA 4.0", "origin": portal}
    assert _attribution("elsewhere") == {"attribution": None, "licence": None, "origin": None, "datasheet": None}


def test_a_folder_without_an_attribution_file_points_at_its_datasheet(monkeypatch):
    from ..conftest import ROOT

    monkeypatch.chdir(ROOT)
    assert _attribution("seeds/starter") == {"attribution": None, "licence": None, "origin": None,
                                             "datasheet": "seeds/README.md"}


def test_the_committed_news_items_are_named_as_cc_by_sa(monkeypatch):
    from ..conftest import ROOT

    monkeypatch.chdir(ROOT)
    assert _attribution("seeds/news")["licence"] == "CC BY-SA 4.0"


def test_training_data_summary_counts_the_split_it_is_asked_for(small_corpus, small_splits):
    data = training_data_summary(small_corpus, small_splits, "eval")
    assert data["articles"] == len(small_splits.ids["eval"]) and data["split_method"] == small_splits.method
