"""Tag output stays byte-identical across refactors: the full ``tag_batch`` output (labels, scores,
sources, evidence terms and weights, alias matches; floats at full precision) of two models is compared
with the SHA-256 recorded in ``golden/tag_output.json``.

- ``starter``: the model the main job trained before the real news items: corpus from seeds/starter and the seed article, labels from
  seeds/label-studio-export.json, split 0.8/0.2 seed 0, ``newstag train --seed 0``; it tags every
  article of that corpus.
- ``wikipedia_4000``: a Tagger (defaults, seed 0) fitted on the first 4,000 events of the Wikipedia
  Current events portal (../shared/data); it tags the next 1,000.

A change in behaviour belongs in a commit of its own that says so and refreshes the golden files:
``NEWSTAG_UPDATE_GOLDEN=1 pytest tests/integration/test_tag_output_stable.py``.
"""

from __future__ import annotations

import hashlib
import json
import os
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from ..conftest import ROOT, shared_data_dir

GOLDEN = Path(__file__).resolve().parent / "golden"
DIGESTS = GOLDEN / "tag_output.json"
SAMPLE_SIZE = 3
WIKI_TRAIN, WIKI_TAGGED = 4000, 1000


def canonical(results) -> list[dict]:
    """Every field of each TagResult, floats unrounded (``json`` writes them with ``repr``)."""

    def tags(v):
        if v is None:
            return None
        if hasattr(v, "label"):
            return [v.label, float(v.score), v.source]
        return [[s.label, float(s.score), s.source] for s in v]

    out = []
    for r in results:
        rec = {"id": r.id, "tags": {f: tags(v) for f, v in r.tags.items()}}
        if r.evidence is not None:
            rec["terms"] = {f: {lab: [[t.term, float(t.weight)] for t in ts] for lab, ts in labs.items()}
                            for f, labs in r.evidence.terms.items()}
            rec["aliases"] = [[m.facet, m.label, m.text, m.start, m.end] for m in r.evidence.aliases]
        out.append(rec)
    return out


def digest(records: list[dict]) -> str:
    text = json.dumps(records, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check(name: str, records: list[dict]) -> None:
    got = {"sha256": digest(records), "results": len(records)}
    sample = GOLDEN / f"{name}_sample.json"
    if os.environ.get("NEWSTAG_UPDATE_GOLDEN"):
        GOLDEN.mkdir(exist_ok=True)
        known = json.loads(DIGESTS.read_text(encoding="utf-8")) if DIGESTS.is_file() else {}
        known[name] = got
        DIGESTS.write_text(json.dumps(known, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        sample.write_text(json.dumps(records[:SAMPLE_SIZE], ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    expected = json.loads(DIGESTS.read_text(encoding="utf-8"))[name]
    if got != expected:
        shown = json.loads(sample.read_text(encoding="utf-8"))
        first = next((i for i, (a, b) in enumerate(zip(shown, records)) if a != b), None)
        detail = f"; result {first} differs from the sample: {records[first]}" if first is not None else ""
        pytest.fail(f"{name}: tag output changed ({got} != {expected}){detail}")


def newstag(*args: str) -> None:
    (main,) = entry_points(group="console_scripts", name="newstag")
    assert main.load()([str(a) for a in args]) == 0, f"newstag {' '.join(map(str, args))} failed"


def test_the_starter_model_tags_its_corpus_exactly_as_before(tmp_path):
    from classifier import load_model
    from corpus import load

    corpus_dir, model_dir = tmp_path / "corpus", tmp_path / "model"
    newstag("corpus", "build", ROOT / "seeds" / "starter", ROOT / "seeds" / "000_de4c56d6e12b58d7.txt", "-o", corpus_dir)
    newstag("annotate", "import", ROOT / "seeds" / "label-studio-export.json", "--corpus", corpus_dir, "--strict")
    newstag("corpus", "split", corpus_dir, "--ratios", "0.8,0.2", "--seed", "0")
    newstag("train", "--corpus", corpus_dir, "-o", model_dir, "--seed", "0")
    corpus = load(corpus_dir)
    items = [{"id": i, "text": t} for i, t in zip(corpus.ids, corpus.texts())]
    results = list(load_model(model_dir).tag_batch(items))
    assert len(results) == len(items) > 200
    check("starter", canonical(results))


@pytest.mark.slow
def test_a_model_of_4000_wikipedia_events_tags_the_next_1000_exactly_as_before():
    from classifier import Tagger
    from corpus import from_articles, read_wikipedia_current_events, wikinews_taxonomy

    posts = shared_data_dir("wikipedia_current_events") / "posts"
    taxonomy = wikinews_taxonomy()
    articles = read_wikipedia_current_events(posts, taxonomy).articles
    assert len(articles) >= WIKI_TRAIN + WIKI_TAGGED
    tagger = Tagger(random_state=0).fit(from_articles(articles[:WIKI_TRAIN], taxonomy))
    results = list(tagger.tag_batch(articles[WIKI_TRAIN:WIKI_TRAIN + WIKI_TAGGED]))
    check("wikipedia_4000", canonical(results))
