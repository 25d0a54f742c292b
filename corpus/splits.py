"""Reproducible train/eval(/test) splits and cross-validation folds of a labeled corpus.

A split is *stratified on every label of every facet at once* (group-aware iterative stratification,
see ``corpus/_stratify.py``), keeps *groups* together (near-duplicates, and any column the user names
such as ``source`` or ``meta.story``), is *stable as the corpus grows* (a previous split is extended:
old articles keep their side) and is recorded in a *split manifest* (``DIR/splits.json``) that is
byte-identical for the same corpus, ratios, groups and seed.

Only labeled articles (``labeled == True``) are split; unlabeled ones belong to no split and are
counted in the manifest's ``label_report["unlabeled"]``.
"""

from __future__ import annotations

__all__ = ["make_splits", "train_folds"]

import math
import numbers
from typing import Any, Mapping, Sequence

import numpy as np

from ._labeled import Labeled, group_keys, labeled_articles
from ._stratify import components, stratify
from .errors import CorpusError, InputError
from .split_manifest import DEFAULT_RATIOS, METHOD, NEAR_DUPLICATE_COLUMN, SPLIT_NAMES, SplitManifest
from .store import Corpus

# Random streams derived from the seed: one for the split, one for the folds.
_SPLIT_STREAM, _FOLD_STREAM = 0, 1


# --------------------------------------------------------------------------------------------------
# Argument checks
# --------------------------------------------------------------------------------------------------

def _check_ratios(ratios: Mapping[str, float] | Sequence[float]) -> dict[str, float]:
    if isinstance(ratios, Mapping):
        items = [(str(k), v) for k, v in ratios.items()]
    elif isinstance(ratios, (str, bytes)) or not isinstance(ratios, Sequence):
        raise InputError(
            f"ratios must be a mapping like {{'train': 0.8, 'eval': 0.2}} or a sequence like (0.8, 0.2), "
            f"got {ratios!r}."
        )
    else:
        if len(ratios) not in (2, 3):
            raise InputError(
                f"ratios as a sequence must have 2 (train, eval) or 3 (train, eval, test) numbers, got "
                f"{len(ratios)}: {list(ratios)!r}."
            )
        items = list(zip(SPLIT_NAMES, ratios))
    unknown = [k for k, _ in items if k not in SPLIT_NAMES]
    if unknown:
        raise InputError(f"unknown split name(s) {unknown} in ratios; valid names are {list(SPLIT_NAMES)}.")
    names = [k for k, _ in items]
    if "train" not in names or "eval" not in names:
        raise InputError(f"ratios need both a 'train' and an 'eval' share, got {names}.")
    out = {}
    for k, v in items:
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(float(v)):
            raise InputError(f"ratio for {k!r} must be a finite number, got {v!r}.")
        if v < 0:
            raise InputError(f"ratio for {k!r} is negative ({v}); ratios are shares between 0 and 1.")
        if v == 0:
            raise InputError(f"ratio for {k!r} is 0; leave the {k!r} split out of the ratios instead.")
        out[k] = float(v)
    total = sum(out.values())
    if not math.isclose(total, 1.0, rel_tol=0, abs_tol=1e-9):
        raise InputError(
            f"ratios {out} sum to {total:.6g}, expected 1. Give shares that add up to 1, e.g. "
            f"{{'train': 0.8, 'eval': 0.2}} or (0.7, 0.15, 0.15)."
        )
    return {k: out[k] for k in SPLIT_NAMES if k in out}


def _check_seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise InputError(
            f"seed must be a non-negative integer, got {type(seed).__name__} {seed!r}. Pass e.g. seed=0."
        )
    if seed < 0:
        raise InputError(f"seed must be a non-negative integer, got {seed}. Pass e.g. seed=0.")
    return int(seed)


def _check_folds(folds: Any) -> int | None:
    if folds is None:
        return None
    if isinstance(folds, bool) or not isinstance(folds, numbers.Integral):
        raise InputError(f"folds must be an integer >= 2 or None, got {type(folds).__name__} {folds!r}.")
    if folds < 2:
        raise InputError(f"folds must be at least 2 for cross-validation, got {folds}; pass folds=None for no folds.")
    return int(folds)


