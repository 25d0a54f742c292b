"""Reading and plotting the benchmark results (bench.plots)."""

from __future__ import annotations

import json

import pytest

from bench.plots import (KNOWN, RESULTS, flat_numbers, load_results, missing_results, plot_result, result_heading,
                         result_table, results_overview)
from corpus import InputError

PNG = b"\x89PNG\r\n\x1a\n"
MACHINE = {"cores": 2, "commit": "abc1234", "cpu": "test cpu"}

# The smallest result of each known benchmark, in the layout its script writes.
SAMPLES = {
    "annotation_import": {
        "what": "import a JSON export", "command": "python -m bench.annotation_import", "machine": MACHINE,
        "measured_at": "2026-01-01 00:00 UTC", "input": {"tasks": 10, "annotators_per_task": 3},
        "median": {"parse_s": 1.0, "consolidate_apply_s": 0.5, "import_s": 1.6, "agreement_s": 0.7, "peak_rss_mib": 90.0},
        "import_s_per_run": [1.5, 1.6, 1.7], "target": {"import_s": 10, "peak_rss_mib": 1024}},
    "splits": {"corpus": {"articles": 100}, "machine": {"cores": 2},
               "results": {"newstag make_splits (groups)": {"seconds": 1.0, "eval_share_per_label_mean_abs_error": 0.01,
                                                            "eval_share_per_label_max_abs_error": 0.05,
                                                            "groups_across_sides": 0},
                           "random (sklearn ShuffleSplit)": {"seconds": 0.1, "eval_share_per_label_mean_abs_error": 0.05,
                                                              "eval_share_per_label_max_abs_error": 0.3,
                                                              "groups_across_sides": 12}}},
    "tagging_speed": {"articles": 100,
                      "throughput": {"newstag_tag_batch": {"seconds_median": 1.0, "articles_per_second": 100.0,
                                                           "time_vs_baseline": 1.1},
                                     "baseline_predict": {"seconds_median": 0.9, "articles_per_second": 111.1,
                                                          "time_vs_baseline": 1.0}},
                      "latency_single_article": {"newstag_tag": {"p50_ms": 2.0, "p99_ms": 5.0, "p50_all_ms": [2.0]}},
                      "tag_batch_stage_us_per_article": {"tfidf": 110.0, "heads": 40.0}},
    "reuters_accuracy": {
        "published": [{"source": "Yang & Liu 1999", "method": "SVM", "subset": "R(90)", "measure": "micro-F1 / macro-F1",
                       "micro": 0.86, "macro": 0.525}],
        "subsets": {"R(90)": {"attempts": [{"name": "baseline", "micro_f1": 0.85, "macro_f1": 0.45, "seconds": 3.0,
                                            "tuned_on_test": False},
                                           {"name": "tuned", "micro_f1": 0.88, "macro_f1": 0.6, "seconds": 5.0,
                                            "tuned_on_test": True}]}}},
    "wikinews_accuracy": {"facets": {"region": {"models": {"sklearn": {"accuracy": 0.8, "macro_f1": 0.7},
                                                           "newstag Tagger": {"accuracy": 0.9, "macro_f1": 0.8}}},
                                     "actors": {"models": {"sklearn": {"micro_f1": 0.7, "macro_f1": 0.6}}}}},
    "scale": {"runs": [{"model": "tagger", "n": 1000, "fit_seconds": 5.0, "peak_rss_mib": 400.0},
                       {"model": "tagger", "n": 100, "fit_seconds": 1.0, "peak_rss_mib": 300.0,
                        "predict_articles_per_second": 900.0}]},
    "corpus_build_speed": {"records": 1000, "articles": 990, "build_seconds_median": 2.0, "articles_per_second": 500.0,
                           "stage_seconds_median": {"read": 1.2, "near_duplicates": 0.8},
                           "goal": {"articles_per_second": 400}},
    "dask_scaling": {"articles": 1000,
                     "tag": {"single": {"seconds_median": 2.0, "articles_per_second": 500.0},
                             "dask_2_workers": {"seconds_median": 1.5, "articles_per_second": 666.7},
                             "speedup_2_workers_vs_single": 1.33},
                     "build": {"single": {"seconds_median": 3.0, "articles_per_second": 333.3}}},
}


