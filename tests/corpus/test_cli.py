import json

from corpus._cli import main


def test_corpus_build_and_info_from_the_command_line(tmp_path, seed_article_path, capsys):
    assert main(["corpus", "build", str(seed_article_path), "-o", str(tmp_path / "c")]) == 0
    out = capsys.readouterr().out
    assert "articles added" in out and "rejected" in out
    assert main(["corpus", "info", str(tmp_path / "c")]) == 0
    assert "1 articles, 0 labeled" in capsys.readouterr().out
    assert json.loads((tmp_path / "c" / "manifest.json").read_text())["counts"]["articles"] == 1


def test_corpus_build_lists_each_rejected_file_on_stderr(tmp_path, seed_article_path, capsys):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.txt").write_bytes(seed_article_path.read_bytes())
    (tmp_path / "src" / "b.txt").write_bytes(b"\x00binary")
    assert main(["corpus", "build", str(tmp_path / "src"), "-o", str(tmp_path / "c")]) == 0
    err = capsys.readouterr().err
    assert "rejected" in err and "b.txt" in err and "binary file" in err


def test_errors_exit_2_with_a_message_and_no_traceback(tmp_path, capsys):
    assert main(["corpus", "info", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "error:" in err and "not a corpus folder" in err and "Traceback" not in err


def test_strict_build_exits_2(tmp_path, capsys):
    (tmp_path / "e.txt").write_text("")
    assert main(["corpus", "build", str(tmp_path), "-o", str(tmp_path / "c"), "--strict"]) == 2
    assert "strict mode" in capsys.readouterr().err
