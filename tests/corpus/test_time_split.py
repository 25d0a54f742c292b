"""Time splits (corpus.time_split and ``newstag corpus split --time``): train before a day, evaluate after it."""

from __future__ import annotations

import dataclasses
import json

import pytest

from corpus import Article, CorpusError, InputError, from_articles, load_splits, save, time_split


def art(k: int, day: str, *, selection: str | None = None, story: list[str] | None = None, labeled: bool = True) -> Article:
    y, m, d = (int(x) for x in day.split("-"))
    meta = {}
    if selection:
        meta["selection"] = selection
    if story is not None:
        meta["story_line"] = story
    return Article(title="", body=f"Item {k}: words {k} and {k * 13} about unrelated things number {k * 7}.",
                   year=y, month=m, day=d, meta=meta,
                   labels={"region": "asia", "themes": [], "actors": []} if labeled else {})


@pytest.fixture
def corpus(taxonomy):
    arts = [
        art(0, "2026-01-10", story=["War", "Front"]), art(1, "2026-02-01", story=["Other"]),
        art(2, "2026-02-20", selection="random"), art(3, "2026-03-05", selection="random", story=["War", "Front"]),
        art(4, "2026-03-06", selection="active"), art(5, "2026-04-01", selection="random", story=["War"]),
        art(6, "2026-06-01", selection="random"), art(7, "2026-03-07", labeled=False),
    ]
    return from_articles(arts, taxonomy)


def by_body(corpus, ids):
    bodies = dict(zip(corpus.ids, corpus.dataset["body"]))
    return sorted(int(bodies[a].split(":")[0].split()[1]) for a in ids)


def test_only_matching_articles_of_the_evaluation_period_are_evaluated(corpus):
    m = time_split(corpus, "2026-03-01", until="2026-05-31", eval_where={"meta.selection": "random"})
    assert by_body(corpus, m.ids["train"]) == [0, 1, 2]
    assert by_body(corpus, m.ids["eval"]) == [3, 5]
    assert m.label_report["held_out"] == 2  # 4 (active) and 6 (after --until); 7 is unlabeled


def test_a_training_article_sharing_its_whole_story_line_with_an_evaluated_one_is_left_out(corpus):
    m = time_split(corpus, "2026-03-01", eval_where={"meta.selection": "random"}, group_column="meta.story_line")
    assert by_body(corpus, m.ids["train"]) == [1, 2]  # 0 shares ["War", "Front"] with 3; ["War"] alone is another story
    assert m.label_report["dropped_from_train"] == 1
    assert m.group_columns[-1] == "meta.story_line"


def test_the_same_corpus_and_options_give_the_same_manifest(corpus, tmp_path):
    a = time_split(corpus, "2026-03", eval_where={"meta.selection": "random"}).to_dict()
    b = time_split(corpus, "2026-03", eval_where={"meta.selection": "random"}).to_dict()
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def test_bad_dates_columns_and_empty_sides_are_errors_that_say_what_to_do(corpus):
    with pytest.raises(InputError, match="until 'later' is not a date; expected YYYY-MM-DD"):
        time_split(corpus, "2026-03-01", until="later")
    with pytest.raises(InputError, match="column 'story' is not a corpus column; use one of .* or 'meta.KEY'"):
        time_split(corpus, "2026-03-01", group_column="story")
    with pytest.raises(CorpusError, match="the eval split is empty .* loosen --eval-where"):
        time_split(corpus, "2026-03-01", eval_where={"meta.selection": "nothing"})


def test_the_command_line_saves_the_time_split_and_refuses_options_of_a_random_split(corpus, tmp_path):
    from corpus._cli import main

    save(corpus, tmp_path / "c")
    code = main(["corpus", "split", str(tmp_path / "c"), "--time", "2026-03-01", "--until", "2026-05-31",
                 "--eval-where", "meta.selection=random", "--group-column", "meta.story_line"])
    assert code == 0
    m = load_splits(tmp_path / "c")
    assert m.method == "time" and by_body(corpus, m.ids["eval"]) == [3, 5]
    assert main(["corpus", "split", str(tmp_path / "c"), "--time", "2026-03-01", "--ratios", "0.5,0.5"]) == 2
    assert main(["corpus", "split", str(tmp_path / "c"), "--eval-where", "meta.selection=random"]) == 2


def test_undated_labeled_articles_are_an_error_or_trained_on_or_dropped_as_asked(taxonomy):
    undated = Article(title="", body="An undated item about nothing in particular at all.", year=None, month=7, day=28,
                      labels={"region": "asia", "themes": [], "actors": []})
    c = from_articles([art(0, "2026-01-10"), art(3, "2026-03-05", selection="random"), undated], taxonomy)
    with pytest.raises(CorpusError, match=r"no full date .* \(--undated train\), leave them out \(--undated drop\)"):
        time_split(c, "2026-03-01")
    train = time_split(c, "2026-03-01", undated="train")
    assert len(train.ids["train"]) == 2 and train.label_report["undated"]["articles"] == 1
    assert len(time_split(c, "2026-03-01", undated="drop").ids["train"]) == 1
    with pytest.raises(InputError, match="undated='keep': expected one of"):
        time_split(c, "2026-03-01", undated="keep")