def _write(folder, name, data):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.json").write_text(json.dumps(data), encoding="utf-8")


# ---- reading ----

def test_load_results_reads_every_file_known_benchmarks_first_and_leaves_out_the_run_log(tmp_path):
    for name in ("zeta_custom", "dask_scaling", "annotation_import", "run_all"):
        _write(tmp_path, name, SAMPLES.get(name, {"x": 1}))
    results = load_results(tmp_path)
    assert list(results) == ["annotation_import", "dask_scaling", "zeta_custom"]
    assert results["dask_scaling"] == SAMPLES["dask_scaling"]


def test_load_results_names_a_file_that_is_not_json(tmp_path):
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="broken.json: not a readable JSON result file.*python -m bench.broken"):
        load_results(tmp_path)


def test_load_results_refuses_a_file_that_is_not_a_json_object(tmp_path):
    _write(tmp_path, "listy", [1, 2])
    with pytest.raises(InputError, match="listy.json: a result file holds a JSON object, this one holds a list"):
        load_results(tmp_path)


def test_load_results_refuses_a_missing_folder(tmp_path):
    with pytest.raises(InputError, match="no benchmark results folder; run `make bench`"):
        load_results(tmp_path / "absent")


def test_missing_results_lists_the_known_benchmarks_without_a_file():
    assert missing_results({"splits": {}, "other": {}}) == [n for n in KNOWN if n != "splits"]


def test_results_overview_has_one_row_per_result_with_where_and_how_it_was_measured():
    table = results_overview({"annotation_import": SAMPLES["annotation_import"], "splits": SAMPLES["splits"]})
    assert table.to_dict("records") == [
        {"benchmark": "annotation_import", "measured_at": "2026-01-01 00:00 UTC", "cores": 2, "commit": "abc1234",
         "command": "python -m bench.annotation_import"},
        {"benchmark": "splits", "measured_at": "", "cores": 2, "commit": "", "command": ""},
    ]


def test_result_heading_says_what_was_measured_and_how_to_reproduce_it():
    heading = result_heading("annotation_import", SAMPLES["annotation_import"])
    assert heading.startswith("### annotation_import\n\nimport a JSON export\n\n")
    assert "`.venv/bin/python -m bench.annotation_import` (measured 2026-01-01 00:00 UTC)" in heading
    assert result_heading("splits", {}) == "### splits\n\nReproduce: `.venv/bin/python -m bench.splits`"


# ---- tables ----

