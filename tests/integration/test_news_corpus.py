"""The committed real news corpus (seeds/news): what its datasheet and the README say of it holds."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import ROOT

pytestmark = [pytest.mark.integration, pytest.mark.slow]
NEWS = ROOT / "seeds" / "news"


@pytest.fixture(scope="module")
def news_corpus(tmp_path_factory):
    from annotation import import_annotations
    from corpus import build

    out = tmp_path_factory.mktemp("news") / "corpus"
    build([NEWS / "items.jsonl"], output=out)
    corpus, report = import_annotations(NEWS / "label-studio-export.json", out, strict=True)
    return corpus, report


def test_every_item_has_two_annotators_and_every_disagreement_a_ground_truth(news_corpus):
    corpus, report = news_corpus
    rows = [json.loads(line) for line in (NEWS / "items.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(corpus) == corpus.n_labeled == len(rows) >= 1500
    assert f"{len(rows):,} real news items" in (NEWS / "README.md").read_text(encoding="utf-8")  # the datasheet's count
    assert sum(r["selection"] == "random" for r in rows) * 3 >= len(rows)  # at least a third at random
    assert len({r["round"] for r in rows if r["selection"] == "active"}) >= 5
    for entries in corpus.dataset["annotations"]:
        raters = {e["annotator"] for e in entries if not e["ground_truth"]}
        assert len(raters) == 2
        by = {}
        for e in entries:
            by.setdefault(e["annotator"], {})[e["facet"]] = sorted(e["labels"])
        independent = [v for k, v in by.items() if k in raters]
        if independent[0] != independent[1]:
            assert any(e["ground_truth"] for e in entries)
    assert not any(corpus.dataset["needs_adjudication"])


def test_the_agreement_the_datasheet_and_the_readme_quote_is_the_agreement_code_s(news_corpus):
    from annotation import agreement

    corpus, _ = news_corpus
    alpha = {f: a.alpha.value for f, a in agreement(corpus).facets.items()}
    sheet = (NEWS / "README.md").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for facet in ("region", "themes", "actors"):
        assert re.search(rf"\\| {facet} \\| {alpha[facet]:.3f}", sheet), (facet, alpha[facet])
    quoted = re.search(r"alpha ([0-9.]+) / ([0-9.]+) / ([0-9.]+)", readme).groups()
    assert tuple(f"{alpha[f]:.2f}" for f in ("region", "themes", "actors")) == quoted


def test_a_conventions_review_s_confirmations_are_the_ground_truth_of_the_items_it_read(news_corpus):
    """tools/news/label.py review/confirm: each confirmation is posted as the item's ground truth, so the corpus holds
    it — the latest review's, where a later review re-read an item (review4 undid review1's election actors under rule
    22); a review's record names the rounds it read, and only their items were confirmed."""
    from tools.news.label import review_order

    corpus, _ = news_corpus
    labels = ROOT / "tools" / "news" / "labels"
    reviews = sorted(labels.glob("review*.json"), key=lambda p: review_order(p.stem))
    assert reviews, "the datasheet describes a conventions review"
    by_id = dict(zip(corpus.ids, range(len(corpus))))
    facets = {f: corpus.labels(f) for f in ("region", "themes", "actors")}
    meta = [json.loads(m) for m in corpus.dataset["meta"]]
    latest = {}
    for path in reviews:
        record = json.loads(path.read_text(encoding="utf-8"))
        confirmed = [json.loads(x) for x in (labels / f"{path.stem}-adjudicator.jsonl").read_text().splitlines()]
        flags = [json.loads(x) for k in range(record["shares"])
                 for x in (labels / f"{path.stem}-flags-{k}.jsonl").read_text().splitlines() if x.strip()]
        assert sorted(c["item"] for c in confirmed) == sorted(f["item"] for f in flags)
        for c in confirmed:
            assert meta[by_id[c["item"]]]["round"] in record["rounds"]
            latest[c["item"]] = c
    for item, c in latest.items():
        i = by_id[item]
        got = {f: facets[f][i] for f in facets}
        assert got["region"] == c["region"] and sorted(got["themes"]) == sorted(c["themes"]) \
            and sorted(got["actors"]) == sorted(c["actors"]), (item, got, c)
