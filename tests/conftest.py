"""Shared fixtures. Tests never write outside tmp_path or the repository's .cache folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
SEED_ARTICLE = ROOT / "seeds" / "000_de4c56d6e12b58d7.txt"

# datasets / huggingface_hub: never touch the network or the home directory from tests.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("HF_HOME", str(ROOT / ".cache" / "huggingface"))
os.environ.setdefault("MPLBACKEND", "Agg")


def shared_data_dir(name: str) -> Path:
    """``../shared/data/<name>``; skip when absent on a user's machine, fail when CI is set."""
    path = SHARED_DATA / name
    if not path.exists():
        reason = f"{path} is absent: the real corpora live in ../shared/data beside the repository"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}, and CI is set, so this test must run, not skip.")
        pytest.skip(reason)
    return path


@pytest.fixture
def seed_article_path() -> Path:
    return SEED_ARTICLE


@pytest.fixture(scope="session")
def taxonomy():
    from corpus import load_taxonomy

    return load_taxonomy()


SMALL_ARTICLES = ROOT / "tests" / "classifier" / "data" / "train_articles.jsonl"


@pytest.fixture(scope="session")
def small_model(tmp_path_factory):
    """``(model folder, corpus folder)``: a Tagger (seed 0) fitted on all 33 articles of tests/classifier/data,
    for the tests that serve a model (the ML backend). Shared: tests must not write into these folders."""
    from classifier import Tagger
    from corpus import build

    tmp = tmp_path_factory.mktemp("small-model")
    corpus, report = build([SMALL_ARTICLES], output=tmp / "corpus")
    assert not report.rejections
    Tagger(random_state=0).fit(corpus).save(tmp / "model")
    return tmp / "model", tmp / "corpus"