def _stories(taxonomy, n_stories=6, per_story=4):
    """Training items in ``n_stories`` story lines (outermost story ``S<k>``, inner bullets that differ), dated
    before March, and one random item to evaluate after it."""
    words = ("harbour", "ministers", "flooding", "election", "convoy", "drought", "summit", "railway", "refinery",
             "vaccine", "border", "festival", "tariff", "earthquake", "parliament", "satellite", "pipeline", "strike",
             "court", "embassy", "harvest", "ceasefire", "bridge", "protest", "airport", "mine", "orchestra", "cyclone")
    arts, k = [], 0
    for s in range(n_stories):
        for j in range(per_story):
            a = art(k, f"2026-01-{1 + k:02d}", story=[f"S{s}", f"S{s}, detail {j}"])
            body = f"Item {k}: " + " ".join(words[(k * 5 + n * 3) % len(words)] for n in range(9)) + "."
            arts.append(dataclasses.replace(a, body=body))
            k += 1
    arts.append(art(99, "2026-03-05", selection="random"))
    return from_articles(arts, taxonomy)


def test_folds_cut_the_training_side_keeping_every_story_whole_even_across_its_inner_bullets(taxonomy):
    c = _stories(taxonomy)
    m = time_split(c, "2026-03-01", group_column="meta.story_line", folds=3, seed=4)
    assert len(m.folds) == 3 and sorted(a for f in m.folds for a in f) == sorted(m.ids["train"])
    story_of = {a: json.loads(meta)["story_line"][0] for a, meta in zip(c.ids, c.dataset["meta"]) if "story_line" in meta}
    for fold in m.folds:
        for other in m.folds:
            if fold is not other:  # an outermost story in one fold only, although its items' paths all differ
                assert not {story_of[a] for a in fold} & {story_of[a] for a in other}
    assert m.seed == 4 and m.label_report["folds"]["k"] == 3
    again = time_split(c, "2026-03-01", group_column="meta.story_line", folds=3, seed=4)
    assert json.dumps(again.to_dict(), sort_keys=True) == json.dumps(m.to_dict(), sort_keys=True)


def test_more_folds_than_stories_is_refused_saying_how_many_there_are(taxonomy):
    c = _stories(taxonomy, n_stories=2)
    with pytest.raises(InputError, match=r"folds=3 but the train split has only 2 group\(s\) .* use at most 2 folds"):
        time_split(c, "2026-03-01", group_column="meta.story_line", folds=3)


def test_the_command_line_cuts_folds_of_a_time_split_with_a_seed(taxonomy, tmp_path):
    from corpus._cli import main

    save(_stories(taxonomy), tmp_path / "c")
    assert main(["corpus", "split", str(tmp_path / "c"), "--time", "2026-03-01", "--group-column",
                 "meta.story_line", "--folds", "3", "--seed", "1"]) == 0
    m = load_splits(tmp_path / "c")
    assert m.method == "time" and len(m.folds) == 3 and m.seed == 1


def test_the_training_folds_stay_the_same_when_articles_outside_the_training_side_gain_labels(taxonomy):
    # Annotating more of the evaluation period (here: items of the same story lines, held out as not random) must
    # not reshuffle the folds of an unchanged training side: its thresholds, and so its figures, would move by the
    # fold draw alone.
    before = _stories(taxonomy)
    later = [dataclasses.replace(art(200 + s, "2026-03-10", selection="active", story=[f"S{s}", "later"]),
                                 body=f"Later item {s}: the story S{s} goes on with other words {s * 31}.")
             for s in range(6)]
    after = from_articles([*before.articles(), *later], taxonomy)
    a = time_split(before, "2026-03-01", eval_where={"meta.selection": "random"}, group_column="meta.story_line",
                   folds=3, seed=2)
    b = time_split(after, "2026-03-01", eval_where={"meta.selection": "random"}, group_column="meta.story_line",
                   folds=3, seed=2)
    assert a.ids["train"] == b.ids["train"] and b.label_report["held_out"] == 6
    assert a.folds == b.folds


def test_a_seed_without_folds_is_refused_for_a_time_split(taxonomy, tmp_path, capsys):
    from corpus._cli import main

    save(_stories(taxonomy), tmp_path / "c")
    assert main(["corpus", "split", str(tmp_path / "c"), "--time", "2026-03-01", "--seed", "1"]) == 2
    assert "--seed with --time seeds the folds: give --folds K too" in capsys.readouterr().err


def test_folds_of_ids_that_are_unknown_or_unlabeled_are_an_error_naming_them(corpus):
    from corpus.splits import train_folds

    labeled = [a for a, lab in zip(corpus.ids, corpus.dataset["labeled"]) if lab]
    unlabeled = [a for a, lab in zip(corpus.ids, corpus.dataset["labeled"]) if not lab]
    with pytest.raises(InputError) as e:
        train_folds(corpus, [*labeled, *unlabeled, "no-such-id"], 2)
    msg = str(e.value)
    assert "no-such-id" in msg and unlabeled[0] in msg
    assert "2 of the" in msg and "label" in msg  # how many, and what to do: annotate them or leave them out
