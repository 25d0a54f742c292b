import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import corpus
from corpus import Article, CorpusError, build, from_articles, load

ROOT = Path(__file__).resolve().parents[2]


def test_build_from_the_seeds_folder_gives_the_parsed_seed_article(tmp_path):
    c, report = build([ROOT / "seeds" / "000_de4c56d6e12b58d7.txt"], output=tmp_path / "out")
    (a,) = list(load(tmp_path / "out").articles())
    assert a.section == "Asia" and a.title.startswith("US, Japan and South Korea")
    assert a.date_text == "Jul 28" and (a.month, a.day) == (7, 28) and a.source == "EUROPA PRESS"
    assert a.body.startswith("The governments of the United States") and "QUAD" in a.body.split("\n\n")[-1]
    assert "Source link" not in a.body and a.raw.endswith("Tags")
    assert report.added == 1 and not report.rejections


def test_building_twice_gives_a_byte_identical_manifest_and_data(tmp_path):
    for name in ("a", "b"):
        build([ROOT / "seeds" / "000_de4c56d6e12b58d7.txt"], output=tmp_path / name)
    for f in ("manifest.json", "data/part-00000.parquet", "taxonomy.toml", "report.json"):
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes(), f


def test_manifest_is_byte_identical_across_processes(tmp_path):
    code = ("import sys, corpus; corpus.build([sys.argv[1]], output=sys.argv[2])")
    seed = str(ROOT / "seeds" / "000_de4c56d6e12b58d7.txt")
    for name in ("p1", "p2"):
        subprocess.run([sys.executable, "-c", code, seed, str(tmp_path / name)], check=True,
                       env={"PYTHONHASHSEED": name[-1], "PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1"})
    assert (tmp_path / "p1/manifest.json").read_bytes() == (tmp_path / "p2/manifest.json").read_bytes()


def test_manifest_holds_counts_fingerprint_taxonomy_hash_and_versions(tmp_path, taxonomy):
    build([ROOT / "seeds" / "000_de4c56d6e12b58d7.txt"], output=tmp_path / "c")
    m = json.loads((tmp_path / "c" / "manifest.json").read_text())
    assert m["counts"] == {"articles": 1, "labeled": 0, "near_duplicate_groups": 0,
                           "annotated": {"region": 0, "themes": 0, "actors": 0}}
    assert len(m["fingerprint"]) == 64 and m["taxonomy"]["hash"] == taxonomy.hash
    assert {"python", "datasets", "pyarrow", "newstag"} <= set(m["versions"])
    assert list(m["data_files"]) == ["data/part-00000.parquet"]


def test_adding_a_file_changes_no_existing_article_id(tmp_path, seed_article_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "seed.txt").write_bytes(seed_article_path.read_bytes())
    before = build([src])[0].ids
    (src / "new.jsonl").write_text('{"title": "Another", "text": "Completely different story about floods."}\n')
    after = build([src])[0].ids
    assert set(before) < set(after)


def test_folder_build_lands_good_files_and_reports_bad_ones(tmp_path, seed_article_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "seed.txt").write_bytes(seed_article_path.read_bytes())
    (src / "empty.txt").write_text("")
    (src / "bad.csv").write_text("title\nno text column\n")
    c, report = build([src], output=tmp_path / "out")
    assert len(c) == 1
    assert sorted(Path(r.source).name for r in report.rejections) == ["bad.csv", "empty.txt"]
    saved = json.loads((tmp_path / "out" / "report.json").read_text())
    assert len(saved["rejected"]) == 2 and all(r["reason"] for r in saved["rejected"])


