import json

import pytest

from corpus import InputError, read_file, read_paths
from corpus._seedtext import parse_seed_text
from corpus._text import decode, parse_date


@pytest.fixture
def seed(seed_article_path):
    result = read_file(seed_article_path)
    assert not result.rejections
    (article,) = result.articles
    return article


def test_seed_article_section_title_dateline_and_source(seed):
    assert seed.section == "Asia"
    assert seed.title == "US, Japan and South Korea formalize their defense partnership"
    assert seed.date_text == "Jul 28"
    assert (seed.year, seed.month, seed.day) == (None, 7, 28)
    assert seed.source == "EUROPA PRESS"


def test_seed_article_title_appears_once_and_body_keeps_every_paragraph(seed, seed_article_path):
    assert seed.title not in seed.body
    assert seed.body.startswith("The governments of the United States")
    assert seed.body.endswith("“free from coercion and intimidation” by the Asian giant.")
    assert "QUAD" in seed.paragraphs[-1]
    assert len(seed.paragraphs) == 8
    for para in seed.paragraphs:
        assert para in seed_article_path.read_text(encoding="utf-8")


def test_seed_article_body_has_no_boilerplate_and_raw_text_is_kept(seed, seed_article_path):
    assert "Source link" not in seed.body and not seed.body.rstrip().endswith("Tags")
    assert seed.raw == seed_article_path.read_text(encoding="utf-8")


def test_dateline_with_year_and_text_on_the_same_line():
    text = "Europe\n\nTitle here\n\nMarch 3, 2025 (REUTERS) - Troops moved in.\n\nSecond paragraph.\n\nSource link: https://example.org/x\n\nTags: NATO, drills"
    a = parse_seed_text(text, "x.txt")
    assert (a.year, a.month, a.day, a.source) == (2025, 3, 3, "REUTERS")
    assert a.body == "Troops moved in.\n\nSecond paragraph."
    assert a.url == "https://example.org/x"
    assert a.tags == ("NATO", "drills")


def test_article_without_section_or_dateline_still_parses():
    a = parse_seed_text("A plain title\n\nOne paragraph of body.", "p.txt")
    assert a.section == "" and a.title == "A plain title" and a.body == "One paragraph of body."


def test_title_without_body_is_rejected_with_the_expected_format():
    with pytest.raises(InputError, match=r"t\.txt: no body paragraph after the title 'Only a title'; expected the seed article format"):
        parse_seed_text("Asia\n\nOnly a title\n\nOnly a title\n\nSource link", "t.txt")


@pytest.mark.parametrize("text, expected", [
    ("Jul 28", (None, 7, 28)), ("July 28, 2024", (2024, 7, 28)), ("28 Jul 2024", (2024, 7, 28)),
    ("2025-03-10", (2025, 3, 10)), ("Foo 12", (None, None, None)), ("2025-02-30", (None, None, None)),
])
def test_dates_are_parsed_as_written(text, expected):
    assert parse_date(text) == expected


def test_empty_file_is_rejected_with_what_to_do(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"  \n")
    (rej,) = read_file(tmp_path / "empty.txt").rejections
    assert rej.source.endswith("empty.txt") and "the file is empty" in rej.reason and "Remove it" in rej.reason


