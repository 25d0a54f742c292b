"""An article not annotated for a facet is left out of that facet's head only, in training and evaluation."""

from __future__ import annotations

import json

import pytest

from .conftest import TRAIN_ARTICLES

UNANNOTATED = 12  # the first articles of the file lose their themes: not annotated, not "no theme"


@pytest.fixture(scope="module")
def partly_annotated(tmp_path_factory):
    from corpus import build, make_splits

    records = [json.loads(line) for line in TRAIN_ARTICLES.read_text(encoding="utf-8").splitlines() if line.strip()]
    for r in records[:UNANNOTATED]:
        del r["themes"]
    folder = tmp_path_factory.mktemp("partly")
    src = folder / "articles.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    corpus, _ = build([src], output=folder / "corpus")
    splits = make_splits(corpus, {"train": 0.8, "eval": 0.2}, seed=0, folds=3)
    return corpus, splits


def test_training_data_marks_an_unannotated_facet_as_none_and_keeps_the_article_for_the_others(partly_annotated):
    from classifier._tagger import training_data

    corpus, _ = partly_annotated
    data = training_data(corpus)
    assert len(data.texts) == len(corpus) == 33
    assert sum(v is None for v in data.labels["themes"]) == UNANNOTATED
    assert all(v is not None for v in data.labels["actors"]) and all(v is not None for v in data.labels["region"])


def test_fitting_and_evaluating_count_only_the_annotated_articles_of_each_facet(partly_annotated):
    from classifier import Tagger, evaluate

    corpus, splits = partly_annotated
    tagger = Tagger(random_state=0).fit(corpus, splits=splits)
    assert "themes" in tagger.heads_
    report = evaluate(tagger, corpus, "eval", splits)
    eval_rows = [corpus.ids.index(a) for a in splits.ids["eval"]]
    annotated = corpus.annotated("themes")
    assert report.facets["themes"].articles == sum(annotated[i] for i in eval_rows) < len(eval_rows)
    assert report.facets["actors"].articles == len(eval_rows)


def test_the_acting_model_learns_from_the_articles_annotated_for_actors_only(tmp_path):
    """An article nobody annotated for actors is not an article without actors: the acting model (which decides
    the actors) must not learn its mentioned states as "merely mentioned". Fitted on a corpus whose first articles
    lost their actors, it is the acting model of the corpus without those articles."""
    from classifier import Tagger
    from corpus import build

    records = [json.loads(line) for line in TRAIN_ARTICLES.read_text(encoding="utf-8").splitlines() if line.strip()]
    partly = [dict(r) for r in records]
    for r in partly[:UNANNOTATED]:
        del r["actors"]
    corpora = []
    for name, rows in (("partly", partly), ("rest", records[UNANNOTATED:])):
        src = tmp_path / f"{name}.jsonl"
        src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        corpora.append(build([src], output=tmp_path / name)[0])
    a, b = (Tagger(random_state=0).fit(c).alias_features("actors") for c in corpora)
    assert a.acting_vocabulary_ == b.acting_vocabulary_
    assert a.acting_coef_.tolist() == b.acting_coef_.tolist()
    assert a.acting_threshold_ == b.acting_threshold_
