"""Not annotated is not "no label": the ``annotated`` column, its API, its counts and older folders."""

import json

import pyarrow.parquet as pq

from corpus import Article, from_articles, load
from corpus.atomic import file_sha256


def _corpus(taxonomy):
    arts = [
        Article(id="a1", title="t1", body="Japan and the US held drills.",
                labels={"region": "asia", "themes": ["military_training"], "actors": ["JPN", "USA"]}),
        Article(id="a2", title="t2", body="A region-only answer.", labels={"region": "europe"}),
        Article(id="a3", title="t3", body="Annotated: no theme applies.", labels={"themes": []}),
        Article(id="a4", title="t4", body="Nobody looked at this one."),
    ]
    return from_articles(arts, taxonomy)


def test_a_facet_missing_from_an_articles_labels_is_unannotated_not_empty(taxonomy):
    c = _corpus(taxonomy)
    assert c.annotated("themes") == [True, False, True, False]
    assert c.labels("themes") == [["military_training"], [], [], []]  # the same empty list, told apart above
    assert c.annotated("region") == [True, True, False, False]
    assert c.dataset["labeled"] == [True, True, True, False]


def test_asking_for_an_unknown_facets_annotated_state_names_the_facets(taxonomy):
    import pytest

    from corpus import TaxonomyError

    with pytest.raises(TaxonomyError, match=r"facet 'topics' is not in taxonomy .*\['region', 'themes', 'actors'\]"):
        _corpus(taxonomy).annotated("topics")


def test_the_manifest_counts_the_annotated_articles_of_each_facet(tmp_path, taxonomy):
    _corpus(taxonomy).save(tmp_path / "c")
    m = json.loads((tmp_path / "c" / "manifest.json").read_text())
    assert m["counts"]["annotated"] == {"region": 2, "themes": 2, "actors": 1}


def test_the_annotated_state_survives_saving_and_reading_articles_back(tmp_path, taxonomy):
    _corpus(taxonomy).save(tmp_path / "c")
    back = list(load(tmp_path / "c").articles())
    assert [a.labels for a in back] == [
        {"region": "asia", "themes": ["military_training"], "actors": ["JPN", "USA"]},
        {"region": "europe"}, {"themes": []}, {}]
    assert from_articles(back, taxonomy).fingerprint == _corpus(taxonomy).fingerprint


def test_the_annotated_state_is_part_of_the_content_fingerprint(taxonomy):
    a = from_articles([Article(id="a", title="t", body="b", labels={"themes": []})], taxonomy)
    b = from_articles([Article(id="a", title="t", body="b", labels={"themes": [], "actors": []})], taxonomy)
    assert a.fingerprint != b.fingerprint


def test_a_folder_written_before_the_column_existed_reads_labeled_articles_as_fully_annotated(tmp_path, taxonomy):
    folder = _corpus(taxonomy).save(tmp_path / "c")
    shard = folder / "data" / "part-00000.parquet"
    table = pq.read_table(shard)
    pq.write_table(table.drop(["annotated", "source_id"]), shard)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["data_files"]["data/part-00000.parquet"] = file_sha256(shard)
    (folder / "manifest.json").write_text(json.dumps(manifest))
    old = load(folder)
    assert old.annotated("actors") == [True, True, True, False]
    assert old.dataset["source_id"] == ["", "", "", ""]
