"""Label counts of a corpus and of its splits (corpus._counts)."""

from __future__ import annotations

import pytest

from corpus import (Article, InputError, SplitManifest, from_articles, label_counts_table, make_splits,
                    plot_label_counts, split_counts_table)


def _article(n: int, region=None, themes=(), actors=()) -> Article:
    labels = {"region": region, "themes": list(themes), "actors": list(actors)} if region else {}
    return Article(title=f"Story {n}", body=f"Body of story number {n}, about something else entirely: {n * 7919}.",
                   labels=labels)


@pytest.fixture
def small(taxonomy):
    return from_articles([
        _article(1, "asia", ["alliance", "diplomacy"], ["USA", "JPN"]),
        _article(2, "asia", ["diplomacy"], ["CHN"]),
        _article(3, "europe", ["sanctions"], ["RUS", "USA"]),
        _article(4),  # unlabeled: not counted
    ], taxonomy)


def test_label_counts_table_counts_labeled_articles_per_label_most_used_first(small):
    table = label_counts_table(small)
    assert list(table.columns) == ["facet", "label", "name", "articles"]
    rows = [tuple(r) for r in table[["facet", "label", "articles"]].values.tolist()]
    assert rows[:5] == [("region", "asia", 2), ("region", "europe", 1),
                        ("themes", "diplomacy", 2), ("themes", "alliance", 1), ("themes", "sanctions", 1)]
    actors = rows[5:]
    assert actors[0] == ("actors", "USA", 2)
    assert sorted(actors[1:]) == [("actors", "CHN", 1), ("actors", "JPN", 1), ("actors", "RUS", 1)]
    assert "middle_east" not in set(table["label"])  # unused labels are left out


def test_label_counts_table_keeps_labels_in_taxonomy_order_among_ties_and_names_them(small, taxonomy):
    table = label_counts_table(small, zeros=True)
    themes = table[table["facet"] == "themes"]
    ids = taxonomy.facet("themes").ids
    rest = [lab for lab in themes["label"] if lab not in ("diplomacy", "alliance", "sanctions")]
    assert rest == [lab for lab in ids if lab not in ("diplomacy", "alliance", "sanctions")]
    assert len(table) == sum(len(f.labels) for f in taxonomy.facets)
    assert dict(zip(themes["label"], themes["name"]))["alliance"] == taxonomy.facet("themes").label("alliance").name


def test_split_counts_table_gives_each_labels_articles_in_every_split(taxonomy):
    articles = [_article(n, ["asia", "europe"][n % 2], [["alliance"], ["diplomacy"], ["sanctions"]][n % 3], ["USA"])
                for n in range(40)]
    corpus = from_articles(articles, taxonomy)
    manifest = make_splits(corpus, {"train": 0.75, "eval": 0.25}, seed=0)
    table = split_counts_table(manifest)
    assert list(table.columns) == ["facet", "label", "total", "train", "eval"]
    assert (table["train"] + table["eval"] == table["total"]).all()
    counts = label_counts_table(corpus)
    assert dict(zip(zip(counts["facet"], counts["label"]), counts["articles"])) == \
        dict(zip(zip(table["facet"], table["label"]), table["total"]))
    eval_ids = set(manifest.ids["eval"])
    region = corpus.labels("region")
    asia_in_eval = sum(1 for i, a in enumerate(corpus.ids) if a in eval_ids and region[i] == "asia")
    assert table[(table["facet"] == "region") & (table["label"] == "asia")]["eval"].item() == asia_in_eval


def _manifest(label_report) -> SplitManifest:
    return SplitManifest(method="given", seed=None, ratios={"train": 0.5, "eval": 0.5}, corpus_fingerprint="f",
                         ids={"train": ["a"], "eval": ["b"]}, label_report=label_report)


def test_split_counts_table_keeps_one_facet_most_frequent_labels_first():
    m = _manifest({"proportions": {"region": {"asia": {"total": 1, "train": 1, "eval": 0}},
                                   "themes": {"alliance": {"total": 1, "train": 0, "eval": 1},
                                              "diplomacy": {"total": 2, "train": 1, "eval": 1}}}})
    table = split_counts_table(m, "themes")
    assert table.values.tolist() == [["themes", "diplomacy", 2, 1, 1], ["themes", "alliance", 1, 0, 1]]


def test_split_counts_table_refuses_a_facet_the_manifest_does_not_count():
    m = _manifest({"proportions": {"region": {"asia": {"total": 1, "train": 1, "eval": 0}}}})
    with pytest.raises(InputError, match="no labels of facet 'actors'; it counts \\['region'\\]"):
        split_counts_table(m, "actors")


def test_split_counts_table_refuses_a_manifest_without_label_counts():
    with pytest.raises(InputError, match="given split manifest has no per-label counts.*make_splits"):
        split_counts_table(_manifest({}))


def test_plot_label_counts_writes_a_png_and_returns_its_path(small, tmp_path):
    path = plot_label_counts(small, tmp_path / "counts.png", top=2)
    assert path == tmp_path / "counts.png"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in tmp_path.iterdir()] == ["counts.png"]  # no temporary file left behind


def test_plot_label_counts_refuses_top_below_one(small, tmp_path):
    with pytest.raises(InputError, match="top must be at least 1, got 0"):
        plot_label_counts(small, tmp_path / "counts.png", top=0)
    assert not (tmp_path / "counts.png").exists()
