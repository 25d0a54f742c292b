"""`newstag annotate next` through the real command line, with a real model trained for these tests."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from corpus._cli import main

TRAIN_ARTICLES = Path(__file__).resolve().parent.parent / "classifier" / "data" / "train_articles.jsonl"


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory) -> Path:
    """A Tagger fitted on the classifier tests' 33 articles, saved as newstag saves models."""
    from classifier import Tagger
    from corpus import build

    corpus, _ = build([TRAIN_ARTICLES])
    path = tmp_path_factory.mktemp("model") / "m"
    Tagger(random_state=0).fit(corpus).save(path)
    return path


@pytest.fixture
def corpus_dir(small_corpus, tmp_path):
    return small_corpus.save(tmp_path / "corpus")


def test_next_writes_a_batch_file_with_the_model_version_and_why(corpus_dir, model_dir, tmp_path, capsys):
    from annotation import load_predictor

    assert main(["annotate", "next", "--corpus", str(corpus_dir), "--model", str(model_dir), "-n", "2",
                 "--random", "0.5", "-o", str(tmp_path / "batch.json")]) == 0
    batch = json.loads((tmp_path / "batch.json").read_text())
    assert len(batch["ids"]) == 2 and "a4" not in batch["ids"]  # a4 is already labeled
    assert batch["model_version"] == load_predictor(model_dir).model_version
    assert [batch["why"][a]["strategy"] for a in batch["ids"]][0] == "random"
    assert batch["seed"] == 0 and batch["corpus_fingerprint"]
    captured = capsys.readouterr()
    assert "candidates" in captured.out
    assert f"model: {model_dir} (model_version {batch['model_version']})" in captured.err.replace("\n", "")


def test_next_twice_with_the_same_seed_writes_the_same_bytes(corpus_dir, model_dir, tmp_path):
    for name in ("one.json", "two.json"):
        assert main(["annotate", "next", "--corpus", str(corpus_dir), "--model", str(model_dir), "-n", "3",
                     "--seed", "5", "-o", str(tmp_path / name)]) == 0
    assert (tmp_path / "one.json").read_bytes() == (tmp_path / "two.json").read_bytes()


def test_next_with_a_keyword_pool_chooses_only_matching_articles_and_records_the_pattern(
        corpus_dir, model_dir, small_corpus, tmp_path):
    texts = dict(zip(small_corpus.ids, small_corpus.texts()))
    word = next(w for w in ("the", "a", "in") if any(w in t.lower().split() for t in texts.values()))
    pattern = rf"\b{word}\b"
    assert main(["annotate", "next", "--corpus", str(corpus_dir), "--model", str(model_dir), "-n", "50",
                 "--match", pattern, "-o", str(tmp_path / "batch.json")]) == 0
    batch = json.loads((tmp_path / "batch.json").read_text())
    assert batch["ids"] and all(re.search(pattern, texts[a], re.IGNORECASE) for a in batch["ids"])
    assert batch["params"]["match"] == pattern and "no_match" in batch["counts"]


@pytest.mark.parametrize("args, message", [
    (["-n", "0"], "error: the batch size n must be a whole number of at least 1, got 0; e.g. -n 100."),
    (["--random", "1.5"], r"error: the random share \(--random\) must be a number in \[0, 1\], got 1.5; e.g. 0.3 for 30%."),
    (["--before", "March"], "error: --before must be a date YYYY-MM-DD, got 'March'"),
    (["--match", "[drills"], r"error: --match must be a regular expression, got '\[drills'"),
])
def test_next_refuses_bad_arguments_saying_what_was_expected(corpus_dir, model_dir, capsys, args, message):
    assert main(["annotate", "next", "--corpus", str(corpus_dir), "--model", str(model_dir), *args]) == 2
    assert re.search(message, capsys.readouterr().err)


def test_next_with_a_missing_model_says_where_it_looked_and_how_to_train_one(corpus_dir, tmp_path, capsys):
    missing = tmp_path / "no-model"
    assert main(["annotate", "next", "--corpus", str(corpus_dir), "--model", str(missing)]) == 2
    err = capsys.readouterr().err
    assert f"no model at {missing}" in err and "newstag train --corpus DIR" in err


def test_next_with_a_project_but_no_server_address_says_what_to_pass(corpus_dir, model_dir, capsys, monkeypatch):
    monkeypatch.delenv("NEWSTAG_LS_URL", raising=False)
    monkeypatch.delenv("NEWSTAG_LS_TOKEN", raising=False)
    assert main(["annotate", "next", "--corpus", str(corpus_dir), "--model", str(model_dir), "--project", "3"]) == 2
    assert "a Label Studio URL and API token are needed: pass --url and --token" in capsys.readouterr().err


def test_next_refuses_both_an_existing_and_a_new_project(corpus_dir, model_dir, capsys):
    assert main(["annotate", "next", "--corpus", str(corpus_dir), "--model", str(model_dir), "--project", "3",
                 "--project-title", "round 2"]) == 2
    assert "pass --project (an existing project) or --project-title (a new one), not both" in capsys.readouterr().err
