"""Group-aware iterative stratification (after Sechidis, Tsoumakas & Vlahavas, 2011) over label counts.

The unit of assignment is a *group*: articles that must land on the same side (near-duplicates,
one story line, …). Each group carries a vector of label counts (how many of its articles carry each
label) and a size (its number of articles). Split ``s`` targets ``ratio[s] * total`` articles of every
label and in all. The algorithm:

1. Groups already assigned (kept from a previous split) are counted first; they never move.
2. Iterative stratification: repeatedly take the label with the fewest groups still free (ties: the
   lowest label index) and hand each free group carrying it, in the seeded processing ``order``, to
   the split that still wants that group's labels most, relative to its targets (the label being
   processed counted twice); ties go to the split that wants the most articles, then to the first
   split. A split that does not have the label yet and expects at least one of its groups
   (``ratio * groups >= 1``) comes first. Unlike Sechidis' rule (the absolute want of the current label
   only), this looks at all the group's labels, which keeps frequent labels, handed out early as
   passengers of rare ones, close to their targets.
3. Groups without labels fill the splits that want the most articles.
4. Refinement: move single free groups to another split while that lowers the chi-square distance
   ``sum (count - target)**2 / target`` over labels and split sizes, until no move helps (at most 200
   rounds). Each round screens all groups at once with matrix products, then tries the most promising
   batch (ties: processing order), each move checked again against the counts it finds.
5. Coverage repair: a label that ``must_cover`` a split but is missing from it gets a group moved
   there from a split that has two or more, or swapped for a group of similar size. Steps 4 and 5 never
   take the last carrier of a required label out of a split.

Everything is deterministic given ``order``: no Python ``hash`` of strings, ties broken by index.
"""

from __future__ import annotations

__all__ = ["components", "stratify"]

from typing import Hashable, Sequence

import numpy as np


