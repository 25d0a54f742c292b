"""`newstag tag` never loses a line nor writes where it should not: bad lines, option values out of
range, -o naming a folder or a corpus, empty texts."""

from __future__ import annotations

import io
import json
import sys

import pytest

from corpus import load
from corpus._cli import main


@pytest.fixture(scope="module")
def cli_model(corpus_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "model"
    assert main(["train", "--corpus", str(corpus_dir), "-o", str(out), "--seed", "0"]) == 0
    return out


def _lines(n_good: int, bad_at: int | None = None, bad: str = "not json") -> str:
    rows = [json.dumps({"id": f"a{i}", "text": f"Japan and the US hold drills number {i}."}) for i in range(1, n_good + 1)]
    if bad_at is not None:
        rows.insert(bad_at - 1, bad)
    return "\n".join(rows) + "\n"


def test_a_bad_line_after_a_batch_boundary_keeps_every_line_before_it(cli_model, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(_lines(12, bad_at=10)))
    assert main(["tag", "--model", str(cli_model), "-", "--no-evidence", "--batch-size", "4"]) == 2
    out, err = capsys.readouterr()
    assert [json.loads(x)["id"] for x in out.splitlines()] == [f"a{i}" for i in range(1, 10)]
    assert "stdin line 10: not valid JSON" in err and "The 9 article(s) before it were tagged and written" in err


def test_a_bad_line_with_an_output_file_keeps_the_lines_before_it_in_the_file(cli_model, capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "stdin", io.StringIO(_lines(6, bad_at=4, bad='{"text": 3}')))
    out = tmp_path / "tags.jsonl"
    assert main(["tag", "--model", str(cli_model), "-", "--no-evidence", "-o", str(out)]) == 2
    assert [json.loads(x)["id"] for x in out.read_text().splitlines()] == ["a1", "a2", "a3"]
    assert "stdin line 4: expected a JSON object with a 'text' string" in capsys.readouterr().err


def test_skip_bad_goes_on_and_lists_the_skipped_lines_at_the_end(cli_model, capsys, monkeypatch):
    text = _lines(5, bad_at=2) + '{"text": "   "}\n' + '{"text": "Seoul and Tokyo talk."}\n'
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    assert main(["tag", "--model", str(cli_model), "-", "--no-evidence", "--skip-bad"]) == 0
    out, err = capsys.readouterr()
    assert [json.loads(x)["id"] for x in out.splitlines()] == ["a1", "a2", "a3", "a4", "a5", None]
    assert "skipped stdin line 2: not valid JSON" in err
    assert "skipped stdin line 7: empty text" in err and "skipped 2 bad line(s): lines 2, 7; 6 article(s) tagged" in err


def test_skip_bad_with_strict_fails_after_tagging_the_good_lines(cli_model, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(_lines(3, bad_at=2)))
    assert main(["tag", "--model", str(cli_model), "-", "--no-evidence", "--skip-bad", "--strict"]) == 2
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == 3 and "1 stdin line(s) skipped (--strict): lines 2" in err


@pytest.mark.parametrize("option", [["--batch-size", "0"], ["--batch-size", "-5"], ["--num-proc", "0"],
                                    ["--top-terms", "-1"]])
def test_option_values_out_of_range_are_usage_errors(cli_model, capsys, monkeypatch, option):
    monkeypatch.setattr(sys, "stdin", io.StringIO(_lines(2)))
    assert main(["tag", "--model", str(cli_model), "-", *option]) == 2
    assert option[0] in capsys.readouterr().err


def test_tag_to_an_existing_folder_is_an_input_error_and_writes_nothing(cli_model, capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "stdin", io.StringIO(_lines(2)))
    (tmp_path / "d").mkdir()
    assert main(["tag", "--model", str(cli_model), "-", "-o", str(tmp_path / "d")]) == 2
    assert "-o names a folder" in capsys.readouterr().err and list((tmp_path / "d").iterdir()) == []


def test_tagging_a_corpus_into_itself_is_refused_and_the_corpus_still_loads(cli_model, corpus_dir, capsys, tmp_path):
    import shutil

    c = tmp_path / "c"
    shutil.copytree(corpus_dir, c)
    before = load(c).manifest["fingerprint"]
    assert main(["tag", str(c), "--model", str(cli_model), "-o", str(c), "--num-proc", "1"]) == 2
    assert "is not a tag result folder newstag wrote; refusing to write over it" in capsys.readouterr().err
    assert load(c).manifest["fingerprint"] == before


def test_tagging_a_corpus_twice_into_the_same_result_folder_replaces_it(cli_model, corpus_dir, capsys, tmp_path):
    out = tmp_path / "tags"
    for _ in range(2):
        assert main(["tag", str(corpus_dir), "--model", str(cli_model), "-o", str(out), "--num-proc", "1"]) == 0
    assert json.loads((out / "manifest.json").read_text())["format"] == "newstag-tags/1"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".tags.lock", "tags"]


def test_empty_text_is_tagged_with_a_warning_naming_the_item_and_a_batch_size_below_1_refused(cli_model):
    from classifier import EmptyTextWarning, Tagger
    from corpus import InputError

    tagger = Tagger.load(cli_model)
    with pytest.warns(EmptyTextWarning, match=r"1 item\(s\) with an empty text .*: item\(s\) 1 \(e1\)\. Leave them out"):
        results = list(tagger.tag_batch(["Japan holds drills.", {"id": "e1", "text": "  \n"}]))
    assert len(results) == 2
    with pytest.raises(InputError, match=r"batch_size=0: expected a positive number"):
        list(tagger.tag_batch(["Japan holds drills."], batch_size=0))


def test_evaluate_refuses_to_write_its_report_into_a_corpus_or_a_file(cli_model, corpus_dir, capsys, tmp_path):
    import shutil

    c = tmp_path / "c"
    shutil.copytree(corpus_dir, c)
    before = (c / "report.json").read_bytes()
    assert main(["evaluate", "--corpus", str(c), "--model", str(cli_model), "-o", str(c)]) == 2
    assert "is not a report folder newstag wrote" in capsys.readouterr().err.replace("\n", " ")
    assert (c / "report.json").read_bytes() == before
    (tmp_path / "f").write_text("mine")
    assert main(["evaluate", "--corpus", str(c), "--model", str(cli_model), "-o", str(tmp_path / "f")]) == 2
    assert "-o names a file, not a folder" in capsys.readouterr().err


@pytest.mark.parametrize("option, shown", [(["--C", "0"], "'--C'"), (["--C", "-1"], "'--C'"), (["--seed", "-1"], "--seed")])
def test_train_options_out_of_range_are_usage_errors(corpus_dir, tmp_path, capsys, option, shown):
    assert main(["train", "--corpus", str(corpus_dir), "-o", str(tmp_path / "m"), *option]) == 2
    assert shown in capsys.readouterr().err and not (tmp_path / "m").exists()
