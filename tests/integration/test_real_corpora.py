"""The two real corpora in ../shared/data, read by the toolkit's readers: counts and known documents.

Reuters-21578 is read once per session (about 20 s); the Wikipedia tests read a few days' pages and
the whole portal once.
Skipped, with the reason, where ../shared/data is absent; failing instead when CI is set.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from corpus import Corpus, load, time_split
from corpus.datasets import (build_reuters, build_wikipedia_current_events, modapte_split,
                             read_wikipedia_current_events, reuters_categories)
from tests.conftest import shared_data_dir

pytestmark = [pytest.mark.integration]


@pytest.fixture(scope="session")
def reuters_dir():
    return shared_data_dir("reuters21578")


@pytest.fixture(scope="session")
def reuters(reuters_dir, tmp_path_factory) -> Corpus:
    out = tmp_path_factory.mktemp("reuters") / "corpus"
    corpus, report = build_reuters(reuters_dir, output=out)
    assert not report.rejections and not report.duplicates
    return corpus


@pytest.fixture(scope="session")
def modapte(reuters):
    """The ModApte split and its R(90) and R(10) subsets, made once."""
    return {subset: modapte_split(reuters, subset) for subset in ("all", "r90", "r10")}


def labels_of(corpus: Corpus, newid: int) -> dict:
    row = corpus.dataset[newid - 1]
    assert row["id"] == f"reuters-{newid:05d}"
    return {f: {corpus.taxonomy.facet(f).ids[i] for i in row[f]} for f in ("topics", "places", "people", "orgs")}


def test_reuters_has_21578_documents_one_row_each_with_newids_1_to_21578(reuters):
    assert len(reuters) == 21578
    assert reuters.ids == [f"reuters-{n:05d}" for n in range(1, 21579)]
    assert [json.loads(m)["newid"] for m in reuters.dataset["meta"][:3]] == [1, 2, 3]


def test_reuters_taxonomy_has_the_category_lists_sizes(reuters):
    sizes = {f.name: len(f.labels) for f in reuters.taxonomy.facets}
    assert sizes == {"topics": 135, "places": 175, "people": 267, "orgs": 56}


def test_modapte_counts_are_9603_train_and_3299_test(modapte):
    m = modapte["all"]
    assert (len(m.ids["train"]), len(m.ids["eval"])) == (9603, 3299)
    assert sum(m.label_report["left_out"].values()) == 8676


def test_r90_has_90_categories_and_7770_train_and_3019_test_documents(reuters, modapte):
    assert len(reuters_categories(reuters, "r90")) == 90
    m = modapte["r90"]
    assert (len(m.ids["train"]), len(m.ids["eval"])) == (7770, 3019)


def test_r10_is_the_ten_usual_categories(reuters, modapte):
    assert set(reuters_categories(reuters, "r10")) == {
        "earn", "acq", "money-fx", "grain", "crude", "trade", "interest", "ship", "wheat", "corn"}
    m = modapte["r10"]
    assert (len(m.ids["train"]), len(m.ids["eval"])) == (6490, 2545)


def test_newid_1_is_the_bahia_cocoa_review(reuters):
    assert labels_of(reuters, 1) == {"topics": {"cocoa"}, "places": {"el-salvador", "usa", "uruguay"},
                                     "people": set(), "orgs": set()}
    row = reuters.dataset[0]
    assert row["title"] == "BAHIA COCOA REVIEW"
    assert row["body"].startswith("Showers continued throughout the week in the Bahia cocoa zone")
    assert (row["year"], row["month"], row["day"]) == (1987, 2, 26)
    meta = json.loads(row["meta"])
    assert (meta["lewissplit"], meta["cgisplit"], meta["topics_attr"], meta["oldid"]) == (
        "TRAIN", "TRAINING-SET", "YES", 5544)
    assert meta["dateline"] == "SALVADOR, Feb 26"


@pytest.mark.parametrize("newid, labels, split", [
    (5, {"topics": {"barley", "corn", "grain", "oat", "sorghum", "wheat"}, "places": {"usa"}}, "train"),
    (144, {"topics": {"crude"}, "places": {"usa"}, "orgs": {"opec"}}, "train"),
    (1247, {"places": {"usa"}, "people": {"reagan"}}, None),            # TOPICS="NO": in no split
    (14826, {"topics": {"trade"}, "places": {"australia", "hong-kong", "japan", "malaysia", "south-korea",
                                            "taiwan", "usa"}}, "eval"),
    (17980, {"topics": {"money-fx"}, "places": {"uk", "west-germany", "japan", "usa"}, "people": {"lawson"}}, "eval"),
    (21578, {"places": {"usa"}}, None),
])
def test_known_documents_have_their_labels_and_split(reuters, modapte, newid, labels, split):
    expected = {f: set() for f in ("topics", "places", "people", "orgs")} | labels
    assert labels_of(reuters, newid) == expected
    side = modapte["all"].assignment().get(f"reuters-{newid:05d}")
    assert side == split


def test_documents_repeating_another_text_stay_rows_of_their_own_and_share_a_group(reuters):
    from corpus import article_id

    by_text: dict[str, list[str]] = {}
    for aid, t, b in zip(reuters.ids, reuters.dataset["title"], reuters.dataset["body"]):
        by_text.setdefault(article_id(t, b), []).append(aid)
    repeated = [ids for ids in by_text.values() if len(ids) > 1]
    assert sum(len(ids) - 1 for ids in repeated) == 313
    groups = dict(zip(reuters.ids, reuters.dataset["group_id"]))
    assert all(len({groups[i] for i in ids}) == 1 for ids in repeated)


def test_saved_reuters_corpus_loads_back_with_the_same_fingerprint(reuters):
    again = load(reuters.path)
    assert again.fingerprint == reuters.manifest["fingerprint"]


# ---------------------------------------------------------------------------------------------
# Wikipedia Current events
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def posts_dir():
    return shared_data_dir("wikipedia_current_events") / "posts"


@pytest.fixture(scope="session")
def january_2025(posts_dir, tmp_path_factory):
    """The first three days of 2025 and one day of 2026, linked into a folder of their own."""
    d = tmp_path_factory.mktemp("posts")
    for day in ("2025-01-01", "2025-01-02", "2025-01-03", "2026-01-02"):
        (d / f"{day}-index.md").symlink_to(posts_dir / f"{day}-index.md")
    return d


def test_new_years_day_2025_has_24_events(january_2025):
    read = read_wikipedia_current_events(january_2025)
    days = Counter(a.date_text for a in read.articles)
    assert days["2025-01-01"] == 24  # the 24 bullets citing an outlet; the other 14 bullets are story lines
    assert not [r for r in read.rejections if "2025-01-01" in r.source]


def test_the_gaza_airstrikes_event_has_its_section_story_line_actors_and_region(january_2025):
    read = read_wikipedia_current_events(january_2025)
    gaza = next(a for a in read.articles if a.body.startswith("Israeli airstrikes across the Gaza Strip kill at least 26"))
    assert gaza.labels == {"sections": "armed_conflicts_attacks", "actors": ["ISR"], "region": "middle_east"}
    assert gaza.meta["story_line"] == ["Gaza war", "Israeli invasion of the Gaza Strip"]
    assert gaza.meta["outlets"] == ["Al Jazeera"]
    assert gaza.meta["links"] == ["Israel Defense Forces", "Gaza Strip", "Palestinians", "Rubble"]


def test_the_gas_dispute_event_names_russia_ukraine_and_hungary(january_2025):
    read = read_wikipedia_current_events(january_2025)
    gas = next(a for a in read.articles if a.body.startswith("Russia's gas firm Gazprom suspends exports"))
    assert gas.labels["sections"] == "business_economy"
    assert set(gas.labels["actors"]) == {"RUS", "UKR", "HUN"} and gas.labels["region"] == "europe"
    assert gas.meta["story_line"] == ["2022–2023 Russia–European Union gas dispute"]


def test_the_whole_portal_reads_into_about_8700_events_over_the_ten_sections(posts_dir):
    read = read_wikipedia_current_events(posts_dir)
    assert read.files == 516
    assert 8600 <= len(read.articles) <= 8800
    sections = Counter(a.labels["sections"] for a in read.articles)
    assert len(sections) == 10
    assert sections.most_common(1)[0][0] == "armed_conflicts_attacks"
    assert len(read.rejections) < 50  # every one with file:line and reason
    assert all(":" in r.source and r.reason for r in read.rejections)


def test_time_split_of_the_real_portal_trains_on_2025_and_evaluates_on_2026(january_2025):
    corpus, _ = build_wikipedia_current_events(january_2025)
    m = time_split(corpus, "2026-01-01")
    assert m.label_report["dates"]["eval"][0] == "2026-01-02"
    assert m.label_report["dates"]["train"][1] <= "2025-01-03" or m.label_report["moved_to_train"]
    assert len(m.ids["train"]) + len(m.ids["eval"]) == len(corpus)