def components(keys: Sequence[Sequence[Hashable]]) -> list[int]:
    """Connected components of items that share any key: for each item, the smallest item index in
    its component (so, for items sorted by id, the component is named by its smallest id)."""
    parent = list(range(len(keys)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[Hashable, int] = {}
    for i, item_keys in enumerate(keys):
        for k in item_keys:
            j = first.setdefault(k, i)
            if j != i:
                ri, rj = find(i), find(j)
                if ri != rj:
                    parent[max(ri, rj)] = min(ri, rj)
    return [find(i) for i in range(len(keys))]


def stratify(counts: np.ndarray, sizes: np.ndarray, ratios: Sequence[float], order: np.ndarray, *,
             assigned: np.ndarray | None = None, locked: np.ndarray | None = None,
             must_cover: np.ndarray | None = None) -> np.ndarray:
    """Assign every group to a split.

    Parameters
    ----------
    counts : (n_groups, n_labels) int
        How many articles of each group carry each label.
    sizes : (n_groups,) int
        Articles per group.
    ratios : (n_splits,) floats summing to 1
        The share of articles each split should get.
    order : (n_groups,) permutation
        The processing order of free groups (the seeded shuffle; ties between groups follow it).
    assigned : (n_groups,) int, optional
        A split index for groups already placed (kept from a previous split), -1 for free groups.
    locked : (n_groups,) bool, optional
        Groups the coverage repair may not move (default: the groups given in ``assigned``).
    must_cover : (n_splits, n_labels) bool, optional
        Labels that each split must contain after the repair when at all possible.

    Returns
    -------
    (n_groups,) int : the split index of every group.
    """
    counts = np.asarray(counts, dtype=np.int64)
    sizes = np.asarray(sizes, dtype=np.int64)
    ratios = np.asarray(ratios, dtype=np.float64)
    n_groups, n_labels = counts.shape
    n_splits = len(ratios)
    assign = np.full(n_groups, -1, dtype=np.int64) if assigned is None else np.array(assigned, dtype=np.int64)
    if locked is None:
        locked = assign >= 0
    present = counts > 0
    rank = np.empty(n_groups, dtype=np.int64)
    rank[np.asarray(order, dtype=np.int64)] = np.arange(n_groups)

    want = np.outer(ratios, counts.sum(axis=0).astype(np.float64))
    target = np.maximum(want, 1e-9)
    size_want = ratios * float(sizes.sum())
    cover = np.zeros((n_splits, n_labels), dtype=np.int64)
    for s in range(n_splits):
        mask = assign == s
        want[s] -= counts[mask].sum(axis=0)
        size_want[s] -= sizes[mask].sum()
        cover[s] = present[mask].sum(axis=0)
    # a split "expects" a label when its share of the label's groups is at least one
    expects = np.outer(ratios, present.sum(axis=0)) >= 1 - 1e-9

    free = assign < 0
    labels_of = [np.flatnonzero(row) for row in present]
    remaining = present[free].sum(axis=0)

    def place(g: int, s: int) -> None:
        idx = labels_of[g]
        assign[g] = s
        free[g] = False
        want[s, idx] -= counts[g, idx]
        size_want[s] -= sizes[g]
        cover[s, idx] += 1
        remaining[idx] -= 1

    def best(candidates: np.ndarray, primary: np.ndarray) -> int:
        # lexicographic max of (primary, size_want), then the first split
        top = candidates[primary[candidates] == primary[candidates].max()]
        top = top[size_want[top] == size_want[top].max()]
        return int(top[0])

    all_splits = np.arange(n_splits)
    while True:
        live = np.flatnonzero(remaining > 0)
        if live.size == 0:
            break
        label = int(live[np.argmin(remaining[live])])
        carriers = np.flatnonzero(present[:, label] & free)
        for g in carriers[np.argsort(rank[carriers], kind="stable")]:
            lacking = all_splits[(cover[:, label] == 0) & expects[:, label]]
            # how much each split still wants this group's labels, relative to its targets,
            # the label being processed counted once more
            idx = labels_of[g]
            score = (want[:, idx] * counts[g, idx] / target[:, idx]).sum(axis=1) + want[:, label] / target[:, label]
            place(int(g), best(lacking if lacking.size else all_splits, score))
    rest = np.flatnonzero(free)
    for g in rest[np.argsort(rank[rest], kind="stable")]:
        s = best(all_splits, size_want)
        place(int(g), s)

    locked = np.asarray(locked, dtype=bool)
    must = np.zeros_like(cover, dtype=bool) if must_cover is None else np.asarray(must_cover, dtype=bool)
    _refine(assign, locked, counts, sizes, ratios, rank, cover, present, must)
    if must.any():
        _repair(assign, locked, present, sizes, rank, must, cover)
    return assign


def _repair(assign: np.ndarray, locked: np.ndarray, present: np.ndarray, sizes: np.ndarray, rank: np.ndarray,
            must: np.ndarray, cover: np.ndarray) -> None:
    """Move or swap unlocked groups so that every required label is in every split (in place)."""
    n_splits = must.shape[0]
    for _ in range(4 * n_splits + 4):
        missing = np.argwhere(must & (cover == 0))
        if missing.size == 0:
            return
        changed = False
        for s, label in missing:
            s, label = int(s), int(label)
            if cover[s, label] > 0:
                continue
            if _move(assign, locked, present, sizes, rank, must, cover, s, label):
                changed = True
            elif _swap(assign, locked, present, sizes, rank, must, cover, s, label):
                changed = True
        if not changed:
            return


def _relocate(assign, present, cover, g: int, src: int, dst: int) -> None:
    assign[g] = dst
    cover[src] -= present[g]
    cover[dst] += present[g]


def _move(assign, locked, present, sizes, rank, must, cover, s: int, label: int) -> bool:
    # candidates: free-to-move groups carrying the label in a split that has it at least twice,
    # whose departure leaves every required label of that split behind
    cand = np.flatnonzero(present[:, label] & ~locked & (assign != s))
    best = None
    for g in cand:
        t = int(assign[g])
        if cover[t, label] < 2:
            continue
        critical = must[t] & (cover[t] == 1)
        if (present[g] & critical).any():
            continue
        key = (int(sizes[g]), int(rank[g]))
        if best is None or key < best[0]:
            best = (key, int(g), t)
    if best is None:
        return False
    _relocate(assign, present, cover, best[1], best[2], s)
    return True


def _swap(assign, locked, present, sizes, rank, must, cover, s: int, label: int) -> bool:
    cand = np.flatnonzero(present[:, label] & ~locked & (assign != s))
    partners = np.flatnonzero((assign == s) & ~locked & ~present[:, label])
    if cand.size == 0 or partners.size == 0:
        return False
    best = None
    p_present = present[partners]
    for g in cand:
        t = int(assign[g])
        if cover[t, label] < 2:
            continue  # the partner cannot bring the label back to t (s lacks it)
        # the partner h leaves s: s must keep its required labels (g brings its own)
        crit_s = must[s] & (cover[s] == 1) & ~present[g]
        ok = ~p_present[:, crit_s].any(axis=1)
        # g leaves t: every required label g alone carries in t must come back with h
        crit_t = present[g] & must[t] & (cover[t] == 1)
        ok &= p_present[:, crit_t].all(axis=1)
        if not ok.any():
            continue
        hs = partners[ok]
        gap = np.abs(sizes[hs] - sizes[g])
        pick = np.lexsort((rank[hs], gap))[0]
        key = (int(gap[pick]), int(rank[g]), int(rank[hs[pick]]))
        if best is None or key < best[0]:
            best = (key, int(g), t, int(hs[pick]))
    if best is None:
        return False
    _, g, t, h = best
    _relocate(assign, present, cover, g, t, s)
    _relocate(assign, present, cover, h, s, t)
    return True


def _refine(assign, locked, counts, sizes, ratios, rank, cover, present, must, passes: int = 200) -> None:
    """Local search: move single unlocked groups while that lowers the chi-square distance of label
    counts and split sizes from their targets; never removes the last carrier of a required label."""
    n_splits = len(ratios)
    target = np.maximum(np.outer(ratios, counts.sum(axis=0).astype(np.float64)), 1e-9)
    size_target = np.maximum(ratios * float(sizes.sum()), 1e-9)
    cnt = np.zeros_like(target)
    size = np.zeros(n_splits)
    for s in range(n_splits):
        cnt[s] = counts[assign == s].sum(axis=0)
        size[s] = sizes[assign == s].sum()
    movable = np.flatnonzero(~locked)
    movable = movable[np.argsort(rank[movable], kind="stable")]
    labels_of = [np.flatnonzero(row) for row in present]
    c1 = counts[movable].astype(np.float64)
    c2 = c1 ** 2
    s1 = sizes[movable].astype(np.float64)[:, None]
    rows = np.arange(movable.size)
    batch = max(64, movable.size // 20)
    for _ in range(passes):
        # screen every movable group at once: the change of the distance if it alone moved to each split
        # ((x + c)**2 - x**2) / t = (c**2 + 2*c*x) / t with x = count - target; leaving: (c**2 - 2*c*x) / t
        sq = c2 @ (1.0 / target).T + s1 ** 2 / size_target
        lin = c1 @ ((cnt - target) / target).T + s1 * (size - size_target) / size_target
        here = assign[movable]
        leave = sq[rows, here] - 2 * lin[rows, here]
        delta = sq + 2 * lin + leave[:, None]
        delta[rows, here] = 0.0
        # a group carrying the last copy of a required label in its split stays
        blocked = (present[movable] & (must & (cover == 1))[here]).any(axis=1)
        gain = delta.min(axis=1)
        pick = np.flatnonzero((gain < -1e-9) & ~blocked)
        if pick.size == 0:
            break
        # the most promising first (ties: processing order); moves change the counts, so only a batch
        # per screen, each checked again against the counts it finds
        pick = pick[np.lexsort((pick, gain[pick]))][:batch]
        improved = False
        for g in movable[pick]:
            a = int(assign[g])
            idx = labels_of[g]
            c = counts[g, idx].astype(np.float64)
            if (must[a, idx] & (cover[a, idx] == 1)).any():
                continue
            # change in sum (cnt - target)^2 / target when g leaves a and joins b
            ta, tb = target[:, idx], target[:, idx]
            leave = (((cnt[a, idx] - c - ta[a]) ** 2 - (cnt[a, idx] - ta[a]) ** 2) / ta[a]).sum()
            leave += ((size[a] - sizes[g] - size_target[a]) ** 2 - (size[a] - size_target[a]) ** 2) / size_target[a]
            join = (((cnt[:, idx] + c - tb) ** 2 - (cnt[:, idx] - tb) ** 2) / tb).sum(axis=1)
            join += ((size + sizes[g] - size_target) ** 2 - (size - size_target) ** 2) / size_target
            delta = leave + join
            delta[a] = 0.0
            b = int(np.argmin(delta))
            if delta[b] < -1e-9:
                assign[g] = b
                cnt[a, idx] -= c
                cnt[b, idx] += c
                size[a] -= sizes[g]
                size[b] += sizes[g]
                cover[a, idx] -= 1
                cover[b, idx] += 1
                improved = True
        if not improved:
            break
