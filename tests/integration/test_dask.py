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


def test_dask_build_of_a_folder_without_articles_fails_as_the_local_build_does(tmp_path, client):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "README.md").write_text("not an article")
    message = r"0 articles: no file was an article file \(1 skipped, .*README\.md"
    with pytest.raises(CorpusError, match=message):
        build([tmp_path / "src"], output=tmp_path / "local")
    with pytest.raises(CorpusError, match=message):
        build_dask([tmp_path / "src"], tmp_path / "dask", client)
    assert not (tmp_path / "dask" / "manifest.json").exists()


def test_dask_build_of_an_empty_folder_matches_the_local_empty_corpus(tmp_path, client):
    (tmp_path / "src").mkdir()
    build([tmp_path / "src"], output=tmp_path / "local")
    _, report = build_dask([tmp_path / "src"], tmp_path / "dask", client)
    assert report.added == 0
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


def test_bad_build_settings_are_refused_before_any_work(tmp_path, client):
    src = _write_articles(tmp_path / "src", files=1, per_file=2)
    with pytest.raises(NewstagError, match=r"shard_rows=0: expected a positive number of articles per Parquet shard"):
        build_dask([src], tmp_path / "dask", client, shard_rows=0)
    with pytest.raises(NewstagError, match=r"files_per_partition=0: expected a positive number of files"):
        build_dask([src], tmp_path / "dask", client, files_per_partition=0)
    with pytest.raises(NewstagError, match=r"no such file or folder"):
        build_dask([tmp_path / "absent"], tmp_path / "dask", client)
    assert not (tmp_path / "dask").exists()


def test_n_workers_is_refused_for_a_cluster_whose_workers_are_started_elsewhere(client):
    with pytest.raises(NewstagError, match=r"n_workers=3 applies to 'local' only"):
        with dask_client(client.scheduler.address, n_workers=3):
            pass


def test_the_cluster_workers_run_the_clients_environment(client):
    from corpus._dask_build import check_workers, environment

    envs = check_workers(client)
    assert len(envs) == 2 and all(env == environment() for env in envs.values())


# ---- tagging -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def reuters(tmp_path_factory):
    """Every Reuters-21578 document (21,578 real wire stories) as a corpus folder."""
    from corpus.datasets import build_reuters

    from tests.conftest import shared_data_dir

    corpus, _ = build_reuters(shared_data_dir("reuters21578"), output=tmp_path_factory.mktemp("reuters") / "corpus")
    return corpus


@pytest.fixture(scope="module")
def r10_model(reuters, tmp_path_factory) -> Path:
    """A small real Tagger: the ten ModApte R(10) topics, fitted on 2,000 training documents."""
    from bench.dask_scaling import train_r10_tagger

    return train_r10_tagger(reuters, tmp_path_factory.mktemp("model") / "r10")


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("small")
    build([_write_articles(folder / "src", files=3, per_file=40)], output=folder / "corpus")
    return folder / "corpus"


def _worker_loads() -> dict:
    from classifier._dask_tag import _LOADS

    return dict(_LOADS)


def test_cluster_tags_of_every_reuters_article_equal_the_single_process_and_num_proc_tags_bit_for_bit(
        reuters, r10_model, client, tmp_path):
    import pyarrow.parquet as pq

    from classifier import Tagger, tag_corpus, tag_corpus_dask
    from corpus import Article

    assert len(reuters) >= 10_000
    kw = dict(partition_rows=3000, evidence=False)  # evidence is compared on the small corpus below
    single = tag_corpus(r10_model, reuters.path, tmp_path / "single", **kw)
    multi = tag_corpus(r10_model, reuters.path, tmp_path / "multi", num_proc=2, **kw)
    cluster = tag_corpus_dask(r10_model, reuters.path, tmp_path / "dask", client, **kw)
    _assert_same_folder(single, multi)
    _assert_same_folder(single, cluster)

    table = pq.read_table(cluster / "data")
    assert table["id"].to_pylist() == reuters.ids and len(list((cluster / "data").iterdir())) == 8
    manifest = json.loads((cluster / "manifest.json").read_text())
    assert manifest["articles"] == len(reuters) and manifest["corpus"]["fingerprint"] == reuters.manifest["fingerprint"]
    tagged = sum(1 for labels in table["topics"].to_pylist() if labels)
    assert tagged > 5000  # a real model: it tags most of the wire, not nothing

    # ... and they are the library's own tags, scores to the bit (not the rounded display values)
    tagger = Tagger.load(r10_model)
    ds = reuters.dataset
    direct = list(tagger.tag_batch([Article(title=t, body=b, id=i) for i, t, b in
                                    zip(ds["id"][:600], ds["title"][:600], ds["body"][:600])], evidence=False))
    rows = table.slice(0, 600).to_pylist()
    assert [r["id"] for r in rows] == [d.id for d in direct]
    assert [r["topics"] for r in rows] == [d.labels("topics") for d in direct]
    assert [r["topics_scores"] for r in rows] == [[s.score for s in d["topics"]] for d in direct]