def _check_group_columns(corpus: Corpus, group_columns: Sequence[str] | str | None) -> tuple[str, ...]:
    if isinstance(group_columns, str):
        group_columns = (group_columns,)
    cols = [NEAR_DUPLICATE_COLUMN]
    for c in group_columns or ():
        if not isinstance(c, str) or not c:
            raise InputError(f"group columns must be non-empty column names, got {c!r}.")
        if c not in cols:
            cols.append(c)
    names = corpus.dataset.column_names
    for c in cols:
        if c.startswith("meta.") and len(c) > len("meta.") and "meta" in names:
            continue
        if c not in names:
            raise InputError(
                f"group column {c!r} is not a corpus column; use one of {sorted(names)} or 'meta.KEY' for a key "
                f"of the meta JSON (e.g. 'meta.story')."
            )
    return tuple(cols)


# --------------------------------------------------------------------------------------------------
# Units: groups (connected components), cut by previous assignments when a split is extended
# --------------------------------------------------------------------------------------------------

def _units(comp: Sequence[int], old: Sequence[int], items: Sequence[int]):
    """Units of assignment over ``items`` (indices into ``comp``/``old``).

    A component with no previously assigned member is one free unit. A component with old members
    becomes one locked unit per side they are on; its new members join the side holding most of the old
    members (ties: the first side). Returns (units, sides, conflicts) where conflicts lists components
    whose old members are on more than one side.
    """
    by_comp: dict[int, list[int]] = {}
    for i in items:
        by_comp.setdefault(comp[i], []).append(i)
    units: list[list[int]] = []
    sides: list[int] = []
    conflicts: list[dict[int, list[int]]] = []
    for root in sorted(by_comp):
        members = by_comp[root]
        on: dict[int, list[int]] = {}
        for i in members:
            if old[i] >= 0:
                on.setdefault(old[i], []).append(i)
        if not on:
            units.append(members)
            sides.append(-1)
            continue
        home = min(on, key=lambda s: (-len(on[s]), s))
        new = [i for i in members if old[i] < 0]
        for s in sorted(on):
            units.append(sorted(on[s] + new) if s == home else on[s])
            sides.append(s)
        if len(on) > 1:
            conflicts.append({s: on[s] for s in sorted(on)})
    return units, sides, conflicts


def _assign(matrix: np.ndarray, units: list[list[int]], sides: list[int], ratios: Sequence[float],
            rng: np.random.Generator) -> np.ndarray:
    """Stratify units (each a list of article rows; side -1 when free) into splits; the split of each unit.

    A label must reach a split when that split expects at least two of its groups
    (``ratio * groups >= 2``), i.e. the label has ``ceil(2 / ratio)`` groups or more.
    """
    counts = np.stack([matrix[u].sum(axis=0) for u in units]).astype(np.int64)
    sizes = np.array([len(u) for u in units], dtype=np.int64)
    ratios = np.asarray(ratios, dtype=np.float64)
    must = np.outer(ratios, (counts > 0).sum(axis=0)) >= 2 - 1e-9
    order = rng.permutation(len(units))
    return stratify(counts, sizes, ratios, order, assigned=np.asarray(sides, dtype=np.int64), must_cover=must)


def _min_groups(ratios: Sequence[float]) -> int:
    """Independent examples a label needs for two expected examples in the smallest split."""
    return math.ceil(2.0 / min(ratios) - 1e-9)


# --------------------------------------------------------------------------------------------------
# make_splits
# --------------------------------------------------------------------------------------------------