def test_strict_build_fails_listing_the_rejections(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    with pytest.raises(CorpusError, match=r"1 record\(s\) rejected \(strict mode\):\n  .*empty.txt: the file is empty"):
        build([tmp_path], strict=True)


def test_labels_from_jsonl_reach_the_dataset_as_classlabels(tmp_path, taxonomy):
    p = tmp_path / "l.jsonl"
    p.write_text(json.dumps({"text": "Seoul drills", "region": "asia", "themes": ["military_training"], "actors": ["KOR"]}) + "\n"
                 + json.dumps({"text": "unlabeled"}) + "\n")
    c, _ = build([p], output=tmp_path / "c")
    c = load(tmp_path / "c")
    labeled = dict(zip(c.dataset["body"], c.dataset["labeled"]))
    assert labeled == {"Seoul drills": True, "unlabeled": False}
    i = c.dataset["body"].index("Seoul drills")
    assert c.labels("region")[i] == "asia" and c.labels("actors")[i] == ["KOR"]
    assert c.dataset.features["region"].names == taxonomy.facet("region").ids
    assert c.manifest["label_counts"]["themes"] == {"military_training": 1}


def test_load_refuses_a_folder_without_manifest_with_what_to_do(tmp_path):
    with pytest.raises(CorpusError, match=r"not a corpus folder \(no manifest.json\); build one with `newstag corpus build"):
        load(tmp_path)


def test_load_detects_a_data_file_changed_after_the_build(tmp_path, seed_article_path):
    build([seed_article_path], output=tmp_path / "c")
    part = tmp_path / "c" / "data" / "part-00000.parquet"
    part.write_bytes(part.read_bytes() + b"x")
    with pytest.raises(CorpusError, match="does not match the manifest"):
        load(tmp_path / "c")


def test_a_failed_write_leaves_the_previous_file_in_place(tmp_path):
    target = tmp_path / "m.json"
    corpus.atomic_write_json(target, {"v": 1})
    with pytest.raises(RuntimeError):
        with corpus.atomic.atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("interrupted")
    assert json.loads(target.read_text()) == {"v": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["m.json"]


def test_saving_then_loading_round_trips_articles(tmp_path, taxonomy):
    arts = [Article(title="T", body="B", labels={"region": "europe", "themes": [], "actors": ["RUS"]}, meta={"k": 1})]
    c = corpus.from_articles(arts, taxonomy)
    c.save(tmp_path / "c")
    (a,) = list(load(tmp_path / "c").articles())
    assert a.labels == {"region": "europe", "themes": [], "actors": ["RUS"]} and a.meta == {"k": 1}
    assert load(tmp_path / "c").fingerprint == c.fingerprint


def test_atomic_writes_get_ordinary_permissions_not_private_ones(tmp_path):
    import os

    corpus.atomic_write_text(tmp_path / "f.txt", "x")
    mask = os.umask(0)
    os.umask(mask)
    assert (tmp_path / "f.txt").stat().st_mode & 0o777 == 0o666 & ~mask


def _varied_articles() -> list[Article]:
    return [
        Article(title="Seoul drills", body="Troops trained near the border.", raw="<p>raw</p>", section="Asia",
                date_text="2024-07-28", year=2024, month=7, day=28, source="Wire", url="https://x/1",
                tags=("military", "korea"), origin="a.jsonl:1", meta={"z": 1, "a": "ü"},
                labels={"region": "asia", "themes": ["military_training"], "actors": ["KOR", "USA"]}),
        Article(title="", body="No title, no labels, no date.", origin="b.txt"),
        Article(title="Europe", body="Sanctions agreed in Brussels.", year=2023, labels={"region": "europe"},
                origin="c.jsonl:2"),
    ]


def test_the_dataset_is_the_one_datasets_from_dict_encodes(taxonomy):
    # from_articles builds the Arrow table itself (datasets' per-value encoding was a third of the build):
    # the table, its schema metadata and its Parquet bytes must be those of Dataset.from_dict.
    import io

    import datasets
    import pyarrow.parquet as pq

    from corpus.store import _rows, corpus_features, merge_exact_duplicates, with_id

    arts = _varied_articles()
    c = from_articles(arts, taxonomy)
    by_id, sources = merge_exact_duplicates((with_id(a) for a in arts), corpus.BuildReport())
    ordered = [by_id[k] for k in sorted(by_id)]
    ref = datasets.Dataset.from_dict(_rows(ordered, c.dataset["group_id"], sources, taxonomy),
                                     features=corpus_features(taxonomy))

    def parquet(ds) -> bytes:
        buf = io.BytesIO()
        pq.write_table(ds.with_format("arrow")[:], buf, compression="zstd")
        return buf.getvalue()

    assert c.dataset.features == ref.features
    assert c.dataset.with_format("arrow")[:].equals(ref.with_format("arrow")[:], check_metadata=True)
    assert parquet(c.dataset) == parquet(ref)
    assert c.labels("actors")[c.dataset["title"].index("Seoul drills")] == ["KOR", "USA"]


def test_values_of_other_types_are_still_converted_as_datasets_does(taxonomy):
    # a JSON Lines file may give tags as numbers: they are stored as strings, as datasets' encoding did
    a = Article(title="T", body="Numbered tags.", tags=(1, 2), year=2024)
    c = from_articles([a], taxonomy)
    assert c.dataset["tags"] == [["1", "2"]] and c.dataset["year"] == [2024]


def test_a_build_that_yields_no_article_from_its_inputs_fails_with_the_cause_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"headline": "no text field"}) + "\n")
    with pytest.raises(CorpusError, match=r"1 file\(s\) read, 0 articles: all 1 record\(s\) were rejected, e\.g\. "
                                          r".*bad\.jsonl:1: no text field.*newstag annotate import"):
        build([bad], output=tmp_path / "c")
    assert not (tmp_path / "c").exists()