def test_the_model_is_loaded_once_per_worker_however_many_partitions(small_corpus, r10_model, client, tmp_path):
    from classifier import tag_corpus_dask
    from corpus.atomic import file_sha256

    sha = file_sha256(r10_model / "model.skops")
    tag_corpus_dask(r10_model, small_corpus, tmp_path / "a", client, partition_rows=10)
    tag_corpus_dask(r10_model, small_corpus, tmp_path / "b", client, partition_rows=7)
    assert len(list((tmp_path / "a" / "data").iterdir())) > 8
    loads = client.run(_worker_loads)  # counts since each worker process started, earlier tests included
    assert len(loads) == 2 and all(v == {sha: 1} for v in loads.values()), loads


def test_result_parts_hold_partition_rows_articles_in_id_order(small_corpus, r10_model, client, tmp_path):
    import pyarrow.parquet as pq

    from classifier import tag_corpus_dask

    out = tag_corpus_dask(r10_model, small_corpus, tmp_path / "out", client, partition_rows=25, evidence=False)
    parts = sorted((out / "data").iterdir())
    sizes = [pq.read_metadata(p).num_rows for p in parts]
    n = len(load(small_corpus))
    assert sizes == [25] * (n // 25) + ([n % 25] if n % 25 else [])
    ids = pq.read_table(out / "data")["id"].to_pylist()
    assert ids == sorted(ids) == load(small_corpus).ids
    assert "evidence" not in pq.read_schema(parts[0]).names
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["partition_rows"] == 25 and set(manifest["data_files"]) == {f"data/{p.name}" for p in parts}


def test_a_last_part_of_one_article_is_cut_alike_in_one_process_and_on_the_cluster(small_corpus, r10_model, client,
                                                                                  tmp_path):
    from classifier import tag_corpus, tag_corpus_dask

    n = len(load(small_corpus))  # parts of n-1 articles: the last Dask division repeats the last id
    a = tag_corpus(r10_model, small_corpus, tmp_path / "a", partition_rows=n - 1, evidence=False)
    b = tag_corpus_dask(r10_model, small_corpus, tmp_path / "b", client, partition_rows=n - 1, evidence=False)
    _assert_same_folder(a, b)
    assert len(list((b / "data").iterdir())) == 2


def test_an_empty_corpus_gives_one_empty_part_on_every_path(tmp_path, r10_model, client):
    from classifier import tag_corpus, tag_corpus_dask

    (tmp_path / "src").mkdir()
    build([tmp_path / "src"], output=tmp_path / "corpus")
    a = tag_corpus(r10_model, tmp_path / "corpus", tmp_path / "a")
    b = tag_corpus(r10_model, tmp_path / "corpus", tmp_path / "b", num_proc=2)
    c = tag_corpus_dask(r10_model, tmp_path / "corpus", tmp_path / "c", client)
    _assert_same_folder(a, b)
    _assert_same_folder(a, c)
    assert json.loads((a / "manifest.json").read_text())["articles"] == 0


def test_bad_settings_and_a_missing_corpus_are_errors_that_say_what_to_do(tmp_path, small_corpus, r10_model):
    from classifier import tag_corpus, tag_corpus_dask

    with pytest.raises(NewstagError, match=r"num_proc=0: expected a positive number of processes"):
        tag_corpus(r10_model, small_corpus, tmp_path / "o", num_proc=0)
    with pytest.raises(NewstagError, match=r"partition_rows=0: expected a positive number of articles"):
        tag_corpus_dask(r10_model, small_corpus, tmp_path / "o", partition_rows=0)
    with pytest.raises(CorpusError, match=r"not a corpus folder \(no manifest.json\); build one with"):
        tag_corpus(r10_model, tmp_path / "nothing", tmp_path / "o")
    from classifier import ModelNotFoundError

    with pytest.raises(ModelNotFoundError, match=r"no model at"):
        tag_corpus(tmp_path / "no-model", small_corpus, tmp_path / "o")


def test_cli_tag_with_dask_or_num_proc_writes_the_same_result_folder(small_corpus, r10_model, client, tmp_path):
    base = ["tag", str(small_corpus), "--model", str(r10_model)]
    assert main(base + ["-o", str(tmp_path / "dask"), "--dask", client.scheduler.address]) == 0
    assert main(base + ["-o", str(tmp_path / "one"), "--num-proc", "1"]) == 0
    assert main(base + ["-o", str(tmp_path / "two"), "--num-proc", "2"]) == 0
    _assert_same_folder(tmp_path / "one", tmp_path / "dask")
    _assert_same_folder(tmp_path / "one", tmp_path / "two")


def test_cli_tag_with_dask_refuses_inputs_that_are_not_one_corpus_folder(small_corpus, r10_model, tmp_path, capsys):
    src = _write_articles(tmp_path / "src", files=1, per_file=2)
    assert main(["tag", str(src), "-o", str(tmp_path / "o"), "--dask", "local", "--model", str(r10_model)]) == 2
    assert "tags one corpus folder (with a manifest.json" in capsys.readouterr().err
    assert main(["tag", str(small_corpus), "--dask", "local", "--model", str(r10_model)]) == 2
    assert "give -o OUT_DIR" in capsys.readouterr().err
    assert main(["tag", str(small_corpus), "-o", str(tmp_path / "o"), "--dask", "local", "--num-proc", "2"]) == 2
    assert "not both" in capsys.readouterr().err
