"""A corpus folder changes as a whole, one writer at a time, and never over what is not a corpus."""

import json
import os
import subprocess
import sys
import textwrap

import pytest

from corpus import Article, CorpusError, build, folder_lock, from_articles, load
from corpus._cli import main
from corpus._lock import lock_path
from corpus.atomic import atomic_folder, atomic_path, clean_leftovers, private_file


def _corpus(taxonomy, labeled: bool):
    arts = [Article(id=f"a{i}", title=f"Title {i}", body=f"Body of article {i} about drills near island {i}.",
                    labels={"region": "asia", "themes": ["deterrence"], "actors": ["JPN"]} if labeled else {})
            for i in range(3)]
    return from_articles(arts, taxonomy)


@pytest.fixture
def labeled_dir(tmp_path, taxonomy):
    path = tmp_path / "c"
    _corpus(taxonomy, labeled=True).save(path)
    (path / "splits.json").write_text("{}")
    return path


def test_build_over_a_labeled_corpus_is_refused_and_says_how_many_labeled_articles_would_go(labeled_dir, seed_article_path):
    before = (labeled_dir / "manifest.json").read_bytes()
    with pytest.raises(CorpusError, match=r"already holds a corpus \(3 articles, 3 labeled\).*3 labeled article\(s\) "
                                          r"and its split \(splits.json\) would go\. Pass --overwrite"):
        build([seed_article_path], output=labeled_dir)
    assert (labeled_dir / "manifest.json").read_bytes() == before and load(labeled_dir).n_labeled == 3


def test_build_with_overwrite_replaces_the_corpus_and_drops_its_stale_split(labeled_dir, seed_article_path):
    build([seed_article_path], output=labeled_dir, overwrite=True)
    assert len(load(labeled_dir)) == 1 and not (labeled_dir / "splits.json").exists()


def test_corpus_build_command_refuses_an_existing_corpus_with_exit_2(labeled_dir, seed_article_path, capsys):
    assert main(["corpus", "build", str(seed_article_path), "-o", str(labeled_dir)]) == 2
    assert "3 labeled article(s)" in capsys.readouterr().err
    assert main(["corpus", "build", str(seed_article_path), "-o", str(labeled_dir), "--overwrite"]) == 0
    assert len(load(labeled_dir)) == 1


def test_build_into_a_non_empty_folder_that_is_not_a_corpus_is_refused_and_leaves_it_untouched(tmp_path, seed_article_path):
    mine = tmp_path / "mine"
    (mine / "data").mkdir(parents=True)
    (mine / "manifest.json").write_text('{"my": "own manifest"}')
    (mine / "data" / "part-00000.parquet").write_text("not parquet")
    with pytest.raises(CorpusError, match=r"not empty \(2 entries: data, manifest.json\) and is not a corpus folder"):
        build([seed_article_path], output=mine, overwrite=True)
    assert (mine / "manifest.json").read_text() == '{"my": "own manifest"}'
    assert (mine / "data" / "part-00000.parquet").read_text() == "not parquet"


def test_output_naming_a_file_is_a_corpus_error(tmp_path, seed_article_path):
    f = tmp_path / "notes.txt"
    f.write_text("mine")
    with pytest.raises(CorpusError, match=r"notes.txt: -o names a file, not a folder"):
        build([seed_article_path], output=f)
    assert f.read_text() == "mine"


def test_a_corrupt_manifest_is_a_corpus_error_naming_the_line(labeled_dir):
    (labeled_dir / "manifest.json").write_text('{"format": \n')
    with pytest.raises(CorpusError, match=r"manifest.json:2: the corpus manifest is not valid JSON .*rebuild the corpus"):
        load(labeled_dir)


def test_a_missing_taxonomy_is_a_corpus_error_saying_what_to_do(labeled_dir):
    (labeled_dir / "taxonomy.toml").unlink()
    with pytest.raises(CorpusError, match=r"taxonomy.toml is missing from the corpus folder.*--overwrite"):
        load(labeled_dir)