def test_a_build_from_a_folder_with_no_article_file_fails_naming_the_skipped_files(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "notes.docx").write_bytes(b"PK")
    with pytest.raises(CorpusError, match=r"0 articles: no file was an article file \(1 skipped, .*notes\.docx"):
        build([tmp_path / "src"], output=tmp_path / "c")


def test_an_empty_folder_still_builds_an_empty_corpus(tmp_path):
    (tmp_path / "src").mkdir()
    corpus_, report = build([tmp_path / "src"], output=tmp_path / "c")
    assert len(corpus_) == 0 and report.files_read == 0


def test_to_pandas_shows_label_ids_not_classlabel_codes_unless_ids_is_asked_for(tmp_path, taxonomy):
    p = tmp_path / "l.jsonl"
    p.write_text(json.dumps({"text": "Seoul drills", "region": "asia", "themes": ["military_training", "deterrence"],
                             "actors": ["KOR"]}) + "\n" + json.dumps({"text": "unlabeled"}) + "\n")
    c, _ = build([p], output=tmp_path / "c")
    frame = load(tmp_path / "c").to_pandas().set_index("body")
    assert frame.loc["Seoul drills", "region"] == "asia" and pd.isna(frame.loc["unlabeled", "region"])
    assert sorted(frame.loc["Seoul drills", "themes"]) == ["deterrence", "military_training"]
    assert list(frame.loc["Seoul drills", "actors"]) == ["KOR"] and list(frame.loc["unlabeled", "actors"]) == []
    codes = load(tmp_path / "c").to_pandas(ids=True).set_index("body")
    assert codes.loc["Seoul drills", "region"] == taxonomy.facet("region").ids.index("asia")
    assert list(frame.columns) == list(codes.columns)


def test_corpus_columns_and_ids_are_plain_lists_so_indexing_a_row_does_not_go_back_to_arrow(taxonomy):
    # datasets >= 3 returns a lazy Column for dataset["x"]; indexing it row by row formats one row per call
    # (it made collecting the training data of Reuters' 7,770 documents take ~2 s)
    c = from_articles([Article(id=f"a{i}", title=f"T{i}", body=f"b{i}") for i in range(3)], taxonomy)
    assert type(c.ids) is list and c.ids == ["a0", "a1", "a2"]
    assert type(c.column("title")) is list and c.column("title") == ["T0", "T1", "T2"]
    assert c.column("labeled") == [False, False, False]
    with pytest.raises(KeyError, match="no_such_column"):
        c.column("no_such_column")