def test_binary_file_is_rejected_naming_the_nul_offset(tmp_path):
    (tmp_path / "img.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    (rej,) = read_file(tmp_path / "img.txt").rejections
    assert "binary file (NUL byte at offset 8)" in rej.reason and "expected UTF-8 text" in rej.reason


def test_invalid_utf8_names_line_column_and_byte_and_how_to_fix(tmp_path):
    (tmp_path / "latin.txt").write_bytes("Asia\n\nTitle\n\nBody with caf\xe9.\n".encode("latin-1"))
    (rej,) = read_file(tmp_path / "latin.txt").rejections
    assert rej.source.endswith("latin.txt:5")
    assert "invalid UTF-8 at byte 26 (line 5, column 14: 0xe9)" in rej.reason and "iconv" in rej.reason


def test_decode_accepts_a_byte_order_mark():
    assert decode("\ufeffAsia".encode("utf-8"), "x") == "Asia"


def test_jsonl_reads_text_metadata_and_labels(tmp_path, taxonomy):
    rows = [
        {"id": "x1", "title": "Drills", "text": "Seoul and Washington held drills.", "date": "2025-03-10",
         "source": "AP", "url": "https://e.org/1", "region": "asia", "themes": ["military_training"], "actors": ["KOR", "USA"]},
        {"text": "No labels here."},
    ]
    p = tmp_path / "a.jsonl"
    p.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    res = read_file(p, taxonomy)
    assert not res.rejections
    first, second = res.articles
    assert (first.title, first.year, first.month, first.day, first.source) == ("Drills", 2025, 3, 10, "AP")
    assert first.labels == {"region": "asia", "themes": ["military_training"], "actors": ["KOR", "USA"]}  # taxonomy order
    assert second.labels == {} and first.origin.endswith("a.jsonl:1")


def test_jsonl_bad_lines_are_reported_by_line_and_good_lines_kept(tmp_path, taxonomy):
    p = tmp_path / "b.jsonl"
    p.write_text('{"text": "ok"}\n{not json}\n{"title": "no text"}\n{"text": "x", "region": "mars"}\n[1]\n', encoding="utf-8")
    res = read_file(p, taxonomy)
    assert len(res.articles) == 1
    reasons = {r.source.rsplit(":", 1)[1]: r.reason for r in res.rejections}
    assert set(reasons) == {"2", "3", "4", "5"}
    assert "invalid JSON" in reasons["2"]
    assert "no text field; expected one of ['text', 'body', 'content'], found ['title']" in reasons["3"]
    assert "region label 'mars' is not in the taxonomy's region" in reasons["4"]
    assert "expected a JSON object per line, got list" in reasons["5"]


def test_csv_reads_multi_label_cells_as_json_or_semicolon_lists(tmp_path, taxonomy):
    p = tmp_path / "a.csv"
    p.write_text('title,text,region,themes,actors\nT1,"Body one, with comma",europe,"[""diplomacy""]",RUS;UKR\n'
                 'T2,Body two,,,\n', encoding="utf-8")
    res = read_file(p, taxonomy)
    assert not res.rejections
    a, b = res.articles
    assert a.labels == {"region": "europe", "themes": ["diplomacy"], "actors": ["RUS", "UKR"]}
    assert b.labels == {} and a.body == "Body one, with comma"


def test_csv_without_a_text_column_is_rejected_listing_its_columns(tmp_path):
    p = tmp_path / "no_text.csv"
    p.write_text("title,region\nA,asia\n", encoding="utf-8")
    (rej,) = read_file(p).rejections
    assert "CSV without a text column; expected one of ['text', 'body', 'content'], found columns ['title', 'region']" in rej.reason
    assert "Rename the column" in rej.reason


def test_html_page_main_text_is_extracted_without_navigation(tmp_path):
    html = """<html><head><title>Navy drills near Taiwan | Example News</title>
    <meta property="og:title" content="Navy drills near Taiwan"></head><body>
    <nav><a href="/">Home</a> <a href="/world">World</a> Subscribe now</nav>
    <article><h1>Navy drills near Taiwan</h1>
    <p>China's navy began large-scale drills around Taiwan on Monday, the defence ministry in Taipei said, describing the exercise as a show of force.</p>
    <p>Taiwan put its forces on alert and dispatched ships to monitor the manoeuvres, which involved dozens of aircraft and several warships.</p>
    </article><footer>Copyright Example News. All rights reserved.</footer></body></html>"""
    p = tmp_path / "page.html"
    p.write_text(html, encoding="utf-8")
    (a,) = read_file(p).articles
    assert a.title == "Navy drills near Taiwan"
    assert a.body.startswith("China's navy began large-scale drills") and "Taiwan put its forces" in a.body
    assert "Subscribe" not in a.body and "Copyright" not in a.body
    assert a.raw == html


def test_folder_is_read_recursively_good_files_land_and_bad_ones_are_listed(tmp_path, seed_article_path):
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / "sub" / "deeper" / "seed.txt").write_bytes(seed_article_path.read_bytes())
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01")
    (tmp_path / "notes.json").write_text("{}")
    res = read_paths([tmp_path])
    assert len(res.articles) == 1 and res.files == 3
    assert sorted(r.source.rsplit("/", 1)[-1] for r in res.rejections) == ["bin.txt", "empty.txt"]
    assert [s.rsplit("/", 1)[-1] for s in res.skipped] == ["notes.json"]


