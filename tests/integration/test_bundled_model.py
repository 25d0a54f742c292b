"""The bundled default model (classifier/bundled, shipped in the wheel) is the model the main job trains
(models/default). CI runs the main job before the suite (Makefile ``test``), so this compares the bundle
with a freshly trained model; without models/default it skips with the reason, except in CI.

The files cannot match byte for byte: a skops file names its arrays after memory addresses and stamps each
entry with the time of writing, and the card records when and how long training ran. So "the same model"
means: the same taxonomy file, the same model card apart from those volatile fields, and the same tag output
(every label, score and evidence term, floats unrounded) on every article of the main job's corpus.
"""

from __future__ import annotations

import json
import os

import pytest

from ..conftest import ROOT, SEED_ARTICLE
from .test_tag_output_stable import canonical

pytestmark = [pytest.mark.integration, pytest.mark.slow]

FRESH = ROOT / "models" / "default"
BUNDLED = ROOT / "classifier" / "bundled"
CORPUS = ROOT / "out" / "corpus"
REDO = "run `make bundle-model` and commit classifier/bundled"
VOLATILE = {"training": ("started_at", "seconds"), "model_file": None}


@pytest.fixture(scope="module")
def fresh():
    if not (FRESH / "model.skops").is_file():
        reason = "models/default holds no model: run the main job (`make main`) first"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI runs it before the suite, so this test must run, not skip.")
        pytest.skip(reason)
    return FRESH


def _card(folder) -> dict:
    card = json.loads((folder / "model_card.json").read_text(encoding="utf-8"))
    for key, fields in VOLATILE.items():
        if fields is None:
            card.pop(key, None)
        else:
            for f in fields:
                card.get(key, {}).pop(f, None)
    return card


def _names(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) if folder.is_dir() else []


def test_a_bundled_model_is_committed():
    names = _names(BUNDLED)
    assert {"model.skops", "model_card.json", "taxonomy.toml"} <= set(names), (
        f"classifier/bundled holds {names}: {REDO}.")


def test_the_bundled_model_is_the_one_the_main_job_trains(fresh):
    from classifier import Tagger
    from corpus import load, read_file

    assert _names(BUNDLED) == _names(fresh), f"the bundled model's files are not the model folder's: {REDO}."
    if (fresh / "model.skops").read_bytes() == (BUNDLED / "model.skops").read_bytes():
        return  # the bundle is a copy of this very model
    assert (fresh / "taxonomy.toml").read_bytes() == (BUNDLED / "taxonomy.toml").read_bytes(), (
        f"the bundled model was trained with another taxonomy than the main job's: {REDO}.")
    a, b = _card(fresh), _card(BUNDLED)
    differ = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
    assert differ == [], f"the bundled model's card differs from the main job's in {differ}: {REDO}."
    texts = load(CORPUS).texts() if (CORPUS / "manifest.json").is_file() else [read_file(SEED_ARTICLE).articles[0]]
    got = canonical(Tagger.load(BUNDLED).tag_batch(texts, top_terms=3))
    want = canonical(Tagger.load(fresh).tag_batch(texts, top_terms=3))
    first = next((i for i, (x, y) in enumerate(zip(got, want)) if x != y), None)
    assert first is None, (f"the bundled model tags article {first} differently from the main job's model "
                           f"({got[first]} != {want[first]}): {REDO}.")
