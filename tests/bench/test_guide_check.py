"""bench.guide_check: reading the guide-only readers' files (every problem named), scoring a set against them, and
where both readers part from the settled labels."""

from __future__ import annotations

import json

import pytest

import bench.guide_check as gc
from corpus import load_taxonomy


def _files(tmp_path, rows: dict[str, list[dict]], assignment: dict[str, list[str]], name: str = "g",
           sets: dict | None = None):
    readers = sorted({who for pair in assignment.values() for who in pair})
    (tmp_path / f"{name}.json").write_text(json.dumps({"readers": readers, "assignment": assignment,
                                                      "sets": sets or {}}))
    for who, mine in rows.items():
        (tmp_path / f"{name}-{who}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in mine))


def _row(item, region="europe", themes=(), actors=()):
    return {"item": item, "region": region, "themes": list(themes), "actors": list(actors)}


def test_the_readers_labels_come_in_the_records_order_per_item(tmp_path, monkeypatch):
    monkeypatch.setattr(gc, "LABELS", tmp_path)
    _files(tmp_path, {"guide-a": [_row("x", actors=["RUS", "UKR"])], "guide-b": [_row("x", "asia")]},
           {"x": ["guide-b", "guide-a"]})
    _, labels = gc.load_readers("g")
    assert labels == {"x": [{"region": "asia", "themes": [], "actors": []},
                            {"region": "europe", "themes": [], "actors": ["RUS", "UKR"]}]}


@pytest.mark.parametrize("rows, message", [
    ({"guide-a": [_row("x")]}, r"g-guide-b\.jsonl is missing: reader guide-b has not labeled the items"),
    ({"guide-a": [_row("x"), _row("x")], "guide-b": [_row("x")]}, r"g-guide-a\.jsonl:2: item x labeled twice"),
    ({"guide-a": [_row("x")], "guide-b": []}, r"item x has no labels from guide-b \(.*g-guide-b\.jsonl\): finish"),
    ({"guide-a": [_row("x", "mars")], "guide-b": [_row("x")]}, r"g-guide-a\.jsonl line 1 \(item x\).*'mars'"),
])
def test_an_incomplete_check_is_refused_with_the_file_and_what_to_do(tmp_path, monkeypatch, rows, message):
    monkeypatch.setattr(gc, "LABELS", tmp_path)
    _files(tmp_path, rows, {"x": ["guide-a", "guide-b"]})
    with pytest.raises(SystemExit, match=message):
        gc.load_readers("g")


def test_checks_are_merged_with_each_reader_named_by_their_check(tmp_path, monkeypatch):
    """A later check (e.g. of the items a round added to the evaluation set) adds its items to an earlier one's;
    its readers are other people even where their names repeat."""
    monkeypatch.setattr(gc, "LABELS", tmp_path)
    _files(tmp_path, {"guide-a": [_row("x")], "guide-b": [_row("x", "asia")]}, {"x": ["guide-a", "guide-b"]},
           name="g1", sets={"eval": ["x"], "dev": []})
    _files(tmp_path, {"guide-a": [_row("y", "africa")], "guide-b": [_row("y")]}, {"y": ["guide-b", "guide-a"]},
           name="g2", sets={"eval": ["y"], "dev": []})
    record, labels = gc.load_checks(("g1", "g2"))
    assert record["sets"] == {"eval": ["x", "y"], "dev": []}
    assert record["readers"] == ["g1/guide-a", "g1/guide-b", "g2/guide-a", "g2/guide-b"]
    assert [r["region"] for r in labels["x"]] == ["europe", "asia"] and [r["region"] for r in labels["y"]] == ["europe", "africa"]


def test_an_item_in_two_checks_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(gc, "LABELS", tmp_path)
    for name in ("g1", "g2"):
        _files(tmp_path, {"guide-a": [_row("x")], "guide-b": [_row("x")]}, {"x": ["guide-a", "guide-b"]},
               name=name, sets={"eval": ["x"], "dev": []})
    with pytest.raises(SystemExit, match=r"item x is in two checks \(g1, g2\)"):
        gc.load_checks(("g1", "g2"))


def test_evaluation_items_no_check_covers_are_refused_with_what_to_do():
    with pytest.raises(SystemExit, match=r"2 evaluation item\(s\) of the time split have no guide-only readers "
                                         r"\(e\.g\. a\).*handout guideK --round"):
        gc.check_coverage({"eval": ["c"], "dev": []}, ["a", "b", "c"])
    gc.check_coverage({"eval": ["a", "b", "c"], "dev": []}, ["a", "b", "c"])


def test_a_set_is_scored_against_each_reader_and_the_mean_of_the_two():
    tax = load_taxonomy()
    settled = [{"region": "europe", "themes": ["armed_conflict"], "actors": ["RUS", "UKR"]},
               {"region": "asia", "themes": [], "actors": ["KAZ"]}]
    pairs = [[{"region": "europe", "themes": ["armed_conflict"], "actors": ["RUS"]},
              {"region": "europe", "themes": ["armed_conflict"], "actors": ["RUS"]}],
             [{"region": "asia", "themes": [], "actors": ["KAZ"]}, {"region": "global", "themes": [], "actors": []}]]
    model = {"region": ["europe", "asia"], "themes": [["armed_conflict"], []], "actors": [["RUS", "UKR"], ["KAZ"]]}
    s = gc.score_set(tax, ["x", "y"], settled, pairs, {"model": model})
    assert s["readers"] == {"region_accuracy": 0.5, "themes_micro_f1": 1.0, "actors_micro_f1": 0.6667}
    assert s["systems"]["model"]["settled"] == {"region_accuracy": 1.0, "themes_micro_f1": 1.0, "actors_micro_f1": 1.0}
    # against the first readers: actors tp 2 of 3 predicted, 2 gold -> 0.8; the second: tp 1, 3 predicted, 1 gold -> 0.5
    r = s["systems"]["model"]["readers"]
    assert (r["first"]["actors_micro_f1"], r["second"]["actors_micro_f1"], r["actors_micro_f1"]) == (0.8, 0.5, 0.65)
    assert (r["first"]["region_accuracy"], r["second"]["region_accuracy"], r["region_accuracy"]) == (1.0, 0.5, 0.75)
    div = s["divergence"]
    # x: both readers agree on RUS alone, the settled labels add UKR; y: the readers differ, so it is not counted
    assert div["actors"]["readers_agree"] == 1 and div["actors"]["settled_differs"] == 1
    assert div["actors"]["per_label"] == {"UKR: settled only": {"n": 1, "items": ["x"]}}
    assert div["region"] == {"readers_agree": 1, "settled_differs": 0, "per_label": {}}


def test_the_readme_quotes_the_guide_only_check_the_bench_measured():
    """The README's figures against the guide-only readers are bench/results/guide_check.json's evaluation set."""
    import re

    from ..conftest import ROOT

    s = json.loads((ROOT / "bench" / "results" / "guide_check.json").read_text(encoding="utf-8"))["sets"]["eval"]
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    three = r"(\d\.\d{3}) / (\d\.\d{3}) / (\d\.\d{3})"
    m = re.search(rf"the same (\d+) items score the model {three} \(region / themes / actors; the mean over the two "
                  rf"readers\) and the plain pipeline {three}; the readers agree with each other {three}, and with the "
                  rf"corpus's labels, which follow its conventions too, {three}", readme)
    assert m, "the README no longer quotes the guide-only check"
    keys = ("region_accuracy", "themes_micro_f1", "actors_micro_f1")
    want = [s["items"]] + [round(src[k], 3) for src in (s["systems"]["model"]["readers"], s["systems"]["sklearn"]["readers"],
                                                         s["readers"], s["settled_vs_readers"]) for k in keys]
    assert [int(m.group(1))] + [float(x) for x in m.groups()[1:]] == want