def make_splits(corpus: Corpus, ratios: Mapping[str, float] | Sequence[float] = DEFAULT_RATIOS, seed: int = 0, *,
                group_columns: Sequence[str] = (NEAR_DUPLICATE_COLUMN,), folds: int | None = None,
                previous: SplitManifest | None = None, reshuffle: bool = False) -> SplitManifest:
    """Split the labeled articles of ``corpus`` into train/eval(/test), stratified on every label.

    Only labeled articles (``labeled == True``) are split; unlabeled articles belong to no split and
    their count is ``label_report["unlabeled"]``.

    Method: group-aware iterative stratification (Sechidis et al., 2011) on all facets at once. Articles
    that share a value in any of ``group_columns`` are one group (connected components over all the
    columns) and always land on the same side; labels are counted per group. A label appears in every
    split, in proportion, when it has at least ``label_report["min_examples"]`` groups (enough for two
    expected groups in the smallest split: ``ceil(2 / min(ratios))``, ``2 * folds`` for folds); labels
    with fewer are listed in ``label_report["too_few"]`` (``{facet: {label: groups}}``) and still
    distributed as well as they allow. A required label still missing from a split (only possible when
    groups or kept assignments leave no way) is listed in ``label_report["not_covered"]``.

    Parameters
    ----------
    corpus : Corpus
    ratios : {"train": p, "eval": q[, "test": r]} or (p, q[, r])
        Shares of the labeled articles, each > 0, summing to 1.
    seed : int
        Non-negative; the same corpus, ratios, groups and seed give a byte-identical manifest.
    group_columns : column names
        Columns whose shared values keep articles together: any corpus column (``source``, ``tags``
        — one key per list element) or ``meta.KEY`` (a key of the ``meta`` JSON, e.g. ``meta.story``).
        Empty values group nothing. The near-duplicate column ``group_id`` is always included.
    folds : int, optional
        Also cut the train split into this many cross-validation folds (stratified and grouped the
        same way).
    previous : SplitManifest, optional
        A split of an earlier version of the corpus to extend: unless ``reshuffle``, every article it
        assigned keeps its side (and fold, when the number of folds is unchanged); only new articles are
        assigned, a new article joining the side of old articles of its group. ``manifest.extends``
        records it.
    reshuffle : bool
        Ignore ``previous`` and split from scratch (articles may change sides).

    Returns
    -------
    SplitManifest

    Raises
    ------
    InputError
        Ratios that are not shares summing to 1 or name unknown splits; a seed that is not a
        non-negative integer; folds < 2 or more folds than groups in the train split; an unknown group
        column; a ``previous`` split with other ratios or group columns (pass ``reshuffle=True``).
    CorpusError
        A corpus with no labeled articles, or whose labeled articles carry no label at all.
    """
    ratio_map = _check_ratios(ratios)
    seed = _check_seed(seed)
    k = _check_folds(folds)
    cols = _check_group_columns(corpus, group_columns)
    names = list(ratio_map)
    r = [ratio_map[n] for n in names]

    data = labeled_articles(corpus)
    if not data.ids:
        raise CorpusError(
            f"the corpus has no labeled articles ({data.unlabeled} unlabeled); a split needs labels to stratify "
            f"on. Annotate articles first (newstag annotate ...) or build from labeled files."
        )
    if not data.matrix.any():
        raise CorpusError(
            f"the corpus's {len(data.ids)} labeled article(s) carry no label in any facet "
            f"({', '.join(corpus.taxonomy.facet_names)}); there is nothing to stratify on. Check the annotations."
        )
    comp = components(group_keys(corpus, cols, data.rows))
    fingerprint = corpus.fingerprint

    prev = None if reshuffle else previous
    if prev is not None:
        _check_previous(prev, ratio_map, cols)
    old_side, old_fold, extends = _previous_sides(prev, names, data.ids, k)

    # the split
    units, sides, conflicts = _units(comp, old_side, range(len(data.ids)))
    rng = np.random.default_rng([seed, _SPLIT_STREAM])
    assign = _assign(data.matrix, units, sides, r, rng)
    side = np.empty(len(data.ids), dtype=np.int64)
    for u, s in zip(units, assign):
        side[u] = s
    ids = {name: [data.ids[i] for i in np.flatnonzero(side == s)] for s, name in enumerate(names)}

    # the folds, over the train split
    fold_ids = None
    fold_conflicts: list = []
    if k is not None:
        train = [int(i) for i in np.flatnonzero(side == 0)]
        fold_ids, fold_conflicts = _cut_folds(data, comp, train, k, old_fold, seed)
        if extends is not None:
            extends["folds"] = "kept" if any(f >= 0 for f in old_fold) else "new"

    if extends is not None:
        extends["group_conflicts"] = [
            {names[s]: [data.ids[i] for i in members] for s, members in c.items()} for c in conflicts
        ]
        if fold_conflicts:
            extends["fold_group_conflicts"] = [
                {str(f): [data.ids[i] for i in members] for f, members in c.items()} for c in fold_conflicts
            ]

    if extends is not None and extends["added"] == 0 and extends["dropped"] == 0 and not conflicts \
            and prev.corpus_fingerprint == fingerprint and prev.method == METHOD and prev.seed == seed \
            and (prev.folds is None) == (k is None) and extends.get("folds", "kept") == "kept":
        extends = None if prev.extends is None else dict(prev.extends)  # nothing changed: re-running is idempotent
    report = _label_report(data, comp, side, names, r, fold_ids, k)
    return SplitManifest(method=METHOD, seed=seed, ratios=ratio_map, corpus_fingerprint=fingerprint,
                         ids=ids, group_columns=cols, folds=fold_ids, label_report=report, extends=extends)