def test_loading_a_file_as_a_corpus_is_a_corpus_error(tmp_path):
    (tmp_path / "x.json").write_text("{}")
    with pytest.raises(CorpusError, match=r"x.json: a file, not a corpus folder"):
        load(tmp_path / "x.json")


def test_a_save_switches_in_a_whole_new_folder_and_keeps_the_split(labeled_dir, taxonomy):
    inode = labeled_dir.stat().st_ino
    _corpus(taxonomy, labeled=False).save(labeled_dir)
    assert labeled_dir.stat().st_ino != inode  # a new folder, not files rewritten one by one
    assert load(labeled_dir).n_labeled == 0 and (labeled_dir / "splits.json").read_text() == "{}"
    assert sorted(p.name for p in labeled_dir.parent.iterdir() if p.name.startswith(".c.")) == [".c.lock"]


def test_a_write_killed_between_two_renames_loads_the_old_version_and_the_next_write_restores_it(labeled_dir, taxonomy):
    # What a platform without an atomic exchange leaves when killed between its two renames.
    parked = labeled_dir.parent / ".c.old-1234abcd"
    os.rename(labeled_dir, parked)
    (labeled_dir.parent / ".c.new-5678abcd").mkdir()
    assert load(labeled_dir).n_labeled == 3
    with folder_lock(labeled_dir):
        gone = clean_leftovers(labeled_dir)
    assert [p.name for p in gone] == [".c.new-5678abcd"] and load(labeled_dir).n_labeled == 3 and not parked.exists()


def test_an_error_while_writing_leaves_the_old_folder_and_no_leftovers(labeled_dir):
    before = sorted(p.name for p in labeled_dir.parent.iterdir())
    with pytest.raises(RuntimeError, match="disk full"):
        with atomic_folder(labeled_dir) as new:
            (new / "half").write_text("x")
            raise RuntimeError("disk full")
    assert sorted(p.name for p in labeled_dir.parent.iterdir()) == before and load(labeled_dir).n_labeled == 3


def test_a_second_writer_fails_clearly_when_the_lock_is_held_past_its_timeout(labeled_dir, seed_article_path):
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        from corpus import folder_lock
        with folder_lock({str(labeled_dir)!r}):
            print("held", flush=True)
            time.sleep(30)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(CorpusError, match=r"another newstag process is still writing this corpus after 0.2 s "
                                              r"\(lock .*\.c\.lock\)\. Wait for it to finish"):
            with folder_lock(labeled_dir, timeout=0.2):
                pass
    finally:
        holder.kill()
        holder.wait()
    with folder_lock(labeled_dir, timeout=5):  # free again once the holder is gone
        assert lock_path(labeled_dir).name == ".c.lock"


def test_a_second_writer_says_that_it_waits(labeled_dir, caplog):
    import threading

    release = threading.Event()

    def hold():
        with folder_lock(labeled_dir):
            release.wait(10)

    t = threading.Thread(target=hold)
    t.start()
    try:
        import time

        time.sleep(0.2)
        with pytest.raises(CorpusError, match="still writing"):
            with folder_lock(labeled_dir, timeout=0.1):
                pass
        assert "waiting up to 0.1 s" in caplog.text
    finally:
        release.set()
        t.join()


def test_the_lock_is_reentrant_in_one_thread(labeled_dir, taxonomy):
    with folder_lock(labeled_dir, timeout=0):
        _corpus(taxonomy, labeled=False).save(labeled_dir)  # takes the same lock again
    assert load(labeled_dir).n_labeled == 0


def test_files_are_made_with_their_final_permissions_without_touching_the_umask(tmp_path, monkeypatch):
    def no_umask(mask):
        raise AssertionError("os.umask changes the mask of every thread of the process")

    old = os.umask(0o022)
    try:
        monkeypatch.setattr(os, "umask", no_umask)
        private_file(tmp_path / "secret.json", '{"token": "t"}')
        with atomic_path(tmp_path / "plain.json") as tmp:
            assert (tmp.stat().st_mode & 0o777) == 0o644  # from its creation, not after a chmod
            tmp.write_text("{}")
    finally:
        monkeypatch.undo()
        os.umask(old)
    assert (tmp_path / "secret.json").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "plain.json").stat().st_mode & 0o777 == 0o644
    assert json.loads((tmp_path / "secret.json").read_text()) == {"token": "t"}


