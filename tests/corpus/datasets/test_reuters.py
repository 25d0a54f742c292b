"""The Reuters-21578 SGML reader, taxonomy and ModApte split, on tiny hand-written files.

The real files are read in tests/integration/test_real_corpora.py.
"""

from __future__ import annotations

import json

import pytest

from corpus import CorpusError, InputError, Rejection, from_articles, load_taxonomy
from corpus.datasets._reuters import ReutersDoc, parse_sgml, read_category_list
from corpus.datasets import build_reuters, modapte_split, read_reuters, reuters_categories, reuters_taxonomy

HEAD = '<!DOCTYPE lewis SYSTEM "lewis.dtd">\n'


def element(newid, *, split="TRAIN", topics_attr="YES", topics=(), places=(), people=(), orgs=(),
            title="TITLE", body="Body text.", text_type=None, date="26-FEB-1987 15:01:01.79"):
    d = lambda xs: "".join(f"<D>{x}</D>" for x in xs)  # noqa: E731
    ttype = f' TYPE="{text_type}"' if text_type else ""
    inner = body if text_type == "UNPROC" else (
        f"<TITLE>{title}</TITLE>\n<DATELINE>    CITY, Feb 26 - </DATELINE><BODY>{body}\n Reuter\n&#3;</BODY>")
    return (
        f'<REUTERS TOPICS="{topics_attr}" LEWISSPLIT="{split}" CGISPLIT="TRAINING-SET" OLDID="{5000 + newid}" '
        f'NEWID="{newid}">\n<DATE>{date}</DATE>\n<TOPICS>{d(topics)}</TOPICS>\n<PLACES>{d(places)}</PLACES>\n'
        f"<PEOPLE>{d(people)}</PEOPLE>\n<ORGS>{d(orgs)}</ORGS>\n<EXCHANGES></EXCHANGES>\n<COMPANIES></COMPANIES>\n"
        f"<UNKNOWN> \n&#5;&#5;&#5;C T\n</UNKNOWN>\n<TEXT{ttype}>&#2;\n{inner}</TEXT>\n</REUTERS>\n"
    )


COCOA = element(1, topics=["cocoa"], places=["el-salvador", "usa", "uruguay"], title="BAHIA COCOA REVIEW",
                body="Showers continued throughout the week in\nthe Bahia cocoa zone.\n    Arrivals &lt;BAHIA&gt; "
                     "rose &amp; fell.")


def parse(text, where="reut2-000.sgm"):
    return list(parse_sgml(text, where))


def test_an_element_becomes_a_document_with_its_attributes_categories_and_text():
    (doc,) = parse(HEAD + COCOA)
    assert (doc.newid, doc.oldid, doc.lewissplit, doc.cgisplit, doc.topics_attr) == (1, 5001, "TRAIN", "TRAINING-SET", "YES")
    assert doc.categories == {"topics": ["cocoa"], "places": ["el-salvador", "usa", "uruguay"], "people": [], "orgs": []}
    assert doc.title == "BAHIA COCOA REVIEW"
    assert doc.dateline == "CITY, Feb 26"
    assert (doc.year, doc.month, doc.day) == (1987, 2, 26)
    assert doc.line == 2


def test_body_joins_wrapped_lines_keeps_paragraphs_unescapes_entities_and_drops_the_signature():
    (doc,) = parse(HEAD + COCOA)
    assert doc.body == "Showers continued throughout the week in the Bahia cocoa zone.\n\nArrivals <BAHIA> rose & fell."
    assert "Reuter" in doc.raw and "&#3;" in doc.raw


def test_unproc_text_is_the_body_and_brief_text_has_a_title_only():
    unproc = element(2, text_type="UNPROC", body="FEDERAL RESERVE WEEKLY REPORT\n    Net free reserves.")
    brief = element(3, text_type="BRIEF").replace("<BODY>Body text.\n Reuter\n&#3;</BODY>", "Blah blah blah.")
    a, b = parse(unproc + brief)
    assert (a.text_type, a.title, a.body) == ("UNPROC", "", "FEDERAL RESERVE WEEKLY REPORT\n\nNet free reserves.")
    assert (b.text_type, b.title, b.body) == ("BRIEF", "TITLE", "")


def test_element_without_newid_is_rejected_with_its_line():
    bad = COCOA.replace(' NEWID="1"', "")
    items = parse(HEAD + COCOA + bad)
    assert isinstance(items[0], ReutersDoc) and items[0].newid == 1
    assert isinstance(items[1], Rejection)
    assert items[1].source == f"reut2-000.sgm:{2 + COCOA.count(chr(10))}"
    assert "numeric NEWID" in items[1].reason