def _cut_folds(data: Labeled, comp: Sequence[int], train: list[int], k: int, old_fold: Sequence[int],
               seed: int) -> tuple[list[list[str]], list]:
    """``k`` folds over the ``train`` rows of ``data`` (stratified, each component whole, old folds kept):
    ``(fold ids, components whose old members sit in several folds)``."""
    fold_units, fsides, fold_conflicts = _units(comp, old_fold, train)
    n_groups = len({comp[i] for i in train})
    if k > n_groups:
        raise InputError(
            f"folds={k} but the train split has only {n_groups} group(s) of articles that must stay together; "
            f"use at most {n_groups} folds."
        )
    frng = np.random.default_rng([seed, _FOLD_STREAM])
    fassign = _assign(data.matrix, fold_units, fsides, [1.0 / k] * k, frng)
    fold_of = {}
    for u, f in zip(fold_units, fassign):
        for i in u:
            fold_of[i] = int(f)
    return [[data.ids[i] for i in train if fold_of[i] == f] for f in range(k)], fold_conflicts


def train_folds(corpus: Corpus, train_ids: Sequence[str], folds: int, seed: int = 0,
                group_columns: Sequence[str] = ()) -> list[list[str]]:
    """Cut the labeled articles ``train_ids`` into ``folds`` cross-validation folds the way :func:`make_splits`
    cuts its train split: stratified on every label, each group whole — near-duplicates and articles sharing a
    value of ``group_columns`` (one key per list element, so a story line's items share its outermost story
    whatever their inner bullets). Groups are formed among ``train_ids`` alone: the folds do not change when other
    articles of the corpus gain labels. What :func:`corpus.time_split` uses for its folds.

    Raises
    ------
    InputError
        A fold count below 2 or above the number of groups, a bad seed, an unknown group column, a train id that
        is not a labeled article of the corpus.
    """
    k = _check_folds(folds)
    seed = _check_seed(seed)
    cols = _check_group_columns(corpus, group_columns)
    data = labeled_articles(corpus)
    index = {a: n for n, a in enumerate(data.ids)}
    missing = [a for a in train_ids if a not in index]
    if missing:
        known = set(corpus.ids)
        unknown = [a for a in missing if a not in known]
        raise InputError(
            f"cannot cut folds: {len(missing)} of the {len(train_ids)} train ids are not labeled articles of the corpus "
            f"({len(unknown)} not in it at all, {len(missing) - len(unknown)} unlabeled), e.g. "
            f"{', '.join(repr(a) for a in missing[:5])}. Folds are cut from labeled articles only: label them or "
            f"leave them out of the train ids."
        )
    train = sorted(index[a] for a in train_ids)
    # Groups of the train articles alone: an article outside them (a held-out item of a training story line) neither
    # joins two of their groups nor names one, so the folds depend on the train articles and the seed only.
    sub = components(group_keys(corpus, cols, [data.rows[i] for i in train]))
    comp = [-1] * len(data.ids)
    for pos, i in enumerate(train):
        comp[i] = train[sub[pos]]
    return _cut_folds(data, comp, train, k, [-1] * len(data.ids), seed)[0]


def _previous_sides(prev: SplitManifest | None, names: list[str], ids: list[str], k: int | None):
    """Each labeled article's split (and fold) in ``prev`` (-1 when new), and the ``extends`` record."""
    old_side = [-1] * len(ids)
    old_fold = [-1] * len(ids)
    if prev is None:
        return old_side, old_fold, None
    index = {i: n for n, i in enumerate(ids)}
    for s, name in enumerate(names):
        for i in prev.ids.get(name, ()):
            if i in index:
                old_side[index[i]] = s
    if k is not None and prev.folds is not None and len(prev.folds) == k:
        for f, fold in enumerate(prev.folds):
            for i in fold:
                if i in index and old_side[index[i]] == 0:
                    old_fold[index[i]] = f
    kept = sum(1 for s in old_side if s >= 0)
    extends = {
        "method": prev.method, "seed": prev.seed, "corpus_fingerprint": prev.corpus_fingerprint,
        "kept": kept, "added": len(ids) - kept, "dropped": sum(len(v) for v in prev.ids.values()) - kept,
    }
    return old_side, old_fold, extends


