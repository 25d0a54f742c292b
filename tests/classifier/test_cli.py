"""`newstag train | evaluate | tag` and `python -m classifier.train`."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys

import pytest

from corpus._cli import main

from ..conftest import ROOT, SEED_ARTICLE


@pytest.fixture(scope="module")
def cli_model(corpus_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "model"
    assert main(["train", "--corpus", str(corpus_dir), "-o", str(out), "--seed", "0"]) == 0
    return out


def test_train_writes_a_model_folder_and_prints_eval_metrics(cli_model, capsys):
    assert sorted(p.name for p in cli_model.iterdir()) == ["model.skops", "model_card.json", "model_card.md",
                                                            "reliability.png", "taxonomy.toml"]
    card = json.loads((cli_model / "model_card.json").read_text())
    assert card["metrics"]["split"] == "eval"


def test_train_without_a_split_manifest_says_to_run_corpus_split(corpus_dir, tmp_path, capsys):
    bare = tmp_path / "bare"
    shutil.copytree(corpus_dir, bare)
    (bare / "splits.json").unlink()
    assert main(["train", "--corpus", str(bare), "-o", str(tmp_path / "m")]) == 2
    assert f"run `newstag corpus split {bare}` first" in capsys.readouterr().err.replace("\n", "")
    assert not (tmp_path / "m").exists()


def test_evaluate_writes_the_report_folder(cli_model, corpus_dir, tmp_path, capsys):
    assert main(["evaluate", "--model", str(cli_model), "--corpus", str(corpus_dir), "-o", str(tmp_path / "r")]) == 0
    assert (tmp_path / "r" / "report.json").is_file() and (tmp_path / "r" / "report.md").is_file()
    assert len(list((tmp_path / "r").glob("*.png"))) == 7  # with reliability.png
    printed = " ".join(capsys.readouterr().out.split())
    assert "report written to" in printed and "reliability diagram (calibration): reliability.png" in printed


def test_tag_a_file_prints_one_json_line_with_scores_and_evidence(cli_model, capsys):
    assert main(["tag", "--model", str(cli_model), str(SEED_ARTICLE)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    rec = json.loads(lines[0])
    assert rec["region"]["label"] == "asia" and rec["source"] == str(SEED_ARTICLE)
    assert {"USA", "JPN", "KOR"} <= {a["label"] for a in rec["actors"]}
    assert rec["evidence"]["aliases"] and rec["id"]


def test_tag_output_carries_each_records_own_id_next_to_newstags(cli_model, capsys, tmp_path):
    user = tmp_path / "mine.csv"
    user.write_text("id,headline,text,url\nrow-7,Talks,Japan and the US train together.,https://e.org/7\n"
                    ",Strike,Russian missiles hit Kyiv.,https://e.org/8\n", encoding="utf-8")
    assert main(["tag", "--model", str(cli_model), "--no-evidence", str(user)]) == 0
    recs = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["source_id"] for r in recs] == ["row-7", "https://e.org/8"]  # no id: the url
    assert all(len(r["id"]) == 16 and r["id"] != r["source_id"] for r in recs)


def test_tag_stdin_json_lines_keeps_order_and_ids(cli_model, capsys, monkeypatch, tmp_path):
    lines = [{"id": "b", "text": "Russian missiles hit Kyiv."}, {"id": "a", "title": "Drills", "text": "Japan and the US train."},
             {"text": "Iran enriches uranium, the IAEA says."}]
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(json.dumps(x) for x in lines) + "\n\n"))
    assert main(["tag", "--model", str(cli_model), "-", "--no-evidence", "-o", str(tmp_path / "out.jsonl")]) == 0
    out = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [r["id"] for r in out] == ["b", "a", None]
    assert all("evidence" not in r for r in out)


def test_tag_ls_predictions_writes_a_file_that_annotate_tasks_reads_as_pre_annotations(cli_model, corpus_dir,
                                                                                         tmp_path, monkeypatch):
    from corpus import load

    corpus = load(corpus_dir)
    records = [{"title": t, "text": b} for t, b in zip(corpus.dataset["title"][:4], corpus.dataset["body"][:4])]
    monkeypatch.setattr(sys, "stdin", io.StringIO("".join(json.dumps(r) + "\n" for r in records)))
    preds = tmp_path / "preds.json"
    assert main(["tag", "--model", str(cli_model), "-", "--format", "ls-predictions", "-o", str(preds)]) == 0
    doc = json.loads(preds.read_text())
    card = json.loads((cli_model / "model_card.json").read_text())
    assert doc["model_version"] == card["model_file"]["sha256"][:12]
    assert sorted(doc["predictions"]) == sorted(corpus.ids[:4])  # stdin records get the corpus's ids
    first = doc["predictions"][corpus.ids[0]]
    assert len(first["region"]["labels"]) == 1 and 0 <= first["region"]["score"] <= 1

    tasks = tmp_path / "tasks.json"
    assert main(["annotate", "tasks", str(corpus_dir), "--predictions", str(preds), "-o", str(tasks)]) == 0
    with_preds = [t for t in json.loads(tasks.read_text()) if t.get("predictions")]
    assert len(with_preds) == 4 and all(t["predictions"][0]["model_version"] == doc["model_version"] for t in with_preds)


def test_tag_ls_predictions_is_not_for_a_cluster(cli_model, corpus_dir, capsys):
    assert main(["tag", "--model", str(cli_model), str(corpus_dir), "--format", "ls-predictions", "--num-proc", "2"]) == 2
    assert "leave out --dask and --num-proc" in capsys.readouterr().err


@pytest.mark.parametrize("stdin, message", [
    ('{"text": "fine"}\nnot json\n', "stdin line 2: not valid JSON"),
    ('{"body": "x"}\n', "stdin line 1: expected a JSON object with a 'text' string"),
    ('["a list"]\n', "stdin line 1: expected a JSON object with a 'text' string"),
])
def test_tag_stdin_names_the_bad_line(cli_model, capsys, monkeypatch, stdin, message):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    assert main(["tag", "--model", str(cli_model), "-"]) == 2
    assert message in capsys.readouterr().err.replace("\n", " ")


def test_tag_without_a_model_says_how_to_get_one(tmp_path, capsys, monkeypatch):
    assert main(["tag", "--model", str(tmp_path / "none"), str(SEED_ARTICLE)]) == 2
    err = capsys.readouterr().err.replace("\n", "")
    assert "no model at" in err and "make main" in err and "newstag train --corpus DIR" in err


def test_tag_with_newstag_model_naming_nothing_says_to_fix_or_unset_the_variable(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("NEWSTAG_MODEL", str(tmp_path / "none"))
    assert main(["tag", str(SEED_ARTICLE)]) == 2
    err = capsys.readouterr().err.replace("\n", "")
    assert f"$NEWSTAG_MODEL is set to {tmp_path / 'none'}, but there is no model there" in err
    assert "unset it to use ./models/default or the bundled default model" in err


def test_tag_says_on_stderr_which_model_it_loaded(cli_model, capsys, monkeypatch):
    monkeypatch.setenv("NEWSTAG_MODEL", str(cli_model))
    assert main(["tag", str(SEED_ARTICLE)]) == 0
    captured = capsys.readouterr()
    assert f"model: $NEWSTAG_MODEL = {cli_model} (newstag 0.1.0, model_version " in captured.err.replace("\n", "")
    assert "model:" not in captured.out  # stdout holds only the JSON lines


def test_bad_char_ngrams_option_is_refused(corpus_dir, tmp_path, capsys):
    assert main(["train", "--corpus", str(corpus_dir), "-o", str(tmp_path / "m"), "--char-ngrams", "5"]) == 2
    assert "expected two integers like 2,5" in capsys.readouterr().err


def test_python_m_classifier_train_runs_the_train_command(corpus_dir, tmp_path):
    out = subprocess.run([sys.executable, "-m", "classifier.train", "--corpus", str(corpus_dir), "-o",
                          str(tmp_path / "m")], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "m" / "model_card.json").is_file()
    assert "model written to" in out.stdout


@pytest.fixture(scope="module")
def refit_model(corpus_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("refit") / "model"
    assert main(["train", "--corpus", str(corpus_dir), "-o", str(out), "--seed", "0", "--refit"]) == 0
    return out


def test_refit_trains_on_every_labeled_article_and_keeps_the_estimate_of_the_split_model(refit_model, cli_model,
                                                                                          small_corpus, capsys):
    from classifier import Tagger

    card, split_card = (json.loads((m / "model_card.json").read_text()) for m in (refit_model, cli_model))
    labeled = sum(small_corpus.column("labeled"))
    assert card["training"]["articles"] == labeled > split_card["training"]["articles"]
    assert card["training"]["splits"]["method"] == "refit"
    assert card["metrics"] == split_card["metrics"]  # the estimate: the same recipe, fitted on the train split
    assert card["training_data"]["estimated_by"]["articles"] == split_card["training"]["articles"]
    md = " ".join((refit_model / "model_card.md").read_text().split())
    assert f"then refitted on all {labeled} labeled articles" in md
    assert Tagger.load(refit_model).training_["articles"] == labeled


def test_a_refitted_model_is_not_evaluated_on_the_corpus_it_was_refitted_on(refit_model, corpus_dir, tmp_path, capsys):
    assert main(["evaluate", "--model", str(refit_model), "--corpus", str(corpus_dir), "-o", str(tmp_path / "r")]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "refitted on every labeled article of this corpus" in err and "newstag train` without --refit" in err
    assert not (tmp_path / "r").exists()


def test_evaluate_refuses_a_corpus_holding_articles_the_model_was_trained_on_unless_told_to_leave_them_out(
        cli_model, small_corpus, small_splits, tmp_path, capsys):
    # the same articles built again and split afresh (as a user's rebuilt or grown corpus would be)
    from corpus import build, make_splits

    from .conftest import TRAIN_ARTICLES

    other, _ = build([TRAIN_ARTICLES], output=tmp_path / "other")
    manifest = make_splits(other, {"train": 0.5, "eval": 0.5}, seed=1, folds=3)
    manifest.save(tmp_path / "other")
    evaluated = list(manifest.ids["eval"])
    seen = sum(a in set(small_splits.ids["train"]) for a in evaluated)
    assert 0 < seen < len(evaluated)
    args = ["evaluate", "--model", str(cli_model), "--corpus", str(tmp_path / "other"), "-o", str(tmp_path / "r")]
    assert main(args) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert f"{seen} of the {len(evaluated)} 'eval' articles" in err and "--exclude-seen" in err
    assert not (tmp_path / "r").exists()
    assert main([*args, "--exclude-seen"]) == 0
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    assert report["articles"] == len(evaluated) - seen and report["seen_left_out"] == seen
    assert f"left out {seen} articles the model was trained on" in " ".join(capsys.readouterr().out.split())


def test_a_refitted_model_is_not_evaluated_on_a_grown_corpus_either(refit_model, tmp_path, capsys):
    # one article more: another corpus fingerprint, but the evaluated articles are still ones the model saw
    from corpus import build, make_splits

    from .conftest import TRAIN_ARTICLES

    grown = tmp_path / "grown.jsonl"
    extra = {"title": "Flooding closes schools", "text": "Heavy rain floods three towns; schools close for a week.",
             "region": "europe", "themes": [], "actors": []}
    grown.write_text(TRAIN_ARTICLES.read_text() + json.dumps(extra) + "\n")
    other, _ = build([grown], output=tmp_path / "grown")
    make_splits(other, {"train": 0.8, "eval": 0.2}, seed=0, folds=3).save(tmp_path / "grown")
    assert main(["evaluate", "--model", str(refit_model), "--corpus", str(tmp_path / "grown"), "-o",
                 str(tmp_path / "r")]) == 2
    assert "are texts this model was trained on" in " ".join(capsys.readouterr().err.split())


def test_refit_is_reproducible(refit_model, corpus_dir, tmp_path):
    again = tmp_path / "again"
    assert main(["train", "--corpus", str(corpus_dir), "-o", str(again), "--seed", "0", "--refit"]) == 0
    assert (again / "model.skops").read_bytes() == (refit_model / "model.skops").read_bytes()


def test_the_train_help_names_the_embeddings_extra_whole(capsys):
    assert main(["train", "--help"]) == 0
    assert "newstag[embeddings]" in " ".join(capsys.readouterr().out.replace("│", " ").split()).replace(" ", "")


def test_refit_without_an_evaluation_says_the_model_has_no_estimate(corpus_dir, small_corpus, tmp_path, capsys):
    out = tmp_path / "m"
    assert main(["train", "--corpus", str(corpus_dir), "-o", str(out), "--refit", "--eval-split", ""]) == 0
    printed = " ".join(capsys.readouterr().out.split())
    assert f"trained on {sum(small_corpus.column('labeled'))} articles" in printed
    assert "refitted on every labeled article; nothing was evaluated, so the model card has no estimate" in printed
    assert json.loads((out / "model_card.json").read_text())["metrics"] is None
