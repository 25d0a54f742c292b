"""The Wikipedia "Current events" reader, actor resolution, derived region and time split, on tiny pages.

The real pages are read in tests/integration/test_real_corpora.py.
"""

from __future__ import annotations

from datetime import date

import pytest

from corpus import Article, CorpusError, InputError, TaxonomyError, from_articles, parse_taxonomy, time_split
from corpus.datasets._wikinews import Link, parse_day, portal_url, section_id
from corpus.datasets import (ActorResolver, build_wikipedia_current_events, read_wikipedia_current_events,
                             wikinews_taxonomy)

W = "https://en.wikipedia.org/wiki/"


def wl(text, page=None):
    page = page or text
    return f'[{text}]({W}{page.replace(" ", "_")} "{page}")'


DAY = f"""---
layout: post
title: 2025 January 01
date: 2025-01-01
published: true
---


#### Armed conflicts and attacks

* {wl("Gaza war")}
  * {wl("Israeli invasion of the Gaza Strip")}
    * {wl("Israeli", "Israel Defense Forces")} airstrikes across the {wl("Gaza Strip")} kill at least 26 \
{wl("Palestinians")}. [(Al Jazeera)](https://www.aljazeera.com/news/1)
* A man kills 14 people in {wl("New Orleans")}, {wl("United States")}. The {wl("FBI")} investigates. \
[(Reuters)](https://www.reuters.com/a) [(*AP*)](https://apnews.com/b)

#### Business and Economy

* {wl("Russia")}'s {wl("Gazprom")} halts gas to {wl("Moldova")}. [(bne IntelliNews)](https://x.example/1), \
[(Politico)](https://politico.example/2)
* A leaf without a source.
* Sampdoria are relegated. ([ESPN](https://espn.example/1)), ([BBC Sport](https://bbc.example/2))
"""


def parse(text=DAY, where="posts/2025-01-01-index.md"):
    return parse_day(text, where)


def test_each_leaf_bullet_citing_a_source_is_an_event_with_section_story_line_and_date():
    events, _ = parse()
    assert len(events) == 4
    gaza = events[0]
    assert gaza.date == date(2025, 1, 1)
    assert gaza.section == "armed_conflicts_attacks" and gaza.heading == "Armed conflicts and attacks"
    assert gaza.story_line == ("Gaza war", "Israeli invasion of the Gaza Strip")
    assert gaza.line == 13
    assert events[1].story_line == ()
    assert events[2].section == "business_economy"  # "Business and Economy" as written on the page


def test_event_text_is_plain_and_citations_become_outlets():
    events, _ = parse()
    gaza, orleans, gas, football = events
    assert gaza.text == "Israeli airstrikes across the Gaza Strip kill at least 26 Palestinians."
    assert gaza.outlets == ("Al Jazeera",) and gaza.outlet_urls == ("https://www.aljazeera.com/news/1",)
    assert orleans.outlets == ("Reuters", "AP")
    assert gas.text == "Russia's Gazprom halts gas to Moldova." and gas.outlets == ("bne IntelliNews", "Politico")
    assert football.text == "Sampdoria are relegated." and football.outlets == ("ESPN", "BBC Sport")


def test_links_keep_the_linked_words_and_the_page_title():
    events, _ = parse()
    assert events[0].links[0] == Link("Israeli", "Israel Defense Forces")
    assert [link.page for link in events[1].links] == ["New Orleans", "United States", "FBI"]


def test_page_title_comes_from_the_url_when_the_link_has_no_tooltip_and_other_wikipedias_keep_their_prefix():
    text = ("---\ndate: 2025-04-28\n---\n#### Law and crime\n"
            "* A stabbing at [Tianjin](https://zh.wikipedia.org/wiki/%E5%A4%A9%E6%B4%A5) in "
            "[Côte d'Ivoire](https://en.wikipedia.org/wiki/C%C3%B4te_d%27Ivoire) and "
            f"[outbreak]({W}Foot-and-mouth_disease#Hungary_(2025) \"Foot-and-mouth disease\"). [(AP)](https://ap.example/1)\n")
    (ev,), rejections = parse(text)
    assert not rejections
    assert [link.page for link in ev.links] == ["zh:天津", "Côte d'Ivoire", "Foot-and-mouth disease"]
    assert ev.text == "A stabbing at Tianjin in Côte d'Ivoire and outbreak."


