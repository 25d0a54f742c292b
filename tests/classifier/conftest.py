"""Fixtures of the classifier tests: a small labeled corpus written for these tests (33 short articles
in tests/classifier/data, none of them the seed article), its split, and taggers fitted once per session.

Session-scoped taggers are shared: tests must not change them (clone or refit instead).
"""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data"
TRAIN_ARTICLES = DATA / "train_articles.jsonl"

# A tiny alias table for the estimator tests: label id -> names (the first is the display name).
ALIASES = (
    ("USA", ("United States", "US", "Washington", "American")),
    ("JPN", ("Japan", "Tokyo", "Japanese")),
    ("KOR", ("South Korea", "Seoul", "South Korean")),
    ("RUS", ("Russia", "Moscow", "Russian")),
)
GROUPS = (("USA", "americas"), ("JPN", "asia"), ("KOR", "asia"), ("RUS", "europe"))


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory) -> Path:
    """The small corpus, built and split (80/20, seed 0, 3 folds) into a session temp folder."""
    from corpus import build, make_splits

    out = tmp_path_factory.mktemp("corpus") / "small"
    corpus, report = build([TRAIN_ARTICLES], output=out)
    assert not report.rejections
    make_splits(corpus, {"train": 0.8, "eval": 0.2}, seed=0, folds=3).save(out)
    return out


@pytest.fixture(scope="session")
def small_corpus(corpus_dir):
    from corpus import load

    return load(corpus_dir)


@pytest.fixture(scope="session")
def small_splits(corpus_dir):
    from corpus import load_splits

    return load_splits(corpus_dir)


@pytest.fixture(scope="session")
def trained(small_corpus, small_splits):
    """A Tagger fitted on the train split (thresholds tuned on the manifest's folds)."""
    from classifier import Tagger

    return Tagger(random_state=0).fit(small_corpus, splits=small_splits)


@pytest.fixture(scope="session")
def tagger_all(small_corpus):
    """A Tagger fitted on all 33 articles (still without the seed article)."""
    from classifier import Tagger

    return Tagger(random_state=0).fit(small_corpus)


@pytest.fixture(scope="session")
def model_dir(trained, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("model") / "m"
    trained.save(path)
    return path


@pytest.fixture(scope="session")
def seed_article():
    from corpus import read_file

    from ..conftest import SEED_ARTICLE

    return read_file(SEED_ARTICLE).articles[0]


# Made-up items for the acting and mention-role models: the state that acts is the subject or has a government
# word after it; a state after "in ..., " or before "nationals" is merely mentioned.
_ACTS = [
    ("Russia strikes a port in Odesa.", ["RUS"]),
    ("The Japanese government announces new export controls.", ["JPN"]),
    ("South Korea deploys troops to the border.", ["KOR"]),
    ("The United States imposes tariffs.", ["USA"]),
]
_MENTIONED = [
    ("Three American nationals die in a bus crash in Lima.", []),
    ("A storm hits Nagoya, Japan.", []),
    ("A fire destroys a market in Busan, South Korea.", []),
    ("Two Russian nationals are hurt in a crash.", []),
]
ACTING_TEXTS = [t for t, _ in (_ACTS + _MENTIONED) * 3]
ACTING_LABELS = [y for _, y in (_ACTS + _MENTIONED) * 3]
