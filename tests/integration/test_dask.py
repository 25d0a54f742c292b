"""The Dask path against the local one, on a real ``distributed.LocalCluster`` (two worker processes,
one thread each, on 127.0.0.1, no dashboard): corpus builds byte for byte, tags bit for bit."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

pytest.importorskip("distributed")

from corpus import CorpusError, NewstagError, build, build_dask, dask_client, load  # noqa: E402
from corpus._cli import main  # noqa: E402
from corpus.store import manifest_for, save  # noqa: E402

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as c:
        c.wait_for_workers(2, timeout=60)
        yield c


def _write_articles(folder: Path, *, files: int = 6, per_file: int = 60, seed: int = 0) -> Path:
    """JSON Lines files with every case a build meets: labels, exact duplicates within and across files
    (with and without other labels), near-duplicates across files, a bad line, a file that is not an article."""
    rng = random.Random(seed)
    words = ("minister said forces navy drills missile alliance talks border sanctions summit treaty troops army "
             "coast guard strait exercise envoy council vote pact launch satellite fleet").split()
    stories = [" ".join(rng.choice(words) for _ in range(50)) for _ in range(120)]
    folder.mkdir(parents=True)
    for f in range(files):
        lines = []
        for _ in range(per_file):
            j = rng.randrange(len(stories))
            text = stories[j] + (" " + rng.choice(words) if rng.random() < 0.3 else "")
            rec = {"title": f"Story {j}", "text": text, "date": f"2025-0{1 + f % 9}-1{j % 10}"}
            if rng.random() < 0.6:
                rec.update(region=rng.choice(["asia", "europe", "africa"]),
                           themes=rng.sample(["deterrence", "alliance", "diplomacy", "sanctions"], 2),
                           actors=rng.sample(["USA", "CHN", "JPN", "KOR"], 1))
            lines.append(json.dumps(rec))
        lines.insert(rng.randrange(len(lines)), "{not json")
        (folder / f"wire-{f:02d}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "notes.bin").write_bytes(b"\x00")
    return folder


def _assert_same_folder(local: Path, dask: Path) -> None:
    names = sorted(p.relative_to(local).as_posix() for p in local.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(dask).as_posix() for p in dask.rglob("*") if p.is_file())
    assert [n for n in names if (local / n).read_bytes() != (dask / n).read_bytes()] == []


# ---- corpus build ------------------------------------------------------------------------------

def test_dask_build_writes_the_same_bytes_as_a_local_build_across_shards_and_partitions(tmp_path, client):
    src = _write_articles(tmp_path / "src")
    seed = ROOT / "seeds" / "000_de4c56d6e12b58d7.txt"
    local, report = build([src, seed])
    save(local, tmp_path / "local", report, shard_rows=37)
    path, dreport = build_dask([src, seed], tmp_path / "dask", client, shard_rows=37, files_per_partition=1)
    assert path == tmp_path / "dask"
    assert len(list((path / "data").glob("part-*.parquet"))) > 3
    assert report.duplicates and report.near_duplicate_groups and report.rejections and report.skipped_files
    assert dreport.as_dict() == report.as_dict()
    _assert_same_folder(tmp_path / "local", path)
    assert load(path).fingerprint == local.fingerprint


def test_dask_build_names_relative_sources_as_given_like_a_local_build(tmp_path, client, monkeypatch):
    _write_articles(tmp_path / "src", files=2, per_file=20)
    monkeypatch.chdir(tmp_path)
    build([Path("src")], output="local")
    build_dask([Path("src")], "dask", client)
    _assert_same_folder(tmp_path / "local", tmp_path / "dask")
    assert all(s.startswith("src/") for s in load(tmp_path / "dask").dataset["sources"][0])


def test_dask_build_of_a_folder_without_articles_matches_the_local_empty_corpus(tmp_path, client):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "README.md").write_text("not an article")
    build([tmp_path / "src"], output=tmp_path / "local")
    _, report = build_dask([tmp_path / "src"], tmp_path / "dask", client)
    assert report.added == 0 and report.skipped_files == [str(tmp_path / "src" / "README.md")]
    _assert_same_folder(tmp_path / "local", tmp_path / "dask")


def test_strict_dask_build_lists_the_rejections_and_writes_no_manifest(tmp_path, client):
    src = _write_articles(tmp_path / "src", files=2, per_file=5)
    with pytest.raises(CorpusError, match=r"2 record\(s\) rejected \(strict mode\):\n  .*wire-00.jsonl:\d+: invalid JSON"):
        build_dask([src], tmp_path / "dask", client, strict=True)
    assert not (tmp_path / "dask" / "manifest.json").exists()


def test_the_manifest_of_shards_read_back_one_at_a_time_is_the_manifest_of_the_whole(tmp_path, client):
    src = _write_articles(tmp_path / "src", files=2, per_file=40)
    build_dask([src], tmp_path / "dask", client, shard_rows=10)
    corpus = load(tmp_path / "dask")
    assert manifest_for(corpus, corpus.manifest["data_files"]) == corpus.manifest


def test_cli_corpus_build_with_dask_takes_a_scheduler_address_and_prints_the_report(tmp_path, client, capsys):
    src = _write_articles(tmp_path / "src", files=2, per_file=10)
    assert main(["corpus", "build", str(src), "-o", str(tmp_path / "local")]) == 0
    assert main(["corpus", "build", str(src), "-o", str(tmp_path / "dask"), "--dask", client.scheduler.address]) == 0
    assert "articles added" in capsys.readouterr().out
    _assert_same_folder(tmp_path / "local", tmp_path / "dask")


def test_an_unreachable_scheduler_is_an_error_that_says_how_to_start_one(tmp_path):
    import dask

    src = _write_articles(tmp_path / "src", files=1, per_file=2)
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):  # the default waits 30 s for a scheduler
        with pytest.raises(NewstagError, match=r"cannot reach the Dask scheduler at 'tcp://127.0.0.1:9'.*`dask scheduler`"):
            build_dask([src], tmp_path / "dask", "tcp://127.0.0.1:9")
        assert main(["corpus", "build", str(src), "-o", str(tmp_path / "c"), "--dask", "tcp://127.0.0.1:9"]) == 2
    assert not (tmp_path / "dask").exists()


def test_n_workers_is_refused_for_a_cluster_whose_workers_are_started_elsewhere(client):
    with pytest.raises(NewstagError, match=r"n_workers=3 applies to 'local' only"):
        with dask_client(client.scheduler.address, n_workers=3):
            pass


def test_the_cluster_workers_run_the_clients_environment(client):
    from corpus._dask_build import check_workers, environment

    envs = check_workers(client)
    assert len(envs) == 2 and all(env == environment() for env in envs.values())