def test_missing_source_path_is_an_error(tmp_path):
    with pytest.raises(InputError, match="no such file or folder"):
        read_paths([tmp_path / "missing"])


@pytest.mark.parametrize("url, expected", [
    ("https://en.wikipedia.org/wiki/Portal:Current_events/2025_January_6", (2025, 1, 6)),
    ("https://example.com/world/2024/07/28/story.html", (2024, 7, 28)),
    ("https://example.com/news/2026-03-01-title", (2026, 3, 1)),
    ("https://example.com/2025_Foo_6", None), ("https://example.com/2025/02/30/x", None), ("", None),
])
def test_a_date_in_a_url_is_found_in_its_common_spellings(url, expected):
    from corpus._text import date_in_url

    assert date_in_url(url) == expected


def test_a_dateline_without_a_year_takes_it_from_the_source_link_when_month_and_day_agree():
    text = ("Asia\n\nTitle here\n\nJan 6. (NEWSTAG DESK) –\n\nBody paragraph.\n\nSource link\n\n"
            "https://en.wikipedia.org/wiki/Portal:Current_events/2025_January_6")
    a = parse_seed_text(text, "t.txt")
    assert (a.year, a.month, a.day) == (2025, 1, 6)
    other_day = parse_seed_text(text.replace("Jan 6.", "Jan 7."), "t.txt")
    assert (other_day.year, other_day.month, other_day.day) == (None, 1, 7)
def test_a_records_own_id_or_else_its_url_is_kept_as_its_source_id(tmp_path):
    p = tmp_path / "a.jsonl"
    p.write_text("\n".join(json.dumps(r) for r in [
        {"id": "x1", "text": "First.", "url": "https://e.org/1"}, {"id": 17, "text": "Second."},
        {"text": "Third.", "url": "https://e.org/3"}, {"text": "Fourth."}]) + "\n")
    assert [a.source_id for a in read_file(p).articles] == ["x1", "17", "https://e.org/3", ""]
    c = tmp_path / "a.csv"
    c.write_text("id,text,url\nrow-9,Body,https://e.org/9\n", encoding="utf-8")
    (article,) = read_file(c).articles
    assert (article.source_id, article.url, article.id) == ("row-9", "https://e.org/9", "")


def test_the_source_id_reaches_the_corpus_next_to_newstags_id(tmp_path):
    from corpus import build

    p = tmp_path / "a.jsonl"
    p.write_text(json.dumps({"id": "x1", "text": "First."}) + "\n")
    c, _ = build([p])
    assert c.dataset["source_id"] == ["x1"] and c.ids[0] != "x1"


def test_a_json_file_named_as_a_source_is_refused_with_the_command_for_a_label_studio_export(tmp_path):
    p = tmp_path / "export.json"
    p.write_text('[{"id": 1, "data": {"text": "x"}, "annotations": []}]')
    (rej,) = read_file(p).rejections
    assert "this is JSON, not an article in the seed text format" in rej.reason
    assert "newstag annotate import" in rej.reason


def test_html_markup_becomes_paragraphs_of_text():
    from corpus import html_text, looks_like_html

    markup = "<div><h1>Title</h1><p>First <b>bold</b> para.</p><script>var x;</script><p>Second&amp;last.</p></div>"
    assert looks_like_html(markup) and not looks_like_html("3 < 4 and 5 > 2")
    assert html_text(markup) == "Title\n\nFirst bold para.\n\nSecond&last."


def test_fields_an_article_has_no_place_for_are_kept_as_its_metadata(tmp_path):
    p = tmp_path / "a.jsonl"
    p.write_text(json.dumps({"id": "x1", "text": "First.", "story_line": ["War", "Front"], "selection": "random",
                             "empty": ""}) + "\n")
    (a,) = read_file(p).articles
    assert a.meta == {"story_line": ["War", "Front"], "selection": "random"}
    c = tmp_path / "a.csv"
    c.write_text("text,author\nBody,Jane\n", encoding="utf-8")
    (b,) = read_file(c).articles
    assert b.meta == {"author": "Jane"}
