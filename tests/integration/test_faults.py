"""Fault injection: a child process building, importing, saving a model or tagging is SIGKILLed at
random moments (seeded); the corpus or model always loads, as the old or the new version, no labels
are lost, and the next write removes what the killed one left. Concurrent writers leave a consistent
corpus. Children are forked from this (already imported) process, so 50 kills cost seconds, not minutes.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from corpus import atomic_write_bytes, build, load

from .faults import KILLS, check_each_kill, fingerprint_of, fork_child, labeled_ids, leftovers

ROOT = Path(__file__).resolve().parent.parent.parent
STARTER = ROOT / "seeds" / "starter"
EXPORT = ROOT / "seeds" / "label-studio-export.json"

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="fault injection forks child processes (POSIX only)")


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> tuple[Path, Path]:
    """Two small article folders (24 and 30 of the starter articles) and the export of their tasks."""
    base = tmp_path_factory.mktemp("faults")
    files = sorted(STARTER.glob("*.txt"))
    a, b = base / "a", base / "b"
    for folder, chosen in ((a, files[:24]), (b, files[:30])):
        folder.mkdir()
        for f in chosen:
            shutil.copy(f, folder / f.name)
    return a, b


@pytest.fixture(scope="module")
def exports(sources, tmp_path_factory) -> list[Path]:
    """Three exports, each labeling a third of the articles of ``sources[0]``."""
    base = tmp_path_factory.mktemp("exports")
    ids = set(build([sources[0]])[0].ids)
    tasks = [t for t in json.loads(EXPORT.read_text()) if t["data"].get("article_id") in ids]
    assert len(tasks) >= 12
    out = []
    for k in range(3):
        p = base / f"part{k}.json"
        p.write_text(json.dumps(tasks[k::3]))
        out.append(p)
    return out


def test_an_import_killed_at_random_moments_leaves_the_old_or_the_new_labels(sources, exports, tmp_path):
    from annotation import import_annotations

    target = tmp_path / "c"
    build([sources[0]], output=target)
    import_annotations(exports[0], target)
    old = load(target)
    old_labels = labeled_ids(target)
    new_fp = import_annotations(exports[1], target, save=False)[0].fingerprint

    def restore():
        old.save(target)

    check_each_kill("import", target, restore, lambda: import_annotations(exports[1], target),
                     {old.manifest["fingerprint"]: "old", new_fp: "new"})
    import_annotations(exports[1], target)
    assert labeled_ids(target) > old_labels  # after all that, no label of the first import was lost


def test_a_rebuild_killed_at_random_moments_leaves_the_old_or_the_new_corpus(sources, exports, tmp_path):
    from annotation import import_annotations

    target = tmp_path / "c"
    build([sources[0]], output=target)
    import_annotations(exports[0], target)
    old = load(target)
    new_fp = build([sources[1]])[0].fingerprint
    check_each_kill("build", target, lambda: old.save(target),
                     lambda: build([sources[1]], output=target, overwrite=True),
                     {old.manifest["fingerprint"]: "old", new_fp: "new"}, seed=1)


def test_a_model_save_and_a_tag_run_killed_at_random_moments_leave_the_old_or_the_new_files(tmp_path):
    from classifier import Tagger, load_model
    from classifier._cli import tag_command

    texts = ["Japan and Korea hold drills near Okinawa.", "Russia tests a missile.", "Seoul meets Tokyo on trade.",
             "NATO allies hold exercises in Poland."] * 4
    labels = {"region": ["asia", "europe", "asia", "europe"] * 4,
              "themes": [["military_training"], ["missile_nuclear"], ["diplomacy"], ["military_training"]] * 4}
    m1 = Tagger(random_state=0, threshold_cv=2).fit(texts, labels)
    m2 = Tagger(random_state=0, threshold_cv=2, C=0.5).fit(texts, labels)
    model = tmp_path / "m"

    def check(folder):
        return load_model(folder).C  # loads, with the card's sha256 checked

    check_each_kill("model", model, lambda: m1.save(model), lambda: m2.save(model), {1.0: "old", 0.5: "new"},
                     check=check, seed=2, kills=KILLS // 2)

    articles = tmp_path / "articles"
    articles.mkdir()
    for f in sorted(STARTER.glob("*.txt"))[:15]:
        shutil.copy(f, articles / f.name)
    out = tmp_path / "tags.jsonl"

    def tag():
        tag_command([str(articles)], model=model, output=out, evidence=True, top_terms=3, batch_size=8, strict=False,
                    dask=None, num_proc=None, fmt="jsonl")

    tag()
    full = out.read_bytes()
    check_each_kill("tag", out, lambda: atomic_write_bytes(out, b"old\n"), tag, {b"old\n": "old", full: "new"},
                     check=lambda f: f.read_bytes(), seed=3, kills=KILLS // 2)


def test_concurrent_imports_into_one_corpus_lose_no_labels(sources, exports, tmp_path):
    from annotation import import_annotations

    target = tmp_path / "c"
    build([sources[0]], output=target)
    expected = set()
    for e in exports:
        expected |= {t["data"]["article_id"] for t in json.loads(e.read_text()) if t["annotations"]}
    pids = [fork_child(lambda e=e: import_annotations(e, target)) for e in exports]
    for pid in pids:
        assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0
    assert labeled_ids(target) == expected and leftovers(target) == []


def test_concurrent_builds_into_one_folder_leave_one_of_them(sources, tmp_path):
    target = tmp_path / "c"
    fps = {build([s])[0].fingerprint for s in sources}
    pids = [fork_child(lambda s=s: build([s], output=target, overwrite=True)) for s in (*sources, *sources)]
    for pid in pids:
        assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0
    assert fingerprint_of(target) in fps and leftovers(target) == []
