"""The tagger on the starter corpus (seeds/, labeled through Label Studio): trained without the seed
article, it still tags the seed article as the annotation guide does."""

from __future__ import annotations

import pytest

from corpus._cli import main

from ..conftest import ROOT, SEED_ARTICLE


@pytest.fixture(scope="module")
def starter(tmp_path_factory):
    from corpus import load

    out = tmp_path_factory.mktemp("starter") / "corpus"
    assert main(["corpus", "build", str(ROOT / "seeds"), "-o", str(out)]) == 0
    assert main(["annotate", "import", str(ROOT / "seeds" / "label-studio-export.json"), "--corpus", str(out),
                 "--strict"]) == 0
    return load(out)


def test_trained_on_the_starter_corpus_without_it_the_seed_article_gets_its_region_actors_and_themes(starter):
    from classifier import Tagger
    from corpus import article_id, read_file

    seed = read_file(SEED_ARTICLE).articles[0]
    seed_id = article_id(seed.title, seed.body)
    train = [i for i, ok in zip(starter.ids, starter.dataset["labeled"]) if ok and i != seed_id]
    assert len(train) >= 150
    result = Tagger(random_state=0).fit(starter, splits={"train": train}).tag(seed)
    assert result.region.label == "asia"
    assert {"USA", "JPN", "KOR"} <= set(result.labels("actors"))
    assert {"military_training", "deterrence"} <= set(result.labels("themes"))
    assert not {"RUS", "AUS", "IND"} & set(result.labels("actors"))  # only mentioned