def test_a_file_write_onto_a_folder_is_an_input_error_and_so_is_a_file_in_the_way(tmp_path):
    from corpus import InputError, atomic_write_json

    (tmp_path / "d").mkdir()
    with pytest.raises(InputError, match=r"d: a folder, where a file is to be written"):
        atomic_write_json(tmp_path / "d", {})
    (tmp_path / "f").write_text("mine")
    with pytest.raises(InputError, match=r"cannot make folder .*f, a file of that name is in the way"):
        atomic_write_json(tmp_path / "f" / "x.json", {})
    assert (tmp_path / "f").read_text() == "mine" and list((tmp_path / "d").iterdir()) == []


def test_annotate_config_to_a_folder_exits_2_with_a_message(tmp_path, capsys):
    (tmp_path / "d").mkdir()
    assert main(["annotate", "config", "-o", str(tmp_path / "d")]) == 2
    assert "a folder, where a file is to be written" in capsys.readouterr().err


def test_a_process_working_inside_the_folder_follows_it_to_the_new_version(labeled_dir, taxonomy, monkeypatch):
    monkeypatch.chdir(labeled_dir)
    _corpus(taxonomy, labeled=False).save(labeled_dir)
    assert os.path.samefile(os.getcwd(), labeled_dir) and os.path.isfile("manifest.json")


def test_a_reader_that_meets_a_switch_mid_read_reads_again(labeled_dir, taxonomy):
    from corpus._folder import read_consistently

    calls = []

    def read():
        calls.append(1)
        if len(calls) == 1:  # a writer switches a new version in while this read is under way
            _corpus(taxonomy, labeled=False).save(labeled_dir)
            raise CorpusError("data file named in the manifest is missing")
        return load(labeled_dir).n_labeled

    assert read_consistently(labeled_dir, read) == 0 and len(calls) == 2
    with pytest.raises(CorpusError, match="still broken"):  # no switch: the error stands
        read_consistently(labeled_dir, lambda: (_ for _ in ()).throw(CorpusError("still broken")))


def test_an_os_error_in_a_command_exits_2_naming_the_file(seed_article_path, tmp_path, capsys, monkeypatch):
    import corpus.store

    def refused(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path / "out" / "data"))

    monkeypatch.setattr(corpus.store, "save", refused)
    assert main(["corpus", "build", str(seed_article_path), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert f"error: {tmp_path / 'out' / 'data'}: Permission denied (PermissionError); check the path" in err


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads files whatever their mode")
def test_an_unreadable_file_in_a_folder_is_rejected_with_a_reason(tmp_path, seed_article_path):
    from corpus import read_paths

    (tmp_path / "a.txt").write_bytes(seed_article_path.read_bytes())
    (tmp_path / "b.txt").write_bytes(seed_article_path.read_bytes())
    (tmp_path / "b.txt").chmod(0)
    result = read_paths([tmp_path])
    assert len(result.articles) == 1 and "cannot be read (Permission denied)" in result.rejections[0].reason


def test_a_saved_figure_is_the_same_png_byte_for_byte_and_carries_no_software_stamp(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from corpus.atomic import atomic_savefig

    def draw():
        fig, ax = plt.subplots(figsize=(2, 2))
        ax.plot([0, 1], [1, 0])
        return fig

    a = atomic_savefig(draw(), tmp_path / "a.png")
    b = atomic_savefig(draw(), tmp_path / "b.png", dpi=100)
    assert a.read_bytes() == b.read_bytes() and a.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"matplotlib" not in a.read_bytes() and plt.get_fignums() == []  # no stamp; the figure is closed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.png", "b.png"]  # no temporary file left
