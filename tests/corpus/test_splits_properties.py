"""Property tests (hypothesis) of the splits over random multi-label corpora.

The stated tolerance: for every label with enough independent examples (``min_examples`` groups:
``ceil(2 / smallest ratio)`` for a split, ``2 * k`` for k folds), the number of its articles in each
split is within ``2 * g + 5% of its articles`` of ``ratio * its articles``, where ``g`` is the largest
number of its articles in one group (so within 2 articles, plus 5%, when no articles are grouped).
Split sizes meet the same bound with ``g`` the largest group.
"""

import json
import math
from collections import defaultdict

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from corpus import CorpusError, from_articles, make_splits
from corpus._stratify import stratify

from .test_splits import REGIONS, THEMES, TINY, article

# database=None: tests write nothing outside tmp_path / .cache
SETTINGS = settings(max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
RATIOS = st.sampled_from([(0.8, 0.2), (0.7, 0.15, 0.15), (0.5, 0.5), (0.6, 0.2, 0.2)])


def within_tolerance(count: float, target: float, largest_in_a_group: int, total: int) -> bool:
    return abs(count - target) <= 2 * largest_in_a_group + 0.05 * total + 1e-9


# --- the algorithm on group-level label counts (fast: many examples) ------------------------------

@st.composite
def group_problems(draw):
    n_labels = draw(st.integers(1, 6))
    groups = draw(st.lists(st.tuples(st.integers(1, 4), st.lists(st.integers(0, 4), min_size=n_labels,
                                                                   max_size=n_labels)), min_size=2, max_size=70))
    sizes = np.array([s for s, _ in groups])
    counts = np.array([[min(c, s) for c in row] for s, row in groups])
    ratios = draw(RATIOS | st.integers(2, 5).map(lambda k: (1 / k,) * k))
    seed = draw(st.integers(0, 2**32 - 1))
    return counts, sizes, np.array(ratios), seed


@settings(max_examples=300, deadline=None, database=None)
@given(group_problems())
def test_stratify_covers_every_label_with_enough_groups_and_keeps_proportions(problem):
    counts, sizes, ratios, seed = problem
    present = counts > 0
    must = np.outer(ratios, present.sum(axis=0)) >= 2 - 1e-9
    order = np.random.default_rng(seed).permutation(len(sizes))
    assign = stratify(counts, sizes, ratios, order, must_cover=must)
    assert assign.min() >= 0 and assign.max() < len(ratios)
    for s in range(len(ratios)):
        in_s = assign == s
        assert within_tolerance(sizes[in_s].sum(), ratios[s] * sizes.sum(), sizes.max(), sizes.sum())
        for j in np.flatnonzero(must.all(axis=0)):
            assert present[in_s, j].any(), (s, j)
            total = counts[:, j].sum()
            assert within_tolerance(counts[in_s, j].sum(), ratios[s] * total, counts[:, j].max(), total), (s, j)
    again = stratify(counts, sizes, ratios, order, must_cover=must)
    assert (again == assign).all()


@settings(max_examples=150, deadline=None, database=None)
@given(group_problems(), st.data())
def test_stratify_never_moves_a_locked_group(problem, data):
    counts, sizes, ratios, seed = problem
    fixed = np.array(data.draw(st.lists(st.integers(-1, len(ratios) - 1), min_size=len(sizes), max_size=len(sizes))))
    must = np.outer(ratios, (counts > 0).sum(axis=0)) >= 2 - 1e-9
    assign = stratify(counts, sizes, ratios, np.random.default_rng(seed).permutation(len(sizes)), assigned=fixed,
                      must_cover=must)
    assert (assign[fixed >= 0] == fixed[fixed >= 0]).all()


# --- make_splits on random corpora ----------------------------------------------------------------

@st.composite
def corpora(draw, n_min=12, n_max=50, start=0):
    n = draw(st.integers(n_min, n_max))
    n_stories = draw(st.integers(max(1, n // 4), n))
    rows = draw(st.lists(st.tuples(st.sampled_from([*REGIONS, None]), st.sets(st.sampled_from(THEMES)),
                                   st.integers(0, n_stories - 1), st.integers(0, 9)), min_size=n, max_size=n))
    return [article(i, region, sorted(themes, key=THEMES.index), labeled=u != 0, meta={"story": f"s{story}"})
            for i, (region, themes, story, u) in enumerate(rows, start=start)]


def split_or_skip(c, ratios, seed, folds=None, **kw):
    try:
        return make_splits(c, ratios, seed, folds=folds, group_columns=("meta.story",), **kw)
    except CorpusError:  # no labeled article, or none with a label: refused (tested elsewhere)
        assume(False)
    except ValueError as exc:  # more folds than story groups in train
        assume("folds=" not in str(exc))
        raise


def facts(c):
    """Per labeled article: story and label columns; rows follow c.ids."""
    stories = [json.loads(m)["story"] for m in c.dataset["meta"]]
    labels = {}
    for facet in ("region", "themes"):
        for i, v in zip(c.ids, c.labels(facet)):
            for lab in ([v] if isinstance(v, str) else v or []):
                labels.setdefault((facet, lab), set()).add(i)
    return dict(zip(c.ids, stories)), labels


def check_parts(parts: dict[str, list[str]], ratios: dict[str, float], story: dict, labels: dict, minimum: int):
    """Disjoint parts, no story in two parts, coverage and proportions of labels with enough groups."""
    seen = {}
    for name, ids in parts.items():
        for i in ids:
            assert seen.setdefault(i, name) == name, f"{i} in {seen[i]} and {name}"
    home = {}
    for i, name in seen.items():
        assert home.setdefault(story[i], name) == name, f"story {story[i]} in {home[story[i]]} and {name}"
    members = set(seen)
    for (facet, lab), ids in labels.items():
        ids = ids & members
        per_story = defaultdict(int)
        for i in ids:
            per_story[story[i]] += 1
        if len(per_story) < minimum:
            continue
        for name, share in ratios.items():
            count = sum(1 for i in parts[name] if i in ids)
            assert count >= 1, f"{facet}:{lab} ({len(per_story)} groups) missing from {name}"
            assert within_tolerance(count, share * len(ids), max(per_story.values()), len(ids)), \
                f"{facet}:{lab} {count} in {name}, expected {share * len(ids):.1f}"
    sizes = defaultdict(int)
    for i in members:
        sizes[story[i]] += 1
    for name, share in ratios.items():
        assert within_tolerance(len(parts[name]), share * len(members), max(sizes.values()), len(members))


@SETTINGS
@given(corpora(), RATIOS, st.integers(0, 10**6), st.sampled_from([None, 2, 3]))
def test_splits_and_folds_of_random_corpora_keep_every_promise(arts, ratios, seed, k):
    c = from_articles(arts, TINY)
    m = split_or_skip(c, ratios, seed, folds=k)
    story, labels = facts(c)
    labeled = {i for i, ok in zip(c.ids, c.dataset["labeled"]) if ok}
    assert set(m.assignment()) == labeled
    check_parts(m.ids, m.ratios, story, labels, math.ceil(2 / min(ratios) - 1e-9))
    assert m.label_report["not_covered"] == {}
    if k is not None:
        folds = {str(f): ids for f, ids in enumerate(m.folds)}
        assert sorted(i for ids in m.folds for i in ids) == m.ids["train"]
        check_parts(folds, {f: 1 / k for f in folds}, story, labels, 2 * k)
        assert m.label_report["folds"]["not_covered"] == {}


@SETTINGS
@given(corpora(n_max=30), RATIOS, st.integers(0, 10**6))
def test_the_same_seed_gives_the_same_manifest(arts, ratios, seed):
    c = from_articles(arts, TINY)
    assert split_or_skip(c, ratios, seed, folds=2).to_dict() == split_or_skip(c, ratios, seed, folds=2).to_dict()


@SETTINGS
@given(corpora(n_min=20, n_max=50), RATIOS, st.integers(0, 10**6), st.sampled_from([None, 3]), st.data())
def test_adding_twenty_percent_new_articles_moves_no_old_article(arts, ratios, seed, k, data):
    old_c = from_articles(arts, TINY)
    old = split_or_skip(old_c, ratios, seed, folds=k)
    new_arts = data.draw(corpora(n_min=len(arts) // 5, n_max=len(arts) // 5, start=1000))  # story lines old and new
    grown_c = from_articles(arts + new_arts, TINY)
    grown = make_splits(grown_c, ratios, seed, folds=k, group_columns=("meta.story",), previous=old)
    before, after = old.assignment(), grown.assignment()
    assert all(after[i] == s for i, s in before.items())
    assert set(after) == {i for i, ok in zip(grown_c.ids, grown_c.dataset["labeled"]) if ok}
    if k is not None:
        fold_before = {i: f for f, ids in enumerate(old.folds) for i in ids}
        fold_after = {i: f for f, ids in enumerate(grown.folds) for i in ids}
        assert all(fold_after[i] == f for i, f in fold_before.items())
    # a group split across sides only where new articles linked old groups on two sides, and then it is reported
    story, _ = facts(grown_c)
    homes = defaultdict(set)
    for i, s in after.items():
        homes[story[i]].add(s)
    crossing = {st_ for st_, sides in homes.items() if len(sides) > 1}
    reported = {story[i] for c in grown.extends["group_conflicts"] for ids in c.values() for i in ids}
    assert crossing <= reported