EXPECTED_COLUMNS = {
    "annotation_import": ["measure", "median", "target"],
    "splits": ["method", "seconds", "eval_share_per_label_mean_abs_error", "eval_share_per_label_max_abs_error",
               "groups_across_sides"],
    "tagging_speed": ["how", "seconds_median", "articles_per_second", "time_vs_baseline"],
    "reuters_accuracy": ["subset", "system", "measure", "micro_f1", "macro_f1", "seconds", "tuned_on_test"],
    "wikinews_accuracy": ["facet", "model", "accuracy", "micro_f1", "macro_f1"],
    "scale": ["model", "n", "fit_seconds", "peak_rss_mib", "predict_articles_per_second",
              "tag_with_evidence_articles_per_second"],
    "corpus_build_speed": ["stage", "seconds_median"],
    "dask_scaling": ["work", "how", "seconds_median", "articles_per_second"],
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_result_table_of_each_known_benchmark_has_its_own_columns(name):
    table = result_table(name, SAMPLES[name])
    assert list(table.columns) == EXPECTED_COLUMNS[name]
    assert len(table) > 0


def test_result_table_of_reuters_puts_the_published_figures_beside_the_attempts():
    table = result_table("reuters_accuracy", SAMPLES["reuters_accuracy"])
    assert table["system"].tolist() == ["published: SVM (Yang & Liu 1999)", "baseline", "tuned"]
    assert table["tuned_on_test"].tolist() == [False, False, True]


def test_result_table_of_dask_scaling_leaves_out_the_derived_ratios():
    table = result_table("dask_scaling", SAMPLES["dask_scaling"])
    assert list(zip(table["work"], table["how"])) == [("tag", "single"), ("tag", "dask_2_workers"), ("build", "single")]


def test_result_table_falls_back_to_the_first_section_when_a_known_layout_changed():
    changed = {"machine": MACHINE, "results": {"fast": {"seconds": 1.0, "label": "a"}, "slow": {"seconds": 9.0}}}
    table = result_table("dask_scaling", changed)
    assert table.to_dict("records")[0] == {"results": "fast", "seconds": 1.0, "label": "a"}


def test_result_table_of_an_unknown_result_without_sections_lists_its_numbers():
    data = {"machine": MACHINE, "articles": 10, "speed": {"median": 2.5, "all": [2, 3]}, "met": True, "what": "x"}
    table = result_table("unknown_bench", data)
    assert table.to_dict("records") == [{"key": "articles", "value": 10}, {"key": "speed.median", "value": 2.5},
                                        {"key": "met", "value": True}]
    assert table.equals(flat_numbers(data))


# ---- plots ----

@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_plot_result_writes_a_png_for_each_known_benchmark(name, tmp_path):
    path = plot_result(name, SAMPLES[name], tmp_path / "plots" / f"{name}.png")
    assert path == tmp_path / "plots" / f"{name}.png"
    assert path.read_bytes()[:8] == PNG
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left behind


def test_plot_result_plots_the_first_section_of_an_unknown_or_changed_result(tmp_path):
    data = {"results": {"a": {"seconds": 1.0}, "b": {"seconds": 2.0}}}
    assert plot_result("unknown_bench", data, tmp_path / "t.png").read_bytes()[:8] == PNG
    assert plot_result("scale", data, tmp_path / "s.png").read_bytes()[:8] == PNG  # 'runs' is gone


def test_plot_result_returns_none_when_there_is_nothing_to_plot(tmp_path):
    assert plot_result("unknown_bench", {"articles": 3, "note": "nothing tabular"}, tmp_path / "x.png") is None
    assert not (tmp_path / "x.png").exists()


def test_every_committed_result_gives_a_table_and_a_plot(tmp_path):
    results = load_results(RESULTS)
    assert results, "bench/results holds no result file"
    for name, data in results.items():
        table = result_table(name, data)
        assert len(table) > 0, name
        if name in EXPECTED_COLUMNS:  # a known benchmark is shown in its own layout, not the generic one
            assert list(table.columns)[0] == EXPECTED_COLUMNS[name][0], name
        assert plot_result(name, data, tmp_path / f"{name}.png") is not None, name


def test_the_bench_readme_shows_the_news_time_split_by_system_theme_and_curve_not_a_flattened_dump():
    from bench.run_all import render_news

    d = json.loads((RESULTS / "news_time_split.json").read_text(encoding="utf-8"))
    text = render_news(d)
    rows = {line.split(" | ")[0].lstrip("| ") for line in text.splitlines() if line.startswith("| ")}
    assert set(d["systems"]) | {"target", "armed_conflict", "random", "active"} <= rows
    assert "per_label" not in text and text.endswith("![news_time_split](results/news_time_split.png)")
    tagger = d["systems"]["tagger"]["headline"]
    assert f"| tagger | {tagger['region_accuracy']:.4f} | {tagger['themes_micro_f1']:.4f} |" in text