def test_unterminated_elements_are_rejected_and_the_others_still_read():
    cut = COCOA.replace("</REUTERS>", "")
    items = parse(cut + element(2) + cut)
    assert [type(i).__name__ for i in items] == ["Rejection", "ReutersDoc", "Rejection"]
    assert items[1].newid == 2
    assert all("without </REUTERS>" in i.reason for i in (items[0], items[2]))
    assert items[0].source == "reut2-000.sgm:1"


def test_a_missing_category_list_says_which_files_are_needed(tmp_path):
    with pytest.raises(InputError, match="all-topics-strings.lc.txt: missing; .* must hold the 4 category lists"):
        read_category_list(tmp_path / "all-topics-strings.lc.txt")


@pytest.fixture
def data_dir(tmp_path):
    d = tmp_path / "reuters21578"
    d.mkdir()
    lists = {"topics": ["acq", "cocoa", "earn", "grain", "wheat"], "places": ["el-salvador", "uruguay", "usa", "uk"],
             "people": ["reagan"], "orgs": ["opec"]}
    for facet, names in lists.items():
        (d / f"all-{facet}-strings.lc.txt").write_text("\n".join(names) + "\n", encoding="latin-1")
    docs = [
        COCOA,
        element(2, topics=["earn"], places=["usa"], body="Profit up."),
        element(3, split="TEST", topics=["cocoa", "earn"], body="Cocoa firm earns."),
        element(4, split="TEST", topics=["grain"], body="Grain only in test."),
        element(5, split="TRAIN", topics_attr="NO", places=["uk"], people=["reagan"], body="Not in ModApte."),
        element(6, split="NOT-USED", topics=["acq"], body="Not used."),
        element(7, split="TEST", topics=["earn"], body="Profit up."),  # repeats NEWID 2's text
        element(8, split="TRAIN", topics=[], orgs=["opec"], body="No topic but in ModApte."),
    ]
    (d / "reut2-000.sgm").write_bytes((HEAD + "".join(docs[:4])).encode("latin-1"))
    (d / "reut2-001.sgm").write_bytes((HEAD + "".join(docs[4:])).replace("Not used.", "Not used \xfc.").encode("latin-1"))
    return d


def test_taxonomy_has_four_multi_label_facets_from_the_category_lists(data_dir):
    tax = reuters_taxonomy(data_dir)
    assert tax.facet_names == ["topics", "places", "people", "orgs"]
    assert all(f.multi for f in tax.facets)
    assert tax.facet("places").ids == ["el-salvador", "uruguay", "usa", "uk"]


def test_reading_latin1_files_gives_one_labeled_article_per_document_with_its_attributes_in_meta(data_dir):
    read = read_reuters(data_dir)
    assert read.files == 2 and not read.rejections
    assert [a.id for a in read.articles] == [f"reuters-{n:05d}" for n in range(1, 9)]
    first = read.articles[0]
    assert first.labels == {"topics": ["cocoa"], "places": ["el-salvador", "uruguay", "usa"], "people": [], "orgs": []}
    assert first.meta["newid"] == 1 and first.meta["lewissplit"] == "TRAIN" and first.meta["topics_attr"] == "YES"
    assert first.meta["dateline"] == "CITY, Feb 26"
    assert first.origin.endswith("reut2-000.sgm:2")
    assert "Not used ü." in read.articles[5].body


def test_a_category_missing_from_the_lists_rejects_the_document_with_its_newid(data_dir):
    f = data_dir / "reut2-001.sgm"
    f.write_bytes(f.read_bytes().replace(b"<D>reagan</D>", b"<D>thatcher</D>"))
    read = read_reuters(data_dir)
    assert len(read.articles) == 7
    (rej,) = read.rejections
    assert "reut2-001.sgm:2 (NEWID 5)" in rej.reason and "'thatcher' is not in the taxonomy's people" in rej.reason
    with pytest.raises(CorpusError, match="1 record.s. rejected .strict mode.:\n  .*thatcher"):
        build_reuters(data_dir, strict=True)


def test_missing_folder_or_sgml_files_are_clear_errors(tmp_path, data_dir):
    with pytest.raises(InputError, match="no such folder; expected the Reuters-21578 folder"):
        read_reuters(tmp_path / "nowhere")
    for f in data_dir.glob("*.sgm"):
        f.unlink()
    with pytest.raises(InputError, match=r"no reut2-\*\.sgm files"):
        read_reuters(data_dir)


def test_built_corpus_keeps_every_document_and_groups_repeated_texts(data_dir, tmp_path):
    corpus, report = build_reuters(data_dir, output=tmp_path / "out")
    assert len(corpus) == 8 and report.added == 8 and not report.duplicates
    groups = dict(zip(corpus.ids, corpus.dataset["group_id"]))
    assert groups["reuters-00007"] == groups["reuters-00002"] == "reuters-00002"
    assert (tmp_path / "out" / "manifest.json").is_file()
    assert json.loads(corpus.dataset["meta"][0])["newid"] == 1


