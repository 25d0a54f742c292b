"""tools/news/label.py's conventions review: shares, blind confirmation files, and the checks of the reviewers' files."""

from __future__ import annotations

import argparse
import json
import types

import pytest

from tools.news import label


def _write(path, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


@pytest.fixture()
def folders(tmp_path, monkeypatch):
    """label.py's work folder, labels folder and state in a temporary folder, its pool corpus only the taxonomy."""
    from corpus import load_taxonomy

    work, labels = tmp_path / "work", tmp_path / "labels"
    monkeypatch.setattr(label, "WORK", work)
    monkeypatch.setattr(label, "LABELS", labels)
    monkeypatch.setattr(label, "STATE", work / "state.json")
    monkeypatch.setattr(label, "_pool", lambda: types.SimpleNamespace(taxonomy=load_taxonomy()))
    return work, labels


def _texts(monkeypatch, text: dict[str, str]) -> None:
    """The pool's texts of ``text``'s items, all dated 2025-05-04."""
    monkeypatch.setattr(label, "_texts_and_dates", lambda corpus: (text, {a: "2025-05-04" for a in text}))


@pytest.fixture()
def review(folders):
    """A review of 4 items in 2 shares, as ``review`` leaves it, in a temporary work folder."""
    work, labels = folders
    settled = {"region": "europe", "themes": [], "actors": []}
    shares = {0: ["a1", "a2"], 1: ["a3", "a4"]}
    for k, items in shares.items():
        _write(work / "rounds" / "rv" / f"review-{k}.jsonl",
               [{"item": a, "date": "2025-05-04", "text": f"Text {a}.", **settled} for a in items])
    label._save_state({"reviews": {"rv": {"rounds": ["r0"], "shares": 2, "articles": ["a1", "a2", "a3", "a4"]}}})
    labels.mkdir()
    (labels / "rv.json").write_text(json.dumps({"rounds": ["r0"], "shares": 2}), encoding="utf-8")
    return work, labels


def test_confirm_hands_each_flag_to_another_reviewer_blind(review):
    work, labels = review
    proposed = {"region": "europe", "themes": [], "actors": ["POL"]}
    _write(labels / "rv-flags-0.jsonl", [{"item": "a1", "rule": "11", "why": "an election", **proposed}])
    _write(labels / "rv-flags-1.jsonl", [{"item": "a4", "rule": "4", "why": "police arrest", **proposed}])
    label.cmd_confirm(argparse.Namespace(name="rv", confirmers=2))
    mine = {c: [json.loads(x) for x in (work / "rounds" / "rv" / f"adjudicate-{c}.jsonl").read_text().splitlines()]
            for c in (0, 1)}
    assert [r["item"] for r in mine[1]] == ["a1"] and [r["item"] for r in mine[0]] == ["a4"]  # never one's own
    for rows in mine.values():
        (row,) = rows
        assert set(row) == {"item", "date", "text", "first", "second"}  # no rule, no why, no names
        assert sorted([row["first"]["actors"], row["second"]["actors"]]) == [[], ["POL"]]
    kept = [json.loads(x) for x in (work / "rounds" / "rv" / "disagreements.jsonl").read_text().splitlines()]
    assert {r["item"]: r["rule"] for r in kept} == {"a1": "11", "a4": "4"}
    assert json.loads((labels / "rv.json").read_text())["confirmers"] == 2


def test_confirm_refuses_a_flag_outside_the_reviewer_s_share(review):
    _, labels = review
    _write(labels / "rv-flags-0.jsonl", [{"item": "a3", "rule": "11", "region": "europe", "themes": [],
                                          "actors": []}])
    with pytest.raises(SystemExit, match="item a3 is not in share 0"):
        label.cmd_confirm(argparse.Namespace(name="rv", confirmers=2))


def test_check_review_names_each_problem_of_a_flags_file(review, capsys):
    _, labels = review
    _write(labels / "rv-flags-0.jsonl", [
        {"item": "a1", "rule": "", "region": "europe", "themes": [], "actors": ["POL"]},
        {"item": "a3", "rule": "8", "region": "europe", "themes": [], "actors": ["POL"]},
        {"item": "a2", "rule": "8", "region": "atlantis", "themes": [], "actors": []},
        {"item": "a2", "rule": "8", "region": "europe", "themes": [], "actors": ["POL"]},
    ])
    label.cmd_check_review(argparse.Namespace(name="rv", flags=0, confirm=None))
    out = capsys.readouterr().out
    assert "4 error(s)" in out
    assert "line 1 (item a1): no rule cited" in out
    assert "line 2: item 'a3' is not in your todo file" in out
    assert "line 3 (item a2)" in out and "atlantis" in out
    assert "line 4: item a2 labeled twice" in out


def test_check_review_refuses_a_flag_that_changes_nothing(review, capsys):
    """A flag whose labels are the settled ones (a reviewer who forgot to apply the change) is an error, named with its
    line: confirmation would otherwise be handed two identical label sets."""
    _, labels = review
    _write(labels / "rv-flags-0.jsonl", [
        {"item": "a1", "rule": "22a", "region": "europe", "themes": [], "actors": []},
        {"item": "a2", "rule": "22a", "region": "europe", "themes": [], "actors": ["POL"]},
    ])
    label.cmd_check_review(argparse.Namespace(name="rv", flags=0, confirm=None))
    out = capsys.readouterr().out
    assert "1 error(s)" in out
    assert "line 1 (item a1): the flag's labels are the settled labels; write the labels the rule decides" in out


def test_check_review_lists_the_confirmations_still_to_do(review, capsys):
    work, labels = review
    _write(work / "rounds" / "rv" / "adjudicate-0.jsonl", [{"item": "a3"}, {"item": "a4"}])
    _write(labels / "rv-adjudicator-by-0.jsonl", [{"item": "a3", "region": "europe", "themes": [], "actors": []}])
    label.cmd_check_review(argparse.Namespace(name="rv", flags=None, confirm=0))
    out = capsys.readouterr().out
    assert "0 error(s), 1 to do" in out and "next items to do: a4" in out


def test_review_shares_carry_the_settled_labels_after_every_earlier_review(folders, monkeypatch):
    """A round's labels as settled (the adjudication, else the pair's), then earlier reviews' confirmations in
    natural order: review2 is earlier than review10, though it sorts after it as a string."""
    work, labels = folders
    items = ["a1", "a2", "a3"]
    _texts(monkeypatch, {a: f"Text {a}." for a in items})
    plain = {"region": "europe", "themes": [], "actors": []}
    for who in label.ANNOTATORS:
        _write(labels / f"r0-{who}.jsonl", [{"item": a, **plain} for a in items])
    _write(labels / "r0-adjudicator.jsonl", [{"item": "a1", **plain, "actors": ["FRA"]}])
    _write(labels / "review2-adjudicator.jsonl", [{"item": "a2", **plain, "region": "asia"}])
    _write(labels / "review11-adjudicator.jsonl", [{"item": "a3", **plain, "region": "africa"}])  # a later review
    label._save_state({"rounds": {"r0": {"articles": items}},
                       "reviews": {"review2": {"shares": 1}, "review11": {"shares": 1}}})
    label.cmd_review(argparse.Namespace(name="review10", rounds=["r0"], shares=1))
    rows = {r["item"]: r for r in map(json.loads, (work / "rounds" / "review10" / "review-0.jsonl").read_text()
                                       .splitlines())}
    assert rows["a1"]["actors"] == ["FRA"] and rows["a2"]["region"] == "asia" and rows["a3"]["region"] == "europe"
    assert json.loads((labels / "review10.json").read_text()) == {"rounds": ["r0"], "shares": 1}
    assert sorted(["review10", "review2", "review1"], key=label.review_order) == ["review1", "review2", "review10"]


def test_a_review_of_one_rule_reads_only_the_items_whose_settled_themes_hold_every_named_theme(folders, monkeypatch):
    """``review --with-themes``: a rule revised for one kind of item is re-read on those items alone (their settled
    labels, after earlier reviews); the record keeps the filter, so a replay draws the same shares."""
    work, labels = folders
    items = ["a1", "a2", "a3", "a4"]
    _texts(monkeypatch, {a: f"Text {a}." for a in items})
    themes = {"a1": ["armed_conflict", "diplomacy"], "a2": ["diplomacy"], "a3": ["armed_conflict"], "a4": []}
    for who in label.ANNOTATORS:
        _write(labels / f"r0-{who}.jsonl", [{"item": a, "region": "europe", "themes": themes[a], "actors": []}
                                            for a in items])
    _write(labels / "review1-adjudicator.jsonl", [{"item": "a3", "region": "europe", "actors": [],
                                                   "themes": ["armed_conflict", "diplomacy"]}])
    label._save_state({"rounds": {"r0": {"articles": items}}, "reviews": {"review1": {"shares": 1}}})
    label.cmd_review(argparse.Namespace(name="review3", rounds=["r0"], shares=2,
                                        with_themes=["armed_conflict", "diplomacy"]))
    got = sorted(json.loads(x)["item"] for k in range(2)
                 for x in (work / "rounds" / "review3" / f"review-{k}.jsonl").read_text().splitlines())
    assert got == ["a1", "a3"]
    assert json.loads((labels / "review3.json").read_text()) == {"rounds": ["r0"], "shares": 2,
                                                                 "with_themes": ["armed_conflict", "diplomacy"]}
    assert label._state()["reviews"]["review3"]["articles"] == ["a1", "a3"]


def test_a_labels_file_with_an_item_twice_is_refused_where_it_is_read(tmp_path):
    """Every reader of a labels file (post, disagree, confirm, the replay, bench.guide_check) goes through ``_check``:
    an item labeled twice stops it, naming the file and line, instead of the later line silently winning."""
    from corpus import load_taxonomy

    rows = [{"item": "a1", "region": "europe", "themes": [], "actors": []},
            {"item": "a1", "region": "asia", "themes": [], "actors": []}]
    with pytest.raises(SystemExit, match=r"labels\.jsonl:2: item a1 labeled twice"):
        label._check(rows, tmp_path / "labels.jsonl", load_taxonomy())


def test_a_review_of_a_rule_reads_only_the_items_whose_text_matches_its_pattern(folders, monkeypatch):
    """``review --text REGEX``: a rule revised for one kind of event (elections, attacks, trials) is re-read on the
    items whose text speaks of it, case-insensitively; the record keeps the pattern (and a replay passes it back), so the
    same items are drawn again."""
    work, labels = folders
    text = {"a1": "Citizens of Burundi vote to elect a parliament.", "a2": "Burundians VOTE in a referendum.",
            "a3": "Burundi signs a trade deal.", "a4": "A devoted fan club meets."}
    _texts(monkeypatch, text)
    for who in label.ANNOTATORS:
        _write(labels / f"r0-{who}.jsonl", [{"item": a, "region": "africa", "themes": [], "actors": ["BDI"]}
                                            for a in text])
    label._save_state({"rounds": {"r0": {"articles": sorted(text)}}})
    label.cmd_review(argparse.Namespace(name="review4", rounds=["r0"], shares=1, with_themes=None,
                                        text=r"\b(vot\w*|elect\w*)\b"))
    got = [json.loads(x)["item"] for x in (work / "rounds" / "review4" / "review-0.jsonl").read_text().splitlines()]
    assert got == ["a1", "a2"]  # a3: no vote; a4: "devoted" is no vote, the pattern's word boundary holds
    assert json.loads((labels / "review4.json").read_text()) == {"rounds": ["r0"], "shares": 1,
                                                                 "text": r"\b(vot\w*|elect\w*)\b"}


def test_a_review_s_text_filter_that_is_not_a_regular_expression_is_refused_before_anything_is_written(folders):
    _, labels = folders
    with pytest.raises(SystemExit, match=r"--text '\(vot': not a regular expression .*: fix the pattern"):
        label.cmd_review(argparse.Namespace(name="review4", rounds=["r0"], shares=1, with_themes=None, text="(vot"))
    assert not (labels / "review4.json").exists()


def test_the_replay_passes_every_filter_a_review_record_keeps():
    """A review's record names its filters; the replay rebuilds each review with them (``review_filters``)."""
    from tools.news.replay import review_filters  # label.py's, as the replay imports it

    assert review_filters({"rounds": ["r0"], "shares": 2, "text": "vot", "with_themes": ["diplomacy"],
                           "confirmers": 3}) == {"with_themes": ["diplomacy"], "text": "vot"}
    assert review_filters({"rounds": ["r0"], "shares": 2}) == {"with_themes": None, "text": None}