def test_what_is_not_an_event_is_reported_with_file_and_line():
    text = DAY + "\nChampions League\n#### Celebrity gossip\n* Someone marries. [(Tabloid)](https://t.example/1)\n"
    events, rejections = parse(text)
    assert len(events) == 4
    reasons = {r.source.rsplit(":", 1)[1]: r.reason for r in rejections}
    assert reasons["19"].startswith("event bullet cites no source: 'A leaf without a source.'")
    assert reasons["22"].startswith("line is neither a section heading nor a bullet: 'Champions League'")
    assert "section heading 'Celebrity gossip' is not one of the portal's sections" in reasons["23"]
    assert len(rejections) == 3  # the bullet under the unknown heading is covered by the heading's report


def test_a_bullet_that_cites_a_source_but_has_bullets_under_it_is_a_story_line_and_reported():
    text = ("---\ndate: 2025-04-28\n---\n#### Law and crime\n* Hospital stabbing [(AP)](https://ap.example/1)\n"
            "  * Two people are killed. [(BBC)](https://bbc.example/1)\n")
    (ev,), (rej,) = parse(text)
    assert ev.story_line == ("Hospital stabbing",)
    assert "cites AP but has bullets under it; read as story line" in rej.reason


def test_a_citation_wrapped_onto_its_own_line_belongs_to_the_bullet_above():
    text = ("---\ndate: 2025-08-08\n---\n#### Politics and elections\n* A leader alleges fraud.\n\n"
            "[(The Hindu)](https://thehindu.example/1)\n")
    (ev,), rejections = parse(text)
    assert not rejections and ev.outlets == ("The Hindu",) and ev.text == "A leader alleges fraud."


def test_bold_section_headings_and_spelling_variants_are_recognised():
    text = ("---\ndate: 2025-01-02\n---\n**Attacks and armed conflicts**\n* A raid. [(AP)](https://ap.example/1)\n"
            "#### Disasters and incidents\n* A flood. [(AP)](https://ap.example/2)\n")
    events, rejections = parse(text)
    assert not rejections
    assert [e.section for e in events] == ["armed_conflicts_attacks", "disasters_accidents"]
    assert section_id("Science and Technology") == "science_technology"
    assert section_id("Business and econony") == "business_economy"
    assert section_id("Weather") is None


def test_a_bullet_before_any_section_is_reported():
    _, (rej,) = parse("---\ndate: 2025-01-02\n---\n* A raid. [(AP)](https://ap.example/1)\n")
    assert rej.reason == "bullet before any section heading; not read."


def test_date_comes_from_front_matter_else_from_the_file_name_else_the_page_is_rejected():
    body = "#### Sports\n* A match. [(AP)](https://ap.example/1)\n"
    (ev,), _ = parse(body, "posts/2025-03-04-index.md")
    assert ev.date == date(2025, 3, 4)
    events, (rej,) = parse(body, "posts/page.md")
    assert not events and "no date: expected a front matter line 'date: YYYY-MM-DD'" in rej.reason
    events, (rej,) = parse("---\ndate: 2025-02-30\n---\n" + body, "posts/x.md")
    assert not events and "invalid date in the front matter" in rej.reason


def test_portal_url_names_the_day_page():
    assert portal_url(date(2025, 1, 1)) == "https://en.wikipedia.org/wiki/Portal:Current_events/2025_January_1"


# ---------------------------------------------------------------------------------------------
# taxonomy, actors, region
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tax():
    return wikinews_taxonomy()


@pytest.fixture(scope="module")
def resolver(tax):
    return ActorResolver(tax.facet("actors"), tax.facet("region"))


def test_taxonomy_is_region_actors_and_the_ten_sections(tax, taxonomy):
    assert tax.facet_names == ["region", "actors", "sections"]
    assert not tax.facet("sections").multi and len(tax.facet("sections").ids) == 10
    assert tax.facet("actors").ids == taxonomy.facet("actors").ids
    assert tax.facet("actors").label("USA").attrs["region"] == "americas"


def test_taxonomy_needs_region_and_actors_in_the_base():
    base = parse_taxonomy({"facets": {"themes": {"kind": "multi", "labels": {"x": {}}}}})
    with pytest.raises(TaxonomyError, match="has no 'region' facet; the Wikipedia corpus derives actors"):
        wikinews_taxonomy(base)


