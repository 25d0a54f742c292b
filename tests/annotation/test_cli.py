"""`newstag annotate …` through the real command line entry point (corpus._cli.main)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from corpus import load
from corpus._cli import main


@pytest.fixture
def corpus_dir(small_corpus, tmp_path):
    return small_corpus.save(tmp_path / "corpus")


@pytest.fixture(autouse=True)
def wide_tables(monkeypatch):
    """Tables as wide as they need (a test's stdout is 80 columns: rich would wrap the words we look for)."""
    from rich.console import Console

    monkeypatch.setattr("annotation._cli.out", Console(width=250))


def test_config_prints_the_xml(capsys):
    assert main(["annotate", "config", "--mentions", "actors"]) == 0
    root = ET.fromstring(capsys.readouterr().out)
    assert {c.get("name") for c in root.iter("Choices")} == {"region", "themes", "actors"}
    assert [lab.get("name") for lab in root.iter("Labels")] == ["actors_mentions"]


def test_config_writes_a_file(tmp_path):
    assert main(["annotate", "config", "-o", str(tmp_path / "config.xml")]) == 0
    assert (tmp_path / "config.xml").read_text().startswith("<View>")


def test_tasks_are_written_with_predictions(corpus_dir, tmp_path):
    preds = {"model_version": "m1", "predictions": {"a1": {"region": {"labels": ["asia"], "score": 0.8}}}}
    (tmp_path / "p.json").write_text(json.dumps(preds), encoding="utf-8")
    assert main(["annotate", "tasks", str(corpus_dir), "-o", str(tmp_path / "tasks.json"),
                 "--predictions", str(tmp_path / "p.json")]) == 0
    tasks = json.loads((tmp_path / "tasks.json").read_text())
    assert len(tasks) == 4 and tasks[0]["predictions"][0]["model_version"] == "m1"


def test_tasks_print_to_stdout_without_output(corpus_dir, capsys):
    assert main(["annotate", "tasks", str(corpus_dir), "--only-unlabeled"]) == 0
    assert [t["data"]["article_id"] for t in json.loads(capsys.readouterr().out)] == ["a1", "a2", "a3"]


def test_import_applies_the_export_and_prints_the_report(corpus_dir, project_exports, capsys):
    assert main(["annotate", "import", str(project_exports["JSON"]), "--corpus", str(corpus_dir)]) == 0
    captured = capsys.readouterr()
    assert "skipped: cancelled" in captured.out and "needs adjudication" in captured.out
    assert "skipped by the annotator (was_cancelled)" in captured.err
    corpus = load(corpus_dir)
    assert corpus.dataset["needs_adjudication"][corpus.ids.index("a2")] == ["region"]
    assert (corpus_dir / "annotation-report.json").is_file()


def test_import_maps_emails_with_an_annotators_file(corpus_dir, tmp_path, capsys):
    rows = [{"id": 1, "article_id": "a1", "annotator": "one@example.com", "annotation_id": 1, "region": "asia"}]
    (tmp_path / "e.json").write_text(json.dumps(rows), encoding="utf-8")
    (tmp_path / "users.json").write_text(json.dumps([{"id": 1, "email": "one@example.com"}]), encoding="utf-8")
    assert main(["annotate", "import", str(tmp_path / "e.json"), "--corpus", str(corpus_dir),
                 "--annotators", str(tmp_path / "users.json")]) == 0
    corpus = load(corpus_dir)
    assert corpus.dataset["annotations"][corpus.ids.index("a1")][0]["annotator"] == "1"


def test_strict_import_fails_with_exit_code_2_and_keeps_the_corpus(corpus_dir, project_exports, capsys):
    before = (corpus_dir / "manifest.json").read_bytes()
    assert main(["annotate", "import", str(project_exports["JSON"]), "--corpus", str(corpus_dir), "--strict"]) == 2
    assert "error: annotation export 'project.json': 3 record(s) not used (strict mode)" in capsys.readouterr().err
    assert (corpus_dir / "manifest.json").read_bytes() == before


def test_an_unknown_label_fails_the_import_with_the_message(corpus_dir, tmp_path, capsys):
    rows = [{"id": 5, "article_id": "a1", "annotator": 3, "annotation_id": 1, "region": "Atlantis"}]
    (tmp_path / "e.json").write_text(json.dumps(rows), encoding="utf-8")
    assert main(["annotate", "import", str(tmp_path / "e.json"), "--corpus", str(corpus_dir)]) == 2
    assert "task 5 (article 'a1'), annotator 3: region label 'Atlantis' is not in" in capsys.readouterr().err


def test_agreement_prints_json_writes_a_file_and_a_plot(corpus_dir, project_exports, tmp_path, capsys):
    assert main(["annotate", "import", str(project_exports["CSV"]), "--corpus", str(corpus_dir)]) == 0
    capsys.readouterr()
    assert main(["annotate", "agreement", str(corpus_dir), "--json", "-o", str(tmp_path / "agreement.json"),
                 "--plot", str(tmp_path / "agreement.png")]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads((tmp_path / "agreement.json").read_text())
    assert printed["facets"]["region"]["n_items"] == 2 and printed["facets"]["region"]["cohen_kappa"]["n_items"] == 2
    assert (tmp_path / "agreement.png").read_bytes()[:4] == b"\x89PNG"


def test_agreement_prints_tables(corpus_dir, project_exports, capsys):
    main(["annotate", "import", str(project_exports["JSON"]), "--corpus", str(corpus_dir)])
    capsys.readouterr()
    assert main(["annotate", "agreement", str(corpus_dir)]) == 0
    out = capsys.readouterr().out
    assert "Krippendorff" in out and "region (single)" in out and "themes: per label" in out


def test_push_to_a_server_that_is_not_there_says_so(corpus_dir, capsys, monkeypatch):
    from annotation.server import free_port

    monkeypatch.delenv("NEWSTAG_LS_TOKEN", raising=False)
    monkeypatch.setenv("NEWSTAG_LS_URL", f"http://127.0.0.1:{free_port()}")
    assert main(["annotate", "push", str(corpus_dir), "--token", "abcdef"]) == 2
    assert "cannot reach Label Studio at http://127.0.0.1:" in capsys.readouterr().err


def test_push_without_a_token_is_a_usage_error(corpus_dir, capsys, monkeypatch):
    monkeypatch.delenv("NEWSTAG_LS_TOKEN", raising=False)
    monkeypatch.delenv("NEWSTAG_LS_URL", raising=False)
    assert main(["annotate", "push", str(corpus_dir), "--url", "http://127.0.0.1:1"]) == 2
    assert "--token" in capsys.readouterr().err


def test_import_into_a_new_folder_builds_the_corpus_from_the_tasks_with_mapped_controls(tmp_path, capsys):
    from .conftest import HANDMADE

    target = tmp_path / "new"
    assert main(["annotate", "import", str(HANDMADE["CSV"]), "--corpus", str(target), "--map", "topic=themes",
                 "--map", "country=actors"]) == 0
    out = capsys.readouterr().out
    assert "articles built from the tasks (new corpus) │ 3" in out
    assert "Region -> region, country -> actors, topic -> themes" in out and "notes" in out
    assert sorted(load(target).dataset["source_id"]) == ["u-1", "u-2", "u-3"]


def test_an_import_that_uses_no_annotation_exits_2_with_the_cause(corpus_dir, capsys):
    from .conftest import HANDMADE

    assert main(["annotate", "import", str(HANDMADE["JSON"]), "--corpus", str(corpus_dir)]) == 2
    err = capsys.readouterr().err
    assert "0 of 3 annotation(s) used" in err and "match no article of the corpus" in err


def test_a_bad_map_option_exits_2_with_the_expected_form(tmp_path, capsys):
    from .conftest import HANDMADE

    assert main(["annotate", "import", str(HANDMADE["JSON"]), "--corpus", str(tmp_path / "n"), "--map", "topic"]) == 2
    assert "expected CONTROL=FACET" in capsys.readouterr().err
