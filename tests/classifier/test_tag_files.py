"""`newstag tag -o FILE` as JSON Lines, CSV or Parquet, long or wide (classifier._tag_files)."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow.parquet as pq
import pytest

from classifier import LabelScore, TagResult
from classifier._tag_files import long_rows, tag_file_format, wide_row, write_tag_file
from corpus import InputError
from corpus._cli import main

from ..conftest import SEED_ARTICLE, SMALL_ARTICLES

FACETS = [("region", False), ("themes", True), ("actors", True)]


def _result(ident="a1") -> TagResult:
    return TagResult(ident, {"region": LabelScore("asia", 0.951234),
                             "themes": (LabelScore("alliance", 0.9), LabelScore("deterrence", 0.61)),
                             "actors": (LabelScore("NATO", 0.5, "alias-rule"),)})


@pytest.fixture(scope="module")
def cli_model(corpus_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("tagfiles") / "model"
    assert main(["train", "--corpus", str(corpus_dir), "-o", str(out), "--seed", "0"]) == 0
    return out


def test_long_rows_are_one_per_label_with_score_and_where_it_came_from():
    assert long_rows(_result(), source_id="row-7") == [
        {"article_id": "a1", "source_id": "row-7", "facet": "region", "label": "asia", "score": 0.9512,
         "source": "model"},
        {"article_id": "a1", "source_id": "row-7", "facet": "themes", "label": "alliance", "score": 0.9,
         "source": "model"},
        {"article_id": "a1", "source_id": "row-7", "facet": "themes", "label": "deterrence", "score": 0.61,
         "source": "model"},
        {"article_id": "a1", "source_id": "row-7", "facet": "actors", "label": "NATO", "score": 0.5,
         "source": "alias-rule"},
    ]


def test_a_wide_row_has_each_facets_labels_and_scores_and_none_for_a_facet_without_a_label():
    r = TagResult("a2", {"region": None, "themes": (), "actors": (LabelScore("USA", 0.8),)})
    assert wide_row(r, FACETS) == {"article_id": "a2", "source_id": None, "region": None, "region_score": None,
                                   "themes": [], "themes_scores": [], "actors": ["USA"], "actors_scores": [0.8]}


@pytest.mark.parametrize("name, fmt, expected", [
    ("t.jsonl", None, "jsonl"), ("t.ndjson", None, "jsonl"), ("t.CSV", None, "csv"), ("t.parquet", None, "parquet"),
    ("t.pq", None, "parquet"), ("t", "csv", "csv"), ("t.txt", "parquet", "parquet"), ("p.json", "ls-predictions",
                                                                                     "ls-predictions"),
])
def test_the_format_is_the_one_given_else_the_one_the_suffix_names(name, fmt, expected, tmp_path):
    assert tag_file_format(tmp_path / name, fmt) == expected
    assert tag_file_format(None, None) == "jsonl"


@pytest.mark.parametrize("name, fmt, message", [
    ("t.xlsx", None, r"the suffix '\.xlsx' names no output format.*jsonl \(\.jsonl, \.ndjson\); csv \(\.csv\); "
                     r"parquet \(\.parquet, \.pq\)"),
    ("t", None, r"the suffix '\(none\)' names no output format"),
    ("t.json", None, "a .json file is the Label Studio predictions document; add --format ls-predictions"),
    ("t.csv", "parquet", "has the suffix of csv, but --format is parquet; make them agree"),
    ("t.jsonl", "ls-predictions", "has the suffix of jsonl, but --format is ls-predictions"),
    ("t.csv", "xml", "--format 'xml': expected one of jsonl, csv, parquet, ls-predictions"),
])
def test_an_unknown_suffix_or_one_that_disagrees_with_the_format_is_refused(name, fmt, message, tmp_path):
    with pytest.raises(InputError, match=message):
        tag_file_format(tmp_path / name, fmt)


def _read(path, fmt):
    if fmt == "jsonl":
        return pd.read_json(path, lines=True, dtype=False)
    if fmt == "csv":
        return pd.read_csv(path, keep_default_na=False)
    return pq.read_table(path).to_pandas()


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_each_format_in_the_long_layout_reads_back_as_one_row_per_label(fmt, tmp_path):
    path = tmp_path / f"t.{fmt}"
    assert write_tag_file([_result("a1"), _result("a2")], path, facets=FACETS, sources=[("f", "x"), ("f", "y")]) == 2
    table = _read(path, fmt)
    assert list(table.columns) == ["article_id", "source_id", "facet", "label", "score", "source"]
    assert list(table["article_id"]) == ["a1"] * 4 + ["a2"] * 4 and list(table["source_id"])[-1] == "y"
    assert list(table["label"][:4]) == ["asia", "alliance", "deterrence", "NATO"]
    assert [float(x) for x in table["score"][:4]] == [0.9512, 0.9, 0.61, 0.5]
    assert list(table["source"][:4]) == ["model", "model", "model", "alias-rule"]


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_each_format_in_the_wide_layout_reads_back_as_one_row_per_article(fmt, tmp_path):
    path = tmp_path / f"t.{fmt}"
    empty = TagResult("a2", {"region": None, "themes": (), "actors": ()})
    write_tag_file([_result("a1"), empty], path, facets=FACETS, layout="wide")
    table = _read(path, fmt)
    assert list(table.columns) == ["article_id", "source_id", "region", "region_score", "themes", "themes_scores",
                                   "actors", "actors_scores"]
    assert list(table["article_id"]) == ["a1", "a2"] and table["region"][0] == "asia"
    themes = table["themes"][0]
    if fmt == "csv":  # CSV joins a list with "|"
        assert themes == "alliance|deterrence" and table["themes_scores"][0] == "0.9|0.61"
        assert table["themes"][1] == "" and table["region"][1] == ""
    else:
        assert list(themes) == ["alliance", "deterrence"] and list(table["themes_scores"][0]) == [0.9, 0.61]
        assert list(table["themes"][1]) == [] and pd.isna(table["region"][1])


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
@pytest.mark.parametrize("layout", ["long", "wide"])
def test_the_same_results_give_the_same_bytes(fmt, layout, tmp_path):
    a, b = tmp_path / f"a.{fmt}", tmp_path / f"b.{fmt}"
    for path in (a, b):
        write_tag_file((_result(f"a{i}") for i in range(5000)), path, facets=FACETS, layout=layout)
    assert a.read_bytes() == b.read_bytes()
    assert b"created_by" not in a.read_bytes() or fmt == "parquet"  # (pyarrow names itself, never a time)


def test_a_parquet_file_carries_no_write_time_in_its_metadata(tmp_path):
    write_tag_file([_result()], tmp_path / "t.parquet", facets=FACETS)
    meta = pq.read_metadata(tmp_path / "t.parquet")
    assert meta.created_by.startswith("parquet-cpp-arrow") and meta.metadata is not None
    assert set(meta.metadata) == {b"ARROW:schema"}


# ---- the command ----

@pytest.mark.parametrize("suffix", ["csv", "parquet", "jsonl"])
@pytest.mark.parametrize("layout", ["long", "wide"])
def test_tag_writes_the_format_its_suffix_names_in_the_layout_asked_for(cli_model, tmp_path, suffix, layout):
    out = tmp_path / f"tags.{suffix}"
    assert main(["tag", "--model", str(cli_model), str(SEED_ARTICLE), "-o", str(out), "--layout", layout]) == 0
    table = _read(out, suffix)
    if layout == "long":
        assert set(table["facet"]) == {"region", "themes", "actors"} and len(set(table["article_id"])) == 1
        assert "asia" in set(table.loc[table["facet"] == "region", "label"])
    else:
        assert len(table) == 1 and table["region"][0] == "asia"
    assert len(table["article_id"][0]) == 16


def test_tag_to_csv_without_a_layout_writes_the_long_one(cli_model, tmp_path):
    assert main(["tag", "--model", str(cli_model), str(SEED_ARTICLE), "-o", str(tmp_path / "t.csv")]) == 0
    assert (tmp_path / "t.csv").read_text().splitlines()[0] == "article_id,source_id,facet,label,score,source"


def test_tag_jsonl_without_a_layout_keeps_the_full_record_with_evidence(cli_model, tmp_path):
    assert main(["tag", "--model", str(cli_model), str(SEED_ARTICLE), "-o", str(tmp_path / "t.jsonl")]) == 0
    rec = json.loads((tmp_path / "t.jsonl").read_text())
    assert rec["region"]["label"] == "asia" and "evidence" in rec


def test_tag_to_stdout_as_csv_wide(cli_model, capsys):
    assert main(["tag", "--model", str(cli_model), str(SEED_ARTICLE), "--format", "csv", "--layout", "wide"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "article_id,source_id,region,region_score,themes,themes_scores,actors,actors_scores"
    assert len(lines) == 2


@pytest.mark.parametrize("args, message", [
    (["-o", "{tmp}/tags.xlsx"], "names no output format"),
    (["-o", "{tmp}/tags"], "names no output format"),
    (["-o", "{tmp}/tags.csv", "--format", "parquet"], "has the suffix of csv, but --format is parquet"),
    (["--format", "parquet"], "Parquet is written to a file"),
    (["-o", "{tmp}/t.csv", "--layout", "tall"], "'tall': expected long or wide"),
])
def test_tag_refuses_a_bad_output_choice_with_exit_2_before_tagging(cli_model, tmp_path, capsys, args, message):
    args = [a.format(tmp=tmp_path) for a in args]
    assert main(["tag", "--model", str(cli_model), str(SEED_ARTICLE), *args]) == 2
    assert message in capsys.readouterr().err.replace("\n", " ").replace("│", " ")
    assert not any(p.name.startswith("tags") for p in tmp_path.iterdir())


def test_an_unknown_suffix_message_lists_every_format_and_its_suffixes(cli_model, tmp_path, capsys):
    assert main(["tag", "--model", str(cli_model), str(SEED_ARTICLE), "-o", str(tmp_path / "x.xlsx")]) == 2
    err = " ".join(capsys.readouterr().err.replace("│", " ").split())
    assert "Usage:" in err and "jsonl (.jsonl, .ndjson); csv (.csv); parquet (.parquet, .pq)" in err


def test_write_tag_file_takes_the_models_taxonomy_for_the_wide_columns(trained, tmp_path):
    from classifier import write_tag_file

    results = trained.tag_batch(["Japanese and American ships drill near Tokyo.", "Russia strikes Kyiv."],
                                evidence=False)
    assert write_tag_file(results, tmp_path / "t.parquet", facets=trained.fitted_taxonomy, layout="wide") == 2
    table = pq.read_table(tmp_path / "t.parquet")
    assert table.column_names[2:] == ["region", "region_score", "themes", "themes_scores", "actors", "actors_scores"]


@pytest.mark.parametrize("suffix", ["parquet", "csv"])
def test_tagging_the_same_files_twice_writes_the_same_bytes(cli_model, tmp_path, suffix):
    for name in ("a", "b"):
        out = tmp_path / f"{name}.{suffix}"
        assert main(["tag", "--model", str(cli_model), str(SEED_ARTICLE), str(SMALL_ARTICLES), "-o", str(out)]) == 0
    assert (tmp_path / f"a.{suffix}").read_bytes() == (tmp_path / f"b.{suffix}").read_bytes()


# ---- every label's score (--all-scores) ----

def _all_scores_result(ident="a1") -> TagResult:
    every = {"region": tuple(LabelScore(lab, s) for lab, s in [("africa", 0.01), ("asia", 0.951234), ("europe", 0.04)]),
             "themes": (LabelScore("alliance", 0.9), LabelScore("deterrence", 0.61), LabelScore("diplomacy", 0.2)),
             "actors": (LabelScore("NATO", 0.5, "alias-rule"), LabelScore("USA", 0.0))}
    return TagResult(ident, _result(ident).tags, all_scores=every)


def test_all_score_rows_are_one_per_label_of_the_taxonomy_and_say_which_were_given():
    rows = long_rows(_all_scores_result(), all_scores=True)
    assert [(r["facet"], r["label"], r["score"], r["given"]) for r in rows] == [
        ("region", "africa", 0.01, False), ("region", "asia", 0.9512, True), ("region", "europe", 0.04, False),
        ("themes", "alliance", 0.9, True), ("themes", "deterrence", 0.61, True), ("themes", "diplomacy", 0.2, False),
        ("actors", "NATO", 0.5, True), ("actors", "USA", 0.0, False)]
    assert rows[6]["source"] == "alias-rule"
    given = [{k: v for k, v in r.items() if k != "given"} for r in rows if r["given"]]
    assert sorted(given, key=str) == sorted(long_rows(_all_scores_result()), key=str)


def test_all_score_rows_need_results_tagged_with_every_score():
    with pytest.raises(InputError, match=r"article a1 was tagged without every label's score.*all_scores=True"):
        long_rows(_result(), all_scores=True)


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_each_format_writes_every_labels_score_with_a_given_column(fmt, tmp_path):
    path = tmp_path / f"t.{fmt}"
    assert write_tag_file([_all_scores_result("a1"), _all_scores_result("a2")], path, facets=FACETS,
                          all_scores=True) == 2
    table = _read(path, fmt)
    assert list(table.columns) == ["article_id", "source_id", "facet", "label", "score", "source", "given"]
    assert len(table) == 16
    assert [str(g) for g in table["given"][:3]] == ["False", "True", "False"]


def test_every_labels_score_is_written_in_the_long_layout_only(tmp_path):
    with pytest.raises(InputError, match="every label's score is written in the long layout"):
        write_tag_file([_all_scores_result()], tmp_path / "t.csv", facets=FACETS, layout="wide", all_scores=True)
    assert not (tmp_path / "t.csv").exists()


def test_a_result_with_every_score_keeps_them_in_its_json_record():
    rec = _all_scores_result().to_dict()
    assert [s["label"] for s in rec["all_scores"]["region"]] == ["africa", "asia", "europe"]
    assert "all_scores" not in _result().to_dict()


def test_tag_batch_with_all_scores_gives_every_label_in_taxonomy_order_and_the_chosen_ones_agree(trained):
    texts = ["Japanese and American ships drill near Tokyo.", "Russia strikes Kyiv."]
    plain = list(trained.tag_batch(texts, evidence=False))
    every = list(trained.tag_batch(texts, evidence=False, all_scores=True))
    tax = trained.fitted_taxonomy
    for p, e in zip(plain, every):
        assert p.tags == e.tags and p.all_scores is None
        for f in tax.facets:
            assert [s.label for s in e.all_scores[f.name]] == list(f.ids)
            by_label = {s.label: s for s in e.all_scores[f.name]}
            chosen = p.tags[f.name]
            for s in (chosen,) if isinstance(chosen, LabelScore) else chosen or ():
                assert by_label[s.label] == s


def test_tag_all_scores_writes_a_row_per_label_and_the_given_rows_are_the_plain_long_rows(cli_model, tmp_path):
    from classifier import load_model

    every, plain = tmp_path / "every.csv", tmp_path / "plain.csv"
    args = ["tag", "--model", str(cli_model), str(SEED_ARTICLE), str(SMALL_ARTICLES)]
    assert main([*args, "-o", str(every), "--all-scores"]) == 0
    assert main([*args, "-o", str(plain)]) == 0
    table, given = _read(every, "csv"), _read(plain, "csv")
    n_labels = sum(len(f.ids) for f in load_model(cli_model).fitted_taxonomy.facets)
    assert len(table) == n_labels * table["article_id"].nunique()
    mine = table[table["given"]].drop(columns="given").reset_index(drop=True)
    pd.testing.assert_frame_equal(mine.sort_values(["article_id", "facet", "label"]).reset_index(drop=True),
                                  given.sort_values(["article_id", "facet", "label"]).reset_index(drop=True))


def test_tag_all_scores_in_json_lines_adds_every_score_to_the_full_record(cli_model, tmp_path):
    out = tmp_path / "t.jsonl"
    assert main(["tag", "--model", str(cli_model), str(SEED_ARTICLE), "-o", str(out), "--all-scores"]) == 0
    rec = json.loads(out.read_text())
    assert "evidence" in rec and {s["label"] for s in rec["all_scores"]["region"]} >= {"asia", "europe"}


@pytest.mark.parametrize("args, message", [
    (["-o", "{tmp}/tags.csv", "--layout", "wide"], "--all-scores writes a row per label: use the long layout"),
    (["-o", "{tmp}/tags.json", "--format", "ls-predictions"], "--all-scores is for tag files and records"),
])
def test_tag_all_scores_refuses_a_layout_or_format_without_a_row_per_label(cli_model, tmp_path, capsys, args, message):
    args = [a.format(tmp=tmp_path) for a in args]
    assert main(["tag", "--model", str(cli_model), str(SEED_ARTICLE), "--all-scores", *args]) == 2
    assert message in " ".join(capsys.readouterr().err.replace("│", " ").split())
    assert not any(p.name.startswith("tags") for p in tmp_path.iterdir())
