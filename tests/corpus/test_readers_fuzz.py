"""Hypothesis fuzzing of every reader (seed text, JSON Lines, CSV, HTML): whatever the bytes, reading
gives articles and rejections, or one of the package's own errors — never another exception."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus import NewstagError, load_taxonomy, read_file

TAXONOMY = load_taxonomy()  # not a fixture: hypothesis prints the arguments of a failing example

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture],
                    derandomize=True)

# Pieces that readers treat specially, mixed with arbitrary text and bytes.
_PIECES = st.sampled_from(['"', '""', ",", "\n", "\r\n", "\r", "\x00", "\ufeff", "{", "}", "[", "]", ":", "text",
                           "title", "id", "date", "tags", "region", "themes", "actors", "asia", "JPN", "Jul 28. (EUROPA PRESS) –",
                           "Source link", "Tags", "<html>", "<p>", "</p>", "<title>", "&amp;", "\t", " ", "é", "\U0001f600"])
_TEXT = st.lists(st.one_of(_PIECES, st.text(max_size=20)), max_size=40).map("".join)
_BYTES = st.one_of(_TEXT.map(lambda t: t.encode("utf-8")), st.binary(max_size=200),
                   _TEXT.map(lambda t: t.encode("utf-8", "replace") + b"\xff\xfe" + t.encode("utf-16", "replace")))


def _jsonl_records():
    value = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), _TEXT),
                         lambda kids: st.lists(kids, max_size=3) | st.dictionaries(_TEXT, kids, max_size=3), max_leaves=8)
    keys = st.sampled_from(["text", "body", "content", "title", "id", "date", "tags", "region", "themes", "actors", "url"])
    return st.lists(st.dictionaries(keys, value, max_size=6), max_size=5).map(
        lambda recs: "\n".join(json.dumps(r) for r in recs).encode())


def _read(tmp_path, suffix, data):
    p = tmp_path / f"fuzz{suffix}"
    p.write_bytes(data)
    try:
        result = read_file(p, TAXONOMY)
    except NewstagError:
        return
    for a in result.articles:
        assert isinstance(a.body, str) and a.body
    for r in result.rejections:
        assert r.source.startswith(str(p)) and r.reason


@pytest.mark.parametrize("suffix", [".txt", ".jsonl", ".csv", ".html"])
@SETTINGS
@given(data=_BYTES)
def test_no_reader_raises_anything_but_its_own_errors_on_arbitrary_bytes(tmp_path, suffix, data):
    _read(tmp_path, suffix, data)


@SETTINGS
@given(data=_jsonl_records())
def test_json_lines_of_arbitrary_records_give_articles_or_rejections(tmp_path, data):
    _read(tmp_path, ".jsonl", data)


@SETTINGS
@given(rows=st.lists(st.lists(_TEXT, min_size=1, max_size=5), max_size=6),
       header=st.lists(st.sampled_from(["text", "title", "id", "themes", "region", "actors", "tags", "x"]), min_size=1,
                       max_size=5))
def test_csv_files_of_arbitrary_cells_give_articles_or_rejections(tmp_path, rows, header):
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    _read(tmp_path, ".csv", buf.getvalue().encode())
