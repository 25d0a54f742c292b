"""Readers meet what users' folders hold: huge CSV cells, unclosed quotes, bad symlinks, FIFOs, devices,
files that are not UTF-8 — and report each with its file and line instead of aborting or hanging."""

import os
import socket

import pytest

from corpus import InputError, build, read_file, read_paths


def _csv(tmp_path, text, name="a.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_a_csv_cell_over_128_kib_is_read_whole(tmp_path):
    body = "Drills near the island. " * 20_000  # ~480 KB, over the csv module's 128 KiB default
    result = read_file(_csv(tmp_path, f'id,text\n1,"{body}"\n2,Short text about sanctions.\n'))
    assert not result.rejections and len(result.articles) == 2
    assert result.articles[0].body == body.strip()


def test_an_unclosed_quote_is_reported_with_its_line_and_the_rows_before_it_are_kept(tmp_path):
    text = 'id,text\n1,First article.\n2,"Second article,\nstill quoted\n3,Third article.\n4,Fourth.\n'
    result = read_file(_csv(tmp_path, text))
    assert [a.body for a in result.articles] == ["First article."]
    (r,) = result.rejections
    assert r.source.endswith("a.csv:3") and "a quote opened in this row is never closed" in r.reason
    assert "line 6" in r.reason


def test_a_row_with_more_cells_than_columns_is_rejected_not_cut(tmp_path):
    result = read_file(_csv(tmp_path, "id,text\n1,Drills, near Okinawa\n2,Fine.\n"))
    assert [a.body for a in result.articles] == ["Fine."]
    assert "3 cells in a row of 2 columns" in result.rejections[0].reason


def test_dangling_and_looping_symlinks_in_a_folder_are_skipped_with_a_reason(tmp_path, seed_article_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "good.txt").write_bytes(seed_article_path.read_bytes())
    (src / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    (src / "loop.txt").symlink_to(src / "loop.txt")
    result = read_paths([src])
    assert len(result.articles) == 1
    reasons = {r.source.rsplit("/", 1)[-1]: r.reason for r in result.rejections}
    assert "dangling symlink" in reasons["gone.txt"] and "loops back to itself" in reasons["loop.txt"]


def test_a_dangling_symlink_named_as_a_source_is_an_input_error(tmp_path):
    (tmp_path / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    with pytest.raises(InputError, match=r"gone.txt: a symlink to .*nowhere.txt', which does not exist"):
        build([tmp_path / "gone.txt"])


def test_a_fifo_named_txt_is_skipped_instead_of_hanging_the_build(tmp_path, seed_article_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "good.txt").write_bytes(seed_article_path.read_bytes())
    os.mkfifo(src / "pipe.txt")
    corpus, report = build([src])
    assert len(corpus) == 1
    (r,) = report.rejections
    assert r.source.endswith("pipe.txt") and "named pipe (FIFO)" in r.reason


def test_devices_and_sockets_are_skipped_with_a_reason(tmp_path):
    assert "a device" in read_file("/dev/null").rejections[0].reason
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(tmp_path / "s.txt"))
        assert "a socket" in read_file(tmp_path / "s.txt").rejections[0].reason
    finally:
        sock.close()


def test_a_non_utf8_csv_is_rejected_with_its_line(tmp_path):
    p = tmp_path / "latin.csv"
    p.write_bytes("id,text\n1,Caf\xe9 talks in Paris.\n".encode("latin-1"))
    (r,) = read_file(p).rejections
    assert r.source.endswith("latin.csv:2") and "invalid UTF-8" in r.reason and "iconv" in r.reason


def test_a_label_that_is_not_a_string_is_a_rejection_naming_the_line(tmp_path, taxonomy):
    p = tmp_path / "a.jsonl"
    p.write_text('{"text": "Drills near Okinawa.", "region": {}}\n{"text": "Talks.", "themes": [["diplomacy"]]}\n')
    result = read_file(p, taxonomy)
    assert not result.articles
    assert [r.source.rsplit("/", 1)[-1] for r in result.rejections] == ["a.jsonl:1", "a.jsonl:2"]
    assert "region label {} is not in the taxonomy" in result.rejections[0].reason