@pytest.fixture
def corpus(data_dir):
    return build_reuters(data_dir)[0]


def test_modapte_split_takes_train_and_test_documents_marked_topics_yes(corpus):
    m = modapte_split(corpus)
    assert m.method == "modapte" and m.seed is None and m.group_columns == ()
    assert m.ids == {"train": ["reuters-00001", "reuters-00002", "reuters-00008"],
                     "eval": ["reuters-00003", "reuters-00004", "reuters-00007"]}
    assert m.label_report["left_out"] == {"lewissplit=NOT-USED, topics=YES": 1, "lewissplit=TRAIN, topics=NO": 1}
    assert m.label_report["groups_across_splits"] == 1  # NEWID 2 and 7 share a text across the split
    assert m.ratios == {"train": 0.5, "eval": 0.5}
    assert m.corpus_fingerprint == corpus.fingerprint


def test_r90_keeps_categories_with_a_train_and_a_test_document_and_documents_that_have_one(corpus):
    assert reuters_categories(corpus, "r90") == ["cocoa", "earn"]
    m = modapte_split(corpus, "r90")
    assert m.method == "modapte-r90"
    assert m.ids == {"train": ["reuters-00001", "reuters-00002"], "eval": ["reuters-00003", "reuters-00007"]}
    assert m.label_report["left_out"]["no r90 category"] == 2
    assert m.label_report["proportions"]["topics"]["earn"] == {"total": 3, "train": 1, "eval": 2}


def test_r10_is_the_ten_r90_categories_with_most_training_documents(corpus):
    assert reuters_categories(corpus, "r10") == ["cocoa", "earn"]  # fewer than ten here
    assert reuters_categories(corpus, "all") == ["acq", "cocoa", "earn", "grain", "wheat"]


def test_unknown_subset_and_a_corpus_without_reuters_meta_are_clear_errors(corpus):
    with pytest.raises(InputError, match=r"unknown Reuters subset 'r5'; expected one of \['all', 'r90', 'r10'\]"):
        modapte_split(corpus, "r5")
    from corpus import Article

    plain = from_articles([Article(title="t", body="b", labels={"topics": ["earn"]})], corpus.taxonomy)
    with pytest.raises(InputError, match="no ModApte documents .*build_reuters"):
        modapte_split(plain, "r90")
    with pytest.raises(CorpusError, match="no document is in the ModApte split"):
        modapte_split(plain)


def test_a_taxonomy_without_topics_cannot_be_split(corpus):
    from corpus import TaxonomyError

    other = from_articles([], load_taxonomy())
    with pytest.raises(TaxonomyError, match="facet 'topics' is not in taxonomy"):
        modapte_split(other)


def test_cli_builds_the_corpus_folder_with_its_modapte_split(data_dir, tmp_path, capsys):
    from corpus import load, load_splits
    from corpus._cli import main

    out = tmp_path / "reuters"
    assert main(["corpus", "reuters", str(data_dir), "-o", str(out), "--subset", "r90"]) == 0
    corpus, manifest = load(out), load_splits(out)
    assert len(corpus) == 8 and manifest.method == "modapte-r90"
    assert manifest.corpus_fingerprint == corpus.fingerprint
    assert "modapte-r90 split 2 train / 2 eval" in capsys.readouterr().out


def test_cli_strict_build_fails_on_a_rejected_document(data_dir, tmp_path, capsys):
    from corpus._cli import main

    f = data_dir / "reut2-000.sgm"
    f.write_bytes(f.read_bytes().replace(b' NEWID="4"', b""))
    assert main(["corpus", "reuters", str(data_dir), "-o", str(tmp_path / "r"), "--strict"]) == 2
    assert "numeric NEWID" in capsys.readouterr().err


def test_cli_refuses_to_replace_an_existing_corpus_without_overwrite(data_dir, tmp_path, capsys):
    from corpus import load
    from corpus._cli import main

    out = tmp_path / "reuters"
    assert main(["corpus", "reuters", str(data_dir), "-o", str(out)]) == 0
    before = (out / "manifest.json").read_bytes()
    capsys.readouterr()
    assert main(["corpus", "reuters", str(data_dir), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "already holds a corpus" in err and "--overwrite" in err
    assert (out / "manifest.json").read_bytes() == before
    assert main(["corpus", "reuters", str(data_dir), "-o", str(out), "--overwrite"]) == 0
    assert len(load(out)) == 8


def test_build_reuters_refuses_an_existing_corpus_before_reading(data_dir, tmp_path):
    out = tmp_path / "reuters"
    build_reuters(data_dir, output=out)
    with pytest.raises(CorpusError, match="already holds a corpus .* Pass --overwrite"):
        build_reuters(data_dir / "missing-on-purpose", output=out)
    build_reuters(data_dir, output=out, overwrite=True)