def _check_previous(prev: SplitManifest, ratio_map: Mapping[str, float], cols: Sequence[str]) -> None:
    same = set(prev.ratios) == set(ratio_map) and all(
        math.isclose(prev.ratios[n], ratio_map[n], rel_tol=0, abs_tol=1e-9) for n in ratio_map
    )
    if not same:
        raise InputError(
            f"the previous split ({prev.method}) has ratios {dict(prev.ratios)}, but {dict(ratio_map)} were asked. "
            f"Keeping its articles in place cannot honour other ratios: ask for the same ratios, or reshuffle "
            f"(reshuffle=True, --reshuffle), which may move articles to other splits."
        )
    prev_cols = tuple(prev.group_columns)
    if NEAR_DUPLICATE_COLUMN not in prev_cols:
        prev_cols = (NEAR_DUPLICATE_COLUMN, *prev_cols)
    if tuple(sorted(prev_cols)) != tuple(sorted(cols)):
        raise InputError(
            f"the previous split grouped articles by {list(prev_cols)}, but {list(cols)} were asked. New groups "
            f"would cross the kept split: ask for the same group columns, or reshuffle (reshuffle=True, --reshuffle)."
        )


def _label_report(data: Labeled, comp: Sequence[int], side: np.ndarray, names: list[str], r: list[float],
                  fold_ids: list[list[str]] | None, k: int | None) -> dict[str, Any]:
    """Counts per split and label; labels with too few groups; required labels that are missing."""
    matrix = data.matrix
    roots = sorted(set(comp))
    root_pos = {root: n for n, root in enumerate(roots)}
    comp_idx = np.array([root_pos[c] for c in comp], dtype=np.int64)
    group_present = np.zeros((len(roots), matrix.shape[1]), dtype=bool)
    np.logical_or.at(group_present, comp_idx, matrix.astype(bool))
    groups_per_label = group_present.sum(axis=0)
    sizes = np.bincount(comp_idx)
    facets = list(dict.fromkeys(f for f, _ in data.labels))

    def by_facet(pairs):
        out: dict[str, Any] = {f: {} for f in facets}
        for (f, lab), v in pairs:
            out[f][lab] = v
        return out

    def coverage_report(split_of: np.ndarray, split_names: list[str], minimum: int, members: np.ndarray):
        counts = np.stack([matrix[members & (split_of == s)].sum(axis=0) for s in range(len(split_names))])
        gp = np.zeros((len(roots), matrix.shape[1]), dtype=bool)
        np.logical_or.at(gp, comp_idx[members], matrix[members].astype(bool))
        groups = gp.sum(axis=0)
        too_few = by_facet((data.labels[j], int(groups[j])) for j in range(len(data.labels)) if 0 < groups[j] < minimum)
        not_covered: dict[str, Any] = {}
        for s, name in enumerate(split_names):
            miss = [data.labels[j] for j in range(len(data.labels)) if groups[j] >= minimum and counts[s, j] == 0]
            if miss:
                not_covered[name] = {f: [lab for ff, lab in miss if ff == f]
                                     for f in facets if any(ff == f for ff, _ in miss)}
        return minimum, counts, too_few, not_covered

    everyone = np.ones(len(data.ids), dtype=bool)
    minimum, counts, too_few, not_covered = coverage_report(side, names, _min_groups(r), everyone)
    total = matrix.sum(axis=0)
    proportions = by_facet(
        (data.labels[j], {"total": int(total[j]), **{n: int(counts[s, j]) for s, n in enumerate(names)}})
        for j in range(len(data.labels)) if total[j] > 0
    )
    report: dict[str, Any] = {
        "labeled": len(data.ids),
        "unlabeled": data.unlabeled,
        "groups": len(roots),
        "largest_group": int(sizes.max()),
        "min_examples": minimum,
        "too_few": too_few,
        "absent": {f: [lab for (ff, lab), g in zip(data.labels, groups_per_label) if ff == f and g == 0]
                   for f in facets},
        "not_covered": not_covered,
        "proportions": proportions,
        "folds": None,
    }
    if fold_ids is not None and k is not None:
        pos = {i: n for n, i in enumerate(data.ids)}
        fold_of = np.full(len(data.ids), -1, dtype=np.int64)
        for f, fold in enumerate(fold_ids):
            fold_of[[pos[i] for i in fold]] = f
        fmin, fcounts, ftoo_few, fnot = coverage_report(fold_of, [str(f) for f in range(k)], 2 * k, side == 0)
        ftotal = matrix[side == 0].sum(axis=0)
        report["folds"] = {
            "k": k,
            "min_examples": fmin,
            "too_few": ftoo_few,
            "not_covered": fnot,
            "proportions": by_facet(
                (data.labels[j], [int(fcounts[f, j]) for f in range(k)])
                for j in range(len(data.labels)) if ftotal[j] > 0
            ),
        }
    return report