@pytest.mark.parametrize("link, actor", [
    (Link("Russia", "Russia"), "RUS"),                          # the page is the label
    (Link("Georgia", "Georgia (country)"), "GEO"),              # (country) disambiguation
    (Link("NATO", "NATO"), "NATO"),                             # refs.wikipedia
    (Link("IAEA", "International Atomic Energy Agency"), "IAEA"),
    (Link("Donald Trump", "Donald Trump"), "USA"),              # an alias of a state
    (Link("Israeli", "Israel Defense Forces"), "ISR"),          # the linked words name the state
    (Link("Georgia", "Georgia (U.S. state)"), None),            # a namesake of the words
    (Link("Victoria", "Victoria (state)"), None),
    (Link("President", "President of Honduras"), None),         # only whole titles count
    (Link("us", "Us (2019 film)"), None),                       # acronyms stay case-sensitive
])
def test_a_link_resolves_to_an_actor_only_when_its_page_or_words_name_one(resolver, link, actor):
    assert resolver.resolve(link) == actor


def test_actors_come_once_each_in_taxonomy_order(resolver, tax):
    links = [Link("Russia", "Russia"), Link("NATO", "NATO"), Link("Russian", "Russian Armed Forces")]
    ids = tax.facet("actors").ids
    assert resolver.actors(links) == sorted(["NATO", "RUS"], key=ids.index)


@pytest.mark.parametrize("actors, region", [
    (["RUS", "UKR"], "europe"),
    (["ISR", "PSE", "USA"], "middle_east"),   # a US action inside another region takes that region
    (["USA"], "americas"),
    (["USA", "CAN"], "americas"),
    (["FRA", "JPN"], "global"),                # a tie: several regions with equal weight
    (["NATO", "UN"], None),                    # organisations have no region: left unlabeled
    ([], None),
])
def test_region_is_the_majority_of_the_state_actors_regions(resolver, actors, region):
    assert resolver.region(actors) == region


# ---------------------------------------------------------------------------------------------
# reading a folder, building, splitting in time
# ---------------------------------------------------------------------------------------------

@pytest.fixture
def posts(tmp_path):
    d = tmp_path / "posts"
    d.mkdir()
    (d / "2025-01-01-index.md").write_text(DAY, encoding="utf-8")
    (d / "2025-12-31-index.md").write_text(
        "---\ndate: 2025-12-31\n---\n#### International relations\n"
        f"* {wl('France')} and {wl('Japan')} sign a pact. [(AP)](https://ap.example/1)\n", encoding="utf-8")
    (d / "2026-01-05-index.md").write_text(
        "---\ndate: 2026-01-05\n---\n#### International relations\n"
        f"* {wl('France')} and {wl('Japan')} sign a pact. [(AP)](https://ap.example/1)\n"
        f"* {wl('NATO')} meets in {wl('Brussels')}. [(DW)](https://dw.example/1)\n", encoding="utf-8")
    return d


def test_reading_a_folder_labels_each_event_with_section_actors_and_region(posts):
    read = read_wikipedia_current_events(posts)
    assert read.files == 3 and len(read.articles) == 7
    assert [r.reason.split(":")[0] for r in read.rejections] == ["event bullet cites no source"]
    gaza = read.articles[0]
    assert gaza.labels == {"sections": "armed_conflicts_attacks", "actors": ["ISR"], "region": "middle_east"}
    assert gaza.title == "" and gaza.body.startswith("Israeli airstrikes")
    assert gaza.section == "Armed conflicts and attacks" and gaza.date_text == "2025-01-01"
    assert gaza.url == "https://en.wikipedia.org/wiki/Portal:Current_events/2025_January_1"
    assert gaza.meta["story_line"] == ["Gaza war", "Israeli invasion of the Gaza Strip"]
    assert gaza.meta["links"][0] == "Israel Defense Forces" and gaza.meta["outlets"] == ["Al Jazeera"]
    assert gaza.origin.endswith("2025-01-01-index.md:13")
    nato = read.articles[-1]
    assert nato.labels == {"sections": "international_relations", "actors": ["NATO"]}  # no region: unlabeled


def test_a_missing_posts_folder_or_one_without_pages_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="no such folder; expected the Current events posts folder"):
        read_wikipedia_current_events(tmp_path / "nowhere")
    with pytest.raises(InputError, match=r"no \.md files"):
        read_wikipedia_current_events(tmp_path)


def test_building_merges_a_summary_repeated_word_for_word_and_reports_it(posts, tmp_path):
    corpus, report = build_wikipedia_current_events(posts, output=tmp_path / "wiki")
    assert len(corpus) == 6 and len(report.duplicates) == 1
    assert report.duplicates[0]["duplicate"].endswith("2026-01-05-index.md:5")
    assert len(report.rejections) == 1
    assert (tmp_path / "wiki" / "report.json").is_file()
    with pytest.raises(CorpusError, match="1 record.s. rejected .strict mode.:\n  .*cites no source"):
        build_wikipedia_current_events(posts, strict=True)


def test_time_split_trains_before_the_cutoff_and_evaluates_from_it(posts):
    corpus, _ = build_wikipedia_current_events(posts)
    m = time_split(corpus, "2026-01")
    assert m.method == "time" and m.seed is None and m.group_columns == ("group_id",)
    days = dict(zip(corpus.ids, corpus.dataset["date_text"]))
    assert sorted(days[i] for i in m.ids["eval"]) == ["2026-01-05"]
    assert len(m.ids["train"]) == 5
    assert m.label_report["cutoff"] == "2026-01-01"
    assert m.label_report["dates"] == {"train": ["2025-01-01", "2025-12-31"], "eval": ["2026-01-05", "2026-01-05"]}
    assert m.label_report["proportions"]["sections"]["international_relations"] == {"total": 2, "train": 1, "eval": 1}
    assert m.ratios == {"train": round(5 / 6, 6), "eval": round(1 / 6, 6)}


def test_time_split_keeps_near_duplicates_on_the_side_of_their_earliest_article(tmp_path):
    tax = wikinews_taxonomy()
    text = "The army and the rebels agree a ceasefire after talks in the capital lasting three days and nights."
    arts = [Article(title="", body=text + suffix, year=y, month=m, day=d, labels={"sections": "law_crime"})
            for suffix, (y, m, d) in [("", (2025, 12, 1)), (" Again.", (2026, 2, 1)), ("Other story entirely.", (2026, 3, 1))]]
    arts[2] = arts[2].with_changes(body="A different story about a flood in the north.")
    corpus = from_articles(arts, tax)
    m = time_split(corpus, "2026-01-01")
    assert len(m.ids["train"]) == 2 and len(m.ids["eval"]) == 1
    assert m.label_report["moved_to_train"] == 1


def test_time_split_errors_name_the_problem(posts):
    corpus, _ = build_wikipedia_current_events(posts)
    with pytest.raises(InputError, match="cutoff 'soon' is not a date; expected YYYY-MM-DD or YYYY-MM"):
        time_split(corpus, "soon")
    with pytest.raises(CorpusError, match="the eval split is empty .* choose a cutoff inside"):
        time_split(corpus, "2027-01-01")
    undated = from_articles([Article(title="", body="x", labels={"sections": "sports"})], corpus.taxonomy)
    with pytest.raises(CorpusError, match="1 labeled article.s. have no full date"):
        time_split(undated)


def test_cli_builds_the_corpus_folder_with_its_time_split(posts, tmp_path, capsys):
    from corpus import load, load_splits
    from corpus._cli import main

    out = tmp_path / "wiki"
    assert main(["corpus", "wikinews", str(posts), "-o", str(out), "--cutoff", "2026-01"]) == 0
    corpus, manifest = load(out), load_splits(out)
    assert manifest.method == "time" and manifest.corpus_fingerprint == corpus.fingerprint
    assert len(manifest.ids["eval"]) == 1
    captured = capsys.readouterr()
    assert "time split 5 train / 1 eval" in captured.out
    assert "1 record(s) rejected" in captured.err


def test_cli_rejects_a_bad_cutoff_before_building(posts, tmp_path, capsys):
    from corpus._cli import main

    assert main(["corpus", "wikinews", str(posts), "-o", str(tmp_path / "w"), "--cutoff", "soon"]) == 2
    assert "cutoff 'soon' is not a date" in capsys.readouterr().err
    assert not (tmp_path / "w").exists()


def test_cli_refuses_to_replace_an_existing_corpus_without_overwrite(posts, tmp_path, capsys):
    from corpus._cli import main

    out = tmp_path / "wiki"
    assert main(["corpus", "wikinews", str(posts), "-o", str(out), "--cutoff", "2026-01"]) == 0
    before = (out / "splits.json").read_bytes()
    capsys.readouterr()
    assert main(["corpus", "wikinews", str(posts), "-o", str(out), "--cutoff", "2026-01"]) == 2
    err = capsys.readouterr().err
    assert "already holds a corpus" in err and "--overwrite" in err
    assert (out / "splits.json").read_bytes() == before
    assert main(["corpus", "wikinews", str(posts), "-o", str(out), "--cutoff", "2026-01", "--overwrite"]) == 0
    assert (out / "splits.json").read_bytes() == before  # the same build, byte for byte
